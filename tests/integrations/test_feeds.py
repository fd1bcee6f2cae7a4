import xml.etree.ElementTree as ET  # noqa: S405 - parses the files our own code just wrote
from decimal import Decimal

import pytest

from integrations.feeds.services import FEEDS, feed_build, feed_path
from tests.factories import (
    AttributeOptionFactory,
    BrandFactory,
    CategoryFactory,
    DeliveryMethodFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
)

pytestmark = pytest.mark.django_db
G = "{http://base.google.com/ns/1.0}"


def build(name: str) -> ET.Element:
    feed_build(name=name)
    return ET.parse(feed_path(FEEDS[name])).getroot()  # noqa: S314


def offers_by_id(root: ET.Element) -> dict[str, ET.Element]:
    return {offer.get("id"): offer for offer in root.iter("offer")}


def items_by_id(root: ET.Element) -> dict[str, ET.Element]:
    return {item.findtext(f"{G}id"): item for item in root.iter("item")}


def test_yandex_feed_has_the_shop_currency_categories_and_delivery_the_format_requires():
    parent = CategoryFactory(name="Кухня")
    child = CategoryFactory(name="Чайники", parent=parent)
    ProductFactory(category=child)
    DeliveryMethodFactory(kind="courier", price=Decimal("299.50"), days_min=1, days_max=3)

    root = build("yandex")

    assert root.tag == "yml_catalog" and root.get("date")
    shop = root.find("shop")
    assert shop.findtext("name") and shop.findtext("company")
    assert shop.findtext("url") == "https://shop.example.ru/"
    assert shop.find("currencies/currency").attrib == {"id": "RUR", "rate": "1"}
    categories = {c.get("id"): c for c in shop.iter("category")}
    assert categories[str(parent.pk)].text == "Кухня" and categories[str(parent.pk)].get("parentId") is None
    assert categories[str(child.pk)].get("parentId") == str(parent.pk)
    assert shop.find("delivery-options/option").attrib == {"cost": "300", "days": "1-3"}


def test_yandex_offer_carries_absolute_links_and_prices_with_two_decimals():
    product = ProductFactory(name="Чайник", sku="KT-1", price=Decimal("1990"), old_price=Decimal("2490.5"),
                             brand=BrandFactory(name="Bork"), stock=7)
    ProductImageFactory(product=product)

    offer = offers_by_id(build("yandex"))[str(product.pk)]

    assert offer.get("available") == "true"
    assert offer.findtext("name") == "Чайник"
    assert offer.findtext("vendor") == "Bork" and offer.findtext("vendorCode") == "KT-1"
    assert offer.findtext("url") == f"https://shop.example.ru/product/{product.slug}/"
    assert offer.findtext("price") == "1990.00" and offer.findtext("oldprice") == "2490.50"
    assert offer.findtext("currencyId") == "RUR"
    assert offer.findtext("categoryId") == str(product.category_id)
    assert offer.findtext("picture").startswith("https://shop.example.ru/media/")
    assert offer.findtext("count") == "7"


def test_only_active_priced_products_in_stock_in_visible_categories_are_offered():
    on_sale = ProductFactory(stock=3)
    sold_out = ProductFactory(stock=0)
    hidden = ProductFactory(is_active=False)
    free = ProductFactory(price=Decimal("0"))
    in_hidden_section = ProductFactory(category=CategoryFactory(is_active=False))

    offers = offers_by_id(build("yandex"))

    assert str(on_sale.pk) in offers
    for left_out in (sold_out, hidden, free, in_hidden_section):
        assert str(left_out.pk) not in offers


def test_each_variant_in_stock_is_an_offer_of_its_product_group():
    size = AttributeOptionFactory(attribute__name="Размер", value="42")
    shoes = ProductFactory(name="Кеды", price=Decimal("3000"), stock=0)
    big = ProductVariantFactory(product=shoes, name="42", stock=2, price_override=Decimal("3200"))
    big.options.add(size)
    small = ProductVariantFactory(product=shoes, name="38", stock=0)
    retired = ProductVariantFactory(product=shoes, name="40", stock=5, is_active=False)

    offers = offers_by_id(build("yandex"))

    offer = offers[f"{shoes.pk}v{big.pk}"]
    assert offer.get("group_id") == str(shoes.pk)
    assert offer.findtext("name") == "Кеды, 42"
    assert offer.findtext("price") == "3200.00"
    assert offer.findtext("vendorCode") == big.sku
    assert {p.get("name"): p.text for p in offer.iter("param")}["Размер"] == "42"
    assert f"{shoes.pk}v{small.pk}" not in offers and f"{shoes.pk}v{retired.pk}" not in offers
    assert str(shoes.pk) not in offers


