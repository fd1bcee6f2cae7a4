"""The staff catalog API: products, prices and stock for an accounting or warehouse system.

Authentication, throttling and the cross-origin rule come from the project's REST_FRAMEWORK
settings, like every other endpoint; writes go through integrations.catalog_writes, which checks
them with the admin's own forms."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Product, ProductVariant
from integrations.catalog_writes import ItemChange, WriteRefused, items_update, product_create, product_update

MAX_ITEMS = 1000


class CanEditCatalog(permissions.BasePermission):
    """Staff who may see products read; those who may change them write, as in the admin."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_staff):
            return False
        if request.method in permissions.SAFE_METHODS:
            return user.has_perm("catalog.view_product")
        return user.has_perm("catalog.change_product") and (
            request.method != "POST" or view.creates is False or user.has_perm("catalog.add_product"))


class StaffVariantSerializer(serializers.ModelSerializer):
    price = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = ProductVariant
        fields = ("sku", "name", "price", "price_override", "stock", "is_active")


class StaffProductSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    brand = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    variants = StaffVariantSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields = ("sku", "name", "slug", "category", "brand", "description", "price", "old_price", "stock",
                  "is_active", "is_in_stock", "updated_at", "variants")


class StaffProductWriteSerializer(serializers.Serializer):
    """What may be sent; the admin's form checks the values."""

    sku = serializers.CharField(required=False)
    name = serializers.CharField(required=False)
    slug = serializers.CharField(required=False)
    category = serializers.CharField(required=False, help_text="Category slug.")
    brand = serializers.CharField(required=False, allow_blank=True, help_text="Brand slug, or empty.")
    description = serializers.CharField(required=False, allow_blank=True)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    old_price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    stock = serializers.IntegerField(required=False)
    is_active = serializers.BooleanField(required=False)


class StaffItemSerializer(serializers.Serializer):
    sku = serializers.CharField()
    stock = serializers.IntegerField(required=False)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    old_price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)


def _products():
    return Product.objects.select_related("category", "brand").prefetch_related(
        Prefetch("variants", queryset=ProductVariant.objects.select_related("product").order_by("position", "id")))


def _refused(error: WriteRefused) -> Response:
    """The API's one error shape: the first reason as the sentence, all of them (per field, and per
    item of a batch) under "errors" as the admin's forms give them."""
    return Response({"detail": _first_message(error.errors), "errors": error.errors, "code": "refused"},
                    status=status.HTTP_400_BAD_REQUEST)


def _first_message(errors) -> str:
    if isinstance(errors, dict):
        if "message" in errors:
            return str(errors["message"])
        errors = list(errors.values())
    for value in errors:
        if found := _first_message(value):
            return found
    return ""


class StaffProductListApi(generics.ListAPIView):
    """Products with their variants, newest change first; `?sku=` finds one, `?updated_since=` (ISO
    time) lists what changed since the last sync. POST creates a product."""

    permission_classes = [CanEditCatalog]
    serializer_class = StaffProductSerializer
    creates = True

    def get_queryset(self):
        products = _products().order_by("-updated_at", "-id")
        params = self.request.query_params
        if params.get("sku"):
            products = products.filter(sku=params["sku"])
        if params.get("updated_since"):
            field = serializers.DateTimeField()
            products = products.filter(updated_at__gte=field.run_validation(params["updated_since"]))
        return products

    @extend_schema(request=StaffProductWriteSerializer, responses={201: StaffProductSerializer})
    def post(self, request):
        data = StaffProductWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            product = product_create(data=data.validated_data, user=request.user)
        except WriteRefused as error:
            return _refused(error)
        return Response(StaffProductSerializer(_products().get(pk=product.pk)).data, status=status.HTTP_201_CREATED)


class StaffProductDetailApi(APIView):
    """One product by SKU; PATCH changes the fields it names."""

    permission_classes = [CanEditCatalog]
    creates = False

    @extend_schema(responses=StaffProductSerializer)
    def get(self, request, sku: str):
        return Response(StaffProductSerializer(get_object_or_404(_products(), sku=sku)).data)

    @extend_schema(request=StaffProductWriteSerializer, responses=StaffProductSerializer)
    def patch(self, request, sku: str):
        get_object_or_404(Product, sku=sku)
        data = StaffProductWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            product = product_update(sku=sku, changes=data.validated_data, user=request.user)
        except WriteRefused as error:
            return _refused(error)
        return Response(StaffProductSerializer(_products().get(pk=product.pk)).data)


class StaffStockAndPricesApi(APIView):
    """Set stock and/or prices of many products or variants by SKU, all or none:
    `[{"sku": "KT-1", "stock": 5, "price": "1990.00"}, ...]`, at most 1,000 items."""

    permission_classes = [CanEditCatalog]
    creates = False

    @extend_schema(request=StaffItemSerializer(many=True), responses={200: None})
    def patch(self, request):
        items = StaffItemSerializer(data=request.data, many=True, max_length=MAX_ITEMS, allow_empty=False)
        items.is_valid(raise_exception=True)
        try:
            written = items_update(items=[ItemChange(**item) for item in items.validated_data], user=request.user)
        except WriteRefused as error:
            return _refused(error)
        return Response({"updated": written})
