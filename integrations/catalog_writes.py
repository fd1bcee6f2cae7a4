"""Products, prices and stock written by other systems (an accounting or warehouse system),
through the admin's own forms, so an API call is refused exactly where the admin would refuse.

Every write runs in one transaction with the rows locked, saves through the model (so the
storefront, the feeds and the webhooks hear of it as of an admin edit) and logs price changes."""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from catalog.models import Brand, Category, Product, ProductVariant
from integrations.models import PriceChange

PRODUCT_FIELDS = ("sku", "name", "slug", "category", "brand", "description", "price", "old_price", "stock",
                  "is_active")


class ProductForm(forms.ModelForm):
    """The admin's product fields and checks; the category and brand are named by slug."""

    category = forms.ModelChoiceField(Category.objects.all(), to_field_name="slug")
    brand = forms.ModelChoiceField(Brand.objects.all(), to_field_name="slug", required=False)

    class Meta:
        model = Product
        fields = PRODUCT_FIELDS


class VariantForm(forms.ModelForm):
    class Meta:
        model = ProductVariant
        fields = ("price_override", "stock", "is_active")


class WriteRefused(ValidationError):
    """The write was refused as a whole; `errors` says what is wrong, per item where there are items."""

    def __init__(self, errors) -> None:
        super().__init__("refused")
        self.errors = errors


def _source(user) -> str:
    return f"API: {user}"[:200]


def _current(product: Product) -> dict:
    data = model_to_dict(product, fields=PRODUCT_FIELDS)
    data["category"] = product.category.slug
    data["brand"] = product.brand.slug if product.brand_id else ""
    return data


def _log_price(product: Product, variant: ProductVariant | None, old, new, user) -> None:
    if old != new:
        PriceChange.objects.create(product=product, variant=variant, sku=(variant or product).sku, old_price=old,
                                   new_price=new, source=_source(user))


@transaction.atomic
def product_create(*, data: dict, user) -> Product:
    form = ProductForm(data)
    if not form.is_valid():
        raise WriteRefused(form.errors.get_json_data())
    product = form.save()
    _log_price(product, None, None, product.price, user)
    return product


@transaction.atomic
def product_update(*, sku: str, changes: dict, user) -> Product:
    """Change some fields of one product; the others keep their values."""
    product = Product.objects.select_for_update(of=("self",)).select_related("category", "brand").get(sku=sku)
    old_price = product.price
    form = ProductForm({**_current(product), **changes}, instance=product)
    if not form.is_valid():
        raise WriteRefused(form.errors.get_json_data())
    product = form.save()
    _log_price(product, None, old_price, product.price, user)
    return product


@dataclass(frozen=True)
class ItemChange:
    sku: str
    stock: int | None = None
    price: object = None
    old_price: object = None


@transaction.atomic
def items_update(*, items: list[ItemChange], user) -> int:
    """Set the stock and/or price of many products or variants by SKU, all or none.

    Guarantees: an unknown SKU or a value the admin would refuse refuses the whole request, with
    the reason per item; rows are locked in SKU order, so two such requests queue. Returns the
    number of items written."""
    skus = sorted({item.sku for item in items})
    products = {p.sku: p for p in Product.objects.select_for_update(of=("self",)).select_related(
        "category", "brand").filter(sku__in=skus).order_by("sku")}
    variants = {v.sku: v for v in ProductVariant.objects.select_for_update(of=("self",)).select_related(
        "product").filter(sku__in=skus).order_by("sku")}
    errors, forms_to_save, seen = {}, [], set()
    for index, item in enumerate(items):
        if item.sku in seen:
            errors[index] = {"sku": [{"message": _("The SKU is in this request twice."), "code": "duplicate"}]}
            continue
        seen.add(item.sku)
        if item.sku in products:
            product = products[item.sku]
            changes = {name: getattr(item, name) for name in ("stock", "price", "old_price")
                       if getattr(item, name) is not None}
            form = ProductForm({**_current(product), **changes}, instance=product)
            forms_to_save.append((form, product, None, product.price))
        elif item.sku in variants:
            variant = variants[item.sku]
            data = model_to_dict(variant, fields=("price_override", "stock", "is_active"))
            if item.stock is not None:
                data["stock"] = item.stock
            if item.price is not None:
                data["price_override"] = item.price
            form = VariantForm(data, instance=variant)
            forms_to_save.append((form, variant.product, variant, variant.price))
        else:
            errors[index] = {"sku": [{"message": _("No product or variant has this SKU."), "code": "not_found"}]}
            continue
        if not form.is_valid():
            errors[index] = form.errors.get_json_data()
    if errors:
        raise WriteRefused(errors)
    for form, product, variant, old_price in forms_to_save:
        saved = form.save()
        _log_price(product, variant, old_price, saved.price, user)
    return len(forms_to_save)
