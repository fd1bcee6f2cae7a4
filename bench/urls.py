"""The shop's URLs plus /bench/ok/: the cheapest page the same stack can serve, the ceiling
every storefront page is measured against."""

from django.http import HttpResponse
from django.urls import path

from config.urls import handler404  # noqa: F401 - handler404 is read from here
from config.urls import urlpatterns as shop_urlpatterns


def ok(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/ok/", ok, name="bench-ok"), *shop_urlpatterns]
