from django.urls import path

from customers.api import views

urlpatterns = [
    path("auth/token/", views.AuthTokenCreateApi.as_view(), name="auth-token"),
]
