from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from orders.models.money import money_field


class DeliveryMethod(models.Model):
    """A way the goods reach the customer, with its price rule and promised time."""

    class Kind(models.TextChoices):
        COURIER = "courier", _("Courier to the door")
        PICKUP = "pickup", _("Pickup point or parcel locker")
        POST = "post", _("Russian Post")

    class Carrier(models.TextChoices):
        NONE = "", _("The shop's own")
        RUSSIAN_POST = "russian_post", _("Russian Post")
        CDEK = "cdek", _("CDEK")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    carrier = models.CharField(
        _("carrier"), max_length=16, choices=Carrier.choices, blank=True,
        help_text=_("Whose parcels these are: the shop follows them by their tracking number."),
    )
    description = models.TextField(_("description"), blank=True)
    price = money_field(_("price, ₽"))
    free_from = models.DecimalField(
        _("free from, ₽"), max_digits=12, decimal_places=2, null=True, blank=True,
        help_text=_("Delivery is free when the goods cost at least this much. Leave empty to always charge."),
    )
    days_min = models.PositiveSmallIntegerField(_("delivery time from, days"), default=1)
    days_max = models.PositiveSmallIntegerField(_("delivery time to, days"), default=3)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ("position", "id")
        verbose_name = _("delivery method")
        verbose_name_plural = _("delivery methods")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="delivery_price_not_negative"),
            models.CheckConstraint(condition=Q(days_max__gte=F("days_min")), name="delivery_days_in_order"),
        ]

    def __str__(self) -> str:
        return self.name

    def price_for(self, goods_total: Decimal) -> Decimal:
        """The delivery price for goods worth `goods_total` (after the promo discount)."""
        if self.free_from is not None and goods_total >= self.free_from:
            return Decimal("0.00")
        return self.price


class PickupPoint(models.Model):
    """A pickup point or parcel locker of a pickup delivery method."""

    delivery_method = models.ForeignKey(
        DeliveryMethod, on_delete=models.PROTECT, related_name="pickup_points", verbose_name=_("delivery method"),
        limit_choices_to={"kind": DeliveryMethod.Kind.PICKUP},
    )
    name = models.CharField(_("name"), max_length=120)
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=255)
    opening_hours = models.CharField(_("opening hours"), max_length=255, blank=True)
    # The carrier's code of the point, for points loaded from its list (blank for the shop's own).
    code = models.CharField(_("carrier's code"), max_length=64, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ("position", "name")
        verbose_name = _("pickup point")
        verbose_name_plural = _("pickup points")
        constraints = [
            models.UniqueConstraint(
                fields=("delivery_method", "code"), condition=~Q(code=""), name="pickup_point_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.address}"
