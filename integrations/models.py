import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MinValueValidator, URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


def pricelist_storage() -> FileSystemStorage:
    """Price lists are the shop's commercial secrets: kept outside MEDIA_ROOT, which is public."""
    return FileSystemStorage(location=settings.PRICELISTS_DIR)


class Supplier(TimeStampedModel):
    """Whoever sends price lists, with how to read their files and how to price their goods.

    The columns are named as in the file's header row; only the columns named here are read and
    written, so a supplier whose names should not replace the shop's leaves "name" empty."""

    class Rounding(models.TextChoices):
        KOPECKS = "kopecks", _("To kopecks")
        RUBLES = "rubles", _("To whole rubles")
        TENS = "tens", _("To tens of rubles")
        NINES = "nines", _("Up to a price ending in 9")

    name = models.CharField(_("name"), max_length=120, unique=True)
    markup_percent = models.DecimalField(
        _("markup, %"), max_digits=7, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("-99.99"))],
        # xgettext:no-python-format
        help_text=_("Added to the price in the file: 30 sells at 130% of the supplier's price."),
    )
    rounding = models.CharField(_("rounding"), max_length=10, choices=Rounding.choices, default=Rounding.KOPECKS)
    sku_column = models.CharField(_("SKU column"), max_length=100, default="SKU")
    price_column = models.CharField(_("price column"), max_length=100, blank=True, default="Price")
    stock_column = models.CharField(_("stock column"), max_length=100, blank=True, default="Stock")
    name_column = models.CharField(_("name column"), max_length=100, blank=True)
    category_column = models.CharField(_("category column"), max_length=100, blank=True)
    brand_column = models.CharField(_("brand column"), max_length=100, blank=True)
    attribute_columns = models.JSONField(
        _("attribute columns"), default=dict, blank=True,
        help_text=_('Columns holding properties, as {"column": "attribute slug"}.'),
    )
    default_category = models.ForeignKey(
        "catalog.Category", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("category for new products"),
        help_text=_("New products whose row names no known category go here."),
    )
    creates_products = models.BooleanField(
        _("creates new products"), default=True,
        help_text=_("A row with an unknown SKU becomes a new product; otherwise it is reported as an error."),
    )

    class Meta:
        ordering = ("name",)
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        columns = self.attribute_columns
        if not isinstance(columns, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in columns.items()
        ):
            raise ValidationError({"attribute_columns": _('Write {"column": "attribute slug"} pairs.')})

    @property
    def columns(self) -> dict[str, str]:
        """{role: header} for every column this supplier's files are read by."""
        named = {
            "sku": self.sku_column, "price": self.price_column, "stock": self.stock_column,
            "name": self.name_column, "category": self.category_column, "brand": self.brand_column,
        }
        return {role: header.strip() for role, header in named.items() if header.strip()}


