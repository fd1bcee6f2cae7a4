"""The trigger kinds besides the abandoned cart: customers (welcome, birthday, reactivation),
browsing (viewed, not bought) and delivered orders (running out, cross-sell, review request).

Each scan is one SELECT per batch over indexed columns (the customer's id, an order's id, a
product view's time); a cause is named so it happens once: this customer's welcome, this year's
birthday, this order's review request, this delivered line's "running out".
"""

import datetime
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Concat, Replace, TruncDate
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from catalog.models import Category, Product
from customers.models import ProductView, User, Visit
from marketing.campaigns.links import absolute, reorder_url
from marketing.campaigns.models import Campaign, CampaignEntry
from marketing.campaigns.triggers.base import Candidate, Content, ProductItem, Trigger, Verdict, _pictures
from marketing.schedule import customer_time_zone
from orders.models import CartLine, Order, OrderLine, OrderStatusChange
from reviews.models import Review

DAY = datetime.timedelta(days=1)
NOT_SOLD = (Order.Status.CANCELLED, Order.Status.RETURNED, Order.Status.NOT_COLLECTED)


def _next(rows: list, limit: int) -> int | None:
    """Where the next batch starts (after this page's last key), or None when this page was the last."""
    return rows[-1][0] if len(rows) == limit else None


def _first_delay(campaign: Campaign) -> datetime.timedelta:
    return min((step.delay for step in campaign.steps.all()), default=datetime.timedelta(0))


def _products_block(product_ids: list[int], *, quantities: dict[int, int] | None = None) -> list[ProductItem]:
    products = Product.objects.active().in_bulk(product_ids)
    pictures = _pictures(set(products))
    return [
        ProductItem(name=products[pk].name, url=absolute(products[pk].get_absolute_url()),
                    image_url=pictures.get(pk, ""), price=products[pk].price, quantity=(quantities or {}).get(pk, 1))
        for pk in product_ids if pk in products
    ]


def _popular(limit: int = 3) -> list[int]:
    popular = Product.objects.active().in_stock().order_by("-sales_count", "-id")
    return list(popular.values_list("pk", flat=True)[:limit])


def _delivered_at():
    return Subquery(
        OrderStatusChange.objects.filter(order=OuterRef("pk"), to_status=Order.Status.DELIVERED)
        .order_by("-created_at").values("created_at")[:1]
    )


class _CustomerTrigger(Trigger):
    """A trigger about the customer themselves: the message shows the shop's popular products."""

    def contents(self, entries, *, language):
        block = _products_block(_popular())
        return {entry.pk: Content(values={}, link=absolute("/"), products=block) for entry in entries}

    def _known(self, campaign, causes: list[str]) -> set[str]:
        return set(CampaignEntry.objects.filter(campaign=campaign, cause__in=causes).values_list("cause", flat=True))


class Welcome(_CustomerTrigger):
    """A customer who registered: welcomed once."""

    kind = Campaign.Kind.WELCOME

    def found(self, campaign, *, now):
        return (
            User.objects.filter(is_staff=False, is_active=True, date_joined__lte=now - _first_delay(campaign),
                                date_joined__gt=now - self.lookback)
            .annotate(cause=Concat(Value("welcome:"), Cast("pk", CharField()), output_field=CharField()))
            .exclude(Exists(CampaignEntry.objects.filter(campaign=campaign, cause=OuterRef("cause"))))
            .annotate(subject_id=F("pk"), triggered_at=F("date_joined"), customer_id=F("pk"),
                      contact_email=F("email"), contact_phone=F("phone"))
            .order_by()
        )


class Birthday(_CustomerTrigger):
    """On the customer's birthday, from midnight in their own time zone; once a year."""

    kind = Campaign.Kind.BIRTHDAY

    def candidates(self, campaign, *, now, after, limit):
        # Every time zone's "today" lies within a day of the shop's.
        days = {(now + shift).date() for shift in (-DAY, datetime.timedelta(0), DAY)}
        on_one_of = Q(pk__in=[])
        for day in days:
            on_one_of |= Q(birth_date__month=day.month, birth_date__day=day.day)
        rows = list(
            User.objects.filter(on_one_of, pk__gt=after, is_active=True, is_staff=False).order_by("pk")
            .values_list("pk", "email", "phone", "birth_date", "timezone")[:limit]
        )
        candidates = []
        for pk, email, phone, born, zone_name in rows:
            zone = customer_time_zone(user=User(timezone=zone_name))
            today = now.astimezone(zone).date()
            if (born.month, born.day) != (today.month, today.day):
                continue
            midnight = datetime.datetime.combine(today, datetime.time(0), tzinfo=zone)
            candidates.append(Candidate(cause=f"birthday:{pk}:{today.year}", subject_id=pk, triggered_at=midnight,
                                        user_id=pk, email=email, phone=phone))
        known = self._known(campaign, [candidate.cause for candidate in candidates])
        return [candidate for candidate in candidates if candidate.cause not in known], _next(rows, limit)

    def verdicts(self, entries):
        return {
            entry.pk: Verdict(since=entry.triggered_at) if timezone.now() < entry.triggered_at + DAY
            else Verdict(stop=gettext("The birthday has passed."))
            for entry in entries
        }


