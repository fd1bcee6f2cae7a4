"""Messages and campaigns: every trigger campaign's figures side by side, by marketing's own
rules, and what share of the shop's turnover they brought."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from analytics.periods import Period
from analytics.reports.figures import percent
from analytics.reports.reading import FiguresReader
from analytics.reports.tables import Column, Table
from marketing.campaigns.models import Campaign

COUNTS = ("sent", "clicks", "orders", "revenue")


def _row(values: dict, turnover: Decimal) -> dict:
    return {**values, "click_rate": percent(values["clicks"], values["sent"]),
            "turnover_share": percent(values["revenue"], turnover)}


def campaigns_report(*, reader: FiguresReader, period: Period) -> Table:
    """Per campaign: messages sent, messages clicked, the orders credited to it that stayed and
    their revenue, and that revenue's share of the shop's revenue in the period."""
    found = reader.campaigns(period)
    campaigns = {campaign.pk: campaign for campaign in Campaign.objects.filter(pk__in=found)}
    turnover = reader.total(period).revenue
    total = {"sent": 0, "clicks": 0, "orders": 0, "revenue": Decimal("0.00")}
    rows = []
    for campaign_id, values in sorted(found.items(), key=lambda item: (-item[1]["revenue"], -item[1]["sent"],
                                                                        item[0])):
        campaign = campaigns.get(campaign_id)
        rows.append({"campaign": str(campaign) if campaign else str(campaign_id),
                     "trigger": campaign.get_kind_display() if campaign else "", **_row(values, turnover)})
        for name in COUNTS:
            total[name] += values[name]
    return Table(
        name="campaigns", title=str(_("Messages and campaigns")),
        columns=[Column("campaign", _("Campaign"), "text"), Column("trigger", _("Trigger"), "text"),
                 Column("sent", _("Messages sent")), Column("clicks", _("Clicked")),
                 Column("click_rate", _("Clicked, share of sent, %"), "percent"), Column("orders", _("Orders")),
                 Column("revenue", _("Revenue, ₽"), "money"),
                 Column("turnover_share", _("Share of the shop's revenue, %"), "percent")],
        rows=rows, total={"campaign": str(_("Total")), "trigger": "", **_row(total, turnover)},
        notes=[_("As on each campaign's page: an order is credited to the last message the customer clicked "
                 "or received, and counts unless cancelled or returned; its revenue is the goods after "
                 "discounts, without delivery.")],
    )