class PriceListImport(TimeStampedModel):
    """One price list file, read once as a dry run or applied: the job, its progress and outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="imports",
                                 verbose_name=_("supplier"))
    file = models.FileField(_("file"), storage=pricelist_storage, upload_to="%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    dry_run = models.BooleanField(_("dry run"), default=True,
                                  help_text=_("Only show what would change; write nothing."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("started by"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows read"), default=0)
    new_count = models.PositiveIntegerField(_("new"), default=0)
    changed_count = models.PositiveIntegerField(_("changed"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # The first changes, for the page that shows what a dry run would do.
    preview = models.JSONField(_("changes"), default=list, blank=True)
    failure = models.TextField(_("why it failed"), blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("price list import")
        verbose_name_plural = _("price list imports")
        indexes = [models.Index(fields=("status", "updated_at"), name="pricelist_import_status")]

    def __str__(self) -> str:
        return f"{self.supplier} · {self.original_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent_done(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.processed_rows * 100 // self.total_rows) if self.total_rows else 0


class PriceListRowError(models.Model):
    """A row the import could not take, with why; the other rows go on."""

    price_list_import = models.ForeignKey(PriceListImport, on_delete=models.CASCADE, related_name="row_errors",
                                          verbose_name=_("import"))
    line = models.PositiveIntegerField(_("line"))
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=500)

    class Meta:
        ordering = ("line", "id")
        verbose_name = _("row error")
        verbose_name_plural = _("row errors")

    def __str__(self) -> str:
        return f"{self.line}: {self.reason}"


class PriceChange(models.Model):
    """A price that changed: old, new, what changed it and when. Written with the change."""

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("product"))
    variant = models.ForeignKey("catalog.ProductVariant", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+", verbose_name=_("variant"))
    sku = models.CharField(_("SKU"), max_length=64)
    old_price = models.DecimalField(_("old price, ₽"), max_digits=12, decimal_places=2, null=True)
    new_price = models.DecimalField(_("new price, ₽"), max_digits=12, decimal_places=2)
    source = models.CharField(_("source"), max_length=200)
    price_list_import = models.ForeignKey(PriceListImport, on_delete=models.SET_NULL, null=True, blank=True,
                                          related_name="price_changes", verbose_name=_("import"))
    created_at = models.DateTimeField(_("changed"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("price change")
        verbose_name_plural = _("price changes")
        indexes = [models.Index(fields=("sku", "-created_at"), name="price_change_sku")]

    def __str__(self) -> str:
        return f"{self.sku}: {self.old_price} → {self.new_price}"


class WebhookEvent(models.TextChoices):
    ORDER_PLACED = "order.placed", _("Order placed")
    ORDER_STATUS_CHANGED = "order.status_changed", _("Order status changed")
    STOCK_CHANGED = "stock.changed", _("Stock changed")
    CUSTOMER_CREATED = "customer.created", _("Customer created")


def webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class Webhook(TimeStampedModel):
    """Another system's address that hears about some of the shop's events, signed with its secret."""

    Event = WebhookEvent

    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("URL"), max_length=500, validators=[URLValidator(schemes=["http", "https"])])
    events = models.JSONField(_("events"), default=list, help_text=_("What this system hears about."))
    secret = models.CharField(
        _("signing secret"), max_length=100, default=webhook_secret,
        help_text=_("The receiver checks the X-Vitrina-Signature header with it."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ("name",)
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = set(self.events or []) - set(WebhookEvent.values)
        if not isinstance(self.events, list) or unknown:
            raise ValidationError({"events": _("Choose events from the list.")})


class WebhookDelivery(TimeStampedModel):
    """One event for one webhook: the outbox row, written in the transaction of its cause.

    The idempotency key makes one event one row however often its cause is repeated, and is sent
    as X-Vitrina-Delivery so the receiver can ignore a repeat. pending → sending → delivered, or
    back to pending with a later due time after an error, or failed after the last attempt; a
    worker only sends a row it moved from pending to sending itself."""

    Event = WebhookEvent

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries",
                                verbose_name=_("webhook"))
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField(_("payload"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField(_("due"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=("idempotency_key",), name="webhook_delivery_unique_key"),
        ]
        indexes = [models.Index(fields=("status", "due_at"), name="webhook_delivery_status_due")]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.webhook}"


class WebhookAttempt(models.Model):
    """One call to the receiver, kept with its answer whatever came of it."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts_made",
                                 verbose_name=_("delivery"))
    started_at = models.DateTimeField(_("started"))
    duration_ms = models.PositiveIntegerField(_("took, ms"), null=True)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True)
    response = models.TextField(_("response"), blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ("started_at", "id")
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"


class AnnouncedStock(models.Model):
    """The stock last told to webhooks, per SKU, so a product saved for its name tells nobody."""

    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    stock = models.PositiveIntegerField(_("stock"))

    class Meta:
        verbose_name = _("announced stock")
        verbose_name_plural = _("announced stock")

    def __str__(self) -> str:
        return f"{self.sku}: {self.stock}"
