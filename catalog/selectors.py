import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from catalog.cache import POPULARITY, KeptMatches, kept, listing_scope, product_page_scope
from catalog.filters import SORTS, ProductFilter
from catalog.models import (
    Attribute,
    AttributeOption,
    Category,
    Product,
    ProductAttributeValue,
    ProductImage,
    ProductVariant,
    RetiredSlug,
)
from core.money import format_rubles

# Long texts a card never shows: not worth reading for every row of a listing.
CARD_DEFERRED_FIELDS = ("description", "search_title", "search_text", "search_vector", "seo_title", "seo_description")


def product_cards(queryset: QuerySet[Product]) -> QuerySet[Product]:
    """What a product card shows, in a fixed number of queries whatever the page size."""
    return (
        queryset.select_related("brand")
        .defer(*CARD_DEFERRED_FIELDS)
        .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")))
    )


def categories_featured() -> QuerySet[Category]:
    return Category.objects.filter(is_visible=True, is_featured=True).order_by("position", "name")


def categories_popular(*, limit: int = 6) -> list[Category]:
    """Visible categories whose products sell most, for a shopper whose search found nothing."""
    return kept(f"storefront:popular-categories:v1:{limit}", lambda: list(
        Category.objects.filter(is_visible=True)
        .annotate(sold=Sum("products__sales_count", filter=Q(products__is_active=True)))
        .filter(sold__gt=0).order_by("-sold", "name")[:limit]
    ), scopes=(POPULARITY,))


def categories_top() -> QuerySet[Category]:
    return Category.objects.filter(is_visible=True, parent__isnull=True).order_by("position", "name")


def products_new(*, limit: int = 8) -> list[int]:
    return list(Product.objects.active().order_by("-created_at", "-id").values_list("pk", flat=True)[:limit])


def products_bestsellers(*, limit: int = 8) -> list[int]:
    bestsellers = Product.objects.active().filter(sales_count__gt=0).order_by(*SORTS["popular"])
    return list(bestsellers.values_list("pk", flat=True)[:limit])


@dataclass
class HomePage:
    featured_categories: list[Category]
    new_product_ids: list[int]
    bestseller_ids: list[int]


def home_page() -> HomePage:
    """What the home page shows, the same for every shopper: kept until the catalog changes."""
    return kept("storefront:home:v1", lambda: HomePage(
        featured_categories=list(categories_featured()),
        new_product_ids=products_new(),
        bestseller_ids=products_bestsellers(),
    ), scopes=(POPULARITY,))


def category_get(*, slug: str) -> Category:
    return get_object_or_404(Category.objects.filter(is_visible=True), slug=slug)


def category_ancestors(*, category: Category) -> list[Category]:
    ancestors = {c.pk: c for c in Category.objects.filter(pk__in=category.ancestor_ids)}
    return [ancestors[pk] for pk in category.ancestor_ids if pk in ancestors]


def category_children(*, category: Category | None) -> QuerySet[Category]:
    return Category.objects.filter(is_visible=True, parent=category).order_by("position", "name")


def retired_slug_target(*, kind: str, slug: str) -> Product | Category | None:
    """The product or category that had this slug before, if it is still shown."""
    retired = RetiredSlug.objects.filter(kind=kind, slug=slug).select_related("product", "category").first()
    if retired is None:
        return None
    target = retired.target
    visible = target.is_visible if kind == RetiredSlug.Kind.CATEGORY else Product.objects.active().filter(
        pk=target.pk).exists()
    return target if visible else None


def product_no_longer_sold(*, slug: str) -> Product | None:
    """A product the shop once sold at this address and sells no more (switched off, or its
    category hidden)."""
    return Product.objects.select_related("category").filter(slug=slug).exclude(
        pk__in=Product.objects.active().values("pk")).first()


def category_filter_attributes(*, category: Category | None) -> list[Attribute]:
    """The attributes a listing filters by: the category's own and those of its ancestors."""
    if category is None:
        return []
    category_ids = [*category.ancestor_ids, category.pk]
    return list(
        Attribute.objects.filter(categoryattribute__category_id__in=category_ids)
        .prefetch_related(Prefetch("options", queryset=AttributeOption.objects.order_by("position", "value")))
        .order_by("categoryattribute__position", "name")
        .distinct()
    )


def products_in_category(*, category: Category | None) -> QuerySet[Product]:
    return products_in_branch(category_ids=None if category is None else category_branch_ids(category=category))


def category_branch_ids(*, category: Category) -> list[int]:
    """The category and its visible descendants: a handful of ids, so product queries need no join."""
    branch = Category.objects.filter(path__startswith=category.path, is_visible=True)
    return list(branch.values_list("pk", flat=True))


def products_in_branch(*, category_ids: list[int] | None) -> QuerySet[Product]:
    if category_ids is None:
        return Product.objects.active().order_by(*SORTS["popular"])
    return Product.objects.filter(is_active=True, category_id__in=category_ids).order_by(*SORTS["popular"])


