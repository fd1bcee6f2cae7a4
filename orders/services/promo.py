"""Promo codes at checkout: checked once for a clear message, then used under the database's
guard (a conditional UPDATE of the usage counter) so a limited code is never used too often."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from core.money import format_rubles
from customers.identity import same_person
from customers.models import User
from orders.models import Order, PromoCode, PromoCodeUse


def _refuse(message, code: str, **params):
    raise ValidationError({"promo_code": ValidationError(message, code=code, params=params)})


def _uses_by_customer(promo: PromoCode, *, user: User | None, email: str, phone: str) -> int:
    return PromoCodeUse.objects.filter(same_person(user=user, email=email, phone=phone), promo_code=promo).count()


def promo_code_check(
    *, code: str, goods_total: Decimal, user: User | None, email: str = "", phone: str = ""
) -> PromoCode:
    """The promo code the shopper typed, if it can be used for this order; otherwise a
    ValidationError on the "promo_code" field saying why."""
    promo = PromoCode.objects.filter(code__iexact=(code or "").strip(), is_active=True).first()
    if promo is None:
        _refuse(_("There is no such promo code."), "promo_unknown")
    now = timezone.now()
    if promo.valid_from and now < promo.valid_from:
        _refuse(_("This promo code is valid from %(date)s."), "promo_not_yet",
                date=formats.date_format(timezone.localtime(promo.valid_from), "SHORT_DATE_FORMAT"))
    if promo.valid_until and now > promo.valid_until:
        _refuse(_("This promo code has expired."), "promo_expired")
    if goods_total < promo.min_total:
        _refuse(_("This promo code is for orders of goods from %(min_total)s."), "promo_min_total",
                min_total=format_rubles(promo.min_total))
    if promo.usage_limit is not None and promo.used_count >= promo.usage_limit:
        _refuse(_("This promo code has already been used up."), "promo_used_up")
    if promo.usage_limit_per_customer is not None and (
        _uses_by_customer(promo, user=user, email=email, phone=phone) >= promo.usage_limit_per_customer
    ):
        _refuse(_("You have already used this promo code."), "promo_used_by_customer")
    return promo


def promo_code_use(*, promo: PromoCode, order: Order) -> PromoCodeUse:
    """Count one use of the code for the order, inside the order's transaction.

    The counter goes up only while it is below the limit (a conditional UPDATE), so twenty
    checkouts racing for a single-use code give exactly one discount. The UPDATE also keeps
    the code's row locked until the order commits: concurrent checkouts with this code queue
    there, so the per-customer count that follows sees every use already committed."""
    uses = PromoCode.objects.filter(pk=promo.pk)
    if promo.usage_limit is not None:
        uses = uses.filter(used_count__lt=F("usage_limit"))
    if not uses.update(used_count=F("used_count") + 1):
        _refuse(_("This promo code has already been used up."), "promo_used_up")
    if promo.usage_limit_per_customer is not None and (
        _uses_by_customer(promo, user=order.user, email=order.email, phone=order.phone)
        >= promo.usage_limit_per_customer
    ):
        _refuse(_("You have already used this promo code."), "promo_used_by_customer")
    return PromoCodeUse.objects.create(
        promo_code=promo, order=order, user=order.user, email=order.email, phone=order.phone
    )


def promo_code_release(*, order: Order) -> None:
    """Give the use back when the order is undone (cancelled, returned, not collected)."""
    deleted, _rows = PromoCodeUse.objects.filter(order=order).delete()
    if deleted:
        PromoCode.objects.filter(pk=order.promo_code_id).update(
            used_count=Greatest(F("used_count") - 1, Value(0))
        )
