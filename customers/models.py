import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class CustomerManager(UserManager):
    """Users sign in with their e-mail; there is no separate username to remember."""

    def _create_user(self, username, email, password, **extra_fields):
        email = self.normalize_email(email or username)
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(None, email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # "Anna@Mail.ru" and "anna@mail.ru" are one customer.
        return self.get(email__iexact=username)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(None, email, password, **extra_fields)


class User(AbstractUser):
    """Anyone who signs in: shoppers and the shop's staff alike."""

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")

    username = None
    email = models.EmailField(_("e-mail"), unique=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    # Where the customer's parcels last went (customers.timezones); "" means the shop's zone.
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)
    # The language the customer last used the shop in, for messages outside a visit
    # (broadcasts, segments); "" means the shop's default language.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = CustomerManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [
            # The welcome campaign's scan reads the week's new customers among millions.
            models.Index(fields=("date_joined",), name="user_joined"),
            # Segments pick customers by city (in any case) and by age among millions.
            models.Index(Upper("city"), name="user_city"),
            models.Index(fields=("birth_date",), name="user_birth_date"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Visit(models.Model):
    """One browsing session of one visitor, with where it came from."""

    class Channel(models.TextChoices):
        DIRECT = "direct", _("Direct")
        ORGANIC_SEARCH = "organic_search", _("Organic search")
        PAID_SEARCH = "paid_search", _("Paid search")
        SOCIAL = "social", _("Social")
        EMAIL = "email", _("E-mail")
        REFERRAL = "referral", _("Referral")
        OTHER = "other", _("Other")

    class Device(models.TextChoices):
        MOBILE = "mobile", _("Phone")
        TABLET = "tablet", _("Tablet")
        DESKTOP = "desktop", _("Computer")

    visitor_id = models.UUIDField(_("visitor"), default=uuid.uuid4, db_index=True)
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits",
        verbose_name=_("customer"),
    )
    started_at = models.DateTimeField(_("started"), db_index=True)
    landing_page = models.CharField(_("landing page"), max_length=500)
    referrer = models.CharField(_("referrer"), max_length=500, blank=True)
    utm_source = models.CharField("utm_source", max_length=100, blank=True)
    utm_medium = models.CharField("utm_medium", max_length=100, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=150, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, db_index=True)
    device = models.CharField(_("device"), max_length=10, choices=Device.choices)

    class Meta:
        ordering = ("-started_at",)
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        # "Has this customer visited since…": the reactivation campaign asks it per customer.
        indexes = [models.Index(fields=("user", "started_at"), name="visit_customer_recent")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.started_at:%Y-%m-%d %H:%M}"


class ProductView(models.Model):
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, null=True, blank=True, related_name="product_views"
    )
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="product_views"
    )
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    viewed_at = models.DateTimeField(_("viewed"), db_index=True)

    class Meta:
        ordering = ("-viewed_at",)
        verbose_name = _("product view")
        verbose_name_plural = _("product views")


class VisitEvent(models.Model):
    """A funnel step a visit took beyond looking: it put something in the cart, or began checkout
    (left a contact there). Kept per visit, the first time only, so the funnel counts these steps
    as it counts visits that viewed a product, and splits them by the visit's channel and device."""

    class Kind(models.TextChoices):
        ADDED_TO_CART = "added_to_cart", _("Added to cart")
        CHECKOUT_STARTED = "checkout_started", _("Started checkout")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="events", verbose_name=_("visit"))
    kind = models.CharField(_("step"), max_length=20, choices=Kind.choices)
    happened_at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("visit event")
        verbose_name_plural = _("visit events")
        constraints = [models.UniqueConstraint(fields=("visit", "kind"), name="visit_event_once_per_visit")]


