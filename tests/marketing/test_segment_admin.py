"""The marketer's segment pages: the editor's live count, saving, the members' list and export."""

import csv
import io
import json
import threading
import time

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.urls import reverse

from customers.models import Consent
from customers.roles import MARKETER, roles_sync
from customers.services import consent_record
from marketing.segments import selectors
from marketing.segments.models import Segment
from marketing.segments.services import segment_save
from tests.factories import ProductFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db

MOSCOW = {"match": "all", "conditions": [{"field": "city", "values": ["Москва"]}]}


@pytest.fixture
def marketer(client):
    user = staff_user(MARKETER)
    client.force_login(user)
    return user


def count(client, conditions, channel="email", segment=None):
    return client.post(reverse("admin:marketing_segment_count"), json.dumps(
        {"conditions": conditions, "channel": channel, "segment": segment}), content_type="application/json")


def test_the_live_count_gives_the_segment_and_its_reachable_part(client, marketer):
    anna = UserFactory(city="Москва")
    UserFactory(city="Москва")
    UserFactory(city="Казань")
    consent_record(kind=Consent.Kind.MARKETING_EMAIL, granted=True, wording_version="t", source="admin", user=anna)

    response = count(client, MOSCOW)

    assert response.status_code == 200
    assert response.json() == {"members": 2, "reachable": 1}
    assert count(client, MOSCOW, channel="sms").json() == {"members": 2, "reachable": 0}


def test_the_live_count_of_invalid_conditions_is_a_422_that_says_what_to_fix(client, marketer):
    response = count(client, {"match": "all", "conditions": [{"field": "age", "min": 50, "max": 20}]})

    assert response.status_code == 422
    assert response.json() == {"errors": ["Condition 1 (Age): “from” is greater than “to”."]}


def test_the_live_count_refuses_a_segment_that_would_include_itself(client, marketer):
    segment = segment_save(name="Loop", conditions=MOSCOW)

    response = count(client, {"match": "all", "conditions": [{"field": "segment", "segment": segment.pk}]},
                     segment=segment.pk)

    assert response.status_code == 422
    assert "cannot include itself" in response.json()["errors"][0]


@pytest.mark.parametrize("body", ["not json", json.dumps({"channel": "email"}), json.dumps(
    {"conditions": MOSCOW, "channel": "pigeon"}), json.dumps({"conditions": MOSCOW, "channel": "email",
                                                              "segment": "1"})])
def test_the_live_count_answers_400_to_a_request_that_is_not_the_editors(client, marketer, body):
    response = client.post(reverse("admin:marketing_segment_count"), body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"]


def test_the_live_count_is_for_staff_with_the_segment_permission_only(client):
    client.force_login(UserFactory(is_staff=True))

    assert count(client, MOSCOW).status_code == 403


def test_the_marketer_saves_a_segment_from_the_editor_form(client, marketer):
    response = client.post(reverse("admin:marketing_segment_add"), {
        "name": "Moscow", "description": "", "conditions": json.dumps(MOSCOW)})

    assert response.status_code == 302
    segment = Segment.objects.get()
    assert (segment.conditions, segment.created_by) == (MOSCOW, marketer)


def test_the_editor_form_shows_the_error_of_a_wrong_condition_and_saves_nothing(client, marketer):
    response = client.post(reverse("admin:marketing_segment_add"), {
        "name": "Bad", "description": "", "conditions": json.dumps(
            {"match": "all", "conditions": [{"field": "city"}]})})

    assert response.status_code == 200
    assert "Condition 1 (City): fill in cities." in response.content.decode()
    assert not Segment.objects.exists()


def test_the_editor_page_embeds_the_conditions_and_loads_its_script(client, marketer):
    response = client.get(reverse("admin:marketing_segment_add"))

    page = response.content.decode()
    assert 'id="segment-editor-data"' in page and "js/segment_editor.js" in page
    assert "Points balance" in page


def test_a_segment_used_by_another_cannot_be_deleted_from_the_admin(client, marketer):
    moscow = segment_save(name="Moscow", conditions=MOSCOW)
    segment_save(name="Not Moscow", conditions={"match": "all", "conditions": [
        {"field": "segment", "segment": moscow.pk, "included": False}]})

    client.post(reverse("admin:marketing_segment_delete", args=[moscow.pk]), {"post": "yes"})

    assert Segment.objects.filter(pk=moscow.pk).exists()


def test_the_members_list_shows_who_is_in_the_segment(client, marketer):
    UserFactory(email="anna@example.com", city="Москва")
    UserFactory(email="vera@example.com", city="Казань")
    segment = segment_save(name="Moscow", conditions=MOSCOW)

    page = client.get(reverse("admin:marketing_segment_members", args=[segment.pk])).content.decode()

    assert "anna@example.com" in page and "vera@example.com" not in page


def test_the_csv_export_streams_the_members_and_is_recorded(client, marketer):
    anna = UserFactory(email="anna@example.com", first_name="=HYPERLINK(1)", last_name="", city="Москва",
                       phone="+79161234567")
    consent_record(kind=Consent.Kind.MARKETING_EMAIL, granted=True, wording_version="t", source="admin", user=anna)
    UserFactory(email="vera@example.com", city="Казань")
    segment = segment_save(name="Moscow", conditions=MOSCOW)

    response = client.get(reverse("admin:marketing_segment_members_csv", args=[segment.pk]))

    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["id", "name", "e-mail", "phone", "city", "language", "registered", "e-mail marketing",
                       "SMS marketing"]
    assert [row[1:5] + row[7:] for row in rows[1:]] == [
        ["'=HYPERLINK(1)", "anna@example.com", "+79161234567", "Москва", "yes", "no"]]
    assert LogEntry.objects.get(object_id=str(segment.pk)).change_message == "Exported the members as CSV."


def test_a_role_that_may_not_see_customers_gets_no_members_list_nor_export(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_segment"))
    client.force_login(user)
    segment = segment_save(name="Moscow", conditions=MOSCOW)

    assert client.get(reverse("admin:marketing_segment_members", args=[segment.pk])).status_code == 403
    assert client.get(reverse("admin:marketing_segment_members_csv", args=[segment.pk])).status_code == 403
    assert count(client, MOSCOW).status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_count_that_runs_too_long_is_stopped_and_answered_503(client, monkeypatch):
    roles_sync()
    client.force_login(staff_user(MARKETER))
    monkeypatch.setattr(selectors, "LIVE_COUNT_SECONDS", 1)
    locked, release = threading.Event(), threading.Event()

    def hold_the_consents():
        # Another transaction keeps the consents (which the reachable count reads) locked.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("LOCK TABLE customers_consent IN ACCESS EXCLUSIVE MODE")
            locked.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=hold_the_consents)
    holder.start()
    try:
        locked.wait(5)
        started = time.monotonic()
        response = count(client, MOSCOW)
        waited = time.monotonic() - started
    finally:
        release.set()
        holder.join()

    assert response.status_code == 503
    assert "took longer than 1 s" in response.json()["errors"][0]
    assert waited < 5


def test_the_editor_finds_products_by_name_or_sku(client, marketer):
    kettle = ProductFactory(name="Чайник электрический", sku="KT-1")
    ProductFactory(name="Утюг", sku="IR-1")

    by_name = client.get(reverse("admin:marketing_segment_products"), {"q": "чайник"}).json()
    by_sku = client.get(reverse("admin:marketing_segment_products"), {"q": "kt-1"}).json()

    assert by_name == by_sku == {"results": [[kettle.pk, "Чайник электрический · KT-1"]]}
    assert client.get(reverse("admin:marketing_segment_products")).json() == {"results": []}
