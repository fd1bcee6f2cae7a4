from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, ProductVariant
from orders.models.money import money_field


class Cart(models.Model):
    """A shopper's basket, kept in the database so reminders can read it later.
    A guest's cart is found by the session, a signed-in customer's by the account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
        related_name="carts", verbose_name=_("customer"),
    )
    session_key = models.CharField(_("session"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")
        constraints = [
            models.UniqueConstraint(fields=("user",), condition=Q(user__isnull=False), name="cart_one_per_customer"),
            models.UniqueConstraint(
                fields=("session_key",), condition=Q(user__isnull=True) & ~Q(session_key=""),
                name="cart_one_per_guest_session",
            ),
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(session_key=""), name="cart_has_owner"),
        ]

    def __str__(self) -> str:
        return str(self.user or self.session_key)

    @property
    def contact_email(self) -> str:
        return self.email or (self.user.email if self.user_id else "")

    @property
    def contact_phone(self) -> str:
        return self.phone or (self.user.phone if self.user_id else "")


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines", verbose_name=_("cart"))
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+", verbose_name=_("product"))
    variant = models.ForeignKey(
        ProductVariant, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("variant")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    price_when_added = money_field(_("price when added, ₽"))
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ("added_at", "id")
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cart_line_quantity_positive"),
            models.UniqueConstraint(
                fields=("cart", "product"), condition=Q(variant__isnull=True), name="cart_line_unique_product"
            ),
            models.UniqueConstraint(
                fields=("cart", "product", "variant"), condition=Q(variant__isnull=False),
                name="cart_line_unique_variant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant or self.product} × {self.quantity}"

    @property
    def unit_price(self) -> Decimal:
        """Today's price: the cart always sells at the current price."""
        return self.variant.price if self.variant_id else self.product.price

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def price_changed(self) -> bool:
        return self.unit_price != self.price_when_added
