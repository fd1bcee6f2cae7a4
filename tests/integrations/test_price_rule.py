from decimal import Decimal

import pytest

from integrations.models import Supplier
from integrations.pricelists.pricing import supplier_price


@pytest.mark.parametrize(("markup", "rounding", "cost", "price"), [
    ("0", "kopecks", "99.995", "100.00"),
    ("30", "kopecks", "1000", "1300.00"),
    ("12.5", "rubles", "999.99", "1125.00"),
    ("15", "tens", "1000", "1150.00"),
    ("10", "tens", "1040", "1140.00"),
    ("10", "nines", "1000", "1109.00"),
    ("0", "nines", "1239", "1239.00"),
    ("-10", "kopecks", "100", "90.00"),
])
def test_the_supplier_price_rule_adds_the_markup_and_rounds(markup, rounding, cost, price):
    supplier = Supplier(markup_percent=Decimal(markup), rounding=rounding)

    assert supplier_price(supplier=supplier, cost=Decimal(cost)) == Decimal(price)
