"""/api/v1/: each app's API, composed here (config may import every app)."""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("catalog.api.urls")),
    path("", include("reviews.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("customers.api.urls")),
    path("staff/", include("orders.api.staff_urls")),
    path("staff/catalog/", include("integrations.api.urls")),
    path("analytics/", include("analytics.api.urls")),
]
