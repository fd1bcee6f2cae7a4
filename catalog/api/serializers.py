from rest_framework import serializers

from catalog.models import Brand, Category, Product, ProductAttributeValue, ProductImage, ProductVariant


class CategorySerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The storefront page of the category.")

    class Meta:
        model = Category
        fields = ("id", "name", "slug", "parent", "depth", "path", "position", "url")

    def get_url(self, category: Category) -> str:
        return self.context["request"].build_absolute_uri(category.get_absolute_url())


class BrandSerializer(serializers.ModelSerializer):
    class Meta:
        model = Brand
        fields = ("id", "name", "slug")


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ("id", "name", "slug")


class ProductImageSerializer(serializers.ModelSerializer):
    original = serializers.SerializerMethodField()
    small = serializers.SerializerMethodField(help_text="320 px wide.")
    large = serializers.SerializerMethodField(help_text="800 px wide.")

    class Meta:
        model = ProductImage
        fields = ("original", "small", "large", "alt")

    def _absolute(self, url: str) -> str:
        return self.context["request"].build_absolute_uri(url)

    def get_original(self, image: ProductImage) -> str:
        return self._absolute(image.image.url)

    def get_small(self, image: ProductImage) -> str:
        return self._absolute(image.small_url)

    def get_large(self, image: ProductImage) -> str:
        return self._absolute(image.large_url)


class ProductVariantSerializer(serializers.ModelSerializer):
    price = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    in_stock = serializers.BooleanField(read_only=True)

    class Meta:
        model = ProductVariant
        fields = ("id", "sku", "name", "price", "in_stock")


class ProductSerializer(serializers.ModelSerializer):
    """A product card. Prices are strings holding exact decimals ("1990.00"), never floats."""

    in_stock = serializers.BooleanField(source="is_in_stock", read_only=True)
    brand = BrandSerializer(read_only=True)
    category = CategoryRefSerializer(read_only=True)
    images = ProductImageSerializer(many=True, read_only=True)
    variants = ProductVariantSerializer(many=True, read_only=True, source="active_variants")
    url = serializers.SerializerMethodField(help_text="The storefront page of the product.")
    rating_average = serializers.DecimalField(
        max_digits=3, decimal_places=2, read_only=True, allow_null=True,
        help_text="The average of the published reviews' stars (1–5), null while there are none.")
    rating_count = serializers.IntegerField(read_only=True, help_text="How many reviews are published.")

    class Meta:
        model = Product
        fields = ("id", "name", "slug", "sku", "price", "old_price", "discount_percent", "in_stock", "brand",
                  "category", "images", "variants", "url", "rating_average", "rating_count")

    def get_url(self, product: Product) -> str:
        return self.context["request"].build_absolute_uri(product.get_absolute_url())


class ProductAttributeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="attribute.name")
    slug = serializers.CharField(source="attribute.slug")
    value = serializers.CharField(source="display_value")

    class Meta:
        model = ProductAttributeValue
        fields = ("name", "slug", "value")


class ProductDetailSerializer(ProductSerializer):
    attributes = ProductAttributeSerializer(many=True, read_only=True, source="attribute_values")

    class Meta(ProductSerializer.Meta):
        fields = (*ProductSerializer.Meta.fields, "description", "attributes")
