"""The "messages sent" part of the customer card beside an order in the back-office.
Found by orders.backoffice.card's autodiscovery; orders itself never imports marketing."""

from django.utils.translation import gettext_lazy as _

from marketing.selectors import messages_for_reference
from orders.backoffice.card import CardSection, order_card_section


@order_card_section
def messages_sent(order) -> CardSection | None:
    if not order.number:
        return None
    return CardSection(
        title=_("Messages sent"),
        template="orders/backoffice/card_messages.html",
        context={"messages_sent": list(messages_for_reference(reference=f"order:{order.number}")[:20])},
        position=50,
    )
