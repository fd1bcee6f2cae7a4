"""Each variant's figures in an A/B test, and which variant they make the winner.

Only the test's messages count (`CampaignMessage.in_test`). Rates are per delivered message:
human clicks (a message clicked by a person at least once), orders (a message with at least one
attributed order that did not end cancelled or returned); revenue is per delivered message too,
zero for those who bought nothing. Each variant is compared with A (the first), by the
two-proportion z-test for rates and Welch's t-test for revenue (marketing.abtests.significance);
with more than two variants the p-values are multiplied by the number of comparisons
(Bonferroni), so testing many variants does not manufacture a winner.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Count, Q

from marketing.abtests.models import ABTest, ABVariant
from marketing.abtests.significance import (
    SIGNIFICANCE_LEVEL,
    Sample,
    TestResult,
    two_proportion_z_test,
    welch_t_test,
)
from marketing.campaigns.models import CampaignConversion, CampaignEvent, CampaignMessage
from marketing.campaigns.segments import NOT_SOLD
from marketing.models import OutboundMessage


@dataclass
class VariantStats:
    variant: ABVariant
    recipients: int = 0
    delivered: int = 0
    human_opens: int = 0
    clicks: int = 0
    converted: int = 0
    orders: int = 0
    revenue: Decimal = Decimal("0.00")
    # Revenue per delivered message, as the database sums it (non-buyers add zeros).
    revenue_squares: float = 0.0
    comparison: TestResult | None = field(default=None)

    @property
    def letter(self) -> str:
        return self.variant.letter

    def rate(self, count: int) -> float | None:
        return count / self.delivered if self.delivered else None

    @property
    def click_rate(self) -> float | None:
        return self.rate(self.clicks)

    @property
    def open_rate(self) -> float | None:
        return self.rate(self.human_opens)

    @property
    def order_rate(self) -> float | None:
        return self.rate(self.converted)

    @property
    def revenue_per_recipient(self) -> Decimal | None:
        return (self.revenue / self.delivered).quantize(Decimal("0.01")) if self.delivered else None

    def value(self, metric: str) -> float:
        """The figure the metric ranks by (0 while nothing is delivered)."""
        if not self.delivered:
            return 0.0
        if metric == ABTest.Metric.REVENUE:
            return float(self.revenue) / self.delivered
        return (self.clicks if metric == ABTest.Metric.CLICKS else self.converted) / self.delivered

    def sample(self) -> Sample:
        return Sample(count=self.delivered, total=float(self.revenue), total_of_squares=self.revenue_squares)


def ab_test_stats(*, test: ABTest, variants: list[ABVariant] | None = None) -> list[VariantStats]:
    """The variants' figures, A first, each but A with its comparison against A by the metric."""
    variants = variants if variants is not None else list(test.campaign.variants.order_by("position"))
    rows = {variant.pk: VariantStats(variant=variant) for variant in variants}
    messages = CampaignMessage.objects.filter(campaign_id=test.campaign_id, in_test=True, variant__in=rows)
    for values in messages.values("variant").annotate(
        recipients=Count("pk"), delivered=Count("pk", filter=Q(message__status=OutboundMessage.Status.SENT))
    ):
        stats = rows[values["variant"]]
        stats.recipients, stats.delivered = values["recipients"], values["delivered"]
    events = CampaignEvent.objects.filter(message__in=messages, is_human=True)
    for values in events.values("message__variant", "kind").annotate(messages=Count("message", distinct=True)):
        stats = rows[values["message__variant"]]
        if values["kind"] == CampaignEvent.Kind.OPEN:
            stats.human_opens = values["messages"]
        elif values["kind"] == CampaignEvent.Kind.CLICK:
            stats.clicks = values["messages"]
    per_message: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    conversions = CampaignConversion.objects.filter(message__in=messages).exclude(order__status__in=NOT_SOLD)
    for message_id, variant_id, revenue in conversions.values_list("message_id", "message__variant", "revenue"):
        per_message[(variant_id, message_id)] += revenue
        rows[variant_id].orders += 1
    for (variant_id, _message_id), revenue in per_message.items():
        stats = rows[variant_id]
        stats.converted += 1
        stats.revenue += revenue
        stats.revenue_squares += float(revenue) ** 2
    ordered = [rows[variant.pk] for variant in variants]
    _compare(ordered, metric=test.metric)
    return ordered


def _compare(rows: list[VariantStats], *, metric: str) -> None:
    if len(rows) < 2:
        return
    first, comparisons = rows[0], len(rows) - 1
    for stats in rows[1:]:
        if metric == ABTest.Metric.REVENUE:
            result = welch_t_test(first.sample(), stats.sample())
        else:
            count = "clicks" if metric == ABTest.Metric.CLICKS else "converted"
            result = two_proportion_z_test(
                successes_a=getattr(first, count), trials_a=first.delivered,
                successes_b=getattr(stats, count), trials_b=stats.delivered,
            )
        if result is not None:
            result = replace(result, p_value=min(result.p_value * comparisons, 1.0))
        stats.comparison = result


@dataclass(frozen=True)
class Verdict:
    winner: VariantStats
    outcome: str
    p_value: float | None


def ab_verdict(rows: list[VariantStats], *, metric: str) -> Verdict | None:
    """The winner: the best variant by the metric if its difference from A is significant;
    otherwise A, with the reason (A ahead, a tie, or no significance). None without variants."""
    if not rows:
        return None
    first = rows[0]
    best = max(rows, key=lambda stats: stats.value(metric))  # the first of equals: A wins ties
    if best is first:
        tied = any(stats.value(metric) == first.value(metric) for stats in rows[1:])
        return Verdict(winner=first, outcome=ABTest.Outcome.TIE if tied else ABTest.Outcome.FIRST_AHEAD,
                       p_value=None)
    p_value = best.comparison.p_value if best.comparison else None
    if p_value is not None and p_value < SIGNIFICANCE_LEVEL:
        return Verdict(winner=best, outcome=ABTest.Outcome.WON, p_value=p_value)
    return Verdict(winner=first, outcome=ABTest.Outcome.NOT_SIGNIFICANT, p_value=p_value)
