"""The marketer builds a two-condition segment in the admin editor, on a phone and on a desktop
screen, and watches its live size (and the reachable part) follow each change."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.test import Client

from customers.models import Consent
from customers.roles import MARKETER, roles_sync
from customers.services import consent_record
from marketing.segments.models import Segment
from tests.e2e.conftest import WIDTHS, screenshot
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=list(WIDTHS))
def marketer_page(request, browser, live_server):
    roles_sync()
    marketer = UserFactory(email="marketer@example.com", is_staff=True)
    marketer.groups.add(Group.objects.get(name=MARKETER))
    client = Client()
    client.force_login(marketer)
    context = browser.new_context(locale="en-US", base_url=live_server.url, viewport=WIDTHS[request.param])
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value}])
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.screen = request.param
    page.script_errors = []
    page.on("pageerror", lambda error: page.script_errors.append(str(error)))
    yield page
    context.close()


def _counts(page) -> tuple[str, str]:
    box = page.locator(".segment-count")
    return box.get_attribute("data-members"), box.get_attribute("data-reachable")


def _wait_for(page, members: int, reachable: int) -> None:
    page.wait_for_function(
        "([m, r]) => { const b = document.querySelector('.segment-count'); return b.dataset.members === m"
        " && b.dataset.reachable === r && !b.classList.contains('segment-count-stale'); }",
        arg=[str(members), str(reachable)])


def test_marketer_builds_a_two_condition_segment_and_sees_its_count_change(marketer_page):
    page = marketer_page
    for n, (gender, city, consents) in enumerate([
        ("female", "Москва", True), ("female", "Москва", False), ("male", "Москва", True),
        ("female", "Казань", True), ("male", "Казань", False),
    ]):
        customer = UserFactory(email=f"c{n}@example.com", gender=gender, city=city)
        if consents:
            consent_record(kind=Consent.Kind.MARKETING_EMAIL, granted=True, wording_version="t", source="admin",
                           user=customer)

    page.goto("/admin/marketing/segment/add/")
    _wait_for(page, 5, 3)
    assert "Customers: 5" in page.locator(".segment-count").inner_text()

    page.get_by_role("button", name="Add a condition").click()
    page.locator(".segment-condition").first.get_by_label("Female").check()
    _wait_for(page, 3, 2)

    page.get_by_role("button", name="Add a condition").click()
    second = page.locator(".segment-condition").nth(1)
    second.get_by_label("Condition").select_option("city")
    second.get_by_label("cities").fill("Москва")
    _wait_for(page, 2, 1)
    screenshot(page, "segment-editor")

    page.get_by_label("How the conditions combine").select_option("any")
    _wait_for(page, 4, 3)
    page.get_by_label("How the conditions combine").select_option("all")
    _wait_for(page, 2, 1)

    page.get_by_label("Name").fill("Women in Moscow")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/marketing/segment/")
    segment = Segment.objects.get(name="Women in Moscow")
    assert segment.conditions == {"match": "all", "conditions": [
        {"field": "gender", "values": ["female"]}, {"field": "city", "values": ["Москва"]}]}
    assert page.script_errors == []