class Reactivation(_CustomerTrigger):
    """No order and no visit for N months (condition_days, default 6)."""

    kind = Campaign.Kind.REACTIVATION
    default_months = 6

    def _quiet_since(self, campaign, now) -> datetime.datetime:
        return now - datetime.timedelta(days=30 * (campaign.condition_days or self.default_months))

    def found(self, campaign, *, now):
        # A customer's last order fell in the month before the quiet time began (no later order
        # exists), and no visit since: the cause names that order's day, so it fires once.
        cut = self._quiet_since(campaign, now)
        later = Order.objects.filter(user_id=OuterRef("user_id"), created_at__gt=OuterRef("created_at"))
        day = Replace(Cast(TruncDate("created_at", tzinfo=datetime.UTC), CharField()), Value("-"), Value(""))
        return (
            Order.objects.filter(user__isnull=False, created_at__lte=cut, created_at__gt=cut - 30 * DAY)
            .exclude(Exists(later))
            .exclude(Exists(Visit.objects.filter(user_id=OuterRef("user_id"), started_at__gt=cut)))
            .annotate(cause=Concat(Value("reactivation:"), Cast("user_id", CharField()), Value(":"), day,
                                   output_field=CharField()))
            .exclude(Exists(CampaignEntry.objects.filter(campaign=campaign, cause=OuterRef("cause"))))
            .annotate(subject_id=F("user_id"), customer_id=F("user_id"), contact_email=F("user__email"),
                      contact_phone=F("user__phone"),
                      triggered_at=ExpressionWrapper(F("created_at") + Value(now - cut), output_field=DateTimeField()))
            .order_by()
        )

    def verdicts(self, entries):
        back = set(
            Order.objects.filter(user_id__in=[e.user_id for e in entries],
                                 created_at__gt=min(e.created_at for e in entries) - 30 * DAY)
            .filter(created_at__gt=timezone.now() - 30 * DAY).values_list("user_id", flat=True)
        ) if entries else set()
        return {
            entry.pk: Verdict(stop=gettext("The customer came back.")) if entry.user_id in back
            else Verdict(since=entry.triggered_at)
            for entry in entries
        }


