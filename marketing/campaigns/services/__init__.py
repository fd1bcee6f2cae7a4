"""The campaign engine: scans open entries, dispatch moves them step by step into the outbox.

`campaigns_scan` (beat, every few minutes) asks each running campaign's trigger for new causes
and writes one entry per cause; the unique (campaign, cause) constraint refuses duplicates,
however many scans run at once. `campaign_entries_dispatch` (beat, every minute) takes due
entries with FOR UPDATE SKIP LOCKED, so concurrent workers share the work without overlap, and
for each one decides: the cause no longer holds (stop), not yet (a later due time: the step's
delay, the send window, the frequency cap), no consent or outside the segment (stop), in the
holdout (recorded, nothing sent), or send: the message is rendered and written to the outbox,
and sent after commit. Messages are written only when they may go out at once, so what a
customer receives was checked against the cause, their consent and the cap moments before.
"""

from marketing.campaigns.services.dispatch import (
    DISPATCH_BATCH,
    campaign_entries_dispatch,
    outgoing_within_cap,
    outgoing_write,
)
from marketing.campaigns.services.messages import (
    Outgoing,
    PreviewUnavailable,
    campaign_preview,
    campaign_test_send,
    message_render,
)
from marketing.campaigns.services.scan import SCAN_BATCH, campaign_scan, campaigns_scan

__all__ = [
    "DISPATCH_BATCH", "SCAN_BATCH", "Outgoing", "PreviewUnavailable", "campaign_entries_dispatch", "campaign_preview",
    "campaign_scan", "campaign_test_send", "campaigns_scan", "message_render", "outgoing_within_cap", "outgoing_write",
]
