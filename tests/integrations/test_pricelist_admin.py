from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Product
from integrations.models import PriceListImport, Supplier
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db
ADD = "/admin/integrations/pricelistimport/add/"


@pytest.fixture
def supplier(db):
    return Supplier.objects.create(name="Оптовик")


def upload(client, supplier, content: bytes, *, name="list.csv", dry_run=True):
    data = {"supplier": supplier.pk, "file": SimpleUploadedFile(name, content)}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(ADD, data)


def test_a_dry_run_from_the_admin_shows_what_would_change_and_applies_on_request(
        admin_client, supplier, eager_tasks, django_capture_on_commit_callbacks):
    ProductFactory(sku="A-1", price=Decimal("100"))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(admin_client, supplier, b"SKU,Price,Stock\nA-1,150,10\nA-2,oops,1\n")
    dry_run = PriceListImport.objects.get()

    page = admin_client.get(response["Location"]).content.decode()
    progress = admin_client.get(f"/admin/integrations/pricelistimport/{dry_run.pk}/progress/").json()
    assert response.status_code == 302 and dry_run.status == PriceListImport.Status.DONE
    assert "New: 0 · changed: 1 · unchanged: 0 · errors: 1" in page
    assert "price: 100.00 → 150.00" in page
    assert "The price “oops” is not a number." in page
    assert progress["finished"] and progress["percent"] == 100
    assert Product.objects.get(sku="A-1").price == Decimal("100.00")

    with django_capture_on_commit_callbacks(execute=True):
        applied = admin_client.post(f"/admin/integrations/pricelistimport/{dry_run.pk}/apply/")

    assert applied.status_code == 302
    assert Product.objects.get(sku="A-1").price == Decimal("150.00")
    assert PriceListImport.objects.filter(dry_run=False, status="done").count() == 1


def test_a_running_import_shows_a_progress_bar_that_follows_the_worker(admin_client, supplier):
    ProductFactory(sku="A-1")
    response = upload(admin_client, supplier, b"SKU,Price,Stock\nA-1,150,10\n")
    job = PriceListImport.objects.get()
    PriceListImport.objects.filter(pk=job.pk).update(status="running", total_rows=200, processed_rows=50)

    page = admin_client.get(response["Location"]).content.decode()
    progress = admin_client.get(f"/admin/integrations/pricelistimport/{job.pk}/progress/").json()

    assert 'id="pricelist-progress"' in page and 'value="25"' in page
    assert progress == {"status": "running", "status_display": "Running", "finished": False, "percent": 25,
                        "processed": 50, "total": 200}


def test_only_csv_and_xlsx_files_are_accepted(admin_client, supplier):
    response = upload(admin_client, supplier, b"%PDF-1.4", name="list.pdf")

    assert response.status_code == 200
    assert "Upload a .csv or .xlsx file." in response.content.decode()
    assert not PriceListImport.objects.exists()


def test_a_finished_real_run_cannot_be_applied_again(admin_client, supplier, eager_tasks,
                                                     django_capture_on_commit_callbacks):
    ProductFactory(sku="A-1")
    with django_capture_on_commit_callbacks(execute=True):
        upload(admin_client, supplier, b"SKU,Price,Stock\nA-1,150,10\n", dry_run=False)
    job = PriceListImport.objects.get()

    assert admin_client.post(f"/admin/integrations/pricelistimport/{job.pk}/apply/").status_code == 403


def test_staff_without_the_permission_cannot_upload_price_lists(client, supplier):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(ADD).status_code == 403
