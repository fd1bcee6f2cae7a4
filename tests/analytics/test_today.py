"""Today's figures, computed live: only the parts a report reads, shared for a minute, and
computed anyway when the cache cannot be reached."""

import pytest
from django.db import connection

from analytics import rollups
from analytics.periods import Period, shop_today
from analytics.reports import reading
from analytics.reports.reading import FiguresReader, today_parts_warm
from analytics.tasks import today_parts_warm_task
from config.celery import app
from tests.analytics.conftest import at, figures, make_order
from tests.core.test_cache_outage import redis_down  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def parts_computed(monkeypatch, settings):
    settings.ANALYTICS_TODAY_SECONDS = 60
    computed = []

    def counting(day, part):
        computed.append(part)
        return rollups.day_part_compute(day, part)

    monkeypatch.setattr(reading, "day_part_compute", counting)
    return computed


def test_a_report_on_today_computes_only_the_parts_it_reads(parts_computed):
    make_order(at(shop_today(), 0, 1))
    reader, today = FiguresReader(attribution="last_non_direct"), Period(shop_today(), shop_today())

    assert reader.total(today).orders == 1
    assert parts_computed == ["channels"]
    reader.categories(today)
    reader.landings(today)  # computed with the channels
    assert parts_computed == ["channels", "categories"]


def test_another_report_in_the_same_minute_reuses_todays_parts(parts_computed):
    make_order(at(shop_today(), 0, 1))

    for _ in range(3):
        assert figures(shop_today()).orders == 1

    assert parts_computed == ["channels"]


def test_with_redis_down_todays_figures_are_computed_on_every_read(redis_down, parts_computed):  # noqa: F811
    make_order(at(shop_today(), 0, 1))
    assert figures(shop_today()).orders == 1

    make_order(at(shop_today(), 0, 2))

    assert figures(shop_today()).orders == 2
    assert parts_computed == ["channels", "channels"]


def test_the_beat_computes_todays_dashboard_parts_so_the_owner_does_not(parts_computed):
    make_order(at(shop_today(), 0, 1))
    today_parts_warm()
    warmed = list(parts_computed)

    make_order(at(shop_today(), 0, 2))  # placed after the beat's run: seen at its next one
    reader, today = FiguresReader(attribution="last_non_direct"), Period(shop_today(), shop_today())

    assert reader.total(today).orders == 1
    reader.categories(today)
    reader.managers(today)
    assert parts_computed == warmed == ["channels", "categories", "managers"]
    today_parts_warm()
    assert figures(shop_today()).orders == 2


def test_without_a_minute_to_share_today_the_beat_computes_nothing(parts_computed, settings):
    settings.ANALYTICS_TODAY_SECONDS = 0

    today_parts_warm()

    assert parts_computed == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="JIT is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_day_is_read_without_jit_and_the_connection_keeps_its_own_setting(monkeypatch):
    seen = []

    def show_jit(day):
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            seen.append(cursor.fetchone()[0])
        return []

    monkeypatch.setitem(rollups.DAY_PARTS, "campaigns", (("campaigns",), show_jit))
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        before = cursor.fetchone()[0]

    rollups.day_part_compute(shop_today(), "campaigns")
    show_jit(None)

    assert seen == ["off", before]


def test_the_beat_warms_todays_dashboard_every_minute():
    [entry] = [e for e in app.conf.beat_schedule.values() if e["task"] == today_parts_warm_task.name]

    assert entry["schedule"] == 60.0
