"""The customer's orders in the account, mounted at /account/orders/."""

from django.urls import path

from orders.account import views

app_name = "account_orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("guest-orders/link/", views.guest_orders_link_request, name="guest_orders_link"),
    path("guest-orders/add/<str:token>/", views.guest_orders_add_view, name="guest_orders_add"),
    path("<str:number>/", views.order_detail, name="detail"),
]
