import csv
import io
from decimal import Decimal

import pytest
from django.core.files import File
from openpyxl import load_workbook

from catalog.models import Product
from customers.models import Consent, User
from integrations.exports.catalog import catalog_file_supplier
from integrations.exports.customers import customers_table
from integrations.models import PriceListImport
from integrations.pricelists.services import pricelist_import_run, pricelist_import_start
from orders.models import Order
from tests.factories import (
    AttributeFactory,
    AttributeOptionFactory,
    BrandFactory,
    CategoryFactory,
    OrderFactory,
    ProductAttributeValueFactory,
    ProductFactory,
    ProductVariantFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def download(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(download(response).decode("utf-8-sig"))))


@pytest.fixture
def catalog(db):
    """Products with a brand, properties of every kind, variants with and without their own price."""
    colour = AttributeFactory(slug="colour", name="Цвет")
    volume = AttributeFactory(slug="volume", name="Объём", kind="number", unit="л")
    glass = AttributeFactory(slug="glass", name="Стекло", kind="boolean")
    kettle = ProductFactory(sku="KT-1", name="Чайник, «Бош»", price=Decimal("1990.50"), stock=3,
                            brand=BrandFactory(name="Bosch"), category=CategoryFactory(slug="kettles"))
    ProductAttributeValueFactory(product=kettle, attribute=colour, option=AttributeOptionFactory(
        attribute=colour, value="Белый"))
    ProductAttributeValueFactory(product=kettle, attribute=volume, number=Decimal("1.700"))
    ProductAttributeValueFactory(product=kettle, attribute=glass, boolean=True)
    shoes = ProductFactory(sku="SH-1", name="Кеды", price=Decimal("3000"), stock=0, brand=None)
    ProductVariantFactory(product=shoes, sku="SH-1-42", stock=2, price_override=Decimal("3200"))
    ProductVariantFactory(product=shoes, sku="SH-1-38", stock=0)
    return kettle


def import_file(admin_client, content: bytes, name: str) -> PriceListImport:
    admin_client.get("/admin/integrations/pricelistimport/")
    with io.BytesIO(content) as stream:
        job = pricelist_import_start(supplier=catalog_file_supplier(), file=File(stream, name=name), dry_run=False)
    return pricelist_import_run(import_id=job.pk)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_catalog_exported_and_imported_back_changes_nothing(admin_client, catalog, file_format):
    before = list(Product.objects.order_by("pk").values())

    response = admin_client.get(f"/admin/integrations/pricelistimport/catalog.{file_format}")
    content = download(response) if file_format == "csv" else response.getvalue()
    job = import_file(admin_client, content, f"catalog.{file_format}")

    assert (job.new_count, job.changed_count, job.error_count, job.unchanged_count) == (0, 0, 0, 4)
    assert list(Product.objects.order_by("pk").values()) == before


def test_an_edited_catalog_file_changes_only_what_was_edited(admin_client, catalog):
    rows = csv_rows(admin_client.get("/admin/integrations/pricelistimport/catalog.csv"))
    header = rows[0]
    rows[1][header.index("Price")] = "2100.00"
    rows[1][header.index("attribute:volume")] = "1.5"
    out = io.StringIO()
    csv.writer(out).writerows(rows)

    job = import_file(admin_client, out.getvalue().encode(), "catalog.csv")

    assert (job.changed_count, job.unchanged_count, job.error_count) == (1, 3, 0)
    catalog.refresh_from_db()
    assert catalog.price == Decimal("2100.00")
    assert catalog.attribute_values.get(attribute__slug="volume").number == Decimal("1.500")


def test_the_catalog_file_lists_products_variants_and_properties(admin_client, catalog):
    rows = csv_rows(admin_client.get("/admin/integrations/pricelistimport/catalog.csv"))

    assert rows[0] == ["SKU", "Name", "Price", "Stock", "Category", "Brand", "attribute:colour", "attribute:glass",
                       "attribute:volume"]
    assert rows[1] == ["KT-1", "Чайник, «Бош»", "1990.50", "3", "kettles", "Bosch", "Белый", "yes", "1.7"]
    assert [row[:4] for row in rows[3:]] == [["SH-1-42", "", "3200.00", "2"], ["SH-1-38", "", "3000.00", "0"]]


def test_orders_are_exported_with_the_order_lists_filters(admin_client):
    OrderFactory(status=Order.Status.NEW, name="Анна")
    OrderFactory(status=Order.Status.CANCELLED, name="Борис")

    response = admin_client.post("/admin/orders/order/?status__exact=new", {
        "action": "export_orders_csv", "select_across": "1", "index": "0", "_selected_action": ["0"],
    })

    rows = csv_rows(response)
    assert response["Content-Disposition"] == 'attachment; filename="orders.csv"'
    assert [row[3] for row in rows[1:]] == ["Анна"]


def test_orders_are_exported_to_excel(admin_client):
    order = OrderFactory(name="Анна")

    response = admin_client.post("/admin/orders/order/", {
        "action": "export_orders_xlsx", "select_across": "0", "index": "0", "_selected_action": [str(order.pk)],
    })

    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Number" and rows[1][0] == order.number and rows[1][3] == "Анна"


def test_the_customer_export_shows_contacts_only_within_marketing_consents(admin_client):
    both = UserFactory(email="both@example.com", phone="+79160000001")
    email_only = UserFactory(email="mail@example.com", phone="+79160000002")
    withdrew = UserFactory(email="no@example.com", phone="+79160000003")
    for user, kind, granted in [(both, "marketing_email", True), (both, "marketing_sms", True),
                                (email_only, "marketing_email", True), (withdrew, "marketing_email", True),
                                (withdrew, "marketing_email", False)]:
        Consent.objects.create(user=user, kind=kind, granted=granted, wording_version="1", source="account")

    response = admin_client.post("/admin/customers/user/", {
        "action": "export_customers_csv", "select_across": "1", "index": "0", "_selected_action": ["0"],
    })

    contacts = {row[0]: (row[3], row[4]) for row in csv_rows(response)[1:]}
    assert contacts == {str(both.pk): ("both@example.com", "+79160000001"),
                        str(email_only.pk): ("mail@example.com", ""),
                        str(withdrew.pk): ("", "")}


def test_the_customer_export_reads_everyones_consents_in_one_query(django_assert_max_num_queries):
    for number in range(10):
        user = UserFactory(email=f"c{number}@example.com", phone=f"+7916000{number:04d}")
        Consent.objects.create(user=user, kind="marketing_sms", granted=True, wording_version="1", source="account")

    with django_assert_max_num_queries(1):
        _, rows = customers_table(User.objects.all())
        phones = [row[4] for row in rows]

    assert len([phone for phone in phones if phone]) == 10
