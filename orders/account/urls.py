"""The customer's orders in the account, mounted at /account/orders/."""

from django.urls import path

from orders.account import views

app_name = "account_orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("<str:number>/", views.order_detail, name="detail"),
]
