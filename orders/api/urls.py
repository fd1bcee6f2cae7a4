from django.urls import path

from orders.api import views

urlpatterns = [
    path("cart/", views.CartApi.as_view(), name="cart"),
    path("cart/items/", views.CartItemCreateApi.as_view(), name="cart-item-list"),
    path("cart/items/<int:pk>/", views.CartItemApi.as_view(), name="cart-item-detail"),
    path("delivery-methods/", views.DeliveryMethodListApi.as_view(), name="delivery-method-list"),
    path("pickup-points/", views.PickupPointListApi.as_view(), name="pickup-point-list"),
    path("checkout/quote/", views.CheckoutQuoteApi.as_view(), name="checkout-quote"),
    path("checkout/", views.CheckoutApi.as_view(), name="checkout"),
    path("orders/", views.OrderListApi.as_view(), name="order-list"),
    path("orders/<str:number>/", views.OrderDetailApi.as_view(), name="order-detail"),
]
