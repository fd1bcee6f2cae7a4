from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("catalog/", views.category, name="catalog"),
    path("catalog/<slug:slug>/", views.category, name="category"),
    path("product/<slug:slug>/", views.product, name="product"),
    path("search/", views.search, name="search"),
]
