"""What each campaign earned: the marketer's statistics and the numbers analytics reads.

Rates count people, not machines: an open or a click is a message opened or clicked by a
person at least once (CampaignEvent.is_human). Orders and revenue are the attributed orders
(CampaignConversion) that did not end cancelled, returned or not collected, read from the
order today, so a later cancellation takes the revenue back without touching the credit row.
"""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum

from marketing.campaigns.models import Campaign, CampaignConversion, CampaignEntry, CampaignEvent, CampaignMessage
from marketing.models import OutboundMessage
from marketing.segments.conditions import NOT_SOLD
from orders.models import Order

Sent = OutboundMessage.Status
Z_95 = 1.959964


@dataclass
class StepStats:
    """One step in one language (or the campaign's total, step None)."""

    step: int | None
    language: str
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    human_opens: int = 0
    clicks: int = 0
    machine_clicks: int = 0
    unsubscribes: int = 0
    orders: int = 0
    revenue: Decimal = Decimal("0.00")

    @property
    def conversion(self) -> float | None:
        """Orders per delivered message."""
        return self.orders / self.delivered if self.delivered else None

    @property
    def revenue_per_message(self) -> Decimal | None:
        return (self.revenue / self.delivered).quantize(Decimal("0.01")) if self.delivered else None

    @property
    def open_rate(self) -> float | None:
        return self.human_opens / self.delivered if self.delivered else None

    @property
    def click_rate(self) -> float | None:
        return self.clicks / self.delivered if self.delivered else None


@dataclass(frozen=True)
class Uplift:
    """Messaged against holdout: conversion to an order within the attribution window."""

    messaged: int
    messaged_converted: int
    messaged_revenue: Decimal
    held_out: int
    held_out_converted: int
    held_out_revenue: Decimal

    @property
    def messaged_conversion(self) -> float | None:
        return self.messaged_converted / self.messaged if self.messaged else None

    @property
    def held_out_conversion(self) -> float | None:
        return self.held_out_converted / self.held_out if self.held_out else None

    @property
    def messaged_revenue_per_person(self) -> Decimal | None:
        return (self.messaged_revenue / self.messaged).quantize(Decimal("0.01")) if self.messaged else None

    @property
    def held_out_revenue_per_person(self) -> Decimal | None:
        return (self.held_out_revenue / self.held_out).quantize(Decimal("0.01")) if self.held_out else None

    @property
    def difference(self) -> tuple[float, float, float] | None:
        """The uplift in conversion (messaged minus holdout) with its 95% confidence interval."""
        return conversion_uplift(
            converted_a=self.messaged_converted, people_a=self.messaged,
            converted_b=self.held_out_converted, people_b=self.held_out,
        )


def conversion_uplift(*, converted_a: int, people_a: int, converted_b: int, people_b: int):
    """p_a − p_b and its 95% interval (normal approximation, unpooled standard error);
    None while either group is empty."""
    if not people_a or not people_b:
        return None
    p_a, p_b = converted_a / people_a, converted_b / people_b
    error = math.sqrt(p_a * (1 - p_a) / people_a + p_b * (1 - p_b) / people_b)
    difference = p_a - p_b
    return difference, difference - Z_95 * error, difference + Z_95 * error


@dataclass
class CampaignStats:
    rows: list[StepStats]
    total: StepStats
    clicks_by_link: dict[int, int] = field(default_factory=dict)
    uplift: Uplift | None = None


