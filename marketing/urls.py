from django.urls import path

from marketing import views

app_name = "marketing"

urlpatterns = [
    path("c/<str:signed>/", views.click, name="click"),
    path("o/<str:signed>/", views.open_pixel, name="open"),
    path("u/<str:signed>/", views.unsubscribe, name="unsubscribe"),
    path("cart/<str:signed>/", views.cart_return_view, name="cart_return"),
    path("reorder/<str:signed>/", views.reorder, name="reorder"),
]