class BrowseAbandonment(Trigger):
    """A signed-in customer viewed a product at least twice, or several products of one category
    (CATEGORY_PRODUCTS), and neither carted nor bought it (any of them). A category is a cause
    only when none of its viewed products is one already: one message about one interest."""

    kind = Campaign.Kind.BROWSE_ABANDONMENT
    lookback = datetime.timedelta(days=3)
    CATEGORY_PRODUCTS = 3
    PRODUCT_CAUSE, CATEGORY_CAUSE = "browse:", "browse_category:"

    def candidates(self, campaign, *, now, after, limit):
        # One aggregate over the look-back window's views: the pairs seen twice are few, so they
        # come in one batch (the window is a range on the indexed viewed_at).
        delay = _first_delay(campaign)
        views = ProductView.objects.filter(viewed_at__gt=now - self.lookback, user__isnull=False).order_by()
        rows = list(
            views.values("user_id", "product_id")
            .annotate(views=Count("pk"), last=Max("viewed_at")).filter(views__gte=2, last__lte=now - delay)
            .values_list("user_id", "product_id", "last", "user__email", "product__category_id")
        )
        found = [
            Candidate(cause=f"{self.PRODUCT_CAUSE}{user}:{product}", subject_id=product, triggered_at=last,
                      user_id=user, email=email, phone="")
            for user, product, last, email, _category in rows
        ]
        by_product = {(user, category) for user, _product, _last, _email, category in rows}
        found += [
            Candidate(cause=f"{self.CATEGORY_CAUSE}{user}:{category}", subject_id=category, triggered_at=last,
                      user_id=user, email=email, phone="")
            for user, category, last, email in views.values("user_id", "product__category_id")
            .annotate(products=Count("product_id", distinct=True), last=Max("viewed_at"))
            .filter(products__gte=self.CATEGORY_PRODUCTS, last__lte=now - delay)
            .values_list("user_id", "product__category_id", "last", "user__email")
            if (user, category) not in by_product
        ]
        known = set(CampaignEntry.objects.filter(campaign=campaign, cause__in=[c.cause for c in found])
                    .values_list("cause", flat=True))
        return [candidate for candidate in found if candidate.cause not in known], None

    def _viewed_in_categories(self, entries) -> dict[int, list[int]]:
        """For each category entry, the products of that category its customer viewed, latest first."""
        wanted = {(entry.user_id, entry.subject_id) for entry in entries if self._is_category(entry)}
        viewed: dict[int, list[int]] = defaultdict(list)
        if not wanted:
            return {}
        seen = set()
        for user, category, product in (
            ProductView.objects.filter(user_id__in={user for user, _category in wanted},
                                       product__category_id__in={category for _user, category in wanted},
                                       viewed_at__gt=min(e.triggered_at for e in entries) - self.lookback)
            .order_by("-viewed_at").values_list("user_id", "product__category_id", "product_id")
        ):
            if (user, category) in wanted and (user, product) not in seen:
                seen.add((user, product))
                viewed[user, category].append(product)
        return {entry.pk: viewed.get((entry.user_id, entry.subject_id), [])
                for entry in entries if self._is_category(entry)}

    def _is_category(self, entry) -> bool:
        return entry.cause.startswith(self.CATEGORY_CAUSE)

    def verdicts(self, entries):
        users = {entry.user_id for entry in entries}
        carted = set(CartLine.objects.filter(cart__user_id__in=users).values_list("cart__user_id", "product_id"))
        bought = set(
            OrderLine.objects.filter(order__user_id__in=users, order__created_at__gte=min(
                (e.triggered_at for e in entries), default=timezone.now()) - self.lookback)
            .values_list("order__user_id", "product_id")
        )
        taken = carted | bought
        in_category = self._viewed_in_categories(entries)
        verdicts = {}
        for entry in entries:
            products = in_category.get(entry.pk, []) if self._is_category(entry) else [entry.subject_id]
            if any((entry.user_id, product) in taken for product in products):
                verdicts[entry.pk] = Verdict(stop=gettext("The customer carted or bought the product."))
            else:
                verdicts[entry.pk] = Verdict(since=entry.triggered_at)
        return verdicts

    def contents(self, entries, *, language):
        in_category = self._viewed_in_categories(entries)
        names = dict(Category.objects.filter(
            pk__in={entry.subject_id for entry in entries if self._is_category(entry)}
        ).values_list("pk", "name"))
        contents = {}
        for entry in entries:
            if self._is_category(entry):
                block = _products_block(in_category.get(entry.pk, [])[:6])
                values = {"category_name": names.get(entry.subject_id, "")}
            else:
                block = _products_block([entry.subject_id])
                values = {"category_name": ""}
            if block:
                contents[entry.pk] = Content(values={"product_name": block[0].name, **values}, link=block[0].url,
                                             products=block)
        return contents


class _DeliveredOrderTrigger(Trigger):
    """A trigger counted from an order's delivery (the status history says when)."""

    lookback = datetime.timedelta(days=14)

    def _delivered(self, campaign, *, now, after, limit, earliest, latest):
        return list(
            Order.objects.filter(pk__gt=after, status=Order.Status.DELIVERED)
            .annotate(delivered_at=_delivered_at())
            .filter(delivered_at__lte=latest, delivered_at__gt=earliest)
            .order_by("pk").values_list("pk", "number", "user_id", "email", "phone", "created_at", "delivered_at")
            [:limit]
        )

    def _candidates(self, campaign, rows, prefix: str) -> list[Candidate]:
        causes = [f"{prefix}:{row[0]}" for row in rows]
        known = set(CampaignEntry.objects.filter(campaign=campaign, cause__in=causes).values_list("cause", flat=True))
        return [
            Candidate(cause=cause, subject_id=pk, triggered_at=delivered, user_id=user, email=email, phone=phone)
            for cause, (pk, _number, user, email, phone, _created, delivered) in zip(causes, rows, strict=True)
            if cause not in known
        ]


