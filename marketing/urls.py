from django.urls import path

from marketing import views

app_name = "marketing"

urlpatterns = [
    path("c/<str:signed>/", views.click, name="click"),
    path("o/<str:signed>/", views.open_pixel, name="open"),
    path("u/<str:signed>/", views.unsubscribe, name="unsubscribe"),
    path("s/<str:token>/", views.sms_unsubscribe, name="sms_unsubscribe"),
    path("l/<str:token>/", views.sms_click, name="sms_click"),
    path("preferences/", views.preferences, name="preferences"),
    path("preferences/<str:signed>/", views.preferences_for_message, name="preferences_for_message"),
    path("cart/<str:signed>/", views.cart_return_view, name="cart_return"),
    path("reorder/<str:signed>/", views.reorder, name="reorder"),
    path("back-in-stock/", views.back_in_stock, name="back_in_stock"),
    path("back-in-stock/<str:signed>/", views.back_in_stock_confirm_view, name="back_in_stock_confirm"),
]
