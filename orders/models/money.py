from decimal import Decimal

from django.db import models


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    """Rubles with kopecks, zero unless said otherwise."""
    kwargs.setdefault("default", Decimal("0"))
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)
