from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("product/<slug:slug>/review/", views.review_write, name="write"),
    path("reviews/order/<str:number>/", views.order_review, name="order"),
]
