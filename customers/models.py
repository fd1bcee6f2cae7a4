import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
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

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(None, email, password, **extra_fields)


class User(AbstractUser):
    """Anyone who signs in: shoppers and the shop's staff alike."""

    username = None
    email = models.EmailField(_("e-mail"), unique=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = CustomerManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

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
