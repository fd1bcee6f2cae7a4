from decimal import Decimal

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.search_words import stemmed
from core.models import TimeStampedModel

THUMB_SIZES = {"small": 320, "large": 800}


class Category(models.Model):
    """A node of the catalog tree. `path` is the materialised chain of ancestor ids
    ("/1/4/9/"), so a whole branch is one indexed prefix query. Saved through
    catalog.services.category_save, which keeps path, depth and visibility in step."""

    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=False)
    description = models.TextField(_("description"), blank=True)
    image = models.ImageField(_("image"), upload_to="categories/", blank=True)
    seo_title = models.CharField(_("SEO title"), max_length=200, blank=True)
    seo_description = models.CharField(_("SEO description"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    is_featured = models.BooleanField(_("featured on the home page"), default=False)
    # Active and under active categories only: hiding a section hides its whole branch.
    is_visible = models.BooleanField(editable=False, default=True, db_index=True)
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    filter_attributes = models.ManyToManyField(
        "Attribute", through="CategoryAttribute", blank=True,
        verbose_name=_("filterable attributes"), related_name="categories",
    )

    class Meta:
        ordering = ("path",)
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:category", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.pk and self.parent_id:
            ancestor = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    raise ValidationError({"parent": _("A category cannot be placed inside itself.")})
                ancestor = ancestor.parent

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)

    class Meta:
        ordering = ("name",)
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self) -> str:
        return self.name


class Attribute(models.Model):
    """A typed property ("Volume, ml", "Colour"), so values stay systematic and filterable."""

    class Kind(models.TextChoices):
        NUMBER = "number", _("Number")
        CHOICE = "choice", _("Choice from a list")
        BOOLEAN = "boolean", _("Yes / no")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.CHOICE)
    unit = models.CharField(_("unit"), max_length=20, blank=True)

    class Meta:
        ordering = ("name",)
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")

    def __str__(self) -> str:
        return f"{self.name}, {self.unit}" if self.unit else self.name


