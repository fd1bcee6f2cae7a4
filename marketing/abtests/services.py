"""Running an A/B test: who gets which variant, and picking the winner when the time is up.

The split is a hash of the campaign and the person, so it needs no table, gives a person the
same group every time, and puts `test_percent` of the people in the test, evenly between the
variants (as evenly as chance: a hash is a fair die). While a test runs, the rest of a trigger
campaign's people get variant A; a broadcast holds its rest back until the verdict.
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.utils import timezone

from marketing.abtests.models import ABTest, ABVariant
from marketing.abtests.stats import ab_test_stats, ab_verdict
from marketing.campaigns.models import Campaign

BUCKETS = 10_000


@dataclass(frozen=True)
class Assignment:
    """The variant a message carries (None: no test, the campaign's own text) and whether the
    message is one of the test's."""

    variant: ABVariant | None = None
    in_test: bool = False


def ab_group(*, campaign_id: int, person: str, test_percent: int, variants: int) -> int | None:
    """The index of the variant `person` tests (0 = A), or None when they are not in the test."""
    digest = hashlib.sha256(f"ab:{campaign_id}:{person}".encode()).digest()
    if int.from_bytes(digest[:4], "big") % BUCKETS >= test_percent * BUCKETS // 100:
        return None
    return int.from_bytes(digest[4:8], "big") % variants


def ab_test_of(campaign: Campaign) -> ABTest | None:
    """The campaign's test if it has one with at least two variants (prefetched: no query)."""
    try:
        test = campaign.ab_test
    except ABTest.DoesNotExist:
        return None
    return test if len(campaign.variants.all()) >= 2 else None


def ab_assignment(*, campaign: Campaign, person: str, now: datetime.datetime) -> Assignment:
    """What `person`'s message of `campaign` carries now (see the module's docstring)."""
    test = ab_test_of(campaign)
    if test is None or test.started_at is None or test.started_at > now:
        return Assignment()
    variants = sorted(campaign.variants.all(), key=lambda variant: variant.position)
    if test.decided_at is not None:
        winner = next((variant for variant in variants if variant.pk == test.winner_id), variants[0])
        return Assignment(variant=winner)
    group = ab_group(campaign_id=campaign.pk, person=person, test_percent=test.test_percent, variants=len(variants))
    if group is None:
        return Assignment(variant=variants[0])
    return Assignment(variant=variants[group], in_test=True)


def ab_test_start(*, test: ABTest, at: datetime.datetime | None = None) -> bool:
    """Start the test (once: a test already started keeps its start). Returns whether it did."""
    return bool(ABTest.objects.filter(pk=test.pk, started_at__isnull=True).update(started_at=at or timezone.now()))


def ab_test_decide(*, test: ABTest, now: datetime.datetime | None = None) -> bool:
    """When the waiting time is up, record the winner by the test's metric, once.

    Guarantees: decided at most once, by a conditional UPDATE (two beats at once, or a beat and
    a broadcast's sender, record one verdict); a difference that is not significant, or a tie,
    keeps variant A and says so. Returns whether this call decided it."""
    now = now or timezone.now()
    if test.decided_at is not None or test.ends_at is None or test.ends_at > now:
        return False
    variants = list(ABVariant.objects.filter(campaign_id=test.campaign_id).order_by("position"))
    if not variants:
        return False
    verdict = ab_verdict(ab_test_stats(test=test, variants=variants), metric=test.metric)
    return bool(ABTest.objects.filter(pk=test.pk, decided_at__isnull=True).update(
        decided_at=now, winner=verdict.winner.variant if verdict else variants[0],
        outcome=verdict.outcome if verdict else ABTest.Outcome.TIE, p_value=verdict.p_value if verdict else None,
    ))


def ab_tests_decide_due(*, now: datetime.datetime | None = None) -> int:
    """Decide every test whose waiting time is up (beat); returns how many were decided."""
    now = now or timezone.now()
    due = [
        test for test in ABTest.objects.filter(decided_at__isnull=True, started_at__isnull=False)
        if test.ends_at <= now
    ]
    return sum(ab_test_decide(test=test, now=now) for test in due)
