"""Triggers about a product the shopper watches: back in stock (they asked) and price drop
(they viewed or carted it and the price fell).

Back in stock: each return of a product (ProductRestock, written when catalog announces it) is
a cause for every request made before it, named "back_in_stock:<request>:<return>", so one
return is one message per request, and a request already answered is not answered again.

Price drop: the scan first records the prices that changed since its last run
(ProductPriceRecord, whatever wrote them): each product's own price, which its page shows, and
each variant's, which a cart line of it sells at. Then, for each price whose latest record is
cheaper than the one before, it finds who saw that price before the drop at least the
campaign's share higher: a product's, who viewed it (signed in) or carted it without a variant;
a variant's, who carted that variant. The cause names the product, the price record and the
person, so one change of price is one message per person.
"""

import datetime
import hashlib
from decimal import Decimal

from django.db.models import DecimalField, Exists, F, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from catalog.models import Product, ProductVariant, variant_price_sql
from customers.models import ProductView
from marketing.campaigns.links import absolute
from marketing.campaigns.models import (
    BackInStockRequest,
    Campaign,
    CampaignEntry,
    ProductPriceRecord,
    ProductRestock,
)
from marketing.campaigns.triggers.base import Candidate, Content, ProductItem, Trigger, Verdict, _pictures
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
    """Record every price the shop shows that differs from its latest record (or has none): each
    product's own price (what its page shows) and each variant's (ProductVariant.price, what a
    cart line of it sells at). The database compares them, so only the changes reach Python, in
    batches by id. Two scans at once write one record per change: a record names the one it
    follows, and a record can be followed only once (the database refuses the second)."""
    products = Product.objects.annotate(shown=F("price"))
    variants = ProductVariant.objects.annotate(shown=variant_price_sql())
    written = _changes_record(
        products, ProductPriceRecord.objects.filter(product=OuterRef("pk"), variant__isnull=True),
        columns=("pk", "pk", None), now=now, batch_size=batch_size,
    )
    return written + _changes_record(
        variants, ProductPriceRecord.objects.filter(variant=OuterRef("pk")),
        columns=("pk", "product_id", "pk"), now=now, batch_size=batch_size,
    )


