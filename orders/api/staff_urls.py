"""Mounted at /api/v1/staff/ by config/api_urls.py."""

from django.urls import path

from orders.api.staff import (
    StaffOrderCallsApi,
    StaffOrderClaimApi,
    StaffOrderDetailApi,
    StaffOrderListApi,
    StaffOrderTransitionApi,
)

app_name = "staff-api"

urlpatterns = [
    path("orders/", StaffOrderListApi.as_view(), name="orders"),
    path("orders/<str:number>/", StaffOrderDetailApi.as_view(), name="order"),
    path("orders/<str:number>/claim/", StaffOrderClaimApi.as_view(), name="order-claim"),
    path("orders/<str:number>/transition/", StaffOrderTransitionApi.as_view(), name="order-transition"),
    path("orders/<str:number>/calls/", StaffOrderCallsApi.as_view(), name="order-calls"),
]
