from decimal import Decimal

import pytest
from django.core.files import File
from django.core.management import call_command

from catalog.models import Product, ProductVariant
from integrations.models import PriceChange, PriceListImport, Supplier
from integrations.pricelists import services
from integrations.pricelists.services import pricelist_import_run, pricelist_import_start
from tests.factories import BrandFactory, CategoryFactory, ProductFactory, ProductVariantFactory
from tests.integrations.pricelists import csv_file, xlsx_file

pytestmark = pytest.mark.django_db
HEADER = ["SKU", "Name", "Price", "Stock", "Category", "Brand"]


@pytest.fixture
def kettles(db):
    return CategoryFactory(name="Чайники", slug="kettles")


@pytest.fixture
def supplier(db):
    return Supplier.objects.create(name="Оптовик", name_column="Name", category_column="Category",
                                   brand_column="Brand")


def run(supplier, path, *, dry_run=False) -> PriceListImport:
    with path.open("rb") as stream:
        job = pricelist_import_start(supplier=supplier, file=File(stream, name=path.name), dry_run=dry_run)
    return pricelist_import_run(import_id=job.pk)


@pytest.fixture
def catalog_and_list(tmp_path, kettles):
    """Three products the shop has and a list that changes one, keeps one, adds one and has a bad row."""
    ProductFactory(sku="A-1", name="Чайник", price=Decimal("1000.00"), stock=5, category=kettles)
    ProductFactory(sku="A-2", name="Тостер", price=Decimal("2000.00"), stock=1, category=kettles)
    path = csv_file(tmp_path / "list.csv", [
        HEADER,
        ["A-1", "", "1200", "5", "", ""],
        ["A-2", "", "2000.00", "1", "", ""],
        ["N-1", "Кофемолка", "3 500,50", "7", "kettles", "Bork"],
        ["A-3", "", "дорого", "1", "", ""],
    ])
    return path


def test_dry_run_shows_new_changed_unchanged_and_errors_and_writes_nothing(supplier, catalog_and_list):
    job = run(supplier, catalog_and_list, dry_run=True)

    assert job.status == PriceListImport.Status.DONE
    assert (job.new_count, job.changed_count, job.unchanged_count, job.error_count) == (1, 1, 1, 1)
    assert {entry["sku"]: entry["kind"] for entry in job.preview} == {"A-1": "changed", "N-1": "new"}
    assert Product.objects.get(sku="A-1").price == Decimal("1000.00")
    assert not Product.objects.filter(sku="N-1").exists()
    assert not PriceChange.objects.exists()


def test_real_run_writes_what_the_dry_run_showed(supplier, catalog_and_list):
    run(supplier, catalog_and_list, dry_run=True)
    job = run(supplier, catalog_and_list)

    assert (job.new_count, job.changed_count, job.unchanged_count, job.error_count) == (1, 1, 1, 1)
    assert Product.objects.get(sku="A-1").price == Decimal("1200.00")
    new = Product.objects.get(sku="N-1")
    assert (new.name, new.price, new.stock, new.category.slug, new.brand.name) == (
        "Кофемолка", Decimal("3500.50"), 7, "kettles", "Bork")
    assert new.is_in_stock


def test_bad_rows_are_reported_with_line_and_reason_and_never_stop_the_rest(supplier, tmp_path, kettles):
    ProductFactory(sku="A-1", price=Decimal("10"))
    path = csv_file(tmp_path / "list.csv", [
        HEADER,
        ["", "Без артикула", "10", "1", "", ""],
        ["A-1", "", "-5", "1", "", ""],
        ["A-2", "", "10", "1,5", "", ""],
        ["N-1", "Новый", "10", "1", "Нет такой", ""],
        ["N-2", "", "10", "1", "kettles", ""],
        ["A-1", "", "20", "3", "", ""],
        ["A-1", "", "30", "3", "", ""],
    ])

    job = run(supplier, path)

    assert [(e.line, e.sku, e.reason) for e in job.row_errors.all()] == [
        (2, "", "No SKU."),
        (3, "A-1", "The price is below zero."),
        (4, "A-2", "The stock must be a whole number, zero or more."),
        (5, "N-1", "No category “Нет такой”."),
        (6, "N-2", "A new product needs a name, a price and a category."),
        (8, "A-1", "The SKU is on line 7 already."),
    ]
    assert Product.objects.get(sku="A-1").price == Decimal("20.00")