def _changes_record(priced, records, *, columns: tuple[str, str, str | None], now: datetime.datetime,
                    batch_size: int) -> int:
    """Record the prices (`shown`) of `priced` that differ from their latest of `records`;
    `columns` name the key, the product and the variant (None: no variant)."""
    latest = records.order_by("-id")
    # No record yet reads as -1, which no price is (prices are not negative): one comparison,
    # one look-up of the latest record per row; its id is read only for the rows that changed.
    last_price = Coalesce(Subquery(latest.values("price")[:1]), Value(Decimal(-1)), output_field=DecimalField())
    key, product, variant = columns
    written, after = 0, 0
    while after is not None:
        rows = list(
            priced.filter(pk__gt=after).annotate(last_price=last_price).exclude(last_price=F("shown"))
            .annotate(last_id=Subquery(latest.values("pk")[:1])).order_by("pk")
            .values_list(key, product, variant or key, "shown", "last_id")[:batch_size]
        )
        written += len(ProductPriceRecord.objects.bulk_create(
            [ProductPriceRecord(product_id=product_id, variant_id=variant_id if variant else None, price=price,
                                previous_id=last_id, recorded_at=now)
             for _key, product_id, variant_id, price, last_id in rows],
            ignore_conflicts=True,
        ))
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
    """A price fell by at least the campaign's share (condition_percent, default 10%) below the
    price a customer saw: the product's price when they last viewed it (signed in), or the price
    of what they put in a cart (the variant's, for a line of a variant). A variant's drop is
    told to those who carted that variant; the product's to those who viewed it or carted it
    without a variant."""

    kind = Campaign.Kind.PRICE_DROP
    lookback = datetime.timedelta(days=3)

    def before_scan(self, campaign, *, now):
        product_prices_record(now=now)

    def candidates(self, campaign, *, now, after, limit):
        share = Decimal(campaign.condition_percent or DEFAULT_DROP_PERCENT) / 100
        # record → (product, variant, price, recorded_at), for each chain whose latest change is a drop
        drops = {
            record: (product, variant, price, recorded_at)
            for record, product, variant, price, recorded_at in ProductPriceRecord.objects.filter(
                recorded_at__gt=now - self.lookback, recorded_at__lte=now - self._first_delay(campaign),
                previous__isnull=False, price__lt=F("previous__price"), next__isnull=True,
            ).values_list("pk", "product_id", "variant_id", "price", "recorded_at")
        }
        if not drops:
            return [], None
        of_product = {product: record for record, (product, variant, *_rest) in drops.items() if variant is None}
        of_variant = {variant: record for record, (_product, variant, *_rest) in drops.items() if variant}
        history: dict[int, list] = {product: [] for product in of_product}
        for product, since, price in ProductPriceRecord.objects.filter(
            product_id__in=of_product, variant__isnull=True
        ).order_by("recorded_at", "id").values_list("product_id", "recorded_at", "price"):
            history[product].append((since, price))
        # (record, person key) → (seen price, user id, e-mail, phone)
        interested: dict[tuple[int, str], tuple[Decimal, int | None, str, str]] = {}

        def interest(record, user_id, email, phone, seen, moment):
            key = (record, _person_key(user_id, email))
            if moment < drops[record][3] and (key not in interested or interested[key][0] < seen):
                interested[key] = (seen, user_id, email or "", phone or "")

        for user, product, last, email, phone in (
            ProductView.objects.filter(product_id__in=of_product, user__isnull=False, viewed_at__gt=now - INTEREST)
            .order_by().values("user_id", "product_id").annotate(last=Max("viewed_at"))
            .values_list("user_id", "product_id", "last", "user__email", "user__phone")
        ):
            interest(of_product[product], user, email, phone, _price_at(history[product], last), last)
        for user, product, variant, seen, added, email, user_email, phone, user_phone in (
            CartLine.objects.filter(Q(variant__isnull=True, product_id__in=of_product) | Q(variant_id__in=of_variant),
                                    added_at__gt=now - INTEREST)
            .filter(Q(cart__user__isnull=False) | ~Q(cart__email=""))
            .values_list("cart__user_id", "product_id", "variant_id", "price_when_added", "added_at", "cart__email",
                         "cart__user__email", "cart__phone", "cart__user__phone")
        ):
            record = of_variant[variant] if variant else of_product[product]
            interest(record, user, email or user_email, phone or user_phone, seen, added)

        found, told_of_variant = [], set()
        # A variant's drop first: who carted the variant hears of it, not of the product's own
        # price falling with it as well.
        for (record, person), (seen, user, email, phone) in sorted(
            interested.items(), key=lambda item: drops[item[0][0]][1] is None
        ):
            product, variant, price, recorded_at = drops[record]
            if variant is None and (product, person) in told_of_variant:
                continue
            if seen and price <= seen * (1 - share) and (email or phone):
                if variant is not None:
                    told_of_variant.add((product, person))
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
        """The price must still be the dropped one (a newer change is its own cause), the product
        (and the variant) still sold, and the customer must not have bought the product since."""
        records = {
            pk: (product, has_next, active and variant_active is not False)
            for pk, product, has_next, active, variant_active in ProductPriceRecord.objects.filter(
                pk__in=[e.subject_id for e in entries]
            ).annotate(has_next=Exists(ProductPriceRecord.objects.filter(previous=OuterRef("pk"))))
            .values_list("pk", "product_id", "has_next", "product__is_active", "variant__is_active")
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
        """The product as it is sold now, with the price it had before; for a variant's drop,
        the variant (its name and price)."""
        records = {
            pk: (product, variant, previous)
            for pk, product, variant, previous in ProductPriceRecord.objects.filter(
                pk__in=[e.subject_id for e in entries]
            ).values_list("pk", "product_id", "variant_id", "previous__price")
        }
        product_of = {pk: product for pk, (product, variant, _previous) in records.items() if variant is None}
        old_price = {pk: previous for pk, (_product, _variant, previous) in records.items()}
        contents = _product_contents(entries, product_of, lambda entry: {"old_price": old_price[entry.subject_id]})
        items = _variant_items({variant for _product, variant, _previous in records.values() if variant})
        for entry in entries:
            _product, variant, previous = records.get(entry.subject_id, (None, None, None))
            if variant in items:
                item = items[variant]
                contents[entry.pk] = Content(values={"product_name": item.name, "price": item.price,
                                                     "old_price": previous},
                                             link=item.url, products=[item])
        return contents


def _variant_items(variant_ids: set[int]) -> dict[int, ProductItem]:
    """Each variant of a product still sold, as a message's product block shows it: the name
    and price the cart shows (the product's name with the variant's, ProductVariant.price)."""
    if not variant_ids:
        return {}
    variants = ProductVariant.objects.filter(pk__in=variant_ids, is_active=True, product__in=Product.objects.active()
                                             ).select_related("product")
    variants = {variant.pk: variant for variant in variants}
    pictures = _pictures({variant.product_id for variant in variants.values()})
    return {
        pk: ProductItem(name=str(variant), url=absolute(variant.product.get_absolute_url()),
                        image_url=pictures.get(variant.product_id, ""), price=variant.price)
        for pk, variant in variants.items()
    }
