"""A/B tests on trigger campaigns: the split, the variants in the messages, the winner."""

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from marketing.abtests.models import ABTest, ABVariant
from marketing.abtests.services import ab_group, ab_test_decide, ab_tests_decide_due
from marketing.abtests.stats import ab_test_stats
from marketing.campaigns.models import CampaignConversion, CampaignEntry, CampaignEvent, CampaignMessage
from marketing.models import OutboundMessage
from tests.factories import OrderFactory
from tests.marketing.campaigning import abandoned_cart_campaign, campaign_run, cart_left, consent_given

pytestmark = pytest.mark.django_db


def _ab_test(campaign, *, test_percent=20, metric=ABTest.Metric.CLICKS, started_hours_ago=None, wait_hours=4,
             variants=("", "Вы забыли корзину!")) -> ABTest:
    for position, subject in enumerate(variants, start=1):
        ABVariant.objects.create(campaign=campaign, position=position, subject=subject,
                                 sender_name="Витрина" if position == 1 else "Анна из Витрины")
    started = timezone.now() - datetime.timedelta(hours=started_hours_ago) if started_hours_ago is not None else None
    return ABTest.objects.create(campaign=campaign, test_percent=test_percent, metric=metric,
                                 wait_hours=wait_hours, started_at=started)


def test_split_puts_the_test_share_in_the_test_evenly_between_variants():
    people = [f"user:{n}" for n in range(20_000)]
    groups = Counter(ab_group(campaign_id=7, person=person, test_percent=20, variants=2) for person in people)
    # 20% of 20,000 is 4,000 (binomial σ ≈ 57); each variant half of it (σ ≈ 40).
    assert abs(groups[0] + groups[1] - 4000) < 4 * 57
    assert abs(groups[0] - 2000) < 4 * 40 and abs(groups[1] - 2000) < 4 * 40
    assert groups[None] == 20_000 - groups[0] - groups[1]


def test_split_of_three_variants_is_even_too():
    groups = Counter(ab_group(campaign_id=3, person=f"user:{n}", test_percent=30, variants=3) for n in range(30_000))
    for variant in range(3):
        assert abs(groups[variant] - 3000) < 4 * 52


def test_a_person_always_lands_in_the_same_group_and_campaigns_split_independently():
    first = [ab_group(campaign_id=1, person=f"user:{n}", test_percent=50, variants=2) for n in range(200)]
    again = [ab_group(campaign_id=1, person=f"user:{n}", test_percent=50, variants=2) for n in range(200)]
    other = [ab_group(campaign_id=2, person=f"user:{n}", test_percent=50, variants=2) for n in range(200)]
    assert first == again
    assert first != other


def test_a_running_test_sends_each_person_their_variant(django_capture_on_commit_callbacks):
    campaign = abandoned_cart_campaign()
    test = _ab_test(campaign, test_percent=100, started_hours_ago=1)
    people = [f"p{n}@example.com" for n in range(12)]
    for email in people:
        consent_given(email)
        cart_left(email=email)

    campaign_run(django_capture_on_commit_callbacks)

    variants = {variant.position: variant for variant in campaign.variants.all()}
    for message in CampaignMessage.objects.select_related("message", "variant"):
        group = ab_group(campaign_id=campaign.pk, person=message.person, test_percent=100, variants=2)
        assert message.in_test and message.variant == variants[group + 1]
        if group == 1:
            assert message.message.subject == "Вы забыли корзину!"
            assert message.message.sender_name == "Анна из Витрины"
        else:
            assert message.message.subject != "Вы забыли корзину!"  # A keeps the campaign's own subject
    senders = {email.from_email for email in mail.outbox}
    assert any(sender.startswith("Анна из Витрины") or "=?utf-8?" in sender for sender in senders)
    assert test.campaign.messages.filter(in_test=True).count() == 12


def test_outside_the_test_share_people_get_variant_a_and_are_not_counted(django_capture_on_commit_callbacks):
    campaign = abandoned_cart_campaign()
    _ab_test(campaign, test_percent=2, started_hours_ago=1)
    people = [f"q{n}@example.com" for n in range(8)]
    for email in people:
        consent_given(email)
        cart_left(email=email)

    campaign_run(django_capture_on_commit_callbacks)

    for message in CampaignMessage.objects.select_related("variant"):
        in_test = ab_group(campaign_id=campaign.pk, person=message.person, test_percent=2, variants=2) is not None
        assert message.in_test == in_test
        if not in_test:
            assert message.variant.position == 1


def test_after_the_verdict_everyone_gets_the_winner(django_capture_on_commit_callbacks):
    campaign = abandoned_cart_campaign()
    test = _ab_test(campaign, test_percent=50, started_hours_ago=5)
    ABTest.objects.filter(pk=test.pk).update(decided_at=timezone.now(), winner=campaign.variants.get(position=2),
                                             outcome=ABTest.Outcome.WON)
    for n in range(6):
        consent_given(f"w{n}@example.com")
        cart_left(email=f"w{n}@example.com")

    campaign_run(django_capture_on_commit_callbacks)

    assert {m.subject for m in OutboundMessage.objects.all()} == {"Вы забыли корзину!"}
    assert not CampaignMessage.objects.filter(in_test=True).exists()


def test_a_test_that_has_not_started_changes_nothing(django_capture_on_commit_callbacks):
    campaign = abandoned_cart_campaign()
    _ab_test(campaign, test_percent=100, started_hours_ago=None)
    consent_given("n@example.com")
    cart_left(email="n@example.com")

    campaign_run(django_capture_on_commit_callbacks)

    message = CampaignMessage.objects.get()
    assert message.variant is None and not message.in_test


# --- The winner ------------------------------------------------------------------------------