def campaign_stats(*, campaign: Campaign) -> CampaignStats:
    """The campaign page's numbers, per step and language, with totals and the holdout uplift."""
    rows: dict[tuple[int, str], StepStats] = {}

    def row(step: int, language: str) -> StepStats:
        return rows.setdefault((step, language), StepStats(step=step, language=language))

    for values in (
        CampaignMessage.objects.filter(campaign=campaign).values("step", "language").annotate(
            sent=Count("pk"),
            delivered=Count("pk", filter=Q(message__status=Sent.SENT)),
            failed=Count("pk", filter=Q(message__status__in=[Sent.FAILED, Sent.UNKNOWN, Sent.CANCELLED])),
        )
    ):
        stats = row(values["step"], values["language"])
        stats.sent, stats.delivered, stats.failed = values["sent"], values["delivered"], values["failed"]

    events = CampaignEvent.objects.filter(message__campaign=campaign)
    for values in events.values("message__step", "message__language", "kind", "is_human").annotate(
        messages=Count("message", distinct=True)
    ):
        stats = row(values["message__step"], values["message__language"])
        kind, human, count = values["kind"], values["is_human"], values["messages"]
        if kind == CampaignEvent.Kind.OPEN and human:
            stats.human_opens = count
        elif kind == CampaignEvent.Kind.CLICK:
            if human:
                stats.clicks = count
            else:
                stats.machine_clicks = count
        elif kind == CampaignEvent.Kind.UNSUBSCRIBE:
            stats.unsubscribes += count

    conversions = CampaignConversion.objects.filter(campaign=campaign).exclude(order__status__in=NOT_SOLD)
    for values in conversions.values("message__step", "message__language").annotate(
        orders=Count("pk"), revenue=Sum("revenue")
    ):
        stats = row(values["message__step"], values["message__language"])
        stats.orders, stats.revenue = values["orders"], values["revenue"] or Decimal("0.00")

    ordered = [rows[key] for key in sorted(rows)]
    total = StepStats(step=None, language="")
    for stats in ordered:
        for name in ("sent", "delivered", "failed", "human_opens", "clicks", "machine_clicks", "unsubscribes",
                     "orders", "revenue"):
            setattr(total, name, getattr(total, name) + getattr(stats, name))
    clicks_by_link = dict(
        events.filter(kind=CampaignEvent.Kind.CLICK, is_human=True).values_list("link")
        .annotate(n=Count("pk")).order_by("link")
    )
    return CampaignStats(rows=ordered, total=total, clicks_by_link=clicks_by_link, uplift=campaign_uplift(
        campaign=campaign))


def campaign_uplift(*, campaign: Campaign) -> Uplift | None:
    """Everyone found eligible is in one group: messaged (got at least one step) or held out. A
    person converted if they placed an order, not cancelled or returned since, within
    CAMPAIGN_CLICK_WINDOW_DAYS of that decision; their revenue is those orders' goods."""
    entries = list(
        CampaignEntry.objects.filter(campaign=campaign, decided_at__isnull=False)
        .filter(Q(status=CampaignEntry.Status.HELD_OUT) | Q(messages__isnull=False))
        .values_list("user_id", "email", "decided_at", "status").distinct()
    )
    if not campaign.holdout_percent and not any(s == CampaignEntry.Status.HELD_OUT for *_rest, s in entries):
        return None
    window = datetime.timedelta(days=settings.CAMPAIGN_CLICK_WINDOW_DAYS)
    orders_by_person: dict[str, list[tuple[datetime.datetime, Decimal]]] = defaultdict(list)
    if entries:
        since = min(decided_at for _user, _email, decided_at, _status in entries)
        user_ids = {user_id for user_id, *_rest in entries if user_id}
        emails = {email for _user, email, *_rest in entries if email}
        orders = Order.objects.filter(Q(user_id__in=user_ids) | Q(email__in=emails), created_at__gte=since)
        for user_id, email, placed, goods, discount in orders.exclude(status__in=NOT_SOLD).values_list(
            "user_id", "email", "created_at", "items_total", "discount_total"
        ):
            for key in (f"user:{user_id}" if user_id else None, (email or "").lower() or None):
                if key:
                    orders_by_person[key].append((placed, goods - discount))
    groups = {True: [0, 0, Decimal("0.00")], False: [0, 0, Decimal("0.00")]}
    for user_id, email, decided_at, status in entries:
        keys = [key for key in (f"user:{user_id}" if user_id else None, email) if key]
        placed = {(moment, revenue) for key in keys for moment, revenue in orders_by_person.get(key, [])
                  if decided_at <= moment < decided_at + window}
        group = groups[status == CampaignEntry.Status.HELD_OUT]
        group[0] += 1
        group[1] += bool(placed)
        group[2] += sum((revenue for _moment, revenue in placed), Decimal("0.00"))
    messaged, held = groups[False], groups[True]
    return Uplift(messaged=messaged[0], messaged_converted=messaged[1], messaged_revenue=messaged[2],
                  held_out=held[0], held_out_converted=held[1], held_out_revenue=held[2])
