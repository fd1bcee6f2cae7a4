from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("cart/", views.cart_page, name="cart"),
    path("cart/add/", views.cart_add_view, name="cart_add"),
    path("cart/lines/<int:line_id>/", views.cart_line_update, name="cart_line_update"),
    path("cart/lines/<int:line_id>/remove/", views.cart_line_remove_view, name="cart_line_remove"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/summary/", views.checkout_summary, name="checkout_summary"),
    path("order/<str:number>/thanks/", views.order_thanks, name="order_thanks"),
    path("order/<str:number>/pay/", views.order_pay, name="order_pay"),
    path("payments/test/<uuid:payment_id>/", views.payment_test_page, name="payment_test_page"),
    path("payments/webhook/<slug:provider_name>/", views.payment_webhook, name="payment_webhook"),
    path("privacy/", views.privacy, name="privacy"),
]
