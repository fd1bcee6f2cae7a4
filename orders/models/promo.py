from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.money import to_money
from orders.models.money import money_field


class PromoCode(models.Model):
    class Kind(models.TextChoices):
        PERCENT = "percent", _("Percent off the goods")
        FIXED = "fixed", _("Fixed amount off, ₽")

    code = models.CharField(_("code"), max_length=40, help_text=_("Letter case does not matter to shoppers."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERCENT)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    min_total = money_field(_("minimum goods total, ₽"))
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    usage_limit = models.PositiveIntegerField(
        _("uses in total"), null=True, blank=True, help_text=_("1 for a single-use code; empty for no limit.")
    )
    usage_limit_per_customer = models.PositiveIntegerField(_("uses per customer"), null=True, blank=True)
    used_count = models.PositiveIntegerField(_("used"), default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("promo code")
        verbose_name_plural = _("promo codes")
        constraints = [
            models.UniqueConstraint(Lower("code"), name="promo_code_unique_ignoring_case"),
            models.CheckConstraint(condition=Q(value__gt=0), name="promo_value_positive"),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__lte=100), name="promo_percent_at_most_100"
            ),
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True) | Q(used_count__lte=F("usage_limit")),
                name="promo_used_within_limit",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def discount_for(self, goods_total: Decimal) -> Decimal:
        if self.kind == self.Kind.PERCENT:
            return min(to_money(goods_total * self.value / 100), goods_total)
        return min(self.value, goods_total)


class PromoCodeUse(models.Model):
    """A promo code applied to an order; the customer is remembered for per-customer limits."""

    promo_code = models.ForeignKey(PromoCode, on_delete=models.PROTECT, related_name="uses", verbose_name=_("code"))
    order = models.OneToOneField("Order", on_delete=models.CASCADE, related_name="promo_use", verbose_name=_("order"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("customer"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("used"), auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("promo code use")
        verbose_name_plural = _("promo code uses")
        indexes = [models.Index(fields=("promo_code", "user"), name="promo_use_code_customer")]

    def __str__(self) -> str:
        return f"{self.promo_code} · {self.order}"
