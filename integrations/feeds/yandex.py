"""Yandex.Market YML: <yml_catalog><shop> with currencies, categories, delivery options and offers."""

from collections.abc import Iterable
from decimal import ROUND_CEILING

from django.conf import settings
from django.utils import timezone

from integrations.feeds.offers import Offer, feed_categories, feed_delivery_methods, price_text
from integrations.feeds.writer import FeedWriter
from orders.models import DeliveryMethod

# Yandex reads at most this many characters of a description and five delivery options.
DESCRIPTION_LIMIT = 3000
DELIVERY_OPTIONS_LIMIT = 5


def _days(method: DeliveryMethod) -> str:
    return str(method.days_min) if method.days_min == method.days_max else f"{method.days_min}-{method.days_max}"


def _options(writer: FeedWriter, tag: str, methods: list[DeliveryMethod]) -> None:
    if not methods:
        return
    with writer.element(tag):
        for method in methods[:DELIVERY_OPTIONS_LIMIT]:
            # Yandex takes whole rubles here.
            writer.leaf("option", cost=str(method.price.to_integral_value(ROUND_CEILING)), days=_days(method))


def yandex_feed_write(stream, *, offers: Iterable[Offer]) -> int:
    """Write the YML document to a binary stream; returns the number of offers."""
    methods = feed_delivery_methods()
    couriers = [m for m in methods if m.kind == DeliveryMethod.Kind.COURIER]
    pickups = [m for m in methods if m.kind != DeliveryMethod.Kind.COURIER]
    writer = FeedWriter(stream)
    count = 0
    stamp = timezone.localtime().isoformat(timespec="minutes")
    with writer.element("yml_catalog", date=stamp), writer.element("shop"):
        writer.leaf("name", settings.STORE_NAME)
        writer.leaf("company", settings.STORE_NAME)
        writer.leaf("url", f"{settings.SITE_URL}/")
        with writer.element("currencies"):
            writer.leaf("currency", id="RUR", rate="1")
        with writer.element("categories"):
            for category in feed_categories():
                writer.leaf("category", category.name, id=category.id, parentId=category.parent_id)
        _options(writer, "delivery-options", couriers)
        _options(writer, "pickup-options", pickups)
        with writer.element("offers"):
            for offer in offers:
                _offer(writer, offer, delivery=bool(couriers), pickup=bool(pickups))
                count += 1
    writer.end()
    return count


def _offer(writer: FeedWriter, offer: Offer, *, delivery: bool, pickup: bool) -> None:
    writer.newline()
    with writer.element("offer", id=offer.id, available="true", group_id=offer.group_id):
        writer.leaf("name", offer.name)
        if offer.brand:
            writer.leaf("vendor", offer.brand)
        writer.leaf("vendorCode", offer.sku)
        writer.leaf("url", offer.url)
        writer.leaf("price", price_text(offer.price))
        if offer.old_price is not None:
            writer.leaf("oldprice", price_text(offer.old_price))
        writer.leaf("currencyId", "RUR")
        writer.leaf("categoryId", offer.category_id)
        for picture in offer.pictures:
            writer.leaf("picture", picture)
        writer.leaf("delivery", "true" if delivery else "false")
        writer.leaf("pickup", "true" if pickup else "false")
        if offer.description:
            writer.leaf("description", offer.description[:DESCRIPTION_LIMIT])
        for name, value in offer.params:
            writer.leaf("param", value, name=name)
        writer.leaf("count", offer.stock)
