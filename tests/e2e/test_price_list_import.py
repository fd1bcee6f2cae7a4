"""The owner uploads a supplier's price list in the admin, watches the job's progress bar follow
the worker, reads what the dry run would change and applies it. Real Chromium, live server; the
worker is this test, which runs the job while the page polls (static/js/integrations.js)."""

from decimal import Decimal

import pytest

from catalog.models import Product
from config.celery import app as celery_app
from customers.roles import OWNER, roles_sync
from integrations.models import PriceListImport, Supplier
from integrations.pricelists.services import pricelist_import_run
from tests.e2e.conftest import WIDTHS
from tests.factories import ProductFactory, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner(settings, tmp_path):
    settings.PRICELISTS_DIR = tmp_path / "pricelists"
    roles_sync()
    return staff_user(OWNER)


@pytest.fixture
def no_worker():
    """Jobs wait for a worker, as in a shop, until the test plays the worker."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = before


@pytest.mark.parametrize("screen", list(WIDTHS))
def test_the_owner_reads_a_dry_run_then_applies_the_price_list(owner, signed_in_page, no_worker, tmp_path, screen):
    from playwright.sync_api import expect

    ProductFactory(sku="KT-1", price=Decimal("1000.00"), stock=2)
    Supplier.objects.create(name="Посуда-Опт", sku_column="Артикул", price_column="Цена", stock_column="Остаток",
                            markup_percent=Decimal("30"), rounding=Supplier.Rounding.NINES)
    price_list = tmp_path / "list.csv"
    price_list.write_text("Артикул;Цена;Остаток\nKT-1;1000,00;7\nKT-2;дорого;1\n", encoding="cp1251")
    page = signed_in_page(owner)
    page.set_viewport_size(WIDTHS[screen])

    page.goto("/admin/integrations/pricelistimport/add/")
    page.get_by_label("supplier").select_option(label="Посуда-Опт")
    page.set_input_files("input[name=file]", str(price_list))
    page.get_by_role("button", name="Upload and read").click()
    expect(page.locator("#pricelist-progress")).to_be_visible()

    pricelist_import_run(import_id=PriceListImport.objects.get().pk)

    expect(page.locator("body")).to_contain_text("New: 0 · changed: 1 · unchanged: 0 · errors: 1")
    expect(page.locator("body")).to_contain_text("price: 1000.00 → 1309.00; stock: 2 → 7")
    expect(page.locator("body")).to_contain_text("The price “дорого” is not a number.")
    assert Product.objects.get(sku="KT-1").price == Decimal("1000.00")

    page.get_by_role("button", name="Apply this price list").click()
    expect(page.locator("#pricelist-progress")).to_be_visible()
    pricelist_import_run(import_id=PriceListImport.objects.get(dry_run=False).pk)

    expect(page.locator("body")).to_contain_text("What this price list changed")
    assert Product.objects.filter(sku="KT-1").values_list("price", "stock").get() == (Decimal("1309.00"), 7)
