"""Whether a customer wants a kind of message through a channel.

Messages about the customer's own order are always allowed: they are part of the sale. Every
other kind (campaigns) is marketing and needs the customer's consent, read from the Consent
records of the person (their account, their address) and the channel. Two answers count:

- the channel's ("marketing e-mails: yes/no", `topic` empty), given at checkout, sign-up, in
  the account or withdrawn by the unsubscribe link;
- the kind's (`topic` = the message kind): "no birthday messages" on the preference page, or
  "tell me when it is back", which a guest confirms without agreeing to any other marketing.

A kind's latest "no" always holds, whatever the channel says. Otherwise the channel's "yes"
allows every kind, and a kind's "yes" allows that kind unless the channel was refused after it
(an unsubscribe from everything stops a back-in-stock request made before). No record means no.
`messages_send` and the campaign engine both ask here, so this module is the single place that
decides; `marketing_preferences_save` writes the preference page's answers.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from core.phones import phone_normalize
from customers import privacy
from customers.models import Consent, User
from customers.services import consent_record
from marketing.kinds import TRANSACTIONAL_KINDS, TRIGGER_KINDS, Channel

CONSENT_FOR_CHANNEL = {Channel.EMAIL: Consent.Kind.MARKETING_EMAIL, Channel.SMS: Consent.Kind.MARKETING_SMS}
# The wording beside the tick boxes of the preference page: change it when the text changes.
PREFERENCES_WORDING_VERSION = "preferences-1"

# (user id or None, e-mail or phone as the outbox writes it)
Person = tuple[int | None, str]
# (position in time, granted): the later of two answers has the higher position.
_Answer = tuple[int, bool]


def recipient_allows(*, channel: str, kind: str, recipient: str, is_marketing: bool = True) -> bool:
    """`is_marketing` False marks a message that is not sent as marketing whatever its kind: a
    marketer's test of a campaign text sent to their own address. (messages_allowed asks the
    same for a batch of outbox rows.)"""
    if kind in TRANSACTIONAL_KINDS or not is_marketing:
        return True
    return marketing_consent_given(channel=channel, recipient=recipient, kind=kind)


def marketing_consent_given(*, channel: str, recipient: str, user_id: int | None = None, kind: str = "") -> bool:
    """Today's answer of this person for marketing of `kind` (empty: marketing in general)
    through this channel."""
    person = (user_id, recipient)
    return person in marketing_consents_given(channel=channel, people=[person], kind=kind)


def marketing_consent_given_q(*, channel: str) -> Q:
    """The channel's answer as a filter over customers (a User queryset): a segment's reachable
    part is counted by the database. The rule is customers.privacy's; a single kind's "yes" (a
    back-in-stock request) does not make a customer reachable."""
    return privacy.marketing_consent_given_q(kind=CONSENT_FOR_CHANNEL[channel])


def marketing_consents_given(*, channel: str, people: Iterable[Person], kind: str = "") -> set[Person]:
    """The people of `people` who may receive marketing of `kind` through `channel`, in one
    query: the same rule as marketing_consent_given, for the campaign engine's batches."""
    return {person for person, _kind in marketing_consents_given_by_kind(
        channel=channel, asking=[(person, kind) for person in people],
    )}


def marketing_consents_given_by_kind(*, channel: str, asking: Iterable[tuple[Person, str]]) -> set[tuple[Person, str]]:
    """The (person, kind) pairs of `asking` allowed through `channel`, in one query for a batch
    that mixes kinds (a dispatch batch holds several campaigns' entries)."""
    asking = list(asking)
    latest = _latest_answers(channel=channel, people=[person for person, _kind in asking],
                             topics={kind for _person, kind in asking})
    return {(person, kind) for person, kind in asking
            if _allows(latest(person, ""), latest(person, kind) if kind else None)}


def _allows(channel_answer: _Answer | None, kind_answer: _Answer | None) -> bool:
    if kind_answer is not None and not kind_answer[1]:
        return False
    if channel_answer is not None and channel_answer[1]:
        return True
    return kind_answer is not None and (channel_answer is None or channel_answer[0] < kind_answer[0])


def _latest_answers(*, channel: str, people: list[Person], topics: set[str]):
    """A lookup (person, topic) → the person's latest answer on the topic ("": the channel's),
    by account or address, read in one query."""
    address = "email" if channel == Channel.EMAIL else "phone"
    user_ids = {user_id for user_id, _recipient in people if user_id}
    recipients = {form for _user_id, recipient in people if recipient for form in _address_forms(channel, recipient)}
    by_user: dict[tuple[int, str], _Answer] = {}
    by_address: dict[tuple[str, str], _Answer] = {}
    if user_ids or recipients:
        records = (
            Consent.objects.filter(kind=CONSENT_FOR_CHANNEL[channel], topic__in={"", *topics})
            .filter(Q(user_id__in=user_ids) | Q(**{f"{address}__in": recipients}))
            .order_by("created_at", "id")
            .values_list("user_id", address, "topic", "granted")
        )
        for position, (user_id, recipient, topic, granted) in enumerate(records):
            if user_id:
                by_user[user_id, topic] = (position, granted)
            if recipient:
                by_address[_address_key(channel, recipient), topic] = (position, granted)

    def latest(person: Person, topic: str) -> _Answer | None:
        user_id, recipient = person
        answers = [by_user.get((user_id, topic)), by_address.get((_address_key(channel, recipient), topic))]
        return max((answer for answer in answers if answer is not None), default=None)

    return latest


