"""The campaign's simple segment filter: has ordered or never, city, total spent. The segments
issue replaces this with saved segments; until then this is the one place that decides."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q

from customers.models import User
from marketing.campaigns.models import Campaign, CampaignEntry
from orders.models import Order

# Orders that did not end in a sale do not make a customer, nor count as spent.
NOT_SOLD = (Order.Status.CANCELLED, Order.Status.RETURNED, Order.Status.NOT_COLLECTED)


def segment_members(*, campaign: Campaign, entries: list[CampaignEntry]) -> set[int]:
    """The ids of the entries whose person fits the campaign's segment."""
    everyone = {entry.pk for entry in entries}
    wants_orders = campaign.audience != Campaign.Audience.EVERYONE or campaign.min_spent is not None
    if not wants_orders and not campaign.city:
        return everyone
    cities = {}
    if campaign.city:
        cities = dict(User.objects.filter(pk__in={e.user_id for e in entries if e.user_id}).values_list("pk", "city"))
    spent: dict[str, Decimal] = defaultdict(Decimal)
    ordered: set[str] = set()
    if wants_orders:
        user_ids = {entry.user_id for entry in entries if entry.user_id}
        emails = {entry.email for entry in entries if entry.email}
        orders = Order.objects.filter(Q(user_id__in=user_ids) | Q(email__in=emails)).exclude(status__in=NOT_SOLD)
        for user_id, email, total in orders.values_list("user_id", "email", "total_to_pay"):
            for key in (f"user:{user_id}" if user_id else None, (email or "").lower() or None):
                if key:
                    ordered.add(key)
                    spent[key] += total
    members = set()
    for entry in entries:
        keys = [key for key in (f"user:{entry.user_id}" if entry.user_id else None, entry.email) if key]
        has_ordered = any(key in ordered for key in keys)
        total = max((spent[key] for key in keys), default=Decimal("0"))
        if campaign.audience == Campaign.Audience.HAS_ORDERED and not has_ordered:
            continue
        if campaign.audience == Campaign.Audience.NEVER_ORDERED and has_ordered:
            continue
        if campaign.min_spent is not None and total < campaign.min_spent:
            continue
        if campaign.city and (cities.get(entry.user_id) or "").strip().lower() != campaign.city.strip().lower():
            continue
        members.add(entry.pk)
    return members