def test_each_supplier_reads_its_own_columns_and_price_rule(tmp_path):
    ProductFactory(sku="K-1", price=Decimal("1"), stock=0)
    ProductFactory(sku="K-2", price=Decimal("1"), stock=0)
    wholesale = Supplier.objects.create(name="Опт", sku_column="Артикул", price_column="Цена закупки",
                                        stock_column="Остаток", markup_percent=Decimal("30"),
                                        rounding=Supplier.Rounding.TENS)
    factory = Supplier.objects.create(name="Завод", sku_column="code", price_column="cost", stock_column="",
                                      markup_percent=Decimal("10"), rounding=Supplier.Rounding.NINES)
    russian_excel = csv_file(tmp_path / "opt.csv", [["Артикул", "Наименование", "Цена закупки", "Остаток"],
                                                    ["K-1", "Чайник", "1 000,00", "12"]],
                             delimiter=";", encoding="cp1251")
    factory_list = csv_file(tmp_path / "factory.csv", [["code", "cost", "qty"], ["K-2", "1000", "99"]])

    run(wholesale, russian_excel)
    run(factory, factory_list)

    assert Product.objects.filter(sku="K-1").values_list("price", "stock").get() == (Decimal("1300.00"), 12)
    # 1,100 rounded up to a price ending in 9; the factory's list has no mapped stock column.
    assert Product.objects.filter(sku="K-2").values_list("price", "stock").get() == (Decimal("1109.00"), 0)


def test_an_xlsx_price_list_is_read_with_numbers_as_exact_prices(supplier, tmp_path):
    ProductFactory(sku="A-1", price=Decimal("1"))
    ProductFactory(sku="1002", price=Decimal("1"))
    path = xlsx_file(tmp_path / "list.xlsx", [HEADER, ["A-1", None, 1999.99, 3, None, None],
                                               [1002, None, 0.1, 4.0, None, None]])

    job = run(supplier, path)

    assert job.changed_count == 2
    assert Product.objects.get(sku="A-1").price == Decimal("1999.99")
    assert Product.objects.filter(sku="1002").values_list("price", "stock").get() == (Decimal("0.10"), 4)


def test_a_changed_price_is_logged_with_old_new_and_source(supplier, tmp_path):
    product = ProductFactory(sku="A-1", price=Decimal("1000"))
    job = run(supplier, csv_file(tmp_path / "list.csv", [HEADER, ["A-1", "", "1100", "", "", ""]]))

    change = PriceChange.objects.get()
    assert (change.product, change.sku, change.old_price, change.new_price) == (
        product, "A-1", Decimal("1000.00"), Decimal("1100.00"))
    assert change.source == "Price list of Оптовик" and change.price_list_import == job and change.created_at


def test_a_variant_row_sets_the_variant_price_and_stock(supplier, tmp_path):
    shoes = ProductFactory(price=Decimal("3000"), stock=0)
    big = ProductVariantFactory(product=shoes, sku="V-42", stock=0)
    same = ProductVariantFactory(product=shoes, sku="V-38", stock=1)

    run(supplier, csv_file(tmp_path / "list.csv", [HEADER, ["V-42", "", "3300", "4", "", ""],
                                                   ["V-38", "", "3000", "1", "", ""]]))

    big.refresh_from_db()
    assert (big.price_override, big.stock) == (Decimal("3300.00"), 4)
    assert ProductVariant.objects.get(pk=same.pk).price_override is None
    assert Product.objects.get(pk=shoes.pk).is_in_stock


def test_stock_from_the_list_takes_a_sold_out_product_off_the_storefront(supplier, tmp_path):
    ProductFactory(sku="A-1", stock=5)

    run(supplier, csv_file(tmp_path / "list.csv", [HEADER, ["A-1", "", "", "0", "", ""]]))

    assert not Product.objects.get(sku="A-1").is_in_stock


