"""Reads of segments: who is in one, and who of them can be reached through a channel. Each
answer is one queryset the database evaluates in one query, never a loop over customers."""

from contextlib import contextmanager
from datetime import datetime

from django.db import OperationalError, connection, transaction
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from customers.models import DataRequest, User
from marketing.kinds import Channel
from marketing.preferences import marketing_consent_given_q
from marketing.segments.conditions import Context, conditions_q
from marketing.segments.models import Segment


def customers_all() -> QuerySet[User]:
    """Everyone a segment picks from: active accounts of shoppers, not the shop's staff, and not
    those who asked the shop to delete their account (while the request waits, they are neither
    counted, nor listed, nor exported, nor sent anything through a segment)."""
    leaving = DataRequest.objects.filter(user=OuterRef("pk"), kind=DataRequest.Kind.DELETE,
                                         status=DataRequest.Status.NEW)
    return User.objects.filter(is_active=True, is_staff=False).exclude(Exists(leaving))


def segment_members(*, segment: Segment, now: datetime | None = None) -> QuerySet[User]:
    """The customers who fit the segment's conditions at `now` (default: this moment)."""
    return customers_all().filter(_segment_q(segment.conditions, segment_id=segment.pk, now=now))


def segment_reachable(*, segment: Segment, channel: str, now: datetime | None = None) -> QuerySet[User]:
    """The members who may receive marketing through `channel` today: the consent rule of
    marketing.preferences, applied by the database."""
    return segment_members(segment=segment, now=now).filter(marketing_consent_given_q(channel=channel))


class CountTooSlow(Exception):
    """The live count ran past LIVE_COUNT_SECONDS and was stopped by the database."""

    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds


# The editor asks again after each change: a count that takes longer is stopped rather than left
# to pile up on the database while the marketer keeps typing.
LIVE_COUNT_SECONDS = 10


def conditions_counts(*, conditions: dict, channel: str, segment_id: int | None = None) -> dict[str, int]:
    """The size of a segment being edited and of its part reachable through `channel`, from
    cleaned but unsaved conditions: the editor's live count. One query; CountTooSlow when it
    runs past LIVE_COUNT_SECONDS."""
    members = customers_all().filter(_segment_q(conditions, segment_id=segment_id))
    reachable = Count("pk", filter=marketing_consent_given_q(channel=channel))
    try:
        with transaction.atomic(), _short_query_settings():
            return members.aggregate(members=Count("pk"), reachable=reachable)
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == "57014":  # query_canceled: the timeout
            raise CountTooSlow(LIVE_COUNT_SECONDS) from error
        raise


@contextmanager
def _short_query_settings():
    """On PostgreSQL, for this transaction: no JIT compilation (it cost more than the whole
    count on the bench: a second of compiling for a query of a few hundred milliseconds), and
    the time limit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('jit', 'off', true), set_config('statement_timeout', %s, true)",
                           [f"{LIVE_COUNT_SECONDS}s"])
    yield


def segment_members_rows(*, segment: Segment) -> QuerySet[User]:
    """The members with what the members' list and its CSV show, in a stable order: with
    `reaches_email` and `reaches_sms`, whether each channel may carry marketing to them today."""
    fields = ("first_name", "last_name", "email", "phone", "city", "language", "date_joined")
    return segment_members(segment=segment).only(*fields).annotate(
        reaches_email=ExpressionWrapper(marketing_consent_given_q(channel=Channel.EMAIL), output_field=BooleanField()),
        reaches_sms=ExpressionWrapper(marketing_consent_given_q(channel=Channel.SMS), output_field=BooleanField()),
    ).order_by("pk")


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
