import hashlib

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from catalog import selectors, seo
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
from catalog.models import Product, RetiredSlug
from catalog.product_page import product_page_sections_render
from catalog.search import SUGGESTION_FROM_TOP, normalise_query, search_matches, search_suggestion
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
        "structured_data": [seo.organization_data(request)],
    })


def category(request, slug: str | None = None):
    try:
        return _category_page(request, slug=slug)
    except Http404:
        return _moved(request, kind=RetiredSlug.Kind.CATEGORY, slug=slug)


@storefront_page_cache(scopes=lambda slug=None: (listing_scope(slug), POPULARITY))
def _category_page(request, *, slug: str | None = None):
    listing = selectors.category_listing(slug=slug)
    filterset = ProductFilter(
        request.GET or None,
        queryset=selectors.products_in_branch(category_ids=listing.branch_ids),
        attributes=listing.filter_attributes,
    )
    current_sort = request.GET.get("sort", "popular")
    chips = selectors.active_filters(
        filterset=filterset, facets=selectors.catalog_facets(filterset=filterset, category=listing.category)
    )
    return render(request, "catalog/category.html", {
        "category": listing.category,
        "breadcrumbs": listing.breadcrumbs,
        "subcategories": listing.subcategories,
        "filters": _filters_html(request, filterset=filterset, category=listing.category, current_sort=current_sort,
                                 active_count=len(chips)),
        "active_filters": [(chip.label, _without(request, chip.name, chip.value)) for chip in chips],
        "page": _paginate(request, selectors.listing_matches(filterset=filterset, category=listing.category)),
        "sort_choices": SORT_CHOICES,
        "current_sort": current_sort,
        "page_sizes": settings.CATALOG_PAGE_SIZES,
        "indexing": seo.listing_indexing(request.GET),
        "structured_data": [seo.breadcrumbs_data(request, crumbs=listing.breadcrumbs,
                                                 last_name=listing.category.name if listing.category else None,
                                                 last_url=listing.category.get_absolute_url()
                                                 if listing.category else None)],
    })


def _without(request, name: str, value: str) -> str:
    """This listing's address without one filter value (and back on its first page)."""
    params = request.GET.copy()
    params.setlist(name, [kept for kept in params.getlist(name) if kept != value])
    params.pop("page", None)
    return f"{request.path}?{params.urlencode()}" if params else request.path


def _filters_html(request, *, filterset: ProductFilter, category, current_sort: str, active_count: int) -> SafeString:
    """The filter panel, with its counts and errors, is the same for everyone who sets the same
    filters: rendered once per language, filters and sort order while the listing is unchanged."""
    sort = hashlib.blake2b(current_sort.encode(), digest_size=8).hexdigest()
    key = f"{selectors.listing_key(filterset, category)}:panel:{get_language()}:{sort}"
    html = kept(key, lambda: render_to_string("catalog/_filters.html", {
        "filterset": filterset,
        "facets": selectors.catalog_facets(filterset=filterset, category=category),
        "current_sort": current_sort,
        "active_count": active_count,
    }, request), scopes=(listing_scope(category.slug if category else None),))
    return mark_safe(html)  # noqa: S308 - our own template's output, escaped already


def product(request, slug: str):
    try:
        response = _product_page(request, slug=slug)
    except Http404:
        return _moved_or_gone(request, slug=slug)
    # Announced on every view, also when the page came from the cache.
    product_viewed.send(sender=Product, request=request, product_id=response.product_id)
    return response


@storefront_page_cache(scopes=lambda slug: (product_page_scope(slug),))
def _product_page(request, *, slug: str):
    context = selectors.product_page(slug=slug)
    context["related_products"] = product_cards_html(context.pop("related_product_ids"))
    product = context["product"]
    sections = product_page_sections_render(request, product=product)
    context["sections"] = sections.html
    context["structured_data"] = [
        seo.product_data(request, product=product, images=list(product.images.all()),
                         variants=context["variants"], in_stock=context["in_stock"],
                         extra=sections.structured_data),
        seo.breadcrumbs_data(request, crumbs=context["breadcrumbs"], last_name=product.name,
                             last_url=product.get_absolute_url()),
    ]
    context["ecommerce"] = seo.ecommerce_facts(kind="view", items=[seo.product_ecommerce_item(product)])
    response = render(request, "catalog/product.html", context)
    response.product_id = context["product"].pk
    return response


@storefront_page_cache(scopes=lambda: (STOCK, POPULARITY))
def search(request):
    query = normalise_query(request.GET.get("q", ""))
    matches = search_matches(query=query) if query else None
    return render(request, "catalog/search.html", {
        "query": query,
        "page": _paginate(request, matches) if matches is not None else None,
        "suggestion": search_suggestion(query=query, product_ids=matches[:SUGGESTION_FROM_TOP]) if matches else "",
        "popular_categories": selectors.categories_popular() if matches is not None and not matches else [],
        "title": _("Search: %(query)s") % {"query": query} if query else _("Search"),
    })


def _moved(request, *, kind: str, slug: str | None):
    """An address a product or category had before its slug changed redirects for good."""
    target = selectors.retired_slug_target(kind=kind, slug=slug) if slug else None
    if target is None:
        raise Http404
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(target.get_absolute_url() + (f"?{query}" if query else ""))


def _moved_or_gone(request, *, slug: str):
    """A product that is no longer sold answers 410 Gone, so search engines drop it, with a way on
    to its category for the shopper who followed an old link."""
    gone = selectors.product_no_longer_sold(slug=slug)
    if gone is None:
        return _moved(request, kind=RetiredSlug.Kind.PRODUCT, slug=slug)
    return render(request, "catalog/gone.html", {
        "product": gone,
        "category": gone.category if gone.category.is_visible else None,
        "categories": selectors.category_children(category=None),
    }, status=410)


SHOPPER_ONLY_PAGES = ("orders:cart", "orders:checkout", "catalog:search", "customers:account")


def _shopper_only_paths() -> list[str]:
    """A shopper's own pages and search results, in every language's address."""
    paths = []
    for code, _name in settings.LANGUAGES:
        with override(code):
            paths += [reverse(name) for name in SHOPPER_ONLY_PAGES]
    return list(dict.fromkeys(paths))


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in _shopper_only_paths()),
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /m/",
        # A shopper's own review forms (the reviews themselves are on the product page).
        "Disallow: /reviews/",
        "Disallow: /product/*/review/",
        # Sorting, page sizes and combined filters make endless addresses of the same products.
        "Disallow: /*?*sort=",
        "Disallow: /*?*per_page=",
        "Disallow: /*?*&",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('seo:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@storefront_page_cache(scopes=lambda: ())
def sitemap_index(request):
    return sitemap_views.index(request, sitemaps=seo.SITEMAPS, sitemap_url_name="seo:sitemap_section")


@storefront_page_cache(scopes=lambda section: ())
def sitemap_section(request, section: str):
    return sitemap_views.sitemap(request, sitemaps=seo.SITEMAPS, section=section)
