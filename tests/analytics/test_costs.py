"""Marketing costs: entered in the admin, imported from CSV with a report per wrong row, uploaded
through the API; all or nothing, and the same file twice changes nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from analytics.models import MarketingCost
from customers.roles import MANAGER, MARKETER
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:analytics_marketingcost_import")
API = "/api/v1/analytics/marketing-costs/"

GOOD_CSV = (
    "day;channel;utm_source;utm_campaign;amount\n"
    "2026-11-01;paid_search;yandex;winter;1 234,50\n"
    "02.11.2026;Social;vk;;800\n"
)


def upload(text: str, encoding="utf-8"):
    return SimpleUploadedFile("costs.csv", text.encode(encoding), content_type="text/csv")


def test_a_marketer_imports_a_semicolon_csv_from_a_russian_spreadsheet(client):
    client.force_login(staff_user(MARKETER))

    response = client.post(IMPORT, {"file": upload(GOOD_CSV, "cp1251")})

    assert response.status_code == 302
    assert set(MarketingCost.objects.values_list("day", "channel", "utm_source", "utm_campaign", "amount")) == {
        (date(2026, 11, 1), "paid_search", "yandex", "winter", Decimal("1234.50")),
        (date(2026, 11, 2), "social", "vk", "", Decimal("800.00")),
    }


def test_importing_the_same_file_again_replaces_the_amounts_instead_of_adding(client):
    client.force_login(staff_user(MARKETER))
    client.post(IMPORT, {"file": upload(GOOD_CSV)})

    client.post(IMPORT, {"file": upload(GOOD_CSV.replace("800", "900"))})

    assert MarketingCost.objects.count() == 2
    assert MarketingCost.objects.get(channel="social").amount == Decimal("900.00")


def test_a_file_with_wrong_rows_saves_nothing_and_names_each_wrong_line(client):
    client.force_login(staff_user(MARKETER))
    text = GOOD_CSV + "2026-13-01;paid_search;;;100\n2026-11-03;television;;;100\n2026-11-04;email;;;-5\n"

    response = client.post(IMPORT, {"file": upload(text)})

    page = response.content.decode()
    assert response.status_code == 400
    assert not MarketingCost.objects.exists()
    for line in ("<td>4</td>", "<td>5</td>", "<td>6</td>"):
        assert line in page
    assert "<td>2</td>" not in page


def test_a_file_without_the_header_row_is_refused_with_a_reason(client):
    client.force_login(staff_user(MARKETER))

    response = client.post(IMPORT, {"file": upload("2026-11-01,paid_search,,,100\n")})

    assert response.status_code == 400
    assert "missing" in response.content.decode()


def test_a_manager_may_not_import_costs(client):
    client.force_login(staff_user(MANAGER))

    assert client.get(IMPORT).status_code == 403


def test_a_script_uploads_costs_as_json():
    api = APIClient()
    api.force_authenticate(staff_user(MARKETER))

    response = api.post(API, {"rows": [{"day": "2026-11-05", "channel": "email", "amount": "150.00"}]},
                        format="json")

    assert response.status_code == 200
    assert response.json() == {"saved": 1}
    assert MarketingCost.objects.get().amount == Decimal("150.00")


def test_a_script_gets_each_wrong_row_back_and_nothing_is_saved():
    api = APIClient()
    api.force_authenticate(staff_user(MARKETER))

    response = api.post(API, {"rows": [{"day": "2026-11-05", "channel": "email", "amount": "150"},
                                       {"day": "yesterday", "channel": "email", "amount": "abc"}]}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"2"}
    assert not MarketingCost.objects.exists()


def test_a_script_uploads_a_csv_file():
    api = APIClient()
    api.force_authenticate(staff_user(MARKETER))

    response = api.post(API, {"file": upload(GOOD_CSV)}, format="multipart")

    assert response.json() == {"saved": 2}


def test_a_manager_script_is_refused():
    api = APIClient()
    api.force_authenticate(staff_user(MANAGER))

    response = api.post(API, {"rows": []}, format="json")

    assert response.status_code == 403
