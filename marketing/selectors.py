from django.db.models import QuerySet

from marketing.models import OutboundMessage


def messages_for_reference(*, reference: str) -> QuerySet[OutboundMessage]:
    """Everything said to a customer about one thing (e.g. "order:VT-10001"), newest first, with attempts."""
    return OutboundMessage.objects.filter(reference=reference).prefetch_related("attempts_made")
