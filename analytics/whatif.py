"""The owner's money model: "if conversion were 1.2% instead of 1.0%, what would a year bring?"

Inputs are prefilled from the last 30 days of the shop's own figures; the projection is plain
arithmetic over Decimals, month by month, and a scenario is the inputs saved under a name."""

from dataclasses import asdict, dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from analytics.periods import Period, shop_today
from analytics.reports.reading import FiguresReader
from analytics.reports.sales import CHANNEL_LABELS

MONTHS = 12
RUB = Decimal("1")


@dataclass
class ChannelInputs:
    channel: str
    visits: int  # a month
    cost_per_visit: Decimal  # rubles
    conversion: Decimal  # orders per 100 visits


@dataclass
class WhatIfInputs:
    channels: list[ChannelInputs]
    average_order_value: Decimal
    margin: Decimal  # gross margin, percent of revenue
    fixed_costs: Decimal  # a month: rent, salaries, software
    growth: Decimal = Decimal("0")  # traffic growth, percent a month

    def as_json(self) -> dict:
        return {key: (str(value) if isinstance(value, Decimal) else value) for key, value in asdict(self).items()
                if key != "channels"} | {"channels": [
                    {key: str(value) if isinstance(value, Decimal) else value for key, value in asdict(c).items()}
                    for c in self.channels]}

    @classmethod
    def from_json(cls, data: dict) -> "WhatIfInputs":
        return cls(
            channels=[ChannelInputs(c["channel"], int(c["visits"]), Decimal(c["cost_per_visit"]),
                                    Decimal(c["conversion"])) for c in data["channels"]],
            average_order_value=Decimal(data["average_order_value"]), margin=Decimal(data["margin"]),
            fixed_costs=Decimal(data["fixed_costs"]), growth=Decimal(data.get("growth", "0")),
        )


@dataclass
class MonthFigures:
    month: int
    visits: int
    orders: Decimal
    revenue: Decimal
    marketing: Decimal
    gross_margin: Decimal
    fixed_costs: Decimal
    profit: Decimal
    cost_per_order: Decimal | None = None
    cumulative_profit: Decimal = field(default=Decimal("0"))


def whatif_prefill(*, days: int = 30, default_margin: Decimal = Decimal("35")) -> WhatIfInputs:
    """The last `days` days scaled to a month, per channel; the margin is the shop's own where the
    cost of goods is known, else `default_margin`."""
    today = shop_today()
    period = Period(today - timedelta(days=days), today - timedelta(days=1))
    reader = FiguresReader(attribution="last_non_direct")
    scale = Decimal(30) / Decimal(days)
    channels = []
    for (channel,), figures in sorted(reader.figures(period, by=("channel",)).items()):
        if not figures.visits:
            continue
        channels.append(ChannelInputs(
            channel=channel, visits=int((figures.visits * scale).quantize(RUB)),
            cost_per_visit=(figures.cost / figures.visits).quantize(Decimal("0.01")),
            conversion=(Decimal(figures.orders) * 100 / figures.visits).quantize(Decimal("0.01")),
        ))
    total = reader.total(period)
    margin = default_margin
    if total.margin is not None and total.costed_revenue:
        margin = (total.margin * 100 / total.costed_revenue).quantize(Decimal("0.1"))
    return WhatIfInputs(channels=channels, average_order_value=total.average_order_value or Decimal("0"),
                        margin=margin, fixed_costs=Decimal("0"))


def whatif_project(inputs: WhatIfInputs) -> list[MonthFigures]:
    """Twelve months: traffic grows by `growth` a month; every order brings the average order
    value; profit is the gross margin less marketing and fixed costs."""
    months, cumulative = [], Decimal("0")
    for month in range(1, MONTHS + 1):
        grow = (1 + inputs.growth / 100) ** (month - 1)
        visits = orders = marketing = Decimal("0")
        for channel in inputs.channels:
            channel_visits = channel.visits * grow
            visits += channel_visits
            orders += channel_visits * channel.conversion / 100
            marketing += channel_visits * channel.cost_per_visit
        revenue = orders * inputs.average_order_value
        gross_margin = revenue * inputs.margin / 100
        profit = gross_margin - marketing - inputs.fixed_costs
        cumulative += profit
        months.append(MonthFigures(
            month=month, visits=int(visits.quantize(RUB, ROUND_HALF_UP)), orders=_round(orders),
            revenue=_round(revenue), marketing=_round(marketing), gross_margin=_round(gross_margin),
            fixed_costs=_round(inputs.fixed_costs), profit=_round(profit),
            cost_per_order=_round(marketing / orders) if orders else None, cumulative_profit=_round(cumulative),
        ))
    return months


def whatif_year(months: list[MonthFigures]) -> dict:
    """The year's totals, for comparing scenarios side by side."""
    orders = sum((m.orders for m in months), Decimal("0"))
    marketing = sum((m.marketing for m in months), Decimal("0"))
    return {
        "orders": orders, "revenue": sum((m.revenue for m in months), Decimal("0")), "marketing": marketing,
        "profit": sum((m.profit for m in months), Decimal("0")),
        "cost_per_order": _round(marketing / orders) if orders else None,
    }


def channel_label(channel: str) -> str:
    return str(CHANNEL_LABELS.get(channel, channel))


def _round(value: Decimal) -> Decimal:
    return value.quantize(RUB, rounding=ROUND_HALF_UP)
