"""Segments, consenting customers and broadcasts for the broadcast tests, through the real services."""

import itertools

from customers.models import Consent, User
from customers.services import consent_record
from marketing.abtests.models import ABTest, ABVariant
from marketing.broadcasts.models import Broadcast
from marketing.campaigns.models import CampaignText
from marketing.segments.services import segment_save

_names = itertools.count(1)


def city_segment(city: str = "Казань"):
    return segment_save(name=f"Из города {city} {next(_names)}",
                        conditions={"match": "all", "conditions": [{"field": "city", "values": [city]}]})


def customers(count: int, *, city: str = "Казань", consent: bool = True, timezone: str = "", prefix: str = "c"):
    """`count` shoppers of `city` (with marketing e-mail consent unless told otherwise), in bulk."""
    start = next(_names) * 100_000
    people = User.objects.bulk_create([
        User(email=f"{prefix}{start + n}@example.com", city=city, timezone=timezone, password="!")
        for n in range(count)
    ])
    if consent:
        for user in people:
            consent_record(kind=Consent.Kind.MARKETING_EMAIL, granted=True, wording_version="test",
                           source=Consent.Source.CHECKOUT, user=user, email=user.email)
    return people


def broadcast_draft(segment, *, timing=Broadcast.Timing.NOW, starts_at=None, **fields) -> Broadcast:
    broadcast = Broadcast.objects.create(name=f"Распродажа {next(_names)}", segment=segment, timing=timing,
                                         starts_at=starts_at, **fields)
    CampaignText.objects.create(campaign=broadcast, step=1, language="ru", subject="Распродажа до −50%",
                                body="Здравствуйте!\n\nДо воскресенья всё со скидкой.", sms_body="Распродажа до −50%")
    CampaignText.objects.create(campaign=broadcast, step=1, language="en", subject="Sale: up to 50% off",
                                body="Hello!\n\nEverything is on sale until Sunday.")
    return broadcast


def ab_variants(broadcast, *, test_percent=20, wait_hours=2, metric=ABTest.Metric.CLICKS) -> ABTest:
    ABVariant.objects.create(campaign=broadcast, position=1)
    ABVariant.objects.create(campaign=broadcast, position=2, subject="Только три дня: −50%", button="Выбрать")
    return ABTest.objects.create(campaign=broadcast, test_percent=test_percent, wait_hours=wait_hours, metric=metric)
