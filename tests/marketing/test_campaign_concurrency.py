"""Two beat runs at once, on PostgreSQL with real threads, each with its own connection."""

import threading

import pytest
from django.db import connection

from marketing.campaigns.models import CampaignEntry, CampaignMessage
from marketing.campaigns.services import campaign_entries_dispatch, campaigns_scan
from tests.marketing.campaigning import abandoned_cart_campaign, cart_left, consent_given

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _twice_at_once(work) -> None:
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            work()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_two_scans_at_once_open_one_entry_per_cart():
    abandoned_cart_campaign()
    carts = [cart_left(email=f"shopper{n}@example.com") for n in range(30)]

    _twice_at_once(campaigns_scan)

    assert CampaignEntry.objects.count() == len(carts)


def test_two_workers_at_once_respect_the_daily_cap_of_one_message():
    abandoned_cart_campaign()
    consent_given("anna@example.com")
    for _ in range(6):
        cart_left(email="anna@example.com")
    campaigns_scan()

    _twice_at_once(lambda: campaign_entries_dispatch(batch_size=3))

    assert CampaignMessage.objects.filter(person="anna@example.com").count() == 1
