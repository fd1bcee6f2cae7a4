"""Writes: a verified buyer's review, and its moderation."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.services import products_rating_set
from customers.models import User
from reviews.models import TEXT_MAX_LENGTH, Review
from reviews.selectors import not_a_buyer_reason, products_rating, review_purchase_order

MODERATE_PERMISSION = "reviews.moderate_review"
TEXT_MIN_LENGTH = 10


class NotAVerifiedBuyer(PermissionDenied):
    """Only a customer who received the product may review it."""


class AlreadyReviewed(ValidationError):
    """The customer has written their review of this product already."""


def _author_name(user: User) -> str:
    """What the page shows above the review: "Анна С." (first name, initial of the last)."""
    first, last = user.first_name.strip(), user.last_name.strip()
    if first:
        return f"{first} {last[0]}." if last else first
    return _("Customer")


def _review_validate(*, rating, text: str) -> str:
    errors = {}
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        errors["rating"] = [_("Choose a rating from 1 to 5 stars.")]
    text = (text or "").strip()
    if len(text) < TEXT_MIN_LENGTH:
        errors["text"] = [_("Tell a little more: at least %(count)d characters.") % {"count": TEXT_MIN_LENGTH}]
    elif len(text) > TEXT_MAX_LENGTH:
        errors["text"] = [_("A review fits in %(count)d characters.") % {"count": TEXT_MAX_LENGTH}]
    if errors:
        raise ValidationError(errors)
    return text


@transaction.atomic
def review_submit(*, user: User, product: Product, rating: int, text: str) -> Review:
    """A review by a verified buyer, waiting for moderation; it counts nowhere until published.

    Refuses (NotAVerifiedBuyer) anyone without a delivered order of the product in their account
    (review_purchase_order: an address typed into an account proves nothing), bad input with a
    ValidationError per field, and a second review of the same product by the same customer
    (AlreadyReviewed): the database's unique key decides, so two submissions at once still leave
    exactly one review."""
    order = review_purchase_order(user=user, product=product)
    if order is None:
        raise NotAVerifiedBuyer(not_a_buyer_reason())
    text = _review_validate(rating=rating, text=text)
    try:
        with transaction.atomic():
            return Review.objects.create(product=product, user=user, order=order, rating=rating, text=text,
                                         author_name=_author_name(user))
    except IntegrityError:
        raise AlreadyReviewed(_("You have already reviewed this product."), code="already_reviewed") from None


@transaction.atomic
def reviews_moderate(*, review_ids: Iterable[int], status: str, moderator: User) -> int:
    """Publish or reject reviews (a published one can be taken down, a rejected one published
    after all); returns how many changed. Only a moderator with reviews.moderate_review may:
    anyone else gets PermissionDenied and nothing changes.

    The products' rows are locked first, in id order, and their ratings recomputed from the
    published reviews in the same transaction, so two moderators at once never leave a stale
    average; the product pages are renewed after commit."""
    if not moderator.has_perm(MODERATE_PERMISSION):
        raise PermissionDenied(_("You may not moderate reviews."))
    if status not in (Review.Status.PUBLISHED, Review.Status.REJECTED):
        raise ValidationError(_("A review can only be published or rejected."))
    changing = Review.objects.filter(pk__in=list(review_ids)).exclude(status=status)
    product_ids = sorted(set(changing.values_list("product_id", flat=True)))
    if not product_ids:
        return 0
    _products_lock(product_ids)
    changed = changing.update(status=status, moderated_by=moderator, moderated_at=timezone.now())
    products_rating_set(ratings=products_rating(product_ids=product_ids))
    return changed


@transaction.atomic
def products_rating_refresh(*, product_ids: Iterable[int]) -> None:
    """Recompute the products' ratings from their published reviews, under the products' locks
    (published reviews that disappear with a deleted account, for one)."""
    product_ids = sorted(set(product_ids))
    _products_lock(product_ids)
    products_rating_set(ratings=products_rating(product_ids=product_ids))


def _products_lock(product_ids: list[int]) -> None:
    list(Product.objects.select_for_update().filter(pk__in=product_ids).order_by("pk").values_list("pk"))
