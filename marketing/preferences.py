"""Whether a customer wants a kind of message through a channel.

Messages about the customer's own order are always allowed: they are part of the sale. Every
other kind (campaigns) is marketing and needs the customer's consent. `message_send` asks
`recipient_allows` and nothing else, so this module is the single place that decides.
"""

from marketing.kinds import TRANSACTIONAL_KINDS


def recipient_allows(*, channel: str, kind: str, recipient: str) -> bool:
    if kind in TRANSACTIONAL_KINDS:
        return True
    return marketing_consent_given(channel=channel, recipient=recipient)


def marketing_consent_given(*, channel: str, recipient: str) -> bool:
    # No marketing kind exists yet. The trigger-campaign step answers this from the consent
    # records in customers (Consent.MARKETING_EMAIL / MARKETING_SMS) before adding one.
    return True
