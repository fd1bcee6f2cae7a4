"""The read-only catalog API: the storefront's selectors and filters, as JSON."""

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError

from catalog import selectors
from catalog.api.serializers import CategorySerializer, ProductDetailSerializer, ProductSerializer
from catalog.filters import SORT_CHOICES, ProductFilter
from catalog.models import Category, Product, ProductAttributeValue, ProductVariant
from catalog.search import products_search

_ACTIVE_VARIANTS = Prefetch(
    "variants", queryset=ProductVariant.objects.filter(is_active=True).order_by("position", "id"),
    to_attr="active_variants",
)


class CategoryListApi(generics.ListAPIView):
    """Every visible category, in tree order: `parent` links a category to its parent, `path`
    ("/1/4/") lists its ancestors' ids and `depth` says how deep it sits."""

    serializer_class = CategorySerializer
    pagination_class = None

    def get_queryset(self):
        return Category.objects.filter(is_visible=True).order_by("path", "position", "name")


@extend_schema(parameters=[
    OpenApiParameter("category", OpenApiTypes.STR, description="A category slug: its products and its "
                     "subcategories'; also enables that category's attribute filters."),
    OpenApiParameter("q", OpenApiTypes.STR, description="Search words, as in the storefront search."),
    OpenApiParameter("price_min", OpenApiTypes.DECIMAL),
    OpenApiParameter("price_max", OpenApiTypes.DECIMAL),
    OpenApiParameter("brand", OpenApiTypes.STR, many=True, description="Brand slugs."),
    OpenApiParameter("in_stock", OpenApiTypes.BOOL),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=[value for value, _label in SORT_CHOICES]),
    OpenApiParameter("a_<slug>", OpenApiTypes.STR, description="Attribute filters of the category, named "
                     "like the storefront's: a_<slug> (option slugs or true), a_<slug>_min, a_<slug>_max."),
])
class ProductListApi(generics.ListAPIView):
    """Products with the storefront's filters and sorting, 24 a page."""

    serializer_class = ProductSerializer

    def get_queryset(self):
        params = self.request.query_params
        category = None
        if params.get("category"):
            category = selectors.category_get(slug=params["category"])
        products = selectors.products_in_category(category=category)
        if params.get("q", "").strip():
            products = products_search(query=params["q"], products=products)
        filterset = ProductFilter(
            params or None, queryset=products, attributes=selectors.category_filter_attributes(category=category)
        )
        if filterset.is_bound and not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return selectors.product_cards(filterset.qs).select_related("category").prefetch_related(_ACTIVE_VARIANTS)


class ProductDetailApi(generics.RetrieveAPIView):
    """One product by its id or its slug."""

    serializer_class = ProductDetailSerializer

    def get_object(self) -> Product:
        key = self.kwargs["key"]
        products = selectors.product_cards(Product.objects.active()).defer(None).select_related("category")
        products = products.prefetch_related(
            _ACTIVE_VARIANTS,
            Prefetch("attribute_values", queryset=ProductAttributeValue.objects
                     .select_related("attribute", "option").order_by("attribute__name")),
        )
        lookup = {"pk": int(key)} if key.isdigit() else {"slug": key}
        product = products.filter(**lookup).first()
        if product is None:
            raise Http404
        return product