@dataclass
class CategoryListing:
    """What a catalog page shows of its category, whatever the filters: a few small queries
    every listing would repeat, kept until the catalog changes."""

    category: Category | None
    breadcrumbs: list[Category]
    subcategories: list[Category]
    filter_attributes: list[Attribute]
    branch_ids: list[int] | None


def category_listing(*, slug: str | None) -> CategoryListing:
    return kept(f"storefront:category:v1:{slug or ''}", lambda: _category_listing(slug))


def _category_listing(slug: str | None) -> CategoryListing:
    category = category_get(slug=slug) if slug else None
    return CategoryListing(
        category=category,
        breadcrumbs=category_ancestors(category=category) if category else [],
        subcategories=list(category_children(category=category)),
        filter_attributes=category_filter_attributes(category=category),
        branch_ids=category_branch_ids(category=category) if category else None,
    )


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    kind: str
    options: list[FacetOption] = field(default_factory=list)
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    count: int = 0
    selected_min: str = ""
    selected_max: str = ""
    selected: bool = False


@dataclass(frozen=True)
class ActiveFilter:
    """A filter the shopper set, as a chip says it: removing it drops `value` of parameter `name`."""

    label: str
    name: str
    value: str


def active_filters(*, filterset: ProductFilter, facets: list[Facet]) -> list[ActiveFilter]:
    """The filters in force, in the panel's order, for the chips above the results."""
    if not filterset.is_bound or not filterset.form.is_valid():
        return []
    data, chips = filterset.form.cleaned_data, []
    for name, text in (("price_min", _("Price from %(value)s")), ("price_max", _("Price to %(value)s"))):
        if data.get(name) is not None:
            chips.append(ActiveFilter(text % {"value": format_rubles(data[name])}, name, filterset.data[name]))
    if data.get("in_stock"):
        chips.append(ActiveFilter(str(ProductFilter.base_filters["in_stock"].label), "in_stock", "true"))
    for facet in facets:
        chips += [ActiveFilter(f"{facet.label}: {option.label}", facet.name, option.value)
                  for option in facet.options if option.selected]
        if facet.kind == "boolean" and facet.selected:
            chips.append(ActiveFilter(facet.label, facet.name, "true"))
        for bound, value, text in (("min", facet.selected_min, _("%(label)s from %(value)s")),
                                   ("max", facet.selected_max, _("%(label)s to %(value)s"))):
            if value:
                label = text % {"label": facet.label, "value": value}
                chips.append(ActiveFilter(label, f"{facet.name}_{bound}", value))
    return chips


def _selected(filterset: ProductFilter, name: str) -> set[str]:
    return set(filterset.data.getlist(name)) if filterset.is_bound else set()


def catalog_facets(*, filterset: ProductFilter, category: Category | None) -> list[Facet]:
    """Counts next to each filter value. Each facet counts the products that match every
    other active filter; that is one query for all untouched facets and one per active one.
    The counts are the same for every shopper, so they are kept until the catalog changes."""
    counts = kept(f"{listing_key(filterset, category)}:facets", lambda: _facet_counts(filterset),
                  scopes=(listing_scope(category.slug if category else None),))
    facets = [_brand_facet(filterset, counts["brands"])]
    facets += [_attribute_facet(filterset, attribute, counts["attributes"].get(attribute.pk, _NO_VALUES))
               for attribute in filterset.attributes]
    return facets


def listing_matches(*, filterset: ProductFilter, category: Category | None) -> KeptMatches:
    """The listing's product ids in the shopper's sort order, kept until the catalog changes."""
    sort = filterset.data.get("sort") if filterset.is_bound else None
    return KeptMatches(f"{listing_key(filterset, category)}:sort:{sort if sort in SORTS else ''}",
                       lambda: filterset.qs.values_list("pk", flat=True),
                       scopes=(listing_scope(category.slug if category else None),))


def listing_key(filterset: ProductFilter, category: Category | None) -> str:
    """The listing (category) and its filters; sorting and paging don't change what matches."""
    params = sorted((name, value) for name in filterset.filters if name != "sort"
                    for value in (filterset.data.getlist(name) if filterset.is_bound else ()))
    digest = hashlib.blake2b(repr(params).encode(), digest_size=16).hexdigest()
    return f"storefront:listing:v1:{category.pk if category else 'all'}:{digest}"


def _facet_counts(filterset: ProductFilter) -> dict:
    active = filterset.active_names()
    filtered = _filtered(filterset)
    untouched = [a for a in filterset.attributes if not active & _filter_names(a)]
    attributes = _attribute_counts(filtered, untouched)
    for attribute in filterset.attributes:
        if attribute not in untouched:
            without_own = filterset.queryset_without(*_filter_names(attribute))
            attributes.update(_attribute_counts(without_own, [attribute]))
    brands = filterset.queryset_without("brand") if "brand" in active else filtered
    return {
        "brands": list(
            brands.filter(brand__isnull=False).order_by("brand__name")
            .values_list("brand__slug", "brand__name").annotate(n=Count("pk"))
        ),
        "attributes": attributes,
    }


