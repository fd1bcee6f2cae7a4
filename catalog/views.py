import hashlib

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from catalog import selectors
from catalog.cache import (
    POPULARITY,
    STOCK,
    kept,
    listing_scope,
    product_page_scope,
    storefront_page_cache,
)
from catalog.cards import product_cards_by_id, product_cards_html
from catalog.filters import SORT_CHOICES, ProductFilter
from catalog.models import Product
from catalog.search import normalise_query, search_matches
from catalog.signals import product_viewed

DEFAULT_PAGE_SIZE = 24


def _page_size(request) -> int:
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in settings.CATALOG_PAGE_SIZES else DEFAULT_PAGE_SIZE


def _paginate(request, product_ids):
    """A page of product ids, then the cards of just those."""
    page = Paginator(product_ids, _page_size(request)).get_page(request.GET.get("page"))
    page.cards = product_cards_html(list(page.object_list))
    return page


@storefront_page_cache(scopes=lambda: (STOCK, POPULARITY))
def home(request):
    home_page = selectors.home_page()
    cards = product_cards_by_id(home_page.new_product_ids + home_page.bestseller_ids)  # both rows in one read
    return render(request, "catalog/home.html", {
        "featured_categories": home_page.featured_categories,
        "new_products": [cards[pk] for pk in home_page.new_product_ids if pk in cards],
        "bestsellers": [cards[pk] for pk in home_page.bestseller_ids if pk in cards],
    })


@storefront_page_cache(scopes=lambda slug=None: (listing_scope(slug), POPULARITY))
def category(request, slug: str | None = None):
    listing = selectors.category_listing(slug=slug)
    filterset = ProductFilter(
        request.GET or None,
        queryset=selectors.products_in_branch(category_ids=listing.branch_ids),
        attributes=listing.filter_attributes,
    )
    current_sort = request.GET.get("sort", "popular")
    return render(request, "catalog/category.html", {
        "category": listing.category,
        "breadcrumbs": listing.breadcrumbs,
        "subcategories": listing.subcategories,
        "filters": _filters_html(request, filterset=filterset, category=listing.category, current_sort=current_sort),
        "page": _paginate(request, selectors.listing_matches(filterset=filterset, category=listing.category)),
        "sort_choices": SORT_CHOICES,
        "current_sort": current_sort,
        "page_sizes": settings.CATALOG_PAGE_SIZES,
    })


def _filters_html(request, *, filterset: ProductFilter, category, current_sort: str) -> SafeString:
    """The filter panel, with its counts and errors, is the same for everyone who sets the same
    filters: rendered once per language, filters and sort order while the listing is unchanged."""
    sort = hashlib.blake2b(current_sort.encode(), digest_size=8).hexdigest()
    key = f"{selectors.listing_key(filterset, category)}:panel:{get_language()}:{sort}"
    html = kept(key, lambda: render_to_string("catalog/_filters.html", {
        "filterset": filterset,
        "facets": selectors.catalog_facets(filterset=filterset, category=category),
        "current_sort": current_sort,
    }, request), scopes=(listing_scope(category.slug if category else None),))
    return mark_safe(html)  # noqa: S308 - our own template's output, escaped already


def product(request, slug: str):
    response = _product_page(request, slug=slug)
    # Announced on every view, also when the page came from the cache.
    product_viewed.send(sender=Product, request=request, product_id=response.product_id)
    return response


@storefront_page_cache(scopes=lambda slug: (product_page_scope(slug),))
def _product_page(request, *, slug: str):
    context = selectors.product_page(slug=slug)
    context["related_products"] = product_cards_html(context.pop("related_product_ids"))
    response = render(request, "catalog/product.html", context)
    response.product_id = context["product"].pk
    return response


@storefront_page_cache(scopes=lambda: (STOCK, POPULARITY))
def search(request):
    query = normalise_query(request.GET.get("q", ""))
    page = _paginate(request, search_matches(query=query)) if query else None
    return render(request, "catalog/search.html", {
        "query": query,
        "page": page,
        "title": _("Search: %(query)s") % {"query": query} if query else _("Search"),
    })
