"""What search engines and link previews read: sitemaps, structured data (schema.org JSON-LD) and
which listing addresses are worth indexing. Pages and robots.txt call these; nothing here renders."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext

from catalog.models import Category, Product

SCHEMA = "https://schema.org"
# Parameters that do not change what a listing is about: its pages, however long, are one listing.
PAGING_PARAMS = frozenset({"page", "per_page"})
# A listing narrowed by one brand or one attribute value is a page people search for
# ("кроссовки nike"); any other narrowing or ordering is one of endlessly many combinations.
INDEXABLE_FILTER_PREFIXES = ("brand", "a_")


class StorefrontSitemap(Sitemap):
    """Each page in every language the shop speaks, each naming the others (hreflang), the shop's
    own language as the default for everyone else."""

    i18n = True
    alternates = True
    x_default = True


class CategorySitemap(StorefrontSitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self):
        return Category.objects.filter(is_visible=True).order_by("pk")

    def lastmod(self, category: Category):
        return getattr(category, "updated_at", None)


class ProductSitemap(StorefrontSitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return Product.objects.active().only("slug", "updated_at").order_by("pk")

    def lastmod(self, product: Product):
        return product.updated_at


class StaticPageSitemap(StorefrontSitemap):
    changefreq = "weekly"
    priority = 1.0

    def items(self):
        return ["catalog:home", "catalog:catalog"]

    def location(self, name: str) -> str:
        return reverse(name)


SITEMAPS = {"categories": CategorySitemap, "products": ProductSitemap, "pages": StaticPageSitemap}


@dataclass(frozen=True)
class ListingIndexing:
    indexable: bool
    canonical_query: str  # "" for the unfiltered listing


def listing_indexing(params: QueryDict) -> ListingIndexing:
    """Whether a listing address is a page of its own for search engines, and its canonical query.
    The unfiltered listing and a single brand or attribute value are; every other combination of
    filters, sorting and page sizes is `noindex, follow` with the unfiltered listing as canonical."""
    narrowing = [(name, values) for name, values in params.lists() if name not in PAGING_PARAMS]
    if not narrowing:
        return ListingIndexing(indexable=True, canonical_query="")
    if len(narrowing) == 1:
        name, values = narrowing[0]
        single_value = len(values) == 1 and values[0]
        if single_value and name.startswith(INDEXABLE_FILTER_PREFIXES) and not name.endswith(("_min", "_max")):
            query = QueryDict(mutable=True)
            query[name] = values[0]
            return ListingIndexing(indexable=True, canonical_query=query.urlencode())
    return ListingIndexing(indexable=False, canonical_query="")


def _absolute(request, url: str) -> str:
    return request.build_absolute_uri(url)


def breadcrumbs_data(request, *, crumbs: list, last_name: str | None = None, last_url: str | None = None) -> dict:
    """BreadcrumbList for the trail the page shows: home, catalog, the categories, then the page."""
    trail = [(gettext("Home"), reverse("catalog:home")), (gettext("Catalog"), reverse("catalog:catalog"))]
    trail += [(crumb.name, crumb.get_absolute_url()) for crumb in crumbs]
    if last_name and last_url:
        trail.append((last_name, last_url))
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": str(name), "item": _absolute(request, url)}
            for position, (name, url) in enumerate(trail, start=1)
        ],
    }


def _money(amount) -> str:
    return f"{amount:.2f}"


def _availability(in_stock: bool) -> str:
    return f"{SCHEMA}/{'InStock' if in_stock else 'OutOfStock'}"


def _offer(request, *, product: Product, price, in_stock: bool, name: str = "", sku: str = "") -> dict:
    offer = {
        "@type": "Offer",
        "url": _absolute(request, product.get_absolute_url()),
        "priceCurrency": "RUB",
        "price": _money(price),
        "availability": _availability(in_stock),
        "itemCondition": f"{SCHEMA}/NewCondition",
    }
    if name:
        offer["name"] = name
    if sku:
        offer["sku"] = sku
    if product.discount_percent:
        # Google reads a crossed-out price as a strikethrough price specification.
        offer["priceSpecification"] = {
            "@type": "UnitPriceSpecification", "priceType": f"{SCHEMA}/StrikethroughPrice",
            "price": _money(product.old_price), "priceCurrency": "RUB",
        }
    return offer


def product_data(request, *, product: Product, images: list, variants: list, in_stock: bool,
                 extra: dict | None = None) -> dict:
    """schema.org Product with its offers: what a search result shows as price and availability,
    and its stars once the product has published reviews. `extra` holds the properties the page's
    sections add (catalog.product_page: the reviews' "review" items)."""
    data = {
        "@context": SCHEMA,
        "@type": "Product",
        "name": product.name,
        "sku": product.sku,
        "url": _absolute(request, product.get_absolute_url()),
        "description": (product.seo_description or product.description or product.name)[:5000],
        "image": [_absolute(request, image.large_url) for image in images],
        "offers": [
            _offer(request, product=product, price=variant.price, in_stock=variant.in_stock,
                   name=variant.name, sku=getattr(variant, "sku", ""))
            for variant in variants
        ] or _offer(request, product=product, price=product.price, in_stock=in_stock),
    }
    if product.brand_id:
        data["brand"] = {"@type": "Brand", "name": product.brand.name}
    if product.rating_count:
        data["aggregateRating"] = {"@type": "AggregateRating", "ratingValue": f"{product.rating_average:.1f}",
                                   "reviewCount": product.rating_count, "bestRating": "5", "worstRating": "1"}
    return {**data, **(extra or {})}


def organization_data(request) -> dict:
    return {
        "@context": SCHEMA,
        "@type": "Organization",
        "name": settings.STORE_NAME,
        "url": _absolute(request, reverse("catalog:home")),
        "logo": _absolute(request, settings.STATIC_URL + "img/favicon.svg"),
    }


def ecommerce_item(*, sku: str, name: str, price, quantity: int = 1, brand: str = "", category: str = "") -> dict:
    return {"id": sku, "name": name, "price": _money(price), "quantity": quantity, "brand": brand,
            "category": category}


def ecommerce_facts(*, kind: str, items: list[dict], order: str = "", value: Decimal | None = None) -> dict:
    """One e-commerce fact for the web counters (static/js/counters.js): a product seen ("view"),
    the checkout begun ("checkout"), an order placed ("purchase", with its number and the amount paid
    for it). The value is the items' worth unless told."""
    if value is None:
        value = sum(Decimal(item["price"]) * item["quantity"] for item in items)
    return {"kind": kind, "currency": "RUB", "value": _money(value), "order": order, "items": items}


def product_ecommerce_item(product: Product, *, price: Decimal | None = None, quantity: int = 1) -> dict:
    """The product as the counters know it; a variant's or a cart line's price where it differs."""
    return ecommerce_item(sku=product.sku, name=product.name, price=product.price if price is None else price,
                          quantity=quantity,
                          brand=product.brand.name if product.brand_id else "", category=product.category.name)
