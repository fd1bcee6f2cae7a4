from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


def content_security_policy() -> str:
    """settings.CONTENT_SECURITY_POLICY as a header; a form may also lead to the payment
    provider's page (settings.PAYMENT_PAGE_ORIGINS): browsers apply form-action to the redirects
    that follow a form, and checkout ends on the provider's confirmation page."""
    policy = dict(settings.CONTENT_SECURITY_POLICY)
    origins = " ".join(getattr(settings, "PAYMENT_PAGE_ORIGINS", ()))
    if origins and "form-action" in policy:
        policy["form-action"] = f"{policy['form-action']} {origins}"
    return "; ".join(f"{name} {value}" for name, value in policy.items())


class ContentSecurityPolicyMiddleware:
    """Send a Content-Security-Policy: every script, style and picture comes from the shop itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(settings.CONTENT_SECURITY_POLICY_EXEMPT):
            response.headers.setdefault("Content-Security-Policy", content_security_policy())
        return response


class RequestLimitsMiddleware:
    """Refuse, before any view runs, the input no view can handle: a body larger than the shop
    accepts (413) and a NUL character in the path, the query or a form (400; PostgreSQL cannot
    store one, so every lookup with it would fail). The API answers in its JSON error shape.

    Uploads (multipart) are limited by Django's own upload settings, not here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _body_too_large(request):
            return _refused(request, 413, "too_large", _("The request is too large."))
        try:
            has_nul = _has_nul(request)
        except RequestDataTooBig:
            return _refused(request, 413, "too_large", _("The request is too large."))
        if has_nul:
            return _refused(request, 400, "nul_character",
                            _("The address or the form contains a character that is not allowed."))
        return self.get_response(request)


def _body_too_large(request) -> bool:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or request.content_type == "multipart/form-data":
        return False
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > limit


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    forms = [request.GET]
    if request.method == "POST" and request.content_type in _FORM_TYPES:
        forms.append(request.POST)
    return any("\x00" in key or any("\x00" in value for value in form.getlist(key))
               for form in forms for key in form)


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _refused(request, status: int, code: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(message), "errors": {}, "code": code}, status=status)
    return render(request, "request_refused.html", {"message": message}, status=status)
