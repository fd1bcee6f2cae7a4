"""Each trigger kind: who qualifies now (a set-based scan), whether the cause still holds when a
step is due, and what its message shows.

A scan is one SELECT per batch over indexed columns, keyed on the subject's id so batches
resume where the last one ended; it leaves out causes the campaign already has, and the
unique (campaign, cause) constraint refuses any that a concurrent scan wrote meanwhile.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import CharField, Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductImage
from marketing.campaigns.links import absolute, cart_return_url
from marketing.campaigns.models import Campaign, CampaignEntry
from orders.models import Cart, CartLine, Order
from orders.services import cart_quote


@dataclass(frozen=True)
class Candidate:
    cause: str
    subject_id: int
    triggered_at: datetime.datetime
    user_id: int | None
    email: str
    phone: str


@dataclass(frozen=True)
class ProductItem:
    name: str
    url: str
    image_url: str
    price: Decimal
    quantity: int = 1


@dataclass
class Content:
    """What one message shows: placeholder values, the main link, the product block."""

    values: dict
    link: str
    products: list[ProductItem] = field(default_factory=list)


@dataclass(frozen=True)
class Verdict:
    """Whether an entry's cause still holds; the steps' delays count from `since`."""

    since: datetime.datetime | None = None
    stop: str = ""


def person_of(*, user_id: int | None, email: str, phone: str = "") -> str:
    """Whom caps and holdouts count: the account when there is one, else the address."""
    if user_id:
        return f"user:{user_id}"
    return (email or phone).strip().lower()


def _pictures(product_ids: set[int]) -> dict[int, str]:
    """Each product's first picture (small), as an absolute URL for an e-mail."""
    pictures: dict[int, str] = {}
    for image in ProductImage.objects.filter(product_id__in=product_ids).order_by("product_id", "position", "id"):
        pictures.setdefault(image.product_id, absolute(image.small_url))
    return pictures


class Trigger:
    kind: str
    # Causes older than this are not picked up any more, which also bounds what a scan reads.
    lookback = datetime.timedelta(days=7)

    def candidates(self, campaign: Campaign, *, now: datetime.datetime, after: int, limit: int) -> list[Candidate]:
        raise NotImplementedError

    def preview_subject(self, customer) -> int | None:
        """What a preview for this customer is about (their cart...), or None if nothing."""
        return customer.pk

    def verdicts(self, entries: list[CampaignEntry]) -> dict[int, Verdict]:
        return {entry.pk: Verdict(since=entry.triggered_at) for entry in entries}

    def contents(self, entries: list[CampaignEntry], *, language: str) -> dict[int, Content]:
        raise NotImplementedError


class AbandonedCart(Trigger):
    """A cart with items and a known contact, unchanged for the first step's delay. The cause is
    the cart and how many orders it has made, so the same cart abandoned again after an order
    is a new cause, and anything it did before is not repeated."""

    kind = Campaign.Kind.ABANDONED_CART

    def candidates(self, campaign, *, now, after, limit):
        first_delay = min((step.delay for step in campaign.steps.all()), default=datetime.timedelta(hours=1))
        orders_made = (
            Order.objects.filter(cart=OuterRef("pk")).order_by().values("cart").annotate(n=Count("pk")).values("n")
        )
        carts = (
            Cart.objects.filter(
                pk__gt=after, updated_at__lte=now - first_delay, updated_at__gt=now - self.lookback,
            )
            .filter(Q(user__isnull=False) | ~Q(email=""))
            .filter(Exists(CartLine.objects.filter(cart=OuterRef("pk"))))
            .annotate(orders_made=Coalesce(Subquery(orders_made), 0))
            .annotate(cause=Concat(Value("cart:"), Cast("pk", CharField()), Value(":"),
                                   Cast("orders_made", CharField()), output_field=CharField()))
            .exclude(Exists(CampaignEntry.objects.filter(campaign=campaign, cause=OuterRef("cause"))))
            .order_by("pk")
            .values_list("pk", "cause", "updated_at", "user_id", "email", "phone", "user__email", "user__phone")
        )[:limit]
        return [
            Candidate(cause=cause, subject_id=pk, triggered_at=updated_at, user_id=user_id,
                      email=email or user_email or "", phone=phone or user_phone or "")
            for pk, cause, updated_at, user_id, email, phone, user_email, user_phone in carts
        ]

    def preview_subject(self, customer):
        return Cart.objects.filter(user=customer).values_list("pk", flat=True).first()

    def verdicts(self, entries):
        carts = {
            cart["pk"]: cart
            for cart in Cart.objects.filter(pk__in=[entry.subject_id for entry in entries])
            .annotate(lines_count=Count("lines", distinct=True), orders_made=Count("orders", distinct=True))
            .values("pk", "updated_at", "lines_count", "orders_made")
        }
        verdicts = {}
        for entry in entries:
            cart = carts.get(entry.subject_id)
            if cart is None or str(cart["orders_made"]) != entry.cause.rpartition(":")[2]:
                verdicts[entry.pk] = Verdict(stop=str(_("The customer ordered.")))
            elif not cart["lines_count"]:
                verdicts[entry.pk] = Verdict(stop=str(_("The cart was emptied.")))
            else:
                # Each step waits for the cart to stay unchanged for its delay.
                verdicts[entry.pk] = Verdict(since=cart["updated_at"])
        return verdicts

    def contents(self, entries, *, language):
        """The cart as checkout would sell it now (orders' one quote function), with pictures."""
        carts = Cart.objects.in_bulk([entry.subject_id for entry in entries])
        quotes = {}
        for cart_id, cart in carts.items():
            try:
                quotes[cart_id] = cart_quote(cart=cart)
            except ValidationError:
                continue  # emptied or holding a product no longer sold: nothing to remind of
        pictures = _pictures({line.product.pk for quote in quotes.values() for line in quote.lines})
        contents = {}
        for entry in entries:
            quote = quotes.get(entry.subject_id)
            if quote is None:
                continue
            contents[entry.pk] = Content(
                values={"items_total": quote.goods, "items_count": sum(line.quantity for line in quote.lines)},
                link=cart_return_url(entry.subject_id),
                products=[
                    ProductItem(name=line.name, url=absolute(line.product.get_absolute_url()),
                                image_url=pictures.get(line.product.pk, ""), price=line.unit_price,
                                quantity=line.quantity)
                    for line in quote.lines
                ],
            )
        return contents


TRIGGERS: dict[str, Trigger] = {trigger.kind: trigger for trigger in (AbandonedCart(),)}
