from django.urls import path

from analytics.api import views

urlpatterns = [
    path("reports/<slug:name>/", views.AnalyticsReportApi.as_view(), name="analytics-report"),
    path("marketing-costs/", views.MarketingCostUploadApi.as_view(), name="analytics-marketing-costs"),
]
