"""The order as a fiscal receipt (54-FZ): what was sold, at what price, so the provider's
online cash register can print it. The items add up to what the customer pays to the kopeck."""

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from core.money import KOPECK, to_money
from orders.models import Order


@dataclass(frozen=True)
class ReceiptItem:
    description: str
    quantity: int
    unit_price: Decimal
    is_delivery: bool = False

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


def _spread(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """`amount` split in proportion to `weights`, in kopecks, the rounding left on the last share."""
    whole = sum(weights, Decimal("0"))
    if not weights or whole <= 0:
        return [Decimal("0.00")] * len(weights)
    shares = [to_money(amount * weight / whole) for weight in weights[:-1]]
    return [*shares, to_money(amount - sum(shares, Decimal("0")))]


def _line_items(description: str, quantity: int, total: Decimal) -> list[ReceiptItem]:
    """A line whose total does not divide evenly by its quantity becomes two items: the rest
    of a kopeck goes on one unit, as a cashier would ring it up."""
    unit = (total / quantity).quantize(KOPECK, rounding=ROUND_FLOOR)
    rest = total - unit * quantity
    if rest == 0:
        return [ReceiptItem(description, quantity, unit)]
    items = [ReceiptItem(description, quantity - 1, unit)] if quantity > 1 else []
    return [*items, ReceiptItem(description, 1, unit + rest)]


def receipt_items(order: Order, *, amount: Decimal | None = None) -> list[ReceiptItem]:
    """What the customer pays for (`amount`, the order's total by default): the goods with the
    promo discount and the points spread over them in proportion to their prices, then the
    delivery. Items that come to nothing are left out; the rest add up to `amount` exactly."""
    lines = list(order.lines.all())
    goods = sum((line.line_total for line in lines), Decimal("0"))
    goods_to_pay = max(goods - order.discount_total - order.points_spent, Decimal("0"))
    delivery_to_pay = order.total_to_pay - goods_to_pay
    if amount is not None and amount != order.total_to_pay:
        # A partial amount (a refund of part of the order) is spread over everything alike.
        goods_to_pay, delivery_to_pay = _spread(amount, [goods_to_pay, delivery_to_pay])
    items: list[ReceiptItem] = []
    for line, share in zip(lines, _spread(goods_to_pay, [line.line_total for line in lines]), strict=True):
        if share > 0:
            name = f"{line.product_name} ({line.variant_name})" if line.variant_name else line.product_name
            items.extend(_line_items(name, line.quantity, share))
    if delivery_to_pay > 0:
        items.append(ReceiptItem(order.delivery_method.name, 1, delivery_to_pay, is_delivery=True))
    return [item for item in items if item.quantity > 0]
