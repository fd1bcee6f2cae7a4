import re
from decimal import Decimal

import pytest

from catalog.models import Product, ProductImage
from catalog.services import product_images_make_missing_thumbnails
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
    UserFactory,
    png_file,
)
from tests.harness import broker_unreachable

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/catalog/product/"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def listed(response) -> set[str]:
    assert response.status_code == 200
    return set(re.findall(r'<th class="field-name"><a href="[^"]+">([^<]+)</a>', response.content.decode()))


def test_product_list_opens_for_a_superuser(admin_client):
    ProductFactory(name="Шампунь")

    assert listed(admin_client.get(CHANGELIST)) == {"Шампунь"}


def test_product_list_is_closed_to_shoppers(client):
    client.force_login(UserFactory())

    assert client.get(CHANGELIST).status_code == 302


def test_product_list_search_finds_by_name(admin_client):
    ProductFactory(name="Шампунь")
    ProductFactory(name="Бальзам")

    assert listed(admin_client.get(CHANGELIST, {"q": "Шамп"})) == {"Шампунь"}


def test_product_list_search_finds_by_variant_sku_once(admin_client):
    product = ProductFactory(name="Кроссовки")
    ProductVariantFactory(product=product, sku="KR-42")
    ProductVariantFactory(product=product, sku="KR-43")
    ProductFactory(name="Кеды")

    response = admin_client.get(CHANGELIST, {"q": "KR-4"})

    assert listed(response) == {"Кроссовки"}
    assert response.content.decode().count('<th class="field-name">') == 1


def test_in_stock_filter_shows_products_that_can_be_bought(admin_client):
    ProductFactory(name="Есть", stock=2)
    ProductFactory(name="Нет", stock=0)
    sold_out = ProductFactory(name="Варианты распроданы", stock=9)
    ProductVariantFactory(product=sold_out, stock=0)

    assert listed(admin_client.get(CHANGELIST, {"in_stock": "yes"})) == {"Есть"}


def test_out_of_stock_filter_shows_products_that_cannot_be_bought(admin_client):
    ProductFactory(name="Есть", stock=2)
    ProductFactory(name="Нет", stock=0)
    sold_out = ProductFactory(name="Варианты распроданы", stock=9)
    ProductVariantFactory(product=sold_out, stock=0)

    assert listed(admin_client.get(CHANGELIST, {"in_stock": "no"})) == {"Нет", "Варианты распроданы"}


def test_bulk_deactivate_hides_the_selected_products(admin_client):
    chosen, other = ProductFactory(), ProductFactory()

    response = admin_client.post(CHANGELIST, {"action": "deactivate", "_selected_action": [chosen.pk]}, follow=True)

    assert "1 product updated." in response.content.decode()
    assert list(Product.objects.filter(is_active=False)) == [chosen]
    assert Product.objects.get(pk=other.pk).is_active


def test_bulk_activate_shows_the_selected_products(admin_client):
    hidden = ProductFactory.create_batch(2, is_active=False)

    response = admin_client.post(CHANGELIST, {"action": "activate", "_selected_action": [p.pk for p in hidden]},
                                 follow=True)

    assert "2 products updated." in response.content.decode()
    assert Product.objects.filter(is_active=True).count() == 2


def test_bulk_action_works_on_a_searched_list(admin_client):
    product = ProductFactory(name="Кроссовки")
    ProductVariantFactory.create_batch(2, product=product)

    admin_client.post(f"{CHANGELIST}?q=VAR", {"action": "deactivate", "_selected_action": [product.pk]})

    assert not Product.objects.get(pk=product.pk).is_active


def test_price_and_stock_can_be_edited_in_the_list(admin_client):
    product = ProductFactory(price=Decimal("990"), stock=1)

    response = admin_client.post(CHANGELIST, {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000",
        "form-0-id": product.pk, "form-0-price": "1290.50", "form-0-stock": "7", "_save": "Save",
    })

    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.price, product.stock) == (Decimal("1290.50"), 7)


def test_negative_stock_in_the_list_is_refused_with_a_message(admin_client):
    product = ProductFactory(stock=1)

    response = admin_client.post(CHANGELIST, {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000",
        "form-0-id": product.pk, "form-0-price": "990", "form-0-stock": "-3", "_save": "Save",
    })

    assert response.status_code == 200
    assert Product.objects.get(pk=product.pk).stock == 1


