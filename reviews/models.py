from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from orders.models import Order

RATING_CHOICES = [(value, str(value)) for value in range(1, 6)]
TEXT_MAX_LENGTH = 5000


class Review(models.Model):
    """A customer's rating and words about a product they received. Shown once a moderator
    publishes it; the product's average counts published reviews only."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+", verbose_name=_("product"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("customer")
    )
    # The delivered order that made the author a verified buyer, for the moderator to look at.
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("order")
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), choices=RATING_CHOICES, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.TextField(_("review"), max_length=TEXT_MAX_LENGTH)
    # The name shown above the review, fixed when it is written ("Анна С."): renaming the
    # account later does not rewrite what was published.
    author_name = models.CharField(_("author"), max_length=80)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("moderator"),
    )

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        permissions = [("moderate_review", _("Can publish and reject reviews"))]
        constraints = [
            # One review per customer and product, whatever races: a second is refused here.
            models.UniqueConstraint(fields=("product", "user"), name="review_one_per_customer_and_product"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="review_rating_one_to_five"),
        ]
        indexes = [
            # The product page's list and the rating's average read the published reviews only.
            models.Index(fields=("product", "-created_at"), condition=Q(status="published"),
                         name="review_published_by_product"),
            # The moderation queue.
            models.Index(fields=("created_at",), condition=Q(status="pending"), name="review_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.author_name} · {self.rating}★ · {self.product_id}"
