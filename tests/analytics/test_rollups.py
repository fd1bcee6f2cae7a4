"""The daily rollups: filled once per day that ended, again only when a day changed, and never
counted twice, however often or however badly a fill runs."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from analytics.models import ChannelDay, ProductCost, RollupChange, RollupDay
from analytics.periods import shop_today
from analytics.reports import reading
from analytics.rollups import rollup_day_fill, rollup_days_due, rollups_refresh
from customers.roles import MANAGER
from orders.models import Order, OrderLine
from orders.services import order_claim, order_transition
from tests.analytics.conftest import at, figures, make_order, make_visit
from tests.factories import ProductFactory, staff_user

pytestmark = pytest.mark.django_db


def test_refresh_fills_every_day_since_the_first_visit_up_to_yesterday(day):
    make_visit(at(day, 12))

    filled = rollups_refresh()

    assert filled == [day + timedelta(days=n) for n in range(10)]
    assert not RollupDay.objects.exclude(state=RollupDay.State.DONE).exists()


def test_a_second_refresh_has_nothing_to_do(day):
    make_visit(at(day, 12))
    rollups_refresh()

    assert rollups_refresh() == []


def test_filling_a_day_twice_counts_nothing_twice(day):
    make_order(at(day, 10), visit=make_visit(at(day, 9)))
    rollup_day_fill(day=day)

    rollup_day_fill(day=day)

    assert (figures(day).visits, figures(day).orders) == (1, 1)
    assert ChannelDay.objects.filter(day=day).count() == 2  # one row per attribution model


def test_a_fill_that_died_after_starting_is_redone_by_the_next_refresh(day):
    make_visit(at(day, 12))
    rollups_refresh()
    RollupDay.objects.filter(day=day).update(state=RollupDay.State.STARTED)

    assert rollups_refresh() == [day]
    assert RollupDay.objects.get(day=day).state == RollupDay.State.DONE


def test_cancelling_an_order_after_its_day_makes_only_that_day_due_and_the_report_shows_it(day):
    manager = staff_user(MANAGER)
    order = make_order(at(day, 10), total="1500.00")
    rollups_refresh()

    order_transition(order=order_claim(order=order, manager=manager), to_status=Order.Status.CANCELLED, by=manager)

    assert rollup_days_due() == [day]
    assert (figures(day).cancelled, figures(day).revenue) == (1, Decimal("0.00"))  # live until refilled
    assert rollups_refresh() == [day]
    assert (figures(day).cancelled, figures(day).revenue) == (1, Decimal("0.00"))


def test_a_change_noted_while_a_day_is_filled_keeps_the_day_due(day, monkeypatch):
    make_visit(at(day, 12))
    from analytics import rollups

    compute = rollups.category_days_compute

    def compute_while_an_order_changes(filled_day):
        rows = compute(filled_day)
        RollupChange.objects.create(day=filled_day)  # committed after the fill read the notes
        return rows

    monkeypatch.setitem(rollups.DAY_PARTS, "categories", (("categories",), compute_while_an_order_changes))
    rollup_day_fill(day=day)

    assert day in rollup_days_due()


def test_changes_today_need_no_refill(db):
    order = make_order(at(shop_today(), 0, 5))

    order.comment = "позвонить после 18:00"
    order.save()

    assert not RollupChange.objects.exists()


def test_setting_a_cost_of_goods_makes_the_days_it_sold_on_due(day):
    product = ProductFactory()
    order = make_order(at(day, 10))
    OrderLine.objects.create(order=order, product=product, product_name="x", sku="x", unit_price=Decimal("1000"),
                             quantity=1, line_total=Decimal("1000"))
    make_order(at(day - timedelta(days=1), 10))
    rollups_refresh()

    ProductCost.objects.create(product=product, unit_cost=Decimal("600"))

    assert rollup_days_due() == [day]
    rollups_refresh()
    assert figures(day).margin == Decimal("700.00")  # 1 300 paid − 600


def test_today_is_computed_live_and_merged_with_the_stored_days(day):
    make_order(at(day, 10))
    rollups_refresh()
    make_order(at(shop_today(), 0, 1))

    from analytics.periods import Period

    assert figures(Period(day, shop_today())).orders == 2


def test_the_rebuild_command_recomputes_every_day_with_a_progress_bar(day, capsys):
    make_visit(at(day, 12))
    out = StringIO()

    call_command("analytics_rebuild", stdout=out)

    assert "10 days recomputed" in out.getvalue()
    assert "10/10" in capsys.readouterr().err
    assert RollupDay.objects.filter(state=RollupDay.State.DONE).count() == 10


def test_todays_live_figures_are_kept_for_a_minute(settings):
    settings.ANALYTICS_TODAY_SECONDS = 60
    make_order(at(shop_today(), 0, 1))
    assert figures(shop_today()).orders == 1

    make_order(at(shop_today(), 0, 2))

    assert figures(shop_today()).orders == 1  # the minute-old figure
    from django.core.cache import cache

    cache.clear()
    assert figures(shop_today()).orders == 2


def test_todays_figures_cached_by_a_release_keeping_other_fields_are_not_read(settings, monkeypatch):
    settings.ANALYTICS_TODAY_SECONDS = 60
    make_order(at(shop_today(), 0, 1))
    assert figures(shop_today()).orders == 1
    make_order(at(shop_today(), 0, 2))

    monkeypatch.setattr(reading, "ROWS_SHAPE", "another")

    assert figures(shop_today()).orders == 2


def test_days_before_the_first_visit_or_order_are_not_computed(day, django_assert_max_num_queries):
    make_order(at(day, 10))
    from analytics.periods import Period

    with django_assert_max_num_queries(40):
        assert figures(Period(day - timedelta(days=300), day - timedelta(days=1))).orders == 0
