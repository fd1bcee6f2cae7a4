"""The "messages sent" part of the customer card beside an order in the back-office: every
message about the order with every attempt to send it, and a link to them in the outbox.
Found by orders.backoffice.card's autodiscovery; orders itself never imports marketing."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketing.order_messages import order_reference
from marketing.selectors import campaign_messages_for_people, messages_for_reference
from orders.backoffice.card import CardSection, order_card_section

SHOWN = 20


@order_card_section
def messages_sent(order) -> CardSection | None:
    if not order.number:
        return None
    reference = order_reference(order)
    outbox = reverse("admin:marketing_outboundmessage_changelist")
    return CardSection(
        title=_("Messages sent"),
        template="marketing/order_card_messages.html",
        context={
            "messages_sent": list(messages_for_reference(reference=reference)[:SHOWN]),
            "outbox_url": f"{outbox}?{urlencode({'reference': reference})}",
        },
        position=50,
    )


@order_card_section
def campaign_messages(order) -> CardSection | None:
    """Every campaign message the customer received, newest first, with whether a person opened
    or clicked it: what the manager should know before calling."""
    people = [key for key in (f"user:{order.user_id}" if order.user_id else "", (order.email or "").lower()) if key]
    if not people:
        return None
    return CardSection(
        title=_("Campaign messages to this customer"),
        template="marketing/order_card_campaigns.html",
        context={"campaign_messages": list(campaign_messages_for_people(people=people)[:SHOWN])},
        position=55,
    )