class PointsEntry(models.Model):
    """One line of a customer's bonus points ledger; the balance is the sum of `delta`.

    Points are whole numbers and one point pays one ruble, so a ledger line is an exact
    integer and never needs rounding. Only earned points expire (`expires_at`); spending
    uses the points that expire first. The order is referenced by its number, as text:
    customers sits below orders and never points a key upwards.
    """

    class Reason(models.TextChoices):
        EARNED = "earned", _("Earned for an order")
        SPENT = "spent", _("Spent on an order")
        REFUNDED = "refunded", _("Returned: order cancelled")
        REVOKED = "revoked", _("Taken back: order returned")
        EXPIRED = "expired", _("Expired")
        ADJUSTED = "adjusted", _("Adjusted by the shop")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="points_entries", verbose_name=_("customer")
    )
    delta = models.IntegerField(_("points"), help_text=_("Positive when points are added, negative when taken."))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    order_number = models.CharField(_("order"), max_length=32, blank=True, db_index=True)
    comment = models.CharField(_("comment"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("points entry")
        verbose_name_plural = _("points ledger")
        indexes = [models.Index(fields=("user", "created_at"), name="points_entry_user_created")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(delta=0), name="points_entry_delta_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.delta:+d} · {self.get_reason_display()}"


# The version of the personal-data policy and consent texts shown at checkout and sign-up;
# change it whenever the wording changes, so every stored consent says which text was agreed to.
CONSENT_WORDING_VERSION = "2025-01"


class Consent(models.Model):
    """A consent given or withdrawn, kept forever as evidence: who, what wording, where, when.
    A change of mind is a new row; the latest row of a kind is the current answer.

    A marketing consent may be about one kind of message only (`topic`, a marketing message
    kind such as "birthday"): "no birthday messages", or a guest's confirmed "tell me when it
    is back" without any other marketing. marketing.preferences decides how the two combine."""

    class Kind(models.TextChoices):
        PERSONAL_DATA = "personal_data", _("Processing of personal data")
        MARKETING_EMAIL = "marketing_email", _("Marketing e-mails")
        MARKETING_SMS = "marketing_sms", _("Marketing SMS")

    class Source(models.TextChoices):
        CHECKOUT = "checkout", _("Checkout")
        REGISTRATION = "registration", _("Registration")
        ACCOUNT = "account", _("Account settings")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")
        PREFERENCES = "preferences", _("Message preferences page")
        BACK_IN_STOCK = "back_in_stock", _("“Tell me when it is back” form")
        ADMIN = "admin", _("Entered by the shop")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="consents", verbose_name=_("customer")
    )
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    kind = models.CharField(_("consent"), max_length=20, choices=Kind.choices)
    topic = models.CharField(
        _("kind of message"), max_length=40, blank=True,
        help_text=_("Only this kind of marketing message (for example birthday); empty: all of them."),
    )
    granted = models.BooleanField(_("granted"))
    wording_version = models.CharField(_("wording version"), max_length=32)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(email="") | ~models.Q(phone=""),
                name="consent_names_a_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {'yes' if self.granted else 'no'}"


class Address(models.Model):
    """A delivery address the customer keeps in the account, offered at checkout."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("customer"))
    label = models.CharField(_("name"), max_length=60, blank=True, help_text=_("For example “Home” or “Work”."))
    city = models.CharField(_("city"), max_length=100)
    address = models.CharField(_("address"), max_length=255, help_text=_("Street, house, flat."))
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        text = f"{self.city}, {self.address}"
        return f"{self.label}: {text}" if self.label else text


class DataRequest(models.Model):
    """A customer's request about their personal data: a copy of it, or deleting the account.
    The shop works it by hand (an order in progress or a legal duty to keep receipts may
    delay a deletion), so the request is a row with a status, not an immediate action."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Copy of my data")
        DELETE = "delete", _("Delete my account")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")

    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="data_requests",
        verbose_name=_("customer"),
    )
    # Kept after the account is gone, as the record that the request was carried out.
    email = models.EmailField(_("e-mail"))
    kind = models.CharField(_("request"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("personal data request")
        verbose_name_plural = _("personal data requests")
        constraints = [
            models.UniqueConstraint(
                fields=("user", "kind"), condition=models.Q(status="new"), name="data_request_one_open_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.email}"
