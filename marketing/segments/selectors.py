"""Reads of segments: who is in one, and who of them can be reached through a channel. Each
answer is one queryset the database evaluates in one query, never a loop over customers."""

from datetime import datetime

from django.db.models import Count, Q, QuerySet

from customers.models import User
from marketing.preferences import marketing_consent_given_q
from marketing.segments.conditions import Context, conditions_q
from marketing.segments.models import Segment


def customers_all() -> QuerySet[User]:
    """Everyone a segment picks from: active accounts of shoppers, not the shop's staff."""
    return User.objects.filter(is_active=True, is_staff=False)


def segment_members(*, segment: Segment, now: datetime | None = None) -> QuerySet[User]:
    """The customers who fit the segment's conditions at `now` (default: this moment)."""
    return customers_all().filter(_segment_q(segment.conditions, segment_id=segment.pk, now=now))


def segment_reachable(*, segment: Segment, channel: str, now: datetime | None = None) -> QuerySet[User]:
    """The members who may receive marketing through `channel` today: the consent rule of
    marketing.preferences, applied by the database."""
    return segment_members(segment=segment, now=now).filter(marketing_consent_given_q(channel=channel))


def conditions_counts(*, conditions: dict, channel: str, segment_id: int | None = None) -> dict[str, int]:
    """The size of a segment being edited and of its part reachable through `channel`, from
    cleaned but unsaved conditions: the editor's live count. One query."""
    members = customers_all().filter(_segment_q(conditions, segment_id=segment_id))
    reachable = Count("pk", filter=marketing_consent_given_q(channel=channel))
    return members.aggregate(members=Count("pk"), reachable=reachable)


def segment_members_rows(*, segment: Segment) -> QuerySet[User]:
    """The members with what the members' list and its CSV show, in a stable order."""
    fields = ("first_name", "last_name", "email", "phone", "city", "language", "date_joined")
    return segment_members(segment=segment).only(*fields).order_by("pk")


def _segment_q(conditions: dict, *, segment_id: int | None, now: datetime | None = None) -> Q:
    context = Context(within=(segment_id,) if segment_id else ())
    if now is not None:
        context.now = now
    return conditions_q(conditions, context=context)


def segment_references(segment: Segment) -> set[int]:
    """The ids of the segments this one's conditions name."""
    found = set()
    stack = [segment.conditions]
    while stack:
        node = stack.pop()
        if "match" in node:
            stack.extend(node.get("conditions", []))
        elif node.get("field") == "segment":
            found.add(node["segment"])
    return found
