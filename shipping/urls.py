from django.urls import path

from shipping import views

app_name = "shipping"

urlpatterns = [
    path("shipping/webhooks/<slug:carrier>/", views.carrier_webhook, name="carrier_webhook"),
]
