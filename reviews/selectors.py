"""Reads: who may review a product, the published reviews, and an order's products to review."""

from dataclasses import dataclass

from django.db.models import Avg, Count, QuerySet
from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.services import Rating
from customers.identity import same_person
from customers.models import User
from orders.models import Order
from reviews.models import Review


def review_purchase_order(*, user: User | None, product: Product) -> Order | None:
    """The latest delivered order of this person (customers.identity.same_person: their account,
    their e-mail or their phone) that contains the product: what makes them a verified buyer.
    A returned, cancelled or not yet delivered order does not count; a guest is nobody."""
    if user is None or not user.is_authenticated:
        return None
    return (
        Order.objects.filter(same_person(user=user, email=user.email, phone=user.phone),
                             status=Order.Status.DELIVERED, lines__product=product)
        .order_by("-created_at", "-id").first()
    )


@dataclass(frozen=True)
class ReviewEligibility:
    """Whether this shopper may review this product now, and if not, the reason to show them."""

    order: Order | None = None
    review: Review | None = None  # the one they already wrote
    reason: str = ""

    @property
    def may_review(self) -> bool:
        return not self.reason


def review_eligibility(*, user: User | None, product: Product) -> ReviewEligibility:
    if user is None or not user.is_authenticated:
        return ReviewEligibility(reason=_("Sign in to write a review: reviews come from customers who "
                                          "received the product."))
    existing = Review.objects.filter(product=product, user=user).first()
    if existing is not None:
        return ReviewEligibility(review=existing, reason=review_status_note(existing))
    order = review_purchase_order(user=user, product=product)
    if order is None:
        return ReviewEligibility(reason=_("Only customers who received this product can review it. "
                                          "Your review will be welcome once your order is delivered."))
    return ReviewEligibility(order=order)


def review_status_note(review: Review) -> str:
    return {
        Review.Status.PENDING: _("Thank you! Your review will appear here once it has been checked."),
        Review.Status.PUBLISHED: _("You have reviewed this product. Thank you!"),
        Review.Status.REJECTED: _("You have already reviewed this product; the review was not published "
                                  "because it breaks the review rules."),
    }[review.status]


def reviews_published(*, product: Product) -> QuerySet[Review]:
    """What the product page and the API list: published reviews, newest first."""
    return Review.objects.filter(product=product, status=Review.Status.PUBLISHED).order_by("-created_at", "-id")


def products_rating(*, product_ids) -> dict[int, Rating]:
    """Each product's average and count of published reviews (no reviews: no average)."""
    found = {
        row["product_id"]: Rating(average=round(row["average"], 2), count=row["count"])
        for row in Review.objects.filter(product_id__in=product_ids, status=Review.Status.PUBLISHED)
        .order_by().values("product_id").annotate(average=Avg("rating"), count=Count("pk"))
    }
    return {pk: found.get(pk, Rating(average=None, count=0)) for pk in product_ids}


@dataclass(frozen=True)
class OrderProductToReview:
    product: Product
    eligibility: ReviewEligibility


def order_products_to_review(*, user: User, number: str) -> list[OrderProductToReview] | None:
    """The products of one of this person's delivered orders, each with whether it can be
    reviewed now (the review request e-mail links here). None: no such delivered order of
    theirs, told apart from a number that does not exist by nothing."""
    order = (
        Order.objects.filter(same_person(user=user, email=user.email, phone=user.phone),
                             status=Order.Status.DELIVERED, number=number).first()
    )
    if order is None:
        return None
    product_ids = list(dict.fromkeys(order.lines.order_by("id").values_list("product_id", flat=True)))
    products = Product.objects.active().in_bulk(product_ids)
    written = {review.product_id: review for review in Review.objects.filter(user=user, product_id__in=product_ids)}
    return [
        OrderProductToReview(
            product=products[pk],
            eligibility=ReviewEligibility(review=written[pk], reason=review_status_note(written[pk]))
            if pk in written else ReviewEligibility(order=order),
        )
        for pk in product_ids if pk in products
    ]
