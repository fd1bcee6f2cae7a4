"""The marketer's broadcast journey in a real browser, on a desktop and on a phone: write an A/B
broadcast to a segment, schedule it, and read its progress as the first wave goes out."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from customers.roles import MARKETER, roles_sync
from marketing.abtests.services import ab_group
from marketing.broadcasts.models import Broadcast
from marketing.broadcasts.services import broadcasts_advance
from tests.e2e.conftest import SCREENSHOTS, WIDTHS
from tests.factories import UserFactory
from tests.marketing.broadcasting import city_segment, customers

# PostgreSQL only: on SQLite the live server shares the tests' in-memory database, whose shared
# cache locks whole tables, so the progress poll fails while the batch writes ("database table is
# locked"); a file database as `make run` uses waits for its lock instead.
pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("screen", list(WIDTHS))
def test_marketer_schedules_an_ab_broadcast_to_a_segment_and_reads_its_progress(signed_in_page, screen):
    roles_sync()
    marketer = UserFactory(email="marketer@example.com", is_staff=True)
    marketer.groups.add(Group.objects.get(name=MARKETER))
    segment = city_segment("Казань")
    people = customers(12, city="Казань")
    customers(3, city="Самара")

    page = signed_in_page(marketer)
    page.set_viewport_size(WIDTHS[screen])
    page.goto("/admin/marketing/broadcast/add/")
    page.fill("#id_name", "Зимняя распродажа")
    page.select_option("#id_segment", str(segment.pk))
    page.select_option("#id_timing", "now")
    page.select_option("#id_texts-0-language", "en")
    page.fill("#id_texts-0-subject", "Winter sale")
    page.fill("#id_texts-0-body", "Hello!\n\nEverything is 30% off this week.")
    page.get_by_text("Add another A/B test").click()
    page.fill("#id_ab_test-0-test_percent", "50")
    page.select_option("#id_ab_test-0-metric", "clicks")
    page.fill("#id_ab_test-0-wait_hours", "2")
    for position, subject in ((1, ""), (2, "Only this week: 30% off")):
        page.get_by_text("Add another A/B variant").click()
        page.fill(f"#id_variants-{position - 1}-position", str(position))
        page.fill(f"#id_variants-{position - 1}-subject", subject)
    page.locator('input[name="_continue"]').click()
    page.get_by_text("12 in the segment, 12 of them accept marketing").wait_for()  # the saved page

    page.get_by_role("button", name="Schedule").click()
    broadcast = Broadcast.objects.get(name="Зимняя распродажа")
    assert broadcast.status == Broadcast.Status.SCHEDULED
    assert page.locator(".broadcast-pause").count() == 0

    # Beat: the recipients are queued, and the test's half of them gets the two variants.
    broadcasts_advance()
    tested = [user for user in people if ab_group(campaign_id=broadcast.pk, person=f"user:{user.pk}",
                                                  test_percent=50, variants=2) is not None]
    assert sorted(email.to[0] for email in mail.outbox) == sorted(user.email for user in tested)

    # The progress bar, polled by the page's script, shows the first wave sent and the rest queued.
    sent = page.locator('.broadcast-progress [data-count="sent"]')
    sent.filter(has_text=str(len(tested))).wait_for()
    assert page.locator('.broadcast-progress [data-count="queued"]').inner_text() == str(12 - len(tested))
    assert page.locator('.broadcast-progress [data-count="recipients"]').inner_text() == "12"
    # A reload (the status changed) shows the server's counts before the script draws the bar.
    page.wait_for_function("() => document.querySelector('.broadcast-bar-sent').style.width !== ''")
    width = page.locator(".broadcast-bar-sent").evaluate("bar => bar.style.width")
    assert float(width.rstrip("%")) == pytest.approx(100 * len(tested) / 12, abs=0.01)
    assert page.get_by_role("button", name="Pause").is_visible()
    assert "The winner is chosen at" in page.inner_text("body")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"broadcast-progress-{screen}.png", full_page=True)
