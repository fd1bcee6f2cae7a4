"""Product cards as every listing shows them: home, catalog, search and related products.

A card shows nothing personal, so it is rendered once per language and kept in the cache until
the catalog changes or the product goes in or out of stock. A page of 24 products then reads its
cards in one round trip instead of loading 24 products with their brands and pictures and
rendering each; signed-in shoppers and shoppers with a cart, whom the page cache never serves,
get their listings as fast.
"""

from collections.abc import Sequence

from django.conf import settings
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from catalog import selectors
from catalog.cache import kept_read, product_scope
from catalog.models import Product

CARD_TEMPLATE = "includes/product_card.html"


def _card_key(product_id: int, language: str) -> str:
    return f"storefront:card:v1:{language}:{product_id}"


def product_cards_html(product_ids: Sequence[int]) -> list[SafeString]:
    """The cards of `product_ids`, in that order; a product gone meanwhile is left out."""
    cards = product_cards_by_id(product_ids)
    return [cards[pk] for pk in product_ids if pk in cards]


def product_cards_by_id(product_ids: Sequence[int]) -> dict[int, SafeString]:
    """{product id: card} in one cache read, rendering only the cards not kept yet."""
    language = get_language()
    keys = {product_id: _card_key(product_id, language) for product_id in product_ids}
    kept = kept_read({key: (product_scope(pk),) for pk, key in keys.items()}, seconds=settings.CATALOG_CACHE_SECONDS)
    missing = [product_id for product_id, key in keys.items() if key not in kept.values]
    rendered = _render_cards(missing) if missing else {}
    kept.keep({keys[pk]: html for pk, html in rendered.items()})
    cards = {pk: kept.values[key] for pk, key in keys.items() if key in kept.values} | rendered
    # The cache holds what our own template rendered, escaped already.
    return {pk: mark_safe(html) for pk, html in cards.items()}  # noqa: S308


def _render_cards(product_ids: list[int]) -> dict[int, str]:
    template = get_template(CARD_TEMPLATE)
    products = selectors.product_cards(Product.objects.filter(pk__in=product_ids))
    return {product.pk: str(template.render({"product": product})) for product in products}