def _address_key(channel: str, recipient: str) -> str:
    """One person's address as the rule compares it: the e-mail in lower case, the phone in
    E.164 whatever way it was typed (customers.identity reads phones the same way)."""
    if channel == Channel.EMAIL:
        return recipient.strip().lower()
    return _phone_key(recipient.strip())


def _address_forms(channel: str, recipient: str) -> set[str]:
    """The stored values that are this address: its key alone. A consent keeps a phone in E.164
    (customers.services.consent_record, and customers migration 0010 for those kept as typed
    before), or as typed when it is no number, which is then its key too."""
    return {_address_key(channel, recipient)}


@lru_cache(maxsize=4096)
def _phone_key(phone: str) -> str:
    try:
        return phone_normalize(phone)
    except ValidationError:
        return phone


def messages_allowed(messages: Iterable) -> set[int]:
    """The ids of the outbox rows `messages` whose recipients accept them now: recipient_allows
    for a batch, one query per channel."""
    messages = list(messages)
    allowed = {message.pk for message in messages if message.kind in TRANSACTIONAL_KINDS or not message.is_marketing}
    for channel in {message.channel for message in messages if message.pk not in allowed}:
        asking = [message for message in messages if message.channel == channel and message.pk not in allowed]
        given = marketing_consents_given_by_kind(
            channel=channel, asking=[((None, message.recipient), message.kind) for message in asking],
        )
        allowed |= {message.pk for message in asking if ((None, message.recipient), message.kind) in given}
    return allowed


# --- The preference page -----------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """Whose preferences a page shows: an account, or the address a message went to."""

    user: User | None
    email: str = ""
    phone: str = ""

    def address(self, channel: str) -> str:
        return self.email if channel == Channel.EMAIL else self.phone

    @property
    def channels(self) -> list[str]:
        return [channel for channel in Channel.values if self.address(channel)]


@dataclass(frozen=True)
class Preferences:
    channels: dict[str, bool]  # channel → marketing through it allowed
    kinds: dict[str, bool]  # marketing kind → not refused


def marketing_preferences_current(*, recipient: Recipient) -> Preferences:
    """What the page shows: each channel's own answer, and each kind unless it was refused."""
    user_id = recipient.user.pk if recipient.user else None
    channels, refused = {}, set()
    for channel in recipient.channels:
        answers = _person_answers(channel=channel, person=(user_id, recipient.address(channel)))
        channels[channel] = bool(answers.get("", (0, False))[1])
        refused |= {topic for topic, (_position, granted) in answers.items() if topic and not granted}
    return Preferences(channels=channels, kinds={kind: kind not in refused for kind in TRIGGER_KINDS})


def _person_answers(*, channel: str, person: Person) -> dict[str, _Answer]:
    """One person's latest answer per topic ("" for the channel itself), in one query."""
    user_id, recipient = person
    address = "email" if channel == Channel.EMAIL else "phone"
    who = Q(**{f"{address}__in": _address_forms(channel, recipient)}) if recipient else Q(pk__in=[])
    if user_id:
        who |= Q(user_id=user_id)
    answers = {}
    records = Consent.objects.filter(who, kind=CONSENT_FOR_CHANNEL[channel]).order_by("created_at", "id")
    for position, (topic, granted) in enumerate(records.values_list("topic", "granted")):
        answers[topic] = (position, granted)
    return answers


@transaction.atomic
def marketing_preferences_save(
    *, recipient: Recipient, channels: dict[str, bool], kinds: dict[str, bool], source: str,
    wording_version: str = PREFERENCES_WORDING_VERSION,
) -> list[Consent]:
    """Record the preference page's answers: a Consent row (source, wording version) for every
    answer that changed, none for one that did not, so saving twice adds nothing. A kind's answer
    is written for each channel the person can be reached by, and is heard by every send."""
    current = marketing_preferences_current(recipient=recipient)
    person = {"user": recipient.user}
    written = []
    for channel in recipient.channels:
        address = {"email": recipient.email} if channel == Channel.EMAIL else {"phone": recipient.phone}
        if channel in channels and channels[channel] != current.channels[channel]:
            written.append(consent_record(
                kind=CONSENT_FOR_CHANNEL[channel], granted=channels[channel], wording_version=wording_version,
                source=source, **person, **address,
            ))
        for kind, wanted in kinds.items():
            if kind in current.kinds and wanted != current.kinds[kind]:
                written.append(consent_record(
                    kind=CONSENT_FOR_CHANNEL[channel], granted=wanted, wording_version=wording_version,
                    source=source, topic=kind, **person, **address,
                ))
    return written
