"""Whether a customer wants a kind of message through a channel.

Messages about the customer's own order are always allowed: they are part of the sale. Every
other kind (campaigns) is marketing and needs the customer's consent, read from the Consent
records: the latest record for the person (their account, their address) and the channel is
today's answer, and no record means no. `messages_send` and the campaign engine both ask here,
so this module is the single place that decides.
"""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from customers import privacy
from customers.models import Consent
from marketing.kinds import TRANSACTIONAL_KINDS, Channel

CONSENT_FOR_CHANNEL = {Channel.EMAIL: Consent.Kind.MARKETING_EMAIL, Channel.SMS: Consent.Kind.MARKETING_SMS}

# (user id or None, e-mail or phone as the outbox writes it)
Person = tuple[int | None, str]


def recipient_allows(*, channel: str, kind: str, recipient: str, is_marketing: bool = True) -> bool:
    """`is_marketing` False marks a message that is not sent as marketing whatever its kind: a
    marketer's test of a campaign text sent to their own address. (messages_allowed asks the
    same for a batch of outbox rows.)"""
    if kind in TRANSACTIONAL_KINDS or not is_marketing:
        return True
    return marketing_consent_given(channel=channel, recipient=recipient)


def marketing_consent_given(*, channel: str, recipient: str, user_id: int | None = None) -> bool:
    """Today's answer of this person for marketing through this channel."""
    latest = _consent_records(channel=channel, user_id=user_id, address=_address_key(channel, recipient or "") or None)
    return bool(latest.values_list("granted", flat=True).first())


def marketing_consent_given_q(*, channel: str) -> Q:
    """The same answer as a filter over customers (a User queryset): a segment's reachable part
    is counted by the database. The rule is customers.privacy's."""
    return privacy.marketing_consent_given_q(kind=CONSENT_FOR_CHANNEL[channel])


def _consent_records(*, channel: str, user_id, address) -> QuerySet[Consent]:
    return privacy.marketing_consent_records(kind=CONSENT_FOR_CHANNEL[channel], user_id=user_id, address=address)


def marketing_consents_given(*, channel: str, people: Iterable[Person]) -> set[Person]:
    """The people of `people` who may receive marketing through `channel`, in one query: the
    same rule as marketing_consent_given, for the campaign engine's batches."""
    people = list(people)
    address = "email" if channel == Channel.EMAIL else "phone"
    user_ids = {user_id for user_id, _recipient in people if user_id}
    recipients = {_address_key(channel, recipient) for _user_id, recipient in people if recipient}
    if not people or not (user_ids or recipients):
        return set()
    records = (
        Consent.objects.filter(kind=CONSENT_FOR_CHANNEL[channel])
        .filter(Q(user_id__in=user_ids) | Q(**{f"{address}__in": recipients}))
        .order_by("created_at", "id")
        .values_list("user_id", address, "granted")
    )
    by_user: dict[int, tuple[int, bool]] = {}
    by_address: dict[str, tuple[int, bool]] = {}
    for order, (user_id, recipient, granted) in enumerate(records):
        if user_id:
            by_user[user_id] = (order, granted)
        if recipient:
            by_address[_address_key(channel, recipient)] = (order, granted)
    given = set()
    for person in people:
        user_id, recipient = person
        answers = [by_user.get(user_id), by_address.get(_address_key(channel, recipient))]
        latest = max((answer for answer in answers if answer is not None), default=None)
        if latest is not None and latest[1]:
            given.add(person)
    return given


def _address_key(channel: str, recipient: str) -> str:
    return recipient.strip().lower() if channel == Channel.EMAIL else recipient.strip()


def messages_allowed(messages: Iterable) -> set[int]:
    """The ids of the outbox rows `messages` whose recipients accept them now: recipient_allows
    for a batch, one query per channel."""
    messages = list(messages)
    allowed = {message.pk for message in messages if message.kind in TRANSACTIONAL_KINDS or not message.is_marketing}
    for channel in {message.channel for message in messages if message.pk not in allowed}:
        asking = [message for message in messages if message.channel == channel and message.pk not in allowed]
        given = marketing_consents_given(channel=channel, people=[(None, message.recipient) for message in asking])
        allowed |= {message.pk for message in asking if (None, message.recipient) in given}
    return allowed
