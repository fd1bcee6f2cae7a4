from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("yandex.yml", views.feed_file, {"name": "yandex"}, name="feed-yandex"),
    path("google.xml", views.feed_file, {"name": "google"}, name="feed-google"),
]
