from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def page_not_found(request, exception=None):
    """A person gets the shop's 404 page; an API client (no route under /api/) the API's error
    shape, as every other API answer."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return render(request, "404.html", status=404)
