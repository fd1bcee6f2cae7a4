import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, ProductVariant
from core.models import TimeStampedModel
from core.money import to_money
from customers.models import Visit


def _money(verbose_name, **kwargs) -> models.DecimalField:
    kwargs.setdefault("default", Decimal("0"))
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


class DeliveryMethod(models.Model):
    """A way the goods reach the customer, with its price rule and promised time."""

    class Kind(models.TextChoices):
        COURIER = "courier", _("Courier to the door")
        PICKUP = "pickup", _("Pickup point or parcel locker")
        POST = "post", _("Russian Post")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    price = _money(_("price, ₽"))
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
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ("position", "name")
        verbose_name = _("pickup point")
        verbose_name_plural = _("pickup points")

    def __str__(self) -> str:
        return f"{self.name}, {self.address}"


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
    price_when_added = _money(_("price when added, ₽"))
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


class PromoCode(models.Model):
    class Kind(models.TextChoices):
        PERCENT = "percent", _("Percent off the goods")
        FIXED = "fixed", _("Fixed amount off, ₽")

    code = models.CharField(_("code"), max_length=40, help_text=_("Letter case does not matter to shoppers."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERCENT)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    min_total = _money(_("minimum goods total, ₽"))
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


class Order(TimeStampedModel):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        CONFIRMED = "confirmed", _("Confirmed")
        PACKED = "packed", _("Packed")
        SHIPPED = "shipped", _("Shipped")
        READY_FOR_PICKUP = "ready_for_pickup", _("Ready for pickup")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")
        RETURNED = "returned", _("Returned")
        NOT_COLLECTED = "not_collected", _("Not collected")

    class PaymentMethod(models.TextChoices):
        CASH_ON_DELIVERY = "cash_on_delivery", _("Cash on delivery")
        CARD_ON_DELIVERY = "card_on_delivery", _("Card on delivery")
        ONLINE_CARD = "online_card", _("Card online")

    class PaymentStatus(models.TextChoices):
        UNPAID = "unpaid", _("To be paid on delivery")
        PENDING = "pending", _("Awaiting online payment")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Payment failed")
        REFUNDED = "refunded", _("Refunded")

    class Channel(models.TextChoices):
        """Where the order came from: the channels of a visit, plus orders taken by phone."""

        DIRECT = "direct", _("Direct")
        ORGANIC_SEARCH = "organic_search", _("Organic search")
        PAID_SEARCH = "paid_search", _("Paid search")
        SOCIAL = "social", _("Social")
        EMAIL = "email", _("E-mail")
        REFERRAL = "referral", _("Referral")
        OTHER = "other", _("Other")
        PHONE = "phone", _("Phone call")

    # The only legal moves. Cancelling is possible while the goods are still in the
    # warehouse; once shipped, a parcel that does not reach the customer comes back as
    # "returned" or "not collected", which also puts the goods back on stock.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.NEW: frozenset({Status.IN_PROGRESS, Status.CANCELLED}),
        Status.IN_PROGRESS: frozenset({Status.CONFIRMED, Status.CANCELLED}),
        Status.CONFIRMED: frozenset({Status.PACKED, Status.CANCELLED}),
        Status.PACKED: frozenset({Status.SHIPPED, Status.READY_FOR_PICKUP, Status.CANCELLED}),
        Status.SHIPPED: frozenset({Status.READY_FOR_PICKUP, Status.DELIVERED, Status.RETURNED}),
        Status.READY_FOR_PICKUP: frozenset({Status.DELIVERED, Status.NOT_COLLECTED}),
        Status.DELIVERED: frozenset({Status.RETURNED}),
        Status.CANCELLED: frozenset(),
        Status.RETURNED: frozenset(),
        Status.NOT_COLLECTED: frozenset(),
    }
    # Moving into one of these puts the reserved goods back on stock.
    RELEASES_STOCK = frozenset({Status.CANCELLED, Status.RETURNED, Status.NOT_COLLECTED})
    OPEN_STATUSES = frozenset(
        {Status.NEW, Status.IN_PROGRESS, Status.CONFIRMED, Status.PACKED, Status.SHIPPED, Status.READY_FOR_PICKUP}
    )

    number = models.CharField(_("number"), max_length=32, unique=True, null=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="orders", verbose_name=_("customer"),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="managed_orders", verbose_name=_("manager"),
    )
    cart = models.ForeignKey(
        Cart, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders", editable=False
    )
    # Contact
    name = models.CharField(_("name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=20, help_text=_("In international format: +79161234567."))
    email = models.EmailField(_("e-mail"), blank=True)
    # Delivery
    delivery_method = models.ForeignKey(
        DeliveryMethod, on_delete=models.PROTECT, related_name="orders", verbose_name=_("delivery method")
    )
    pickup_point = models.ForeignKey(
        PickupPoint, on_delete=models.PROTECT, null=True, blank=True, related_name="orders",
        verbose_name=_("pickup point"),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    delivery_date = models.DateField(_("preferred delivery date"), null=True, blank=True)
    delivery_time_window = models.CharField(_("preferred time"), max_length=32, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    # Payment
    payment_method = models.CharField(_("payment"), max_length=20, choices=PaymentMethod.choices)
    payment_status = models.CharField(
        _("payment status"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID
    )
    # Totals, in rubles. total_to_pay = items_total + delivery_price - discount_total - points_spent.
    items_total = _money(_("goods, ₽"))
    delivery_price = _money(_("delivery, ₽"))
    discount_total = _money(_("discount, ₽"))
    points_spent = _money(_("paid with points, ₽"))
    total_to_pay = _money(_("to pay, ₽"))
    promo_code = models.ForeignKey(
        PromoCode, on_delete=models.PROTECT, null=True, blank=True, related_name="orders",
        verbose_name=_("promo code"),
    )
    comment = models.TextField(_("customer's comment"), blank=True)
    # Where the customer came from, copied from the visit for cost-per-order reports.
    visit = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("visit")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True, db_index=True)
    utm_source = models.CharField("utm_source", max_length=100, blank=True)
    utm_medium = models.CharField("utm_medium", max_length=100, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=150, blank=True)
    # One checkout form, one order: a repeated submission finds the order it already made.
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    # The back-office clock: the shop aims to call within FIRST_CALL_TARGET_MINUTES of the order.
    claimed_at = models.DateTimeField(_("taken"), null=True, blank=True, editable=False)
    first_call_at = models.DateTimeField(_("first call"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        permissions = [
            ("claim_orders", _("Can take new orders")),
            ("supervise_orders", _("Can work orders taken by other managers")),
            ("ship_orders", _("Can pack and ship orders")),
        ]
        indexes = [models.Index(fields=("user", "-created_at"), name="order_customer_recent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(items_total__gte=0) & Q(delivery_price__gte=0) & Q(discount_total__gte=0)
                & Q(points_spent__gte=0) & Q(total_to_pay__gte=0),
                name="order_totals_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.number or _("Order being placed")

    @classmethod
    def number_for(cls, pk: int) -> str:
        """The number a customer reads out on the phone: derived from the primary key, so two
        orders placed at the same instant can never get the same one."""
        return f"{settings.ORDER_NUMBER_PREFIX}{10000 + pk}"

    def can_transition_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, frozenset())

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class OrderLine(models.Model):
    """What was bought, at the price and under the name shown on the day of the order."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    variant = models.ForeignKey(
        ProductVariant, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("variant")
    )
    product_name = models.CharField(_("product"), max_length=255)
    variant_name = models.CharField(_("variant"), max_length=120, blank=True)
    sku = models.CharField(_("SKU"), max_length=64)
    unit_price = _money(_("price, ₽"))
    quantity = models.PositiveIntegerField(_("quantity"))
    line_total = _money(_("total, ₽"))

    class Meta:
        ordering = ("id",)
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0) & Q(line_total__gte=0), name="order_line_prices_not_negative"
            ),
        ]

    def __str__(self) -> str:
        name = f"{self.product_name} ({self.variant_name})" if self.variant_name else self.product_name
        return f"{name} × {self.quantity}"


class OrderStatusChange(models.Model):
    """One step of an order's history: who moved it, from what, to what, when and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history", verbose_name=_("order"))
    from_status = models.CharField(_("from"), max_length=20, choices=Order.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Order.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("status change")
        verbose_name_plural = _("status history")

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class PromoCodeUse(models.Model):
    """A promo code applied to an order; the customer is remembered for per-customer limits."""

    promo_code = models.ForeignKey(PromoCode, on_delete=models.PROTECT, related_name="uses", verbose_name=_("code"))
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="promo_use", verbose_name=_("order"))
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


class CallLog(models.Model):
    """One call a manager made about an order, and how it went."""

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        NO_ANSWER = "no_answer", _("No answer")
        CALL_BACK = "call_back", _("Call back later")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="calls", verbose_name=_("order"))
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("manager")
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    call_back_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="call_back") | Q(call_back_at__isnull=False), name="call_back_has_a_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class CustomerNote(models.Model):
    """What the shop's staff want each other to know about a customer ("call after 18:00").
    A guest has no account, so a note is kept against the phone number as well."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="staff_notes",
        verbose_name=_("customer"),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    text = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("written on order")
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("customer note")
        verbose_name_plural = _("customer notes")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(phone=""), name="customer_note_names_a_customer"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Payment(models.Model):
    """One attempt to pay an order online. A declined attempt stays as it was; trying
    again makes a new one. `public_id` is what the provider and the shopper's browser see."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the payment")
        SUCCEEDED = "succeeded", _("Paid")
        FAILED = "failed", _("Declined")

    public_id = models.UUIDField(_("payment id"), default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments", verbose_name=_("order"))
    provider = models.CharField(_("provider"), max_length=32)
    external_id = models.CharField(_("provider's payment id"), max_length=64, blank=True)
    amount = _money(_("amount, ₽"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    redirect_url = models.URLField(_("payment page"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=("provider", "external_id"), condition=~Q(external_id=""), name="payment_unique_external_id"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order} · {self.amount} · {self.get_status_display()}"


class PaymentNotification(models.Model):
    """A provider's notification as received. The provider's event id is unique, so the same
    notification delivered twice is stored once and acted upon once."""

    provider = models.CharField(_("provider"), max_length=32)
    event_id = models.CharField(_("event id"), max_length=100)
    payment = models.ForeignKey(
        Payment, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications",
        verbose_name=_("payment"),
    )
    succeeded = models.BooleanField(_("paid"))
    payload = models.TextField(_("as received"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ("-received_at", "-id")
        verbose_name = _("payment notification")
        verbose_name_plural = _("payment notifications")
        constraints = [
            models.UniqueConstraint(fields=("provider", "event_id"), name="payment_notification_unique_event"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"
