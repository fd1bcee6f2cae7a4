"""Triggers about a product the shopper watches: back in stock (they asked) and price drop
(they viewed or carted it and the price fell).

Back in stock: each return of a product (ProductRestock, written when catalog announces it) is
a cause for every request made before it, named "back_in_stock:<request>:<return>", so one
return is one message per request, and a request already answered is not answered again.

Price drop: the scan first records the prices that changed since its last run
(ProductPriceRecord, whatever wrote them), then, for each product whose latest record is
cheaper than the one before, finds who viewed (signed in) or carted it before the drop at a
price at least the campaign's share higher. The cause names the product, the price record and
the person, so one change of price is one message per person.
"""

import datetime
import hashlib
from decimal import Decimal

from django.db.models import Exists, F, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from catalog.models import Product
from customers.models import ProductView
from marketing.campaigns.models import (
    BackInStockRequest,
    Campaign,
    CampaignEntry,
    ProductPriceRecord,
    ProductRestock,
)
from marketing.campaigns.triggers.base import Candidate, Content, Trigger, Verdict
from marketing.campaigns.triggers.others import _next, _products_block
from orders.models import CartLine, OrderLine

PRICE_BATCH = 5000
# Whose interest counts for a price drop: views and carts of the last 30 days.
INTEREST = datetime.timedelta(days=30)
DEFAULT_DROP_PERCENT = 10


def _product_contents(entries: list[CampaignEntry], product_of: dict[int, int], values_of) -> dict[int, Content]:
    """A message about one product: its block, its name and today's price."""
    blocks = {pk: _products_block([pk]) for pk in set(product_of.values())}
    contents = {}
    for entry in entries:
        block = blocks.get(product_of.get(entry.subject_id))
        if block:
            values = {"product_name": block[0].name, "price": block[0].price, **values_of(entry)}
            contents[entry.pk] = Content(values=values, link=block[0].url, products=block)
    return contents


class BackInStock(Trigger):
    """A product somebody asked about is back: each active request made before the return gets
    one message; a request already answered (sent, or held out) is done."""

    kind = Campaign.Kind.BACK_IN_STOCK

    def candidates(self, campaign, *, now, after, limit):
        restock = ProductRestock.objects.filter(
            product_id=OuterRef("product_id"), restocked_at__gt=now - self.lookback,
            restocked_at__gte=OuterRef("created_at"),
        ).order_by("-restocked_at", "-id")
        answered = CampaignEntry.objects.filter(
            campaign=campaign, person=OuterRef("person"), subject_id=OuterRef("pk"),
            status__in=[CampaignEntry.Status.DONE, CampaignEntry.Status.HELD_OUT],
        )
        rows = list(
            BackInStockRequest.objects.filter(
                pk__gt=after, status=BackInStockRequest.Status.ACTIVE, product__is_in_stock=True,
                product__is_active=True,
            )
            .annotate(restock=Subquery(restock.values("pk")[:1]),
                      restocked_at=Subquery(restock.values("restocked_at")[:1]))
            .filter(restock__isnull=False).exclude(Exists(answered))
            .order_by("pk").values_list("pk", "restock", "restocked_at", "user_id", "email", "user__phone")[:limit]
        )
        causes = [f"back_in_stock:{pk}:{restock}" for pk, restock, *_rest in rows]
        known = set(CampaignEntry.objects.filter(campaign=campaign, cause__in=causes).values_list("cause", flat=True))
        return [
            Candidate(cause=cause, subject_id=pk, triggered_at=restocked_at, user_id=user, email=email,
                      phone=phone or "")
            for cause, (pk, _restock, restocked_at, user, email, phone) in zip(causes, rows, strict=True)
            if cause not in known
        ], _next(rows, limit)

    def preview_subject(self, customer):
        return BackInStockRequest.objects.filter(user=customer).values_list("pk", flat=True).first()

    def verdicts(self, entries):
        requests = {
            pk: (status, in_stock)
            for pk, status, in_stock in BackInStockRequest.objects.filter(pk__in=[e.subject_id for e in entries])
            .values_list("pk", "status", "product__is_in_stock")
        }
        verdicts = {}
        for entry in entries:
            status, in_stock = requests.get(entry.subject_id, (None, False))
            if status != BackInStockRequest.Status.ACTIVE:
                verdicts[entry.pk] = Verdict(stop=gettext("The request was cancelled."))
            elif not in_stock:
                verdicts[entry.pk] = Verdict(stop=gettext("The product is sold out again."))
            else:
                verdicts[entry.pk] = Verdict(since=entry.triggered_at)
        return verdicts

    def contents(self, entries, *, language):
        product_of = dict(BackInStockRequest.objects.filter(pk__in=[e.subject_id for e in entries])
                          .values_list("pk", "product_id"))
        return _product_contents(entries, product_of, lambda entry: {})