def _filter_names(attribute: Attribute) -> set[str]:
    name = f"a_{attribute.slug}"
    return {f"{name}_min", f"{name}_max"} if attribute.kind == Attribute.Kind.NUMBER else {name}


def _brand_facet(filterset: ProductFilter, counts: list[tuple[str, str, int]]) -> Facet:
    selected = _selected(filterset, "brand")
    return Facet(name="brand", label=str(ProductFilter.base_filters["brand"].label), kind="brand", options=[
        FacetOption(value=slug, label=name, count=n, selected=slug in selected) for slug, name, n in counts
    ])


def _filtered(filterset: ProductFilter) -> QuerySet[Product]:
    return filterset.filter_queryset(filterset.queryset.all()) if filterset.is_bound else filterset.queryset.all()


_NO_VALUES = {"options": {}, "yes": 0, "min": None, "max": None}


def _attribute_counts(products: QuerySet[Product], attributes: list[Attribute]) -> dict:
    """{attribute_id: {"options": {option_id: n}, "yes": n, "min": x, "max": y}} in one query."""
    if not attributes:
        return {}
    rows = (
        ProductAttributeValue.objects
        .filter(attribute__in=attributes, product__in=products.order_by().values("pk"))
        .values("attribute_id", "option_id", "boolean")
        # A product has one value per attribute (a unique constraint), so rows count products.
        .annotate(n=Count("pk"), low=Min("number"), high=Max("number"))
        .order_by()
    )
    result: dict[int, dict] = {}
    for row in rows:
        entry = result.setdefault(row["attribute_id"], {"options": {}, "yes": 0, "min": None, "max": None})
        if row["option_id"] is not None:
            entry["options"][row["option_id"]] = row["n"]
        if row["boolean"]:
            entry["yes"] += row["n"]
        if row["low"] is not None:
            entry["min"] = row["low"] if entry["min"] is None else min(entry["min"], row["low"])
            entry["max"] = row["high"] if entry["max"] is None else max(entry["max"], row["high"])
    return result


def _attribute_facet(filterset: ProductFilter, attribute: Attribute, entry: dict) -> Facet:
    name = f"a_{attribute.slug}"
    facet = Facet(name=name, label=str(attribute), kind=attribute.kind)
    if attribute.kind == Attribute.Kind.CHOICE:
        selected = _selected(filterset, name)
        facet.options = [
            FacetOption(value=option.slug, label=option.value, count=entry["options"].get(option.pk, 0),
                        selected=option.slug in selected)
            for option in attribute.options.all()
            if entry["options"].get(option.pk) or option.slug in selected
        ]
    elif attribute.kind == Attribute.Kind.NUMBER:
        facet.minimum, facet.maximum = _plain(entry["min"]), _plain(entry["max"])
        if filterset.is_bound:
            facet.selected_min = filterset.data.get(f"{name}_min", "")
            facet.selected_max = filterset.data.get(f"{name}_max", "")
    else:
        facet.count = entry["yes"]
        facet.selected = bool(_selected(filterset, name) & {"true", "on", "1"})
    return facet


def _plain(number: Decimal | None) -> Decimal | None:
    """250.500 -> 250.5 and 100.000 -> 100 (never 1E+2), for range placeholders."""
    if number is None:
        return None
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


def product_get(*, slug: str) -> Product:
    return get_object_or_404(Product.objects.active().select_related("category", "brand"), slug=slug)


def product_page(*, slug: str) -> dict:
    """Everything the product page shows, in a fixed number of queries, kept until the
    catalog changes: it is the same for every shopper."""
    return dict(kept(f"storefront:product:v1:{slug}", lambda: _product_page(slug), scopes=(product_page_scope(slug),)))


def _product_page(slug: str) -> dict:
    product = get_object_or_404(
        Product.objects.active().select_related("category", "brand").prefetch_related(
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
            Prefetch("variants", queryset=ProductVariant.objects.filter(is_active=True).order_by("position", "id")),
            Prefetch("attribute_values", queryset=ProductAttributeValue.objects
                     .select_related("attribute", "option").order_by("attribute__name")),
        ),
        slug=slug,
    )
    related = product.related_products.active().values_list("pk", flat=True)[:8]
    return {
        "product": product,
        "variants": list(product.variants.all()),
        # The same rule as the listings' "in stock" filter, so page and card never disagree.
        "in_stock": product.is_in_stock,
        "related_product_ids": list(related),
        "breadcrumbs": [*category_ancestors(category=product.category), product.category],
    }
