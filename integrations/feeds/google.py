"""Google Merchant Center: an RSS 2.0 channel of <item>s in the g: namespace."""

from collections.abc import Iterable

from django.conf import settings

from integrations.feeds.offers import Offer, feed_categories, feed_delivery_methods, price_text
from integrations.feeds.writer import FeedWriter
from orders.models import DeliveryMethod

GOOGLE_NS = "http://base.google.com/ns/1.0"
TITLE_LIMIT = 150
DESCRIPTION_LIMIT = 5000
ADDITIONAL_IMAGES_LIMIT = 10


def _money(amount) -> str:
    return f"{price_text(amount)} RUB"


def google_feed_write(stream, *, offers: Iterable[Offer]) -> int:
    """Write the feed to a binary stream; returns the number of items. Google refuses an item
    without a picture, so such offers are left out of this feed (not out of Yandex's)."""
    trails = {category.id: category.trail for category in feed_categories()}
    shipping = [m for m in feed_delivery_methods() if m.kind != DeliveryMethod.Kind.PICKUP]
    writer = FeedWriter(stream)
    count = 0
    with writer.element("rss", version="2.0", xmlns__g=GOOGLE_NS), writer.element("channel"):
        writer.leaf("title", settings.STORE_NAME)
        writer.leaf("link", f"{settings.SITE_URL}/")
        writer.leaf("description", settings.STORE_NAME)
        for offer in offers:
            if not offer.pictures:
                continue
            _item(writer, offer, product_type=trails.get(offer.category_id, ""), shipping=shipping)
            count += 1
    writer.end()
    return count


def _item(writer: FeedWriter, offer: Offer, *, product_type: str, shipping: list[DeliveryMethod]) -> None:
    writer.newline()
    with writer.element("item"):
        writer.leaf("g:id", offer.id)
        writer.leaf("g:title", offer.name[:TITLE_LIMIT])
        writer.leaf("g:description", (offer.description or offer.name)[:DESCRIPTION_LIMIT])
        writer.leaf("g:link", offer.url)
        writer.leaf("g:image_link", offer.pictures[0])
        for picture in offer.pictures[1:ADDITIONAL_IMAGES_LIMIT + 1]:
            writer.leaf("g:additional_image_link", picture)
        writer.leaf("g:availability", "in_stock")
        if offer.old_price is not None:
            writer.leaf("g:price", _money(offer.old_price))
            writer.leaf("g:sale_price", _money(offer.price))
        else:
            writer.leaf("g:price", _money(offer.price))
        writer.leaf("g:condition", "new")
        if offer.brand:
            writer.leaf("g:brand", offer.brand)
            writer.leaf("g:mpn", offer.sku)
        else:
            # Without a brand the SKU identifies nothing for Google: say there is no identifier.
            writer.leaf("g:identifier_exists", "no")
        if offer.group_id is not None:
            writer.leaf("g:item_group_id", offer.group_id)
        if product_type:
            writer.leaf("g:product_type", product_type)
        for method in shipping:
            with writer.element("g:shipping"):
                writer.leaf("g:country", "RU")
                writer.leaf("g:service", method.name)
                writer.leaf("g:price", _money(method.price))
