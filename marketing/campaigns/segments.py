"""The campaign's audience: the saved segment it is limited to (marketing.segments)."""

from django.db.models import Q

from marketing.campaigns.models import Campaign, CampaignEntry
from marketing.segments.conditions import NOT_SOLD
from marketing.segments.selectors import segment_members

__all__ = ["NOT_SOLD", "campaign_entries_in_segment"]  # NOT_SOLD: what stats and reports count as a sale


def campaign_entries_in_segment(*, campaign: Campaign, entries: list[CampaignEntry]) -> set[int]:
    """The ids of the entries whose person is in the campaign's segment; all of them when the
    campaign has none. A person is found by their account, or, for an entry without one (a
    guest's cart), by an account with the entry's e-mail. One query for the whole batch."""
    if campaign.segment_id is None:
        return {entry.pk for entry in entries}
    user_ids = {entry.user_id for entry in entries if entry.user_id}
    emails = {entry.email for entry in entries if entry.email}
    emails |= {email.lower() for email in emails}
    inside = segment_members(segment=campaign.segment).filter(Q(pk__in=user_ids) | Q(email__in=emails))
    found_ids, found_emails = set(), set()
    for pk, email in inside.values_list("pk", "email"):
        found_ids.add(pk)
        found_emails.add(email.lower())
    return {
        entry.pk for entry in entries
        if entry.user_id in found_ids or (not entry.user_id and entry.email.lower() in found_emails)
    }