def test_a_file_without_a_mapped_column_fails_with_the_reason(supplier, tmp_path):
    job = run(supplier, csv_file(tmp_path / "list.csv", [["SKU", "Цена"], ["A-1", "1"]]))

    assert job.status == PriceListImport.Status.FAILED
    assert "The file has no column “Price”" in job.failure


def test_rows_are_written_batch_by_batch_with_duplicates_found_across_batches(supplier, tmp_path, monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    for n in range(5):
        ProductFactory(sku=f"A-{n}", price=Decimal("1"))
    rows = [HEADER] + [[f"A-{n}", "", "5", "", "", ""] for n in range(5)] + [["A-0", "", "6", "", "", ""]]

    job = run(supplier, csv_file(tmp_path / "list.csv", rows))

    assert (job.changed_count, job.error_count, job.processed_rows) == (5, 1, 6)
    assert set(Product.objects.values_list("price", flat=True)) == {Decimal("5.00")}


def test_an_import_runs_once_however_often_its_task_is_delivered(supplier, tmp_path):
    ProductFactory(sku="A-1", price=Decimal("1"))
    path = csv_file(tmp_path / "list.csv", [HEADER, ["A-1", "", "2", "", "", ""]])
    with path.open("rb") as stream:
        job = pricelist_import_start(supplier=supplier, file=File(stream, name="list.csv"), dry_run=False)

    assert pricelist_import_run(import_id=job.pk).status == PriceListImport.Status.DONE
    assert pricelist_import_run(import_id=job.pk) is None
    assert PriceChange.objects.count() == 1


def test_names_and_brands_are_written_only_when_the_supplier_maps_them(tmp_path):
    product = ProductFactory(sku="A-1", name="Наше название", brand=BrandFactory(name="Наш"))
    supplier = Supplier.objects.create(name="Цены")

    run(supplier, csv_file(tmp_path / "list.csv", [HEADER, ["A-1", "Их название", "5", "1", "", "Их"]]))

    product.refresh_from_db()
    assert (product.name, product.brand.name, product.price) == ("Наше название", "Наш", Decimal("5.00"))


def test_the_command_imports_a_file_and_says_what_it_did(supplier, tmp_path, capsys):
    ProductFactory(sku="A-1", price=Decimal("1"))
    path = csv_file(tmp_path / "list.csv", [HEADER, ["A-1", "", "2", "", "", ""], ["", "", "", "", "", "x"]])

    call_command("import_pricelist", str(path), "--supplier", "оптовик", "--dry-run")
    dry = capsys.readouterr().out
    call_command("import_pricelist", str(path), "--supplier", "Оптовик")

    assert "Would be: 0 new, 1 changed, 0 unchanged, 1 errors." in dry
    assert "line 3 : No SKU." in dry
    assert Product.objects.get(sku="A-1").price == Decimal("2.00")


def test_the_dry_run_names_categories_and_brands_as_people_do(supplier, tmp_path, kettles):
    ProductFactory(sku="A-1", category=CategoryFactory(name="Разное"), brand=None)

    job = run(supplier, csv_file(tmp_path / "list.csv", [HEADER, ["A-1", "", "", "", "kettles", "Bork"]]),
              dry_run=True)

    assert job.preview[0]["changes"] == {"category_id": ["Разное", "Чайники"], "brand_id": [None, "Bork"]}


def test_an_import_renews_the_pages_of_the_products_it_changed_and_keeps_the_rest_of_the_cache(
    client, supplier, tmp_path, kettles, django_capture_on_commit_callbacks
):
    ProductFactory(sku="A-1", slug="kettle", name="Чайник", price=Decimal("1000.00"), stock=5, category=kettles)
    other = ProductFactory(slug="shampoo", name="Шампунь", category=CategoryFactory(slug="care"))
    client.get("/product/kettle/")
    client.get("/product/shampoo/")
    Product.objects.filter(pk=other.pk).update(name="Шампунь 2.0")  # behind the cache: it keeps the page

    with django_capture_on_commit_callbacks(execute=True):
        run(supplier, csv_file(tmp_path / "list.csv", [HEADER, ["A-1", "Чайник со свистком", "1200", "5", "", ""]]))

    assert "Чайник со свистком" in client.get("/product/kettle/").content.decode()
    assert "Шампунь 2.0" not in client.get("/product/shampoo/").content.decode()
