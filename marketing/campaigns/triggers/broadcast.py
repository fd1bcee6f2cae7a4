"""A broadcast's "trigger" is the marketer: it has no scan (its recipients are queued from its
segment by marketing.broadcasts), no cause to check again before sending, and its message
leads to the shop's front page. Registered with the triggers so that the campaign engine
renders, previews and counts a broadcast's messages like any campaign's."""

from marketing.campaigns.links import absolute
from marketing.campaigns.models import CampaignEntry
from marketing.campaigns.triggers.base import Content, Trigger
from marketing.kinds import MessageKind


class BroadcastMessage(Trigger):
    kind = MessageKind.BROADCAST

    def candidates(self, campaign, *, now, after, limit):
        return [], None

    def contents(self, entries: list[CampaignEntry], *, language: str) -> dict[int, Content]:
        return {entry.pk: Content(values={}, link=absolute("/")) for entry in entries}