class CrossSell(_DeliveredOrderTrigger):
    """After delivery: the order's related products the customer has not bought."""

    kind = Campaign.Kind.CROSS_SELL

    def candidates(self, campaign, *, now, after, limit):
        delay = _first_delay(campaign)
        rows = self._delivered(campaign, now=now, after=after, limit=limit, earliest=now - delay - self.lookback,
                               latest=now - delay)
        return self._candidates(campaign, rows, "cross_sell"), _next(rows, limit)

    def contents(self, entries, *, language):
        orders = Order.objects.in_bulk([entry.subject_id for entry in entries])
        contents = {}
        for entry in entries:
            order = orders.get(entry.subject_id)
            if order is None:
                continue
            bought = set(OrderLine.objects.filter(
                Q(order__user_id=order.user_id) if order.user_id else Q(order__email=order.email)
            ).values_list("product_id", flat=True))
            related = list(
                Product.related_products.through.objects.filter(from_product_id__in=bought)
                .exclude(to_product_id__in=bought).values_list("to_product_id", flat=True).distinct()[:3]
            )
            block = _products_block(related)
            if block:
                contents[entry.pk] = Content(values={"order_number": order.number}, link=block[0].url,
                                             products=block)
        return contents


class ReviewRequest(_DeliveredOrderTrigger):
    """Some days after delivery, and only when delivery was fast (within condition_days of the
    order, default 5): the customer is asked to review what they bought."""

    kind = Campaign.Kind.REVIEW_REQUEST
    default_fast_days = 5

    def candidates(self, campaign, *, now, after, limit):
        delay = _first_delay(campaign)
        fast = datetime.timedelta(days=campaign.condition_days or self.default_fast_days)
        rows = self._delivered(campaign, now=now, after=after, limit=limit, earliest=now - delay - self.lookback,
                               latest=now - delay)
        kept = [row for row in rows if row[6] - row[5] <= fast]
        return self._candidates(campaign, kept, "review"), _next(rows, limit)

    def verdicts(self, entries):
        """Nobody is asked to review an order whose every product they have reviewed already."""
        products = defaultdict(set)
        for order_id, product_id in OrderLine.objects.filter(
                order_id__in=[entry.subject_id for entry in entries]).values_list("order_id", "product_id"):
            products[order_id].add(product_id)
        reviewed = set(Review.objects.filter(user_id__in={entry.user_id for entry in entries if entry.user_id})
                       .values_list("user_id", "product_id"))
        return {
            entry.pk: Verdict(stop=gettext("Everything in the order is reviewed already."))
            if entry.user_id and products[entry.subject_id]
            and all((entry.user_id, product) in reviewed for product in products[entry.subject_id])
            else Verdict(since=entry.triggered_at)
            for entry in entries
        }

    def contents(self, entries, *, language):
        lines = defaultdict(list)
        numbers = dict(Order.objects.filter(pk__in=[e.subject_id for e in entries]).values_list("pk", "number"))
        for order_id, product_id in OrderLine.objects.filter(order_id__in=numbers).values_list("order_id",
                                                                                             "product_id"):
            lines[order_id].append(product_id)
        slugs = dict(Product.objects.active().filter(pk__in={pk for ids in lines.values() for pk in ids})
                     .values_list("pk", "slug"))
        contents = {}
        for entry in entries:
            ids = [pk for pk in dict.fromkeys(lines.get(entry.subject_id, [])) if pk in slugs]
            block = _products_block(ids)
            if len(block) == len(ids) and block:
                # The button leads to the order's review page (every product with its form), each
                # product to its own review form; signing in there proves who is writing (an order
                # placed as a guest counts once added to the account: the page says how).
                with translation.override(language):  # the pages in the message's language
                    contents[entry.pk] = Content(
                        values={"order_number": numbers[entry.subject_id], "product_name": block[0].name},
                        link=absolute(reverse("reviews:order", args=[numbers[entry.subject_id]])),
                        products=[replace(item, url=absolute(reverse("reviews:write", args=[slugs[pk]])))
                                  for pk, item in zip(ids, block, strict=True)],
                    )
        return contents


