"""The "messages sent" part of the customer card beside an order in the back-office: every
message about the order with every attempt to send it, and a link to them in the outbox.
Found by orders.backoffice.card's autodiscovery; orders itself never imports marketing."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketing.order_messages import order_reference
from marketing.selectors import messages_for_reference
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
