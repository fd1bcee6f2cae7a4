"""Analytics keeps what the shop tells it (marketing costs, cost of goods, delivery costs) and the
daily rollups its reports read. Every rollup row belongs to one shop day (settings.TIME_ZONE)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from orders.models import Order
from orders.models.money import money_field


class Attribution(models.TextChoices):
    """Which of the buyer's visits an order is credited to."""

    LAST_NON_DIRECT = "last_non_direct", _("Last non-direct visit")
    FIRST_VISIT = "first_visit", _("First visit")


# The channels an order or a cost can belong to: every visit channel, phone orders, and
# orders that came with no visit at all (placed through the API, say).
UNKNOWN_CHANNEL = "unknown"
CHANNEL_CHOICES = [*Order.Channel.choices, (UNKNOWN_CHANNEL, _("Not known"))]


class MarketingCost(models.Model):
    """What the shop spent on one channel (optionally one UTM source and campaign) on one day."""

    day = models.DateField(_("day"))
    channel = models.CharField(_("channel"), max_length=20, choices=Order.Channel.choices)
    utm_source = models.CharField("utm_source", max_length=100, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=150, blank=True)
    amount = money_field(_("spent, ₽"))
    comment = models.CharField(_("comment"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ("-day", "channel", "utm_source", "utm_campaign")
        verbose_name = _("marketing cost")
        verbose_name_plural = _("marketing costs")
        permissions = [
            ("view_dashboard", _("Can see the owner's dashboard and every report")),
            ("view_marketing_reports", _("Can see the marketing reports")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=("day", "channel", "utm_source", "utm_campaign"), name="marketing_cost_one_per_day_and_source"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="marketing_cost_not_negative"),
        ]

    def __str__(self) -> str:
        source = " / ".join(part for part in (self.utm_source, self.utm_campaign) if part)
        return f"{self.day} · {self.get_channel_display()}{f' · {source}' if source else ''} · {self.amount} ₽"


class ProductCost(models.Model):
    """What one unit of a product costs the shop; margin is shown where it is known."""

    product = models.OneToOneField(
        Product, on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    unit_cost = money_field(_("cost of goods per unit, ₽"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ("product__name",)
        verbose_name = _("cost of goods")
        verbose_name_plural = _("costs of goods")
        constraints = [models.CheckConstraint(condition=Q(unit_cost__gte=0), name="product_cost_not_negative")]

    def __str__(self) -> str:
        return f"{self.product} · {self.unit_cost} ₽"


class DeliveryCost(models.Model):
    """What delivering one order cost the shop (the carrier's bill), when the shop records it."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="+", verbose_name=_("order"))
    amount = money_field(_("delivery cost, ₽"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ("-order__created_at",)
        verbose_name = _("delivery cost")
        verbose_name_plural = _("delivery costs")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="delivery_cost_not_negative")]

    def __str__(self) -> str:
        return f"{self.order} · {self.amount} ₽"


class ChannelDay(models.Model):
    """One shop day's traffic and orders for one attribution model, channel, UTM source and
    campaign, and device. Visits are counted under every attribution alike; orders under the
    channel their attribution credits, on the day they were placed."""

    day = models.DateField(_("day"))
    attribution = models.CharField(_("attribution"), max_length=20, choices=Attribution.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=CHANNEL_CHOICES)
    utm_source = models.CharField("utm_source", max_length=100, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=150, blank=True)
    device = models.CharField(_("device"), max_length=10, blank=True)
    visits = models.PositiveIntegerField(_("visits"), default=0)
    viewing_visits = models.PositiveIntegerField(_("visits that viewed a product"), default=0)
    cart_visits = models.PositiveIntegerField(_("visits that added to cart"), default=0)
    checkout_visits = models.PositiveIntegerField(_("visits that started checkout"), default=0)
    orders = models.PositiveIntegerField(_("orders"), default=0)
    called = models.PositiveIntegerField(_("called back"), default=0)
    confirmed = models.PositiveIntegerField(_("confirmed"), default=0)
    delivered = models.PositiveIntegerField(_("delivered"), default=0)
    delivered_paid = models.PositiveIntegerField(_("delivered and paid"), default=0)
    cancelled = models.PositiveIntegerField(_("cancelled"), default=0)
    returned = models.PositiveIntegerField(_("returned or not collected"), default=0)
    revenue = money_field(_("revenue, ₽"))
    first_orders = models.PositiveIntegerField(_("customers' first orders"), default=0)
    costed_revenue = money_field(_("revenue with known cost of goods, ₽"))
    goods_cost = money_field(_("cost of goods, ₽"))
    delivery_cost = money_field(_("delivery cost, ₽"))

    class Meta:
        verbose_name = _("channel day")
        verbose_name_plural = _("channel days")
        indexes = [models.Index(fields=("attribution", "day"), name="channel_day_attribution_day")]


class CategoryDay(models.Model):
    """One day of one category: how often its products were looked at and how they sold."""

    day = models.DateField(_("day"))
    category = models.ForeignKey("catalog.Category", on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("category"))
    product_views = models.PositiveIntegerField(_("product views"), default=0)
    viewing_visits = models.PositiveIntegerField(_("visits that viewed it"), default=0)
    orders = models.PositiveIntegerField(_("orders"), default=0)
    quantity = models.PositiveIntegerField(_("units sold"), default=0)
    revenue = money_field(_("revenue, ₽"))

    class Meta:
        verbose_name = _("category day")
        verbose_name_plural = _("category days")
        indexes = [models.Index(fields=("day",), name="category_day_day")]


class ManagerDay(models.Model):
    """One day of one manager's orders (by the day they were placed): how fast they were taken and
    called. The waits are kept as histograms ({bucket seconds: orders}) so a median and a 90th
    percentile over any period come from the rollups, not from every order."""

    day = models.DateField(_("day"))
    manager = models.ForeignKey("customers.User", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("manager"))
    claimed = models.PositiveIntegerField(_("orders taken"), default=0)
    called = models.PositiveIntegerField(_("orders called"), default=0)
    called_in_target = models.PositiveIntegerField(_("called within the target"), default=0)
    cancelled = models.PositiveIntegerField(_("cancelled"), default=0)
    revenue = money_field(_("revenue, ₽"))
    claim_waits = models.JSONField(default=dict)
    call_waits = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("manager day")
        verbose_name_plural = _("manager days")
        indexes = [models.Index(fields=("day",), name="manager_day_day")]


class CustomerDay(models.Model):
    """One day of one customer's orders. A customer is known by the phone, as everywhere in the
    reports; `first_day` is the day of their first order ever, so a period's new and returning
    customers, the top customers' share and the monthly cohorts all come from these rows."""

    day = models.DateField(_("day"))
    phone = models.CharField(_("phone"), max_length=20)
    first_day = models.DateField(_("first order"))
    orders = models.PositiveIntegerField(_("orders"), default=0)
    kept_orders = models.PositiveIntegerField(_("orders not cancelled or returned"), default=0)
    revenue = money_field(_("revenue, ₽"))

    class Meta:
        verbose_name = _("customer day")
        verbose_name_plural = _("customer days")
        # The rows of customers ordering again (a later day than their first, or twice in a day)
        # are few: the reports count them through these, without reading every customer's row.
        indexes = [models.Index(fields=("day",), name="customer_day_day"),
                   models.Index(fields=("first_day",), name="customer_day_first_day"),
                   models.Index(fields=("phone", "day"), name="customer_day_phone"),
                   models.Index(fields=("day", "phone"), name="customer_day_again",
                                condition=Q(day__gt=F("first_day")) | Q(orders__gte=2)),
                   models.Index(fields=("first_day", "day"), name="customer_day_cohort_again",
                                condition=Q(day__gt=F("first_day")) | Q(orders__gte=2)),
                   # The one-order customers' revenues, read from the index alone to rank them.
                   models.Index(fields=("day", "revenue", "phone"), name="customer_day_one_order",
                                condition=Q(day__lte=F("first_day"), orders__lt=2))]


class DeliveryDay(models.Model):
    """One day of orders (by the day they were placed) of one delivery method: how many left the
    warehouse, reached the customer, stayed uncollected or came back, and how long delivery took
    (a histogram {bucket seconds: orders} from the order to "delivered")."""

    day = models.DateField(_("day"))
    delivery_method = models.ForeignKey("orders.DeliveryMethod", on_delete=models.CASCADE, related_name="+",
                                        verbose_name=_("delivery method"))
    orders = models.PositiveIntegerField(_("orders"), default=0)
    cancelled = models.PositiveIntegerField(_("cancelled"), default=0)
    sent = models.PositiveIntegerField(_("left the warehouse"), default=0)
    delivered = models.PositiveIntegerField(_("delivered"), default=0)
    not_collected = models.PositiveIntegerField(_("not collected"), default=0)
    returned = models.PositiveIntegerField(_("returned"), default=0)
    delivery_waits = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("delivery day")
        verbose_name_plural = _("delivery days")
        indexes = [models.Index(fields=("day",), name="delivery_day_day")]


class CampaignDay(models.Model):
    """One day of one trigger campaign, by marketing's own rules (marketing.campaigns.stats):
    messages written that day, messages a person first clicked that day, and the credited orders
    placed that day that were not cancelled or returned, with their revenue."""

    day = models.DateField(_("day"))
    campaign = models.ForeignKey("marketing.Campaign", on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("campaign"))
    sent = models.PositiveIntegerField(_("sent"), default=0)
    clicks = models.PositiveIntegerField(_("clicked"), default=0)
    orders = models.PositiveIntegerField(_("orders"), default=0)
    revenue = money_field(_("revenue, ₽"))

    class Meta:
        verbose_name = _("campaign day")
        verbose_name_plural = _("campaign days")
        indexes = [models.Index(fields=("day",), name="campaign_day_day")]


class LandingDay(models.Model):
    """One day of one landing page (the path, without the query) for one attribution model: the
    visits that began on it, and the orders whose credited visit began on it. Orders with no
    visit (phone orders, the API) have no landing page, ""."""

    day = models.DateField(_("day"))
    attribution = models.CharField(_("attribution"), max_length=20, choices=Attribution.choices)
    landing_page = models.CharField(_("landing page"), max_length=500, blank=True)
    visits = models.PositiveIntegerField(_("visits"), default=0)
    orders = models.PositiveIntegerField(_("orders"), default=0)
    kept_orders = models.PositiveIntegerField(_("orders not cancelled or returned"), default=0)
    revenue = money_field(_("revenue, ₽"))

    class Meta:
        verbose_name = _("landing page day")
        verbose_name_plural = _("landing page days")
        indexes = [models.Index(fields=("attribution", "day"), name="landing_day_attribution_day")]


class CancellationDay(models.Model):
    """Orders placed on a day and cancelled since, by the manager who had them (none: cancelled
    before anyone took them) and by the reason given when cancelling."""

    day = models.DateField(_("day"))
    manager = models.ForeignKey("customers.User", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+", verbose_name=_("manager"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    orders = models.PositiveIntegerField(_("orders"), default=0)
    amount = money_field(_("sum of the orders, ₽"))

    class Meta:
        verbose_name = _("cancellation day")
        verbose_name_plural = _("cancellation days")
        indexes = [models.Index(fields=("day",), name="cancellation_day_day")]


class RollupDay(models.Model):
    """Where the rollup of one shop day stands, as Zulip's FillState: STARTED is written and
    committed before the day is recomputed, DONE in the same transaction as its new rows. A fill
    that died leaves STARTED behind and is simply redone; it never counts anything twice because
    the day's rows are replaced, not added to."""

    class State(models.TextChoices):
        STARTED = "started", _("Started")
        DONE = "done", _("Done")

    day = models.DateField(_("day"), unique=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    filled_at = models.DateTimeField(_("filled"), null=True, blank=True)

    class Meta:
        ordering = ("-day",)
        verbose_name = _("rollup day")
        verbose_name_plural = _("rollup days")

    def __str__(self) -> str:
        return f"{self.day} · {self.get_state_display()}"


class RollupChange(models.Model):
    """"Something on this past day changed" (an order was cancelled, a cost of goods set): an
    append-only note, so marking a day costs no lock that a checkout could wait on. A fill deletes
    the notes it read before recomputing; a note committed meanwhile stays and makes the day due
    again."""

    day = models.DateField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rollup change")
        verbose_name_plural = _("rollup changes")


class Scenario(models.Model):
    """A what-if model the owner saved under a name, to compare with others side by side."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    inputs = models.JSONField(_("inputs"))
    created_by = models.ForeignKey("customers.User", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("saved by"))
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("what-if scenario")
        verbose_name_plural = _("what-if scenarios")

    def __str__(self) -> str:
        return self.name