def test_old_price_is_left_out_when_it_is_not_above_the_price():
    shoes = ProductFactory(price=Decimal("3000"), old_price=Decimal("3500"), stock=0)
    dear = ProductVariantFactory(product=shoes, stock=1, price_override=Decimal("3600"))

    offer = offers_by_id(build("yandex"))[f"{shoes.pk}v{dear.pk}"]

    assert offer.find("oldprice") is None


def test_markup_and_control_characters_in_texts_keep_the_feed_readable():
    product = ProductFactory(name='Чай & кофе <"крепкий">', description="Строка\x0b с символом\x1f & <b>")

    feed_build(name="yandex")
    raw = feed_path(FEEDS["yandex"]).read_bytes()
    offer = offers_by_id(ET.fromstring(raw))[str(product.pk)]  # noqa: S314

    assert offer.findtext("name") == 'Чай & кофе <"крепкий">'
    assert offer.findtext("description") == "Строка с символом & <b>"
    assert b"&amp;" in raw and b"&lt;" in raw


def test_google_item_has_the_required_attributes():
    product = ProductFactory(name="Чайник", price=Decimal("1990"), old_price=Decimal("2490"),
                             brand=BrandFactory(name="Bork"), sku="KT-1",
                             category=CategoryFactory(name="Чайники", parent=CategoryFactory(name="Кухня")))
    ProductImageFactory(product=product)
    ProductImageFactory(product=product)
    DeliveryMethodFactory(kind="courier", name="Курьер", price=Decimal("300"))

    root = build("google")

    assert root.tag == "rss" and root.get("version") == "2.0"
    item = items_by_id(root)[str(product.pk)]
    assert item.findtext(f"{G}title") == "Чайник"
    assert item.findtext(f"{G}description")
    assert item.findtext(f"{G}link") == f"https://shop.example.ru/product/{product.slug}/"
    assert item.findtext(f"{G}image_link").startswith("https://shop.example.ru/media/")
    assert item.findtext(f"{G}additional_image_link").startswith("https://shop.example.ru/media/")
    assert item.findtext(f"{G}availability") == "in_stock"
    assert item.findtext(f"{G}price") == "2490.00 RUB" and item.findtext(f"{G}sale_price") == "1990.00 RUB"
    assert item.findtext(f"{G}brand") == "Bork" and item.findtext(f"{G}mpn") == "KT-1"
    assert item.findtext(f"{G}condition") == "new"
    assert item.findtext(f"{G}product_type") == "Кухня > Чайники"
    assert item.findtext(f"{G}shipping/{G}price") == "300.00 RUB"


def test_google_feed_leaves_out_offers_without_a_picture_and_groups_variants():
    bare = ProductFactory()
    shoes = ProductFactory(stock=0)
    ProductImageFactory(product=shoes)
    variant = ProductVariantFactory(product=shoes, stock=1)

    items = items_by_id(build("google"))

    assert str(bare.pk) not in items
    assert items[f"{shoes.pk}v{variant.pk}"].findtext(f"{G}item_group_id") == str(shoes.pk)


def test_a_failed_build_leaves_the_previous_feed_in_place(monkeypatch):
    ProductFactory()
    feed_build(name="yandex")
    before = feed_path(FEEDS["yandex"]).read_bytes()

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("integrations.feeds.services.feed_offers", broken)
    with pytest.raises(RuntimeError):
        feed_build(name="yandex")

    assert feed_path(FEEDS["yandex"]).read_bytes() == before
    assert [p.name for p in feed_path(FEEDS["yandex"]).parent.iterdir()] == ["yandex.yml"]
