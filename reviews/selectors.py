"""Reads: who may review a product, the published reviews, and an order's products to review."""

from dataclasses import dataclass

from django.db.models import Avg, Count, QuerySet
from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.services import Rating
from customers.models import User
from orders.models import Order
from reviews.models import Review


def _orders_of(user: User) -> QuerySet[Order]:
    """The orders that make a verified buyer: the account's own, placed while signed in or
    placed as a guest and added once the customer proved the e-mail theirs (a link sent to the
    address: orders.account.services.guest_orders_add). Nothing else records that an address is
    the customer's. An e-mail or phone merely typed into an account proves nothing, so an order
    matched only by it (the shop's "same person", customers.identity) does not count here:
    whoever opened an account with a buyer's e-mail could otherwise review as that buyer."""
    return Order.objects.filter(user=user)


def review_purchase_order(*, user: User | None, product: Product) -> Order | None:
    """The latest delivered order of this account (_orders_of) that contains the product: what
    makes them a verified buyer. A returned, cancelled or not yet delivered order does not
    count; a guest is nobody."""
    if user is None or not user.is_authenticated:
        return None
    return (
        _orders_of(user).filter(status=Order.Status.DELIVERED, lines__product=product)
        .order_by("-created_at", "-id").first()
    )


def not_a_buyer_reason() -> str:
    """Why a signed-in customer may not review a product, and how a guest buyer becomes able to."""
    return _("Only customers who received this product can review it. Ordered it as a guest? Add the order "
             "to your account first: confirm your e-mail address on your orders page.")


@dataclass(frozen=True)
class ReviewEligibility:
    """Whether this shopper may review this product now, and if not, the reason to show them."""

    order: Order | None = None
    review: Review | None = None  # the one they already wrote
    reason: str = ""
    # A signed-in customer without a delivered order of the product: point them to their orders,
    # where orders placed as a guest are added once the e-mail is confirmed.
    add_guest_orders: bool = False

    @property
    def may_review(self) -> bool:
        return not self.reason


def review_eligibility(*, user: User | None, product: Product) -> ReviewEligibility:
    if user is None or not user.is_authenticated:
        return ReviewEligibility(reason=_("Sign in to write a review: reviews come from customers who "
                                          "received the product. Ordered it as a guest? Sign in or open an "
                                          "account with the e-mail you ordered with, and confirm the address."))
    existing = Review.objects.filter(product=product, user=user).first()
    if existing is not None:
        return ReviewEligibility(review=existing, reason=review_status_note(existing))
    order = review_purchase_order(user=user, product=product)
    if order is None:
        return ReviewEligibility(reason=not_a_buyer_reason(), add_guest_orders=True)
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
    """The products of one of this account's delivered orders (_orders_of), each with whether it
    can be reviewed now (the review request e-mail links here). None: no such delivered order of
    theirs, told apart from a number that does not exist by nothing."""
    order = _orders_of(user).filter(status=Order.Status.DELIVERED, number=number).first()
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
