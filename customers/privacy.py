"""The customer's say over their personal data, from the account pages: which marketing
messages they want, and requests for a copy of their data or to delete the account."""

from django.db import IntegrityError, transaction

from customers.models import Consent, DataRequest, User
from customers.services import consent_record

# The version of the wording shown next to the tick boxes on the account page. Change it
# when the text changes: each consent keeps the version the customer actually saw.
PREFERENCES_WORDING_VERSION = "account-1"

MARKETING_KINDS = (Consent.Kind.MARKETING_EMAIL, Consent.Kind.MARKETING_SMS)


def marketing_consent_current(*, user: User, kind: str) -> bool:
    """The customer's latest answer, also one given at a guest checkout with their e-mail."""
    return Consent.objects.is_granted(kind=kind, user=user, email=user.email)


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
