"""Mounted at /api/v1/staff/catalog/ by config/api_urls.py."""

from django.urls import path

from integrations.api.views import StaffProductDetailApi, StaffProductListApi, StaffStockAndPricesApi

app_name = "staff-catalog-api"

urlpatterns = [
    path("products/", StaffProductListApi.as_view(), name="products"),
    path("products/<str:sku>/", StaffProductDetailApi.as_view(), name="product"),
    path("items/", StaffStockAndPricesApi.as_view(), name="items"),
]
