from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from analytics.views import admin_home, dashboard
from core.csrf import cross_origin_protected
from core.languages import language_switch

admin.site.site_header = settings.STORE_NAME
admin.site.site_title = settings.STORE_NAME

# The shoppers' pages name their language in the address (core/languages.py): /en/… in English,
# no prefix in the shop's own language. The storefront first: most requests are for it.
urlpatterns = i18n_patterns(
    path("", include("catalog.urls")),
    path("account/orders/", include("orders.account.urls")),
    path("account/", include("customers.urls")),
    path("", include("orders.urls")),
    path("", include("shipping.urls")),
    path("", include("reviews.urls")),
    prefix_default_language=False,
) + [
    path("", include("catalog.seo_urls")),
    path("feeds/", include("integrations.urls")),
    # The owner's landing page is the dashboard; the admin's own index stays for everyone else.
    path("admin/", admin.site.admin_view(admin_home)),
    path("admin/analytics/dashboard/", admin.site.admin_view(dashboard), name="analytics_dashboard"),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", cross_origin_protected(language_switch), name="set_language"),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("m/", include("marketing.urls")),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

handler404 = "core.views.page_not_found"
