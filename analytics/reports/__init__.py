"""Every report the owner and the marketer read, by name: the admin pages, the API and the CSV
downloads are all generated from this one list."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from analytics.reports import campaigns, customers, funnel, logistics, operations, sales
from analytics.reports.reading import FiguresReader
from analytics.reports.tables import Table

OWNER_PERMISSION = "analytics.view_dashboard"
MARKETING_PERMISSION = "analytics.view_marketing_reports"


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: str
    build: Callable[[FiguresReader, dict], Table]
    marketing: bool = False  # the Marketer role sees it too

    def allowed(self, user) -> bool:
        if not (user.is_active and user.is_staff):
            return False
        return user.has_perm(OWNER_PERMISSION) or (self.marketing and user.has_perm(MARKETING_PERMISSION))


REPORTS: dict[str, ReportSpec] = {spec.name: spec for spec in (
    ReportSpec("kpi", _("KPI summary"), lambda reader, query: sales.kpi_summary(reader=reader, period=query["period"])),
    ReportSpec("channels", _("By channel and UTM"), marketing=True, build=lambda reader, query: sales.channels_report(
        reader=reader, period=query["period"], by_utm=query["by"] == "utm")),
    ReportSpec("trend", _("Day by day"), marketing=True,
               build=lambda reader, query: sales.daily_trend(reader=reader, period=query["period"])),
    ReportSpec("funnel", _("Funnel"), marketing=True, build=lambda reader, query: funnel.funnel_report(
        reader=reader, period=query["period"], channel=query["channel"], device=query["device"])),
    ReportSpec("categories", _("By category"), marketing=True,
               build=lambda reader, query: operations.categories_report(reader=reader, period=query["period"])),
    ReportSpec("landing_pages", _("By landing page"), marketing=True,
               build=lambda reader, query: sales.landing_pages_report(reader=reader, period=query["period"])),
    ReportSpec("campaigns", _("Messages and campaigns"), marketing=True,
               build=lambda reader, query: campaigns.campaigns_report(reader=reader, period=query["period"])),
    ReportSpec("customers", _("Customers"), marketing=True,
               build=lambda reader, query: customers.customers_report(reader=reader, period=query["period"])),
    ReportSpec("cohorts", _("Customer cohorts"), marketing=True,
               build=lambda reader, query: customers.cohorts_report(reader=reader, period=query["period"])),
    ReportSpec("managers", _("Managers"),
               build=lambda reader, query: operations.managers_report(reader=reader, period=query["period"])),
    ReportSpec("cancellations", _("Cancellations"),
               build=lambda reader, query: operations.cancellations_report(reader=reader, period=query["period"])),
    ReportSpec("logistics", _("Logistics"),
               build=lambda reader, query: logistics.logistics_report(reader=reader, period=query["period"])),
)}


def reports_for(user) -> list[ReportSpec]:
    return [spec for spec in REPORTS.values() if spec.allowed(user)]


def report_build(*, name: str, query: dict) -> Table:
    """One report for a cleaned ReportForm's data."""
    reader = FiguresReader(attribution=query["attribution"])
    return REPORTS[name].build(reader, query)
