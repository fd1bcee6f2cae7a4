from django.contrib.auth import views as auth_views
from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-up/", views.sign_up, name="sign_up"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("", views.account, name="account"),
    path("addresses/", views.addresses, name="addresses"),
    path("addresses/new/", views.address_edit, name="address_add"),
    path("addresses/<int:pk>/", views.address_edit, name="address_edit"),
    path("addresses/<int:pk>/delete/", views.address_delete, name="address_delete"),
    path("points/", views.points, name="points"),
    path("messages/", views.preferences, name="preferences"),
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/export/", views.data_export, name="data_export"),
    path("privacy/delete/", views.data_delete_request, name="data_delete_request"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="customers/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="customers/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
