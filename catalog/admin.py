from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog import models, services


class InStockFilter(admin.SimpleListFilter):
    title = _("stock")
    parameter_name = "in_stock"

    def lookups(self, request, model_admin):
        return [("yes", _("In stock")), ("no", _("Out of stock"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.in_stock()
        if self.value() == "no":
            return queryset.filter(is_in_stock=False)
        return queryset


class CategoryAttributeInline(admin.TabularInline):
    model = models.CategoryAttribute
    extra = 0
    autocomplete_fields = ("attribute",)


@admin.register(models.Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("indented_name", "slug", "position", "is_active", "is_featured")
    list_editable = ("position", "is_active", "is_featured")
    list_filter = ("is_active", "is_featured")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)
    inlines = (CategoryAttributeInline,)
    fieldsets = (
        (None, {"fields": ("name", "slug", "parent", "position", "is_active", "is_featured")}),
        (_("Page"), {"fields": ("description", "image")}),
        (_("Search engines"), {"fields": ("seo_title", "seo_description"), "classes": ("collapse",)}),
    )

    def save_model(self, request, obj, form, change) -> None:
        services.category_save(category=obj)

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, category):
        return format_html("{}{}", "— " * category.depth, category.name)


@admin.register(models.Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


class AttributeOptionInline(admin.TabularInline):
    model = models.AttributeOption
    extra = 1
    prepopulated_fields = {"slug": ("value",)}


@admin.register(models.Attribute)
class AttributeAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "unit", "slug")
    list_filter = ("kind",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (AttributeOptionInline,)


class ProductImageInline(admin.TabularInline):
    model = models.ProductImage
    extra = 1
    fields = ("preview", "image", "alt", "position")
    readonly_fields = ("preview",)

    @admin.display(description=_("preview"))
    def preview(self, image):
        return format_html('<img src="{}" width="64" height="64" alt="">', image.small_url) if image.pk else "—"


class ProductVariantInline(admin.TabularInline):
    model = models.ProductVariant
    extra = 0
    fields = ("name", "sku", "price_override", "stock", "is_active", "position")


class ProductAttributeValueInline(admin.TabularInline):
    model = models.ProductAttributeValue
    extra = 1
    fields = ("attribute", "option", "number", "boolean")
    autocomplete_fields = ("attribute",)


@admin.register(models.Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "sku", "category", "brand", "price", "stock", "is_in_stock", "is_active")
    list_editable = ("price", "stock")
    list_filter = ("is_active", InStockFilter, "category", "brand")
    list_select_related = ("category", "brand")
    search_fields = ("name", "sku", "variants__sku")
    search_help_text = _("Name or SKU")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("category", "brand", "related_products")
    readonly_fields = ("is_in_stock", "sales_count", "created_at", "updated_at")
    inlines = (ProductImageInline, ProductVariantInline, ProductAttributeValueInline)
    actions = ("activate", "deactivate")
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("name", "slug", "sku", "category", "brand", "is_active")}),
        (_("Price and stock"), {"fields": ("price", "old_price", "stock", "consumption_days")}),
        (_("Description"), {"fields": ("description", "related_products")}),
        (_("Search engines"), {"fields": ("seo_title", "seo_description"), "classes": ("collapse",)}),
        (_("Statistics"), {"fields": ("is_in_stock", "sales_count", "created_at", "updated_at")}),
    )

    @admin.action(description=_("Show selected products in the store"))
    def activate(self, request, queryset):
        self._report(request, services.products_set_active(products=queryset, is_active=True))

    @admin.action(description=_("Hide selected products from the store"))
    def deactivate(self, request, queryset):
        self._report(request, services.products_set_active(products=queryset, is_active=False))

    def _report(self, request, count: int) -> None:
        self.message_user(
            request, ngettext("%(count)d product updated.", "%(count)d products updated.", count) % {"count": count},
            messages.SUCCESS,
        )


