from django.db.models import Exists, OuterRef, QuerySet

from marketing.models import CampaignEvent, CampaignMessage, OutboundMessage


def messages_for_reference(*, reference: str) -> QuerySet[OutboundMessage]:
    """Everything said to a customer about one thing (e.g. "order:VT-10001"), newest first, with attempts."""
    return OutboundMessage.objects.filter(reference=reference).prefetch_related("attempts_made")


def campaign_messages_for_people(*, people: list[str]) -> QuerySet[CampaignMessage]:
    """The campaign messages written to a person ("user:<id>" or an e-mail), newest first, with
    whether a person (not a mail scanner) opened or clicked each."""
    human = CampaignEvent.objects.filter(message=OuterRef("pk"), is_human=True)
    return (
        CampaignMessage.objects.filter(person__in=people).select_related("message", "campaign")
        .annotate(opened=Exists(human.filter(kind=CampaignEvent.Kind.OPEN)),
                  clicked=Exists(human.filter(kind=CampaignEvent.Kind.CLICK)))
        .order_by("-created_at", "-id")
    )