def product_prices_record(*, now: datetime.datetime, batch_size: int = PRICE_BATCH) -> int:
    """Record every product's price that differs from its latest record (or has none), in
    batches by id. Two scans at once write one record per change: a record names the one it
    follows, and a record can be followed only once (the database refuses the second)."""
    latest = ProductPriceRecord.objects.filter(product=OuterRef("pk")).order_by("-id")
    written, after = 0, 0
    while after is not None:
        rows = list(
            Product.objects.filter(pk__gt=after).order_by("pk")
            .annotate(last_id=Subquery(latest.values("pk")[:1]), last_price=Subquery(latest.values("price")[:1]))
            .values_list("pk", "price", "last_id", "last_price")[:batch_size]
        )
        changed = [
            ProductPriceRecord(product_id=pk, price=price, previous_id=last_id, recorded_at=now)
            for pk, price, last_id, last_price in rows if last_price != price
        ]
        written += len(ProductPriceRecord.objects.bulk_create(changed, ignore_conflicts=True))
        after = _next(rows, batch_size)
    return written


def _person_key(user_id: int | None, email: str) -> str:
    """A short stable name for the person in a cause (an e-mail may be longer than a cause)."""
    if user_id:
        return f"user{user_id}"
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def _price_at(history: list[tuple[datetime.datetime, Decimal]], moment: datetime.datetime) -> Decimal:
    """The price in force at `moment`; before the first record, the first record's."""
    seen = history[0][1]
    for since, price in history:
        if since > moment:
            break
        seen = price
    return seen