class Replenishment(Trigger):
    """The product's consumption period has passed since the delivered order and the customer
    has not bought it again: a one-click link puts it back in the cart."""

    kind = Campaign.Kind.REPLENISHMENT
    lookback = datetime.timedelta(days=14)

    def candidates(self, campaign, *, now, after, limit):
        rows = list(
            OrderLine.objects.filter(pk__gt=after, order__status=Order.Status.DELIVERED,
                                     product__consumption_days__isnull=False)
            .annotate(delivered_at=Subquery(
                OrderStatusChange.objects.filter(order=OuterRef("order_id"), to_status=Order.Status.DELIVERED)
                .order_by("-created_at").values("created_at")[:1]))
            .filter(delivered_at__lte=now - DAY, delivered_at__gt=now - self.lookback - 400 * DAY)
            .order_by("pk").values_list("pk", "product_id", "product__consumption_days", "delivered_at",
                                        "order__user_id", "order__email", "order__phone")[:limit]
        )
        due = []
        for pk, product, days, delivered, user, email, phone in rows:
            runs_out = delivered + datetime.timedelta(days=days)
            if now - self.lookback < runs_out <= now:
                due.append(Candidate(cause=f"replenish:{pk}", subject_id=product, triggered_at=runs_out,
                                     user_id=user, email=email, phone=phone))
        known = set(CampaignEntry.objects.filter(campaign=campaign, cause__in=[c.cause for c in due])
                    .values_list("cause", flat=True))
        return [c for c in due if c.cause not in known], _next(rows, limit)

    def verdicts(self, entries):
        verdicts = {}
        for entry in entries:
            person = Q(order__user_id=entry.user_id) if entry.user_id else Q(order__email=entry.email)
            again = OrderLine.objects.filter(person, product_id=entry.subject_id,
                                             order__created_at__gt=entry.triggered_at - 365 * DAY) \
                .exclude(pk=int(entry.cause.rpartition(":")[2])).exclude(order__status__in=NOT_SOLD)
            bought_after = again.filter(order__created_at__gt=OrderLine.objects.filter(
                pk=int(entry.cause.rpartition(":")[2])).values("order__created_at")[:1])
            verdicts[entry.pk] = (Verdict(stop=gettext("The customer bought it again."))
                                  if bought_after.exists() else Verdict(since=entry.triggered_at))
        return verdicts

    def contents(self, entries, *, language):
        blocks = {pk: _products_block([pk]) for pk in {entry.subject_id for entry in entries}}
        return {
            entry.pk: Content(values={"product_name": blocks[entry.subject_id][0].name},
                              link=reorder_url(entry.subject_id), products=blocks[entry.subject_id])
            for entry in entries if blocks.get(entry.subject_id)
        }



class LoyaltyThreshold(_CustomerTrigger):
    """An order made the customer's 12-month spend (goods after discounts, orders not cancelled
    or returned) cross the campaign's amount (condition_amount, default 15 000 ₽)."""

    kind = Campaign.Kind.LOYALTY_THRESHOLD
    lookback = datetime.timedelta(days=2)
    default_amount = Decimal("15000")
    year = datetime.timedelta(days=365)

    def candidates(self, campaign, *, now, after, limit):
        amount = campaign.condition_amount or self.default_amount
        rows = list(
            Order.objects.filter(pk__gt=after, user__isnull=False, created_at__gt=now - self.lookback,
                                 created_at__lte=now - _first_delay(campaign))
            .exclude(status__in=NOT_SOLD).order_by("pk")
            .values_list("pk", "user_id", "created_at", "user__email", "user__phone")[:limit]
        )
        history = defaultdict(list)
        for user, placed, goods, discount in (
            Order.objects.filter(user_id__in={row[1] for row in rows}, created_at__gt=now - self.year - self.lookback)
            .exclude(status__in=NOT_SOLD).values_list("user_id", "created_at", "items_total", "discount_total")
        ):
            history[user].append((placed, goods - discount))
        crossed = []
        for pk, user, placed, email, phone in rows:
            before = sum((value for moment, value in history[user] if placed - self.year < moment < placed), Decimal(0))
            with_it = before + sum((value for moment, value in history[user] if moment == placed), Decimal(0))
            if before < amount <= with_it:
                crossed.append(Candidate(cause=f"loyalty:{user}:{pk}", subject_id=user, triggered_at=placed,
                                         user_id=user, email=email, phone=phone))
        known = self._known(campaign, [candidate.cause for candidate in crossed])
        return [candidate for candidate in crossed if candidate.cause not in known], _next(rows, limit)

    def contents(self, entries, *, language):
        contents = super().contents(entries, language=language)
        year_ago = timezone.now() - self.year
        spent = defaultdict(Decimal)
        for user, goods, discount in (
            Order.objects.filter(user_id__in={entry.user_id for entry in entries}, created_at__gt=year_ago)
            .exclude(status__in=NOT_SOLD).values_list("user_id", "items_total", "discount_total")
        ):
            spent[user] += goods - discount
        for entry in entries:
            contents[entry.pk].values = {"spent": spent[entry.user_id]}
        return contents