class AttributeOption(models.Model):
    """An allowed value of a choice attribute."""

    attribute = models.ForeignKey(
        Attribute, on_delete=models.CASCADE, related_name="options", verbose_name=_("attribute")
    )
    value = models.CharField(_("value"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ("attribute", "position", "value")
        verbose_name = _("attribute option")
        verbose_name_plural = _("attribute options")
        constraints = [
            models.UniqueConstraint(fields=("attribute", "slug"), name="attribute_option_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.value


class CategoryAttribute(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, verbose_name=_("category"))
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, verbose_name=_("attribute"))
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ("position",)
        verbose_name = _("filterable attribute")
        verbose_name_plural = _("filterable attributes")
        constraints = [
            models.UniqueConstraint(fields=("category", "attribute"), name="category_attribute_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.attribute}"


class ProductQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, category__is_visible=True)

    def in_stock(self):
        return self.filter(is_in_stock=True)


class Product(TimeStampedModel):
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    brand = models.ForeignKey(
        Brand, on_delete=models.PROTECT, related_name="products",
        null=True, blank=True, verbose_name=_("brand"),
    )
    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=255, unique=True)
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(
        _("price, ₽"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    old_price = models.DecimalField(
        _("old price, ₽"), max_digits=12, decimal_places=2, null=True, blank=True,
        help_text=_("Shown crossed out when it is above the price."),
    )
    stock = models.PositiveIntegerField(
        _("stock"), default=0, help_text=_("For products without variants; variants keep their own stock.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    consumption_days = models.PositiveIntegerField(
        _("usually lasts, days"), null=True, blank=True,
        help_text=_("How long one item usually lasts; replenishment reminders use it."),
    )
    sales_count = models.PositiveIntegerField(_("units sold"), default=0, editable=False)
    # Derived from the stock of the product or of its variants, and kept current by
    # catalog.services.products_refresh_availability, so listings filter on a plain column.
    is_in_stock = models.BooleanField(_("in stock"), default=False, editable=False, db_index=True)
    # The published reviews' average and number, kept by the reviews app's moderation (through
    # catalog.services.products_rating_set), so the page, the API and the structured data read
    # two columns and the catalog never looks upwards at the reviews themselves.
    rating_average = models.DecimalField(
        _("rating"), max_digits=3, decimal_places=2, null=True, blank=True, editable=False
    )
    rating_count = models.PositiveIntegerField(_("reviews"), default=0, editable=False)
    related_products = models.ManyToManyField(
        "self", symmetrical=False, blank=True, verbose_name=_("related products")
    )
    seo_title = models.CharField(_("SEO title"), max_length=200, blank=True)
    seo_description = models.CharField(_("SEO description"), max_length=300, blank=True)
    # Kept by a database trigger on PostgreSQL (see migrations); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    # The stems of the name, brand and SKU (title) and of the description (text), kept by
    # search_fields_refresh for the SQLite full-text index (catalog.search); unused on PostgreSQL.
    search_title = models.TextField(editable=False, default="")
    search_text = models.TextField(editable=False, default="")

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [
            # Listings filter by category, stock, brand and price and sort by price, popularity or
            # novelty: with those columns in the index, counts, facets and a page's ids are read
            # from the index alone (PostgreSQL; elsewhere it is a plain index).
            models.Index(
                fields=("category", "is_active", "price"), name="product_listing",
                include=("is_in_stock", "brand", "sales_count", "created_at", "id"),
            ),
            models.Index(fields=("-sales_count",), name="product_popularity"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="product_stock_not_negative"),
            models.CheckConstraint(
                condition=Q(rating_count=0, rating_average__isnull=True)
                | Q(rating_count__gt=0, rating_average__gte=1, rating_average__lte=5),
                name="product_rating_matches_count",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.search_fields_refresh()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("catalog:product", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.old_price is not None and self.old_price <= self.price:
            raise ValidationError({"old_price": _("The old price must be above the current price.")})

    def search_fields_refresh(self) -> None:
        """Fill search_title and search_text from the name, brand, SKU and description."""
        brand = self.brand.name if self.brand_id else ""
        self.search_title = stemmed(" ".join([self.name, brand, self.sku]))
        self.search_text = stemmed(self.description)

    @property
    def discount_percent(self) -> int | None:
        if self.old_price and self.old_price > self.price:
            return int(round((1 - self.price / self.old_price) * 100))
        return None


class ProductImage(models.Model):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="images", verbose_name=_("product")
    )
    image = models.ImageField(_("image"), upload_to="products/")
    thumb_small = models.ImageField(upload_to="products/thumbs/", editable=False, blank=True)
    thumb_large = models.ImageField(upload_to="products/thumbs/", editable=False, blank=True)
    alt = models.CharField(_("alternative text"), max_length=255, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ("position", "id")
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return self.alt or self.image.name

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_image_name = instance.__dict__.get("image")
        return instance

    @property
    def needs_thumbnails(self) -> bool:
        return bool(self.image) and (
            not self.thumb_small or self.image.name != getattr(self, "_loaded_image_name", None)
        )

    @property
    def small_url(self) -> str:
        return (self.thumb_small or self.image).url

    @property
    def large_url(self) -> str:
        return (self.thumb_large or self.image).url


class ProductVariant(models.Model):
    """A size or colour of a product, sold and stocked on its own."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="variants", verbose_name=_("product")
    )
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=120, help_text=_("What the shopper picks: “42”, “red”."))
    options = models.ManyToManyField(AttributeOption, blank=True, verbose_name=_("options"))
    price_override = models.DecimalField(
        _("own price, ₽"), max_digits=12, decimal_places=2, null=True, blank=True,
        help_text=_("Leave empty to sell at the product price."),
    )
    stock = models.PositiveIntegerField(_("stock"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ("position", "id")
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="variant_stock_not_negative"),
            models.CheckConstraint(
                condition=Q(price_override__isnull=True) | Q(price_override__gte=0),
                name="variant_price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} — {self.name}"

    @property
    def price(self) -> Decimal:
        """What the variant sells at: its own price, else the product's (see variant_price_sql)."""
        return self.price_override if self.price_override is not None else self.product.price

    @property
    def in_stock(self) -> bool:
        return self.is_active and self.stock > 0


def variant_price_sql(variant: str = "") -> Coalesce:
    """ProductVariant.price as an SQL expression, for a query that compares many variants'
    prices at once: `variant` is the path from the query's model to the variant ("" in a query
    of variants). The same rule as the property, and a test holds the two to it."""
    prefix = f"{variant}__" if variant else ""
    return Coalesce(F(f"{prefix}price_override"), F(f"{prefix}product__price"))


class ProductAttributeValue(models.Model):
    """One property of one product, in the column that matches the attribute's type."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="attribute_values", verbose_name=_("product")
    )
    attribute = models.ForeignKey(
        Attribute, on_delete=models.PROTECT, related_name="product_values", verbose_name=_("attribute")
    )
    option = models.ForeignKey(
        AttributeOption, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("option")
    )
    number = models.DecimalField(_("number"), max_digits=14, decimal_places=3, null=True, blank=True)
    boolean = models.BooleanField(_("yes / no"), null=True, blank=True)

    class Meta:
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        constraints = [
            models.UniqueConstraint(fields=("product", "attribute"), name="product_attribute_unique"),
        ]
        indexes = [
            models.Index(fields=("attribute", "option"), name="product_value_option"),
            models.Index(fields=("attribute", "number"), name="product_value_number"),
        ]

    def __str__(self) -> str:
        return f"{self.attribute.name}: {self.display_value}"

    def clean(self) -> None:
        expected = {
            Attribute.Kind.CHOICE: "option",
            Attribute.Kind.NUMBER: "number",
            Attribute.Kind.BOOLEAN: "boolean",
        }[self.attribute.kind]
        filled = [name for name in ("option", "number", "boolean") if getattr(self, name) is not None]
        if filled != [expected]:
            raise ValidationError(
                _("“%(attribute)s” takes exactly one value of its type.") % {"attribute": self.attribute.name}
            )
        if self.option is not None and self.option.attribute_id != self.attribute_id:
            raise ValidationError({"option": _("This option belongs to another attribute.")})

    @property
    def display_value(self) -> str:
        if self.option_id:
            return self.option.value
        if self.number is not None:
            number = self.number.normalize()
            text = f"{number:f}"
            return f"{text} {self.attribute.unit}".strip()
        if self.boolean is not None:
            return str(_("yes") if self.boolean else _("no"))
        return ""


class RetiredSlug(models.Model):
    """An address a product or a category used to have. It answers with a permanent redirect to
    the row's address of today, so links and search results that know the old one keep working
    through any number of renames."""

    class Kind(models.TextChoices):
        PRODUCT = "product", _("product")
        CATEGORY = "category", _("category")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    slug = models.SlugField(_("old slug"), max_length=255)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    retired_at = models.DateTimeField(_("retired"), auto_now=True)

    class Meta:
        verbose_name = _("old address")
        verbose_name_plural = _("old addresses")
        constraints = [
            models.UniqueConstraint(fields=("kind", "slug"), name="retired_slug_unique_per_kind"),
            models.CheckConstraint(
                condition=Q(kind="product", product__isnull=False, category__isnull=True)
                | Q(kind="category", category__isnull=False, product__isnull=True),
                name="retired_slug_points_to_its_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.slug}"

    @property
    def target(self) -> "Product | Category":
        return self.product if self.kind == self.Kind.PRODUCT else self.category