def _change_form(product, **overrides) -> dict:
    data = {
        "name": product.name, "slug": product.slug, "sku": product.sku, "category": product.category_id,
        "brand": product.brand_id or "", "is_active": "on", "price": str(product.price), "old_price": "",
        "stock": product.stock, "consumption_days": "", "description": product.description,
        "seo_title": "", "seo_description": "",
        "images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0",
        "variants-TOTAL_FORMS": "0", "variants-INITIAL_FORMS": "0",
        "attribute_values-TOTAL_FORMS": "0", "attribute_values-INITIAL_FORMS": "0",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def upload_picture(admin_client, product):
    return admin_client.post(f"{CHANGELIST}{product.pk}/change/", _change_form(
        product, **{"images-TOTAL_FORMS": "1", "images-0-image": png_file("bottle.png", width=1200, height=600),
                    "images-0-alt": "Флакон", "images-0-position": "0"}))


def test_a_picture_uploaded_in_the_admin_is_saved_without_waiting_for_its_thumbnails(
    admin_client, tasks_run_here, django_capture_on_commit_callbacks
):
    product = ProductFactory(category=CategoryFactory())

    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        assert upload_picture(admin_client, product).status_code == 302

    assert not ProductImage.objects.get(product=product).thumb_small
    for callback in after_commit:
        callback()
    assert ProductImage.objects.get(product=product).thumb_small


def test_picture_uploaded_in_the_admin_gets_both_thumbnails_after_commit(
    admin_client, tasks_run_here, django_capture_on_commit_callbacks
):
    product = ProductFactory(category=CategoryFactory())

    with django_capture_on_commit_callbacks(execute=True):
        response = upload_picture(admin_client, product)

    assert response.status_code == 302
    image = ProductImage.objects.get(product=product)
    assert image.thumb_small.name.endswith("-320.webp")
    assert image.thumb_large.name.endswith("-800.webp")
    from PIL import Image

    with Image.open(image.thumb_small.path) as small:
        assert small.size == (320, 320)


def test_resaving_the_product_does_not_make_the_thumbnails_again(admin_client):
    product = ProductFactory()
    image = ProductImageFactory(product=product, alt="Флакон")
    thumbs = (image.thumb_small.name, image.thumb_large.name)

    response = admin_client.post(f"{CHANGELIST}{product.pk}/change/", _change_form(
        product, name="Новое имя", **{
            "images-TOTAL_FORMS": "1", "images-INITIAL_FORMS": "1", "images-0-id": image.pk,
            "images-0-product": product.pk, "images-0-alt": "Флакон крупно", "images-0-position": "0"}))

    assert response.status_code == 302
    image.refresh_from_db()
    assert image.alt == "Флакон крупно"
    assert (image.thumb_small.name, image.thumb_large.name) == thumbs


def test_saving_a_picture_twice_makes_the_thumbnails_once():
    image = ProductImageFactory()
    thumbs = (image.thumb_small.name, image.thumb_large.name)

    image.alt = "Другая подпись"
    image.save()

    image.refresh_from_db()
    assert (image.thumb_small.name, image.thumb_large.name) == thumbs


def test_replacing_the_picture_makes_new_thumbnails(tasks_run_here, django_capture_on_commit_callbacks):
    image = ProductImageFactory()
    old_small = image.thumb_small.name

    image.image = png_file("another.png", colour="blue")
    with django_capture_on_commit_callbacks(execute=True):
        image.save()

    image.refresh_from_db()
    assert image.thumb_small.name != old_small
    assert "another" in image.thumb_small.name


def test_a_picture_uploaded_while_the_broker_is_down_gets_its_thumbnails_from_the_sweep(
    admin_client, django_capture_on_commit_callbacks
):
    product = ProductFactory(category=CategoryFactory())
    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        assert upload_picture(admin_client, product).status_code == 302
    assert not ProductImage.objects.get(product=product).thumb_small

    made = product_images_make_missing_thumbnails()

    assert made == 1
    assert ProductImage.objects.get(product=product).thumb_large.name.endswith("-800.webp")


def test_the_thumbnail_sweep_passes_over_a_picture_it_cannot_read():
    unreadable = ProductImageFactory()
    ProductImage.objects.filter(pk=unreadable.pk).update(image="products/gone.png", thumb_small="", thumb_large="")
    waiting = ProductImageFactory()
    ProductImage.objects.filter(pk=waiting.pk).update(thumb_small="", thumb_large="")

    assert product_images_make_missing_thumbnails() == 1
    assert ProductImage.objects.get(pk=waiting.pk).thumb_small


def test_category_list_shows_the_tree_indented(admin_client):
    root = CategoryFactory(name="Дом")
    CategoryFactory(name="Кухня", parent=root)

    page = admin_client.get("/admin/catalog/category/").content.decode()

    assert "— Кухня" in page
