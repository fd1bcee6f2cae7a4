"""The shop's figures for any slice of days, and the ratios an owner reads them by.

An order counts on the day it was placed. Cancelled orders and returned or uncollected parcels
are counted apart and bring no revenue; conversion and CPO count every order placed (what the
marketing brought), average order value only the orders that stayed."""

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
ADDITIVE = ("visits", "viewing_visits", "cart_visits", "checkout_visits", "orders", "called", "confirmed",
            "delivered", "delivered_paid", "cancelled", "returned", "revenue", "first_orders", "costed_revenue",
            "goods_cost", "delivery_cost")


def _ratio(part, whole, *, places: str = "0.01") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def percent(part, whole) -> Decimal | None:
    return None if not whole else _ratio(Decimal(part) * 100, whole)


@dataclass
class Figures:
    visits: int = 0
    viewing_visits: int = 0
    cart_visits: int = 0
    checkout_visits: int = 0
    orders: int = 0
    called: int = 0
    confirmed: int = 0
    delivered: int = 0
    delivered_paid: int = 0
    cancelled: int = 0
    returned: int = 0
    revenue: Decimal = ZERO
    first_orders: int = 0
    costed_revenue: Decimal = ZERO
    goods_cost: Decimal = ZERO
    delivery_cost: Decimal = ZERO
    cost: Decimal = ZERO  # marketing

    def add(self, other) -> "Figures":
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + (getattr(other, field.name, 0) or 0))
        return self

    @property
    def kept_orders(self) -> int:
        return self.orders - self.cancelled - self.returned

    @property
    def conversion(self) -> Decimal | None:
        """Orders placed per 100 visits."""
        return percent(self.orders, self.visits)

    @property
    def average_order_value(self) -> Decimal | None:
        return _ratio(self.revenue, self.kept_orders)

    @property
    def cost_per_order(self) -> Decimal | None:
        """CPO: marketing spent per order placed; unknown without costs or orders."""
        return _ratio(self.cost, self.orders) if self.cost else None

    @property
    def romi(self) -> Decimal | None:
        """Return on marketing investment, percent: (revenue − cost) / cost."""
        return percent(self.revenue - self.cost, self.cost) if self.cost else None

    @property
    def new_customers(self) -> int:
        return self.first_orders

    @property
    def repeat_share(self) -> Decimal | None:
        """Share of orders placed by customers who had ordered before, percent."""
        return percent(self.orders - self.first_orders, self.orders)

    @property
    def cancellation_rate(self) -> Decimal | None:
        return percent(self.cancelled + self.returned, self.orders)

    @property
    def margin(self) -> Decimal | None:
        """Gross margin over the orders whose every product has a known cost of goods."""
        return self.costed_revenue - self.goods_cost - self.delivery_cost if self.costed_revenue else None

    @property
    def margin_known_share(self) -> Decimal | None:
        """How much of the revenue the margin covers, percent."""
        return percent(self.costed_revenue, self.revenue)

    def as_dict(self) -> dict:
        return {
            "visits": self.visits, "orders": self.orders, "cancelled": self.cancelled, "returned": self.returned,
            "kept_orders": self.kept_orders, "revenue": self.revenue, "average_order_value": self.average_order_value,
            "conversion": self.conversion, "cost": self.cost, "cost_per_order": self.cost_per_order,
            "romi": self.romi, "new_customers": self.new_customers, "repeat_share": self.repeat_share,
            "margin": self.margin, "margin_known_share": self.margin_known_share,
        }
