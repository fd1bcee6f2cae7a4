"""What crawlers fetch at the site's root, in no language of its own: robots.txt and the sitemaps
(which list every language's address themselves)."""

from django.urls import path

from catalog import views

app_name = "seo"

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", views.sitemap_section, name="sitemap_section"),
]
