"""Each trigger kind: who qualifies now (a set-based scan), whether the cause still holds when a
step is due, and what its message shows.

A trigger whose rule is all SQL gives its new causes as one query (`found`), and the scan writes
them with a single INSERT … SELECT, so the backlog of a campaign just switched on (tens of
thousands of carts) never passes through Python. A trigger whose rule needs Python (a birthday
in each customer's time zone, a running 12-month sum) lists `candidates` in batches keyed on
the subject's id. Either way the scan leaves out causes the campaign already has, and the
unique (campaign, cause) constraint refuses any that a concurrent scan wrote meanwhile.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, CharField, Expression, F, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, Lower, NullIf, Trim

from catalog.models import ProductImage
from marketing.campaigns.links import absolute
from marketing.campaigns.models import Campaign, CampaignEntry


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


def person_sql(*, user_id: str, email: str | Expression, phone: str | Expression) -> Expression:
    """`person_of` as an SQL expression over a query's columns (`user_id` names one), for the
    scans that write their entries in the database: the same rule, and a test holds the two to it."""
    email, phone = (F(value) if isinstance(value, str) else value for value in (email, phone))
    return Case(
        When(Q(**{f"{user_id}__isnull": False}), then=Concat(Value("user:"), Cast(user_id, CharField()))),
        default=Lower(Trim(Coalesce(NullIf(email, Value("")), phone, Value("")))),
        output_field=CharField(),
    )


# The columns a trigger's `found` query names, in the entry's terms.
FOUND_COLUMNS = ("cause", "subject_id", "triggered_at", "customer_id", "contact_email", "contact_phone")


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

    def found(self, campaign: Campaign, *, now: datetime.datetime) -> QuerySet | None:
        """Every new cause as one query of values named FOUND_COLUMNS (contact_email and
        contact_phone may be empty, never NULL), or None when the trigger lists `candidates`."""
        return None

    def candidates(
        self, campaign: Campaign, *, now: datetime.datetime, after: int, limit: int
    ) -> tuple[list[Candidate], int | None]:
        """New causes among the next `limit` subjects after key `after`, and the key to go on
        from (None when there are no more subjects)."""
        raise NotImplementedError

    def before_scan(self, campaign: Campaign, *, now: datetime.datetime) -> None:
        """Bring the trigger's own records up to date before its causes are looked for."""

    def preview_subject(self, customer) -> int | None:
        """What a preview for this customer is about (their cart...), or None if nothing."""
        return customer.pk

    def verdicts(self, entries: list[CampaignEntry]) -> dict[int, Verdict]:
        return {entry.pk: Verdict(since=entry.triggered_at) for entry in entries}

    def contents(self, entries: list[CampaignEntry], *, language: str) -> dict[int, Content]:
        raise NotImplementedError
