"""The abandoned cart: a cart with items and a known contact, left unchanged."""

import datetime

from django.db.models import CharField, Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.utils.translation import gettext_lazy as _

from marketing.campaigns.links import absolute, cart_return_url
from marketing.campaigns.models import Campaign, CampaignEntry
from marketing.campaigns.triggers.base import Content, ProductItem, Trigger, Verdict, _pictures
from orders.models import Cart, CartLine, Order
from orders.services import carts_quote


class AbandonedCart(Trigger):
    """A cart with items and a known contact, unchanged for the first step's delay. The cause is
    the cart and how many orders it has made, so the same cart abandoned again after an order
    is a new cause, and anything it did before is not repeated."""

    kind = Campaign.Kind.ABANDONED_CART

    def found(self, campaign, *, now):
        first_delay = min((step.delay for step in campaign.steps.all()), default=datetime.timedelta(hours=1))
        orders_made = (
            Order.objects.filter(cart=OuterRef("pk")).order_by().values("cart").annotate(n=Count("pk")).values("n")
        )
        return (
            Cart.objects.filter(updated_at__lte=now - first_delay, updated_at__gt=now - self.lookback)
            .filter(Q(user__isnull=False) | ~Q(email=""))
            .filter(Exists(CartLine.objects.filter(cart=OuterRef("pk"))))
            .annotate(orders_made=Coalesce(Subquery(orders_made), 0))
            .annotate(cause=Concat(Value("cart:"), Cast("pk", CharField()), Value(":"),
                                   Cast("orders_made", CharField()), output_field=CharField()))
            .exclude(Exists(CampaignEntry.objects.filter(campaign=campaign, cause=OuterRef("cause"))))
            .annotate(subject_id=F("pk"), triggered_at=F("updated_at"), customer_id=F("user_id"),
                      contact_email=Coalesce(NullIf("email", Value("")), "user__email", Value("")),
                      contact_phone=Coalesce(NullIf("phone", Value("")), "user__phone", Value("")))
            .order_by()
        )

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
        """The carts as checkout would sell them now (orders' quote, for the whole batch in one
        query), with pictures; a cart that can no longer be ordered has nothing to remind of."""
        quotes = carts_quote(carts=[entry.subject_id for entry in entries])
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