class PriceDrop(Trigger):
    """A product's price fell by at least the campaign's share (condition_percent, default 10%)
    below the price a customer saw when they last viewed it (signed in) or put it in a cart."""

    kind = Campaign.Kind.PRICE_DROP
    lookback = datetime.timedelta(days=3)

    def before_scan(self, campaign, *, now):
        product_prices_record(now=now)

    def candidates(self, campaign, *, now, after, limit):
        share = Decimal(campaign.condition_percent or DEFAULT_DROP_PERCENT) / 100
        drops = {
            product: (record, price, recorded_at)
            for record, product, price, recorded_at in ProductPriceRecord.objects.filter(
                recorded_at__gt=now - self.lookback, recorded_at__lte=now - self._first_delay(campaign),
                previous__isnull=False, price__lt=F("previous__price"), next__isnull=True,
            ).values_list("pk", "product_id", "price", "recorded_at")
        }
        if not drops:
            return [], None
        history: dict[int, list] = {product: [] for product in drops}
        for product, since, price in ProductPriceRecord.objects.filter(product_id__in=drops).order_by(
            "recorded_at", "id"
        ).values_list("product_id", "recorded_at", "price"):
            history[product].append((since, price))
        # (product, person key) → (seen price, user id, e-mail, phone)
        interested: dict[tuple[int, str], tuple[Decimal, int | None, str, str]] = {}

        def interest(product, user_id, email, phone, seen):
            key = (product, _person_key(user_id, email))
            if key not in interested or interested[key][0] < seen:
                interested[key] = (seen, user_id, email or "", phone or "")

        for user, product, last, email, phone in (
            ProductView.objects.filter(product_id__in=drops, user__isnull=False, viewed_at__gt=now - INTEREST)
            .order_by().values("user_id", "product_id").annotate(last=Max("viewed_at"))
            .values_list("user_id", "product_id", "last", "user__email", "user__phone")
        ):
            if last < drops[product][2]:
                interest(product, user, email, phone, _price_at(history[product], last))
        for user, product, seen, added, email, user_email, phone, user_phone in (
            CartLine.objects.filter(product_id__in=drops, added_at__gt=now - INTEREST)
            .filter(Q(cart__user__isnull=False) | ~Q(cart__email=""))
            .values_list("cart__user_id", "product_id", "price_when_added", "added_at", "cart__email",
                         "cart__user__email", "cart__phone", "cart__user__phone")
        ):
            if added < drops[product][2]:
                interest(product, user, email or user_email, phone or user_phone, seen)

        found = []
        for (product, person), (seen, user, email, phone) in interested.items():
            record, price, recorded_at = drops[product]
            if seen and price <= seen * (1 - share) and (email or phone):
                found.append(Candidate(cause=f"price_drop:{product}:{record}:{person}", subject_id=record,
                                       triggered_at=recorded_at, user_id=user, email=email, phone=phone))
        known = set(CampaignEntry.objects.filter(campaign=campaign, cause__in=[c.cause for c in found])
                    .values_list("cause", flat=True))
        return [candidate for candidate in found if candidate.cause not in known], None

    @staticmethod
    def _first_delay(campaign) -> datetime.timedelta:
        return min((step.delay for step in campaign.steps.all()), default=datetime.timedelta(0))

    def preview_subject(self, customer):
        return ProductPriceRecord.objects.filter(previous__isnull=False).values_list("pk", flat=True).first()

    def verdicts(self, entries):
        """The price must still be the dropped one (a newer change is its own cause), and the
        customer must not have bought the product since."""
        records = {
            pk: (product, has_next, active)
            for pk, product, has_next, active in ProductPriceRecord.objects.filter(
                pk__in=[e.subject_id for e in entries]
            ).annotate(has_next=Exists(ProductPriceRecord.objects.filter(previous=OuterRef("pk"))))
            .values_list("pk", "product_id", "has_next", "product__is_active")
        }
        since = timezone.now() - INTEREST
        bought = set(
            OrderLine.objects.filter(product_id__in={product for product, *_rest in records.values()},
                                     order__created_at__gt=since)
            .values_list("product_id", "order__user_id", "order__email")
        )
        buyers = {(product, f"user:{user}") for product, user, _email in bought if user}
        buyers |= {(product, email.lower()) for product, _user, email in bought if email}
        verdicts = {}
        for entry in entries:
            product, changed_again, active = records.get(entry.subject_id, (None, True, False))
            if changed_again or not active:
                verdicts[entry.pk] = Verdict(stop=gettext("The price changed again."))
            elif (product, entry.person) in buyers or (product, entry.email) in buyers:
                verdicts[entry.pk] = Verdict(stop=gettext("The customer bought the product."))
            else:
                verdicts[entry.pk] = Verdict(since=entry.triggered_at)
        return verdicts

    def contents(self, entries, *, language):
        records = {
            pk: (product, previous)
            for pk, product, previous in ProductPriceRecord.objects.filter(pk__in=[e.subject_id for e in entries])
            .values_list("pk", "product_id", "previous__price")
        }
        product_of = {pk: product for pk, (product, _previous) in records.items()}
        return _product_contents(entries, product_of, lambda entry: {"old_price": records[entry.subject_id][1]})
