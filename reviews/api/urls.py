from django.urls import path

from reviews.api import views

urlpatterns = [
    path("products/<str:key>/reviews/", views.ProductReviewListApi.as_view(), name="product-reviews"),
]
