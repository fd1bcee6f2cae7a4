"""The supplier's price rule: the one place a price in a price list becomes the shop's price."""

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from core.money import to_money
from integrations.models import Supplier

HUNDRED = Decimal("100")


def supplier_price(*, supplier: Supplier, cost: Decimal) -> Decimal:
    """The supplier's price plus its markup, rounded by its rule (half up; "ending in 9" rounds up)."""
    price = cost * (HUNDRED + supplier.markup_percent) / HUNDRED
    rounding = supplier.rounding
    if rounding == Supplier.Rounding.RUBLES:
        return to_money(price.quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    if rounding == Supplier.Rounding.TENS:
        return to_money((price / 10).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * 10)
    if rounding == Supplier.Rounding.NINES:
        whole = price.to_integral_value(rounding=ROUND_CEILING)
        return to_money(whole + (9 - whole % 10) % 10)
    return to_money(price)
