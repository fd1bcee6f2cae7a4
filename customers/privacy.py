"""The customer's say over their personal data, from the account pages: which marketing
messages they want, and requests for a copy of their data or to delete the account."""

from django.db import IntegrityError, transaction
from django.db.models import BooleanField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower

from customers.models import Consent, DataRequest, User
from customers.services import consent_record

# The version of the wording shown next to the tick boxes on the account page. Change it
# when the text changes: each consent keeps the version the customer actually saw.
PREFERENCES_WORDING_VERSION = "account-1"

MARKETING_KINDS = (Consent.Kind.MARKETING_EMAIL, Consent.Kind.MARKETING_SMS)
# Whose records count for a marketing channel: the account's, or the address the channel uses.
ADDRESS_FIELD = {Consent.Kind.MARKETING_EMAIL: "email", Consent.Kind.MARKETING_SMS: "phone"}


def marketing_consent_current(*, user: User, kind: str) -> bool:
    """The customer's latest answer for a marketing channel, also one given at a guest checkout
    with the address that channel uses: the rule the sender and the segments follow, so the
    account page shows what will happen."""
    address = (user.email or "").strip().lower() if kind == Consent.Kind.MARKETING_EMAIL else user.phone
    latest = marketing_consent_records(kind=kind, user_id=user.pk, address=address or None)
    return bool(latest.values_list("granted", flat=True).first())


def marketing_consent_records(*, kind: str, user_id, address) -> QuerySet[Consent]:
    """The one definition of whose marketing records count: the person's account or their
    address for the channel (the e-mail in lower case, the phone as stored), latest first.
    `user_id` and `address` are values for one person (None when unknown), or references to the
    customer row of an outer query."""
    field = ADDRESS_FIELD[kind]
    who = Q(pk__in=[])
    if user_id is not None:
        who |= Q(user_id=user_id)
    if address is not None:
        who |= Q(**{field: address}) & ~Q(**{field: ""})
    # A record about one kind of message (`topic`) is not the channel's answer.
    return Consent.objects.filter(kind=kind, topic="").filter(who).order_by("-created_at", "-id")


def marketing_consent_given_q(*, kind: str) -> Q:
    """Today's marketing answer as a filter over customers (a User queryset), so that the
    database decides for all of them at once: each customer's latest record, by their account or
    their address, says yes. No record is a no; a customer without a phone is never sent SMS."""
    address = Lower(OuterRef("email")) if kind == Consent.Kind.MARKETING_EMAIL else OuterRef("phone")
    latest = marketing_consent_records(kind=kind, user_id=OuterRef("pk"), address=address)
    given = Q(Coalesce(Subquery(latest.values("granted")[:1]), Value(False), output_field=BooleanField()))
    return given if kind == Consent.Kind.MARKETING_EMAIL else given & ~Q(phone="")


@transaction.atomic
def marketing_preferences_set(*, user: User, email: bool, sms: bool) -> list[Consent]:
    """Record the customer's answers for marketing e-mail and SMS. Only a changed answer is
    written: saving the page twice adds no rows. Order messages are not a consent and are
    always sent."""
    written = []
    for kind, granted in ((Consent.Kind.MARKETING_EMAIL, email), (Consent.Kind.MARKETING_SMS, sms)):
        if marketing_consent_current(user=user, kind=kind) == bool(granted):
            continue
        written.append(consent_record(
            kind=kind, granted=bool(granted), wording_version=PREFERENCES_WORDING_VERSION,
            source=Consent.Source.ACCOUNT, user=user, email=user.email, phone=user.phone,
        ))
    return written


def data_request_submit(*, user: User, kind: str) -> DataRequest:
    """Ask the shop to export or delete the customer's data. One open request per kind: asking
    again while one waits returns that one (the database's unique constraint decides)."""
    existing = DataRequest.objects.filter(user=user, kind=kind, status=DataRequest.Status.NEW).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return DataRequest.objects.create(user=user, email=user.email, kind=kind)
    except IntegrityError:
        return DataRequest.objects.get(user=user, kind=kind, status=DataRequest.Status.NEW)