def _messages(campaign, variant: ABVariant, *, delivered: int, clicked: int = 0, revenues=()) -> None:
    """`delivered` sent test messages of `variant`, the first `clicked` clicked by a person, and
    orders of `revenues` attributed to the first ones (written in bulk: hundreds per test)."""
    now = timezone.now()
    people = [f"v{variant.pk}-{n}@example.com" for n in range(delivered)]
    entries = CampaignEntry.objects.bulk_create([
        CampaignEntry(campaign=campaign, cause=f"test:{person}", email=person, person=person, triggered_at=now,
                      due_at=now, status=CampaignEntry.Status.DONE) for person in people
    ])
    outbound = OutboundMessage.objects.bulk_create([
        OutboundMessage(channel="email", kind=campaign.kind, recipient=person, language="ru", body="…",
                        is_marketing=True, status=OutboundMessage.Status.SENT, idempotency_key=f"test:{person}",
                        due_at=now, sent_at=now) for person in people
    ])
    messages = CampaignMessage.objects.bulk_create([
        CampaignMessage(message=sent, entry=entry, campaign=campaign, step=1, language="ru", channel="email",
                        person=entry.person, token=f"t{variant.pk}x{n}", links=["https://shop.example/"],
                        variant=variant, in_test=True)
        for n, (entry, sent) in enumerate(zip(entries, outbound, strict=True))
    ])
    CampaignEvent.objects.bulk_create([
        CampaignEvent(message=message, kind=CampaignEvent.Kind.CLICK, link=0) for message in messages[:clicked]
    ])
    for message, revenue in zip(messages, revenues, strict=False):
        CampaignConversion.objects.create(order=OrderFactory(email=message.person), message=message,
                                          campaign=campaign, basis="click", revenue=Decimal(revenue))


def test_a_significantly_better_variant_wins_when_the_time_is_up():
    campaign = abandoned_cart_campaign()
    test = _ab_test(campaign, started_hours_ago=5, wait_hours=4)
    a, b = campaign.variants.order_by("position")
    _messages(campaign, a, delivered=400, clicked=20)   # 5%
    _messages(campaign, b, delivered=400, clicked=48)   # 12%: z = 3.55, p = 0.0004

    assert ab_tests_decide_due() == 1

    test.refresh_from_db()
    assert test.winner == b and test.outcome == ABTest.Outcome.WON
    assert test.p_value == pytest.approx(0.000388, rel=0.01)
    assert ab_test_decide(test=test) is False  # decided once


def test_a_difference_without_significance_keeps_variant_a_and_says_so():
    campaign = abandoned_cart_campaign()
    test = _ab_test(campaign, started_hours_ago=5)
    a, b = campaign.variants.order_by("position")
    _messages(campaign, a, delivered=100, clicked=5)
    _messages(campaign, b, delivered=100, clicked=8)   # ahead, but p = 0.39

    ab_test_decide(test=test)

    test.refresh_from_db()
    assert test.winner == a and test.outcome == ABTest.Outcome.NOT_SIGNIFICANT
    assert test.p_value == pytest.approx(0.389, abs=0.002)


def test_a_tie_keeps_variant_a():
    campaign = abandoned_cart_campaign()
    test = _ab_test(campaign, started_hours_ago=5)
    a, b = campaign.variants.order_by("position")
    _messages(campaign, a, delivered=50, clicked=5)
    _messages(campaign, b, delivered=50, clicked=5)

    ab_test_decide(test=test)

    test.refresh_from_db()
    assert (test.winner, test.outcome) == (a, ABTest.Outcome.TIE)


def test_no_verdict_before_the_waiting_time_is_up():
    campaign = abandoned_cart_campaign()
    test = _ab_test(campaign, started_hours_ago=1, wait_hours=4)

    assert ab_tests_decide_due() == 0
    test.refresh_from_db()
    assert test.decided_at is None


def test_revenue_winner_by_welch_t_test():
    campaign = abandoned_cart_campaign()
    test = _ab_test(campaign, started_hours_ago=5, metric=ABTest.Metric.REVENUE)
    a, b = campaign.variants.order_by("position")
    _messages(campaign, a, delivered=30, revenues=["1000"] * 3)
    _messages(campaign, b, delivered=30, revenues=["3000"] * 12)

    rows = ab_test_stats(test=test)
    ab_test_decide(test=test)

    assert [row.revenue for row in rows] == [Decimal("3000.00"), Decimal("36000.00")]
    assert rows[1].revenue_per_recipient == Decimal("1200.00")
    test.refresh_from_db()
    # Means 100 and 1200 over 30 each, variances 93,103 and 2,234,483: standard error 278.54,
    # Welch t = 3.95 with ν = 31.4, p = 0.0004.
    assert round(rows[1].comparison.statistic, 2) == 3.95
    assert round(rows[1].comparison.degrees_of_freedom, 1) == 31.4
    assert round(rows[1].comparison.p_value, 4) == 0.0004
    assert (test.winner, test.outcome) == (b, ABTest.Outcome.WON)


def test_with_three_variants_p_values_are_corrected_for_the_comparisons():
    campaign = abandoned_cart_campaign()
    test = _ab_test(campaign, started_hours_ago=5, variants=("", "B", "C"))
    a, b, c = campaign.variants.order_by("position")
    _messages(campaign, a, delivered=300, clicked=15)
    _messages(campaign, b, delivered=300, clicked=27)   # alone p = 0.0556; doubled 0.111
    _messages(campaign, c, delivered=300, clicked=15)

    rows = ab_test_stats(test=test)

    assert rows[1].comparison.p_value == pytest.approx(2 * 0.0556, abs=0.002)
    ab_test_decide(test=test)
    test.refresh_from_db()
    assert (test.winner, test.outcome) == (a, ABTest.Outcome.NOT_SIGNIFICANT)
