"""The customer card beside an order: who they are, what they bought, what they did on the
site, what the shop said to them.

Higher apps add their own parts (marketing: the messages sent) in a module named
`order_card.py`, found the way the admin finds `admin.py` (autodiscovery), registering with
@order_card_section: orders never imports them. A section is a function (order) -> CardSection | None."""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from customers.identity import same_person
from customers.models import ProductView, Visit
from customers.services import points_balance
from orders.models import CallLog, CustomerNote, Order

RECENT = 5


@dataclass
class CardSection:
    title: str
    template: str
    context: dict = field(default_factory=dict)
    position: int = 100


SectionFunction = Callable[[Order], "CardSection | None"]
order_card_sections: list[SectionFunction] = []


def order_card_section(function: SectionFunction) -> SectionFunction:
    """Decorator for a higher app's section; registering twice (a reloaded module) is harmless."""
    name = f"{function.__module__}.{function.__qualname__}"
    order_card_sections[:] = [f for f in order_card_sections if f"{f.__module__}.{f.__qualname__}" != name]
    order_card_sections.append(function)
    return function


def _same_customer(order: Order) -> Q:
    return same_person(user=order.user_id, email=order.email, phone=order.phone)


def customer_card(order: Order) -> dict:
    """Everything the card shows, in a handful of queries."""
    others = Order.objects.filter(_same_customer(order)).exclude(pk=order.pk).exclude(number=None)
    lifetime = (
        Order.objects.filter(_same_customer(order), status=Order.Status.DELIVERED)
        .aggregate(total=Sum("total_to_pay"))["total"] or Decimal("0.00")
    )
    notes = CustomerNote.objects.filter(
        same_person(user=order.user_id, phone=order.phone)  # a note has no e-mail address
    ).select_related("author")[:RECENT * 2]
    if order.user_id:
        visits = Visit.objects.filter(user_id=order.user_id)
        views = ProductView.objects.filter(user_id=order.user_id)
    elif order.visit_id:
        visits = Visit.objects.filter(pk=order.visit_id)
        views = ProductView.objects.filter(visit_id=order.visit_id)
    else:
        visits, views = Visit.objects.none(), ProductView.objects.none()
    autodiscover_modules("order_card")
    sections = [section for function in order_card_sections if (section := function(order)) is not None]
    return {
        "customer": order.user,
        "previous_orders": list(others.order_by("-created_at")[:RECENT]),
        "previous_count": others.count(),
        "lifetime_value": lifetime,
        "points": points_balance(user=order.user) if order.user_id else None,
        "notes": list(notes),
        "visits": list(visits.order_by("-started_at")[:RECENT]),
        "product_views": list(views.select_related("product").order_by("-viewed_at")[:RECENT]),
        "calls": list(CallLog.objects.filter(order=order).select_related("manager")),
        # What the clock says where the customer is, before a manager calls them.
        "local_time": timezone.localtime(timezone=ZoneInfo(order.timezone)) if order.timezone else None,
        "sections": sorted(sections, key=lambda section: section.position),
    }
