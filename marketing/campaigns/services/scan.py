"""Scans: each running campaign's trigger finds new causes, and each cause opens one entry.

Safe to run twice at once: the unique (campaign, cause) constraint refuses a second entry.
"""

import datetime

from django.db.models import DateTimeField, ExpressionWrapper, F, QuerySet, Value
from django.db.models.functions import Greatest, Lower, Trim
from django.utils import timezone

from core.bulk import rows_insert_selected
from marketing.campaigns.models import Campaign, CampaignEntry
from marketing.campaigns.triggers import TRIGGERS, person_of, person_sql

Status = CampaignEntry.Status
SCAN_BATCH = 5000


def campaigns_scan(*, now: datetime.datetime | None = None, batch_size: int = SCAN_BATCH) -> dict[int, int]:
    """Open entries for every running campaign; returns {campaign id: causes found}. Safe to
    run twice at once: a cause is one entry per campaign, decided by the database."""
    now = now or timezone.now()
    found = {}
    for campaign in Campaign.objects.filter(is_active=True).prefetch_related("steps"):
        if campaign.is_running(now) and campaign.kind in TRIGGERS:
            found[campaign.pk] = campaign_scan(campaign=campaign, now=now, batch_size=batch_size)
    return found


def campaign_scan(*, campaign: Campaign, now: datetime.datetime, batch_size: int = SCAN_BATCH) -> int:
    """One campaign's scan: one INSERT … SELECT when its trigger's rule is all SQL, else in
    batches of the trigger's subjects (carts, orders, customers). Returns the entries opened."""
    trigger = TRIGGERS[campaign.kind]
    steps = sorted(campaign.steps.all(), key=lambda step: step.position)
    if not steps:
        return 0
    first_delay = steps[0].delay
    trigger.before_scan(campaign, now=now)
    found = trigger.found(campaign, now=now)
    if found is not None:
        return _entries_insert(campaign, found, first_delay=first_delay, now=now)
    opened, after = 0, 0
    while after is not None:
        candidates, after = trigger.candidates(campaign, now=now, after=after, limit=batch_size)
        opened += len(CampaignEntry.objects.bulk_create(
            [
                CampaignEntry(
                    campaign=campaign, cause=candidate.cause, user_id=candidate.user_id,
                    email=candidate.email.strip().lower(), phone=candidate.phone,
                    person=person_of(user_id=candidate.user_id, email=candidate.email, phone=candidate.phone),
                    subject_id=candidate.subject_id, triggered_at=candidate.triggered_at,
                    due_at=max(candidate.triggered_at + first_delay, now), created_at=now,
                )
                for candidate in candidates
            ],
            ignore_conflicts=True,
        ))
    return opened


def _entries_insert(campaign: Campaign, found: QuerySet, *, first_delay: datetime.timedelta, now) -> int:
    """Write the entries of a trigger's `found` query in the database, in one statement: the
    same values the batch path computes in Python (person_sql is person_of). ON CONFLICT DO
    NOTHING on the (campaign, cause) key lets a concurrent scan's entries stand."""
    rows = found.annotate(
        entry_campaign=Value(campaign.pk),
        entry_email=Lower(Trim("contact_email")),
        entry_person=person_sql(user_id="customer_id", email="contact_email", phone="contact_phone"),
        entry_due=Greatest(
            ExpressionWrapper(F("triggered_at") + Value(first_delay), output_field=DateTimeField()),
            Value(now, output_field=DateTimeField()),
        ),
        entry_created=Value(now, output_field=DateTimeField()),
        entry_step=Value(1),
        entry_status=Value(Status.WAITING),
        entry_note=Value(""),
    )
    columns = {
        "campaign_id": "entry_campaign", "cause": "cause", "subject_id": "subject_id",
        "triggered_at": "triggered_at", "user_id": "customer_id", "email": "entry_email",
        "phone": "contact_phone", "person": "entry_person", "due_at": "entry_due", "created_at": "entry_created",
        "next_step": "entry_step", "status": "entry_status", "note": "entry_note",
    }
    return rows_insert_selected(CampaignEntry, rows, columns, unique=("campaign_id", "cause"))
