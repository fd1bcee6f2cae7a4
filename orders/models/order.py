
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Product, ProductVariant
from core.models import TimeStampedModel
from customers.models import Visit
from orders.models.cart import Cart
from orders.models.delivery import DeliveryMethod, PickupPoint
from orders.models.money import money_field
from orders.models.promo import PromoCode


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

    # Where the order came from: the channels of a visit, plus orders taken by phone.
    Channel = models.TextChoices(
        "Channel",
        [(channel.name, (channel.value, channel.label)) for channel in Visit.Channel]
        + [("PHONE", ("phone", _("Phone call")))],
    )

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
        related_name="orders", verbose_name=_("customer's account"),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="managed_orders", verbose_name=_("manager"),
    )
    cart = models.ForeignKey(
        Cart, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders", editable=False
    )
    # Contact
    name = models.CharField(_("customer's name"), max_length=150)
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
    # The last day the carrier keeps the parcel at the pickup point, as the carrier says;
    # empty: settings.PICKUP_STORAGE_DAYS from "ready for pickup".
    pickup_deadline = models.DateField(_("kept at the pickup point until"), null=True, blank=True)
    # The delivery address's zone (customers.timezones), for SMS quiet hours; "" means the shop's.
    timezone = models.CharField(_("customer's time zone"), max_length=64, blank=True, editable=False)
    # Payment
    payment_method = models.CharField(_("payment"), max_length=20, choices=PaymentMethod.choices)
    payment_status = models.CharField(
        _("payment status"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID
    )
    # Totals, in rubles. total_to_pay = items_total + delivery_price - discount_total - points_spent.
    items_total = money_field(_("goods, ₽"))
    delivery_price = money_field(_("delivery, ₽"))
    discount_total = money_field(_("discount, ₽"))
    points_spent = money_field(_("paid with points, ₽"))
    total_to_pay = money_field(_("to pay, ₽"))
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
        indexes = [
            # A customer's orders by date, with what a segment's "spent" and "orders" conditions
            # add up, so those sums are read from the index alone (marketing.segments).
            models.Index(
                fields=("user", "created_at"), include=("status", "total_to_pay"), name="order_customer_sales",
                condition=Q(user__isnull=False),
            ),
            # A customer is known by the phone: their earlier orders (first order, returning
            # customer) are found by it in every report that counts customers.
            models.Index(fields=("phone", "created_at"), name="order_phone_placed"),
            # ...and by the e-mail (customers.identity.same_person: the manager's card). Measured when
            # "is this customer a verified buyer?" still went by it (bench/reviews.py: 156 ms at
            # 500,000 orders without the index, 6 ms with it); reviews now read the account's orders.
            models.Index(fields=("email",), name="order_email"),
        ]
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
    unit_price = money_field(_("price, ₽"))
    quantity = models.PositiveIntegerField(_("quantity"))
    line_total = money_field(_("total, ₽"))

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
    from_status = models.CharField(
        pgettext_lazy("status change", "from"), max_length=20, choices=Order.Status.choices, blank=True
    )
    to_status = models.CharField(pgettext_lazy("status change", "to"), max_length=20, choices=Order.Status.choices)
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
        """"New → In progress", with the statuses' names."""
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class OrderEdit(models.Model):
    """A manager's change to an order that does not move it: the goods, the delivery details.
    Kept beside the status history, which records moves only (and which the customer sees)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="edits", verbose_name=_("order"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )
    description = models.TextField(_("what changed"))
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("order edit")
        verbose_name_plural = _("edits")

    def __str__(self) -> str:
        return self.description
