"""Storefront filters. The attribute filters are built per category from its filterable
attributes, so a new attribute needs no code: a choice becomes checkboxes, a number a range,
a yes/no a tick box."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Attribute, Brand, Product

SORTS = {
    "popular": ("-sales_count", "-id"),
    "new": ("-created_at", "-id"),
    "price": ("price", "id"),
    "-price": ("-price", "-id"),
}
SORT_CHOICES = [
    ("popular", _("Popular first")),
    ("new", _("New first")),
    ("price", _("Cheaper first")),
    ("-price", _("More expensive first")),
]


class ProductFilter(django_filters.FilterSet):
    price_min = django_filters.NumberFilter(
        field_name="price", lookup_expr="gte", label=_("Price from"), min_value=0
    )
    price_max = django_filters.NumberFilter(
        field_name="price", lookup_expr="lte", label=_("Price to"), min_value=0
    )
    brand = django_filters.ModelMultipleChoiceFilter(
        field_name="brand__slug", to_field_name="slug", queryset=Brand.objects.all(),
        label=_("Brand"), widget=forms.CheckboxSelectMultiple,
    )
    in_stock = django_filters.BooleanFilter(
        method="filter_in_stock", label=_("In stock"), widget=forms.CheckboxInput
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="sort_products", label=_("Sort"), empty_label=None
    )

    class Meta:
        model = Product
        fields: list[str] = []

    def __init__(self, data=None, *args, attributes=(), **kwargs):
        super().__init__(data, *args, **kwargs)
        self.attributes = list(attributes)
        for attribute in self.attributes:
            self.filters.update(self._attribute_filters(attribute))

    @staticmethod
    def _attribute_filters(attribute: Attribute) -> dict:
        name = f"a_{attribute.slug}"
        if attribute.kind == Attribute.Kind.NUMBER:
            return {
                f"{name}_min": AttributeNumberFilter(attribute=attribute, lookup_expr="gte", min_value=None),
                f"{name}_max": AttributeNumberFilter(attribute=attribute, lookup_expr="lte", min_value=None),
            }
        if attribute.kind == Attribute.Kind.BOOLEAN:
            return {name: AttributeBooleanFilter(attribute=attribute, label=attribute.name,
                                                 widget=forms.CheckboxInput)}
        return {name: AttributeOptionFilter(
            attribute=attribute, label=attribute.name, widget=forms.CheckboxSelectMultiple,
            choices=[(option.slug, option.value) for option in attribute.options.all()],
        )}

    def filter_in_stock(self, queryset, name, value):
        return queryset.in_stock() if value else queryset

    def sort_products(self, queryset, name, value):
        return queryset.order_by(*SORTS[value])

    def filter_queryset(self, queryset, *, skip: tuple[str, ...] = ()):
        """Apply every valid filter except `skip`: facet counts for one filter ignore its own
        choice, so ticking "Nike" still shows how many "Adidas" there are."""
        for name, value in self.form.cleaned_data.items():
            if name not in skip:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def queryset_without(self, *names: str):
        return self.filter_queryset(self.queryset.all(), skip=names) if self.is_bound else self.queryset.all()

    def active_names(self) -> set[str]:
        """Filters the shopper has set (sorting is not a filter)."""
        if not self.is_bound:
            return set()
        self.errors  # noqa: B018 - cleans the form, as django-filter's qs does before filtering
        return {name for name in self.form.cleaned_data
                if name != "sort" and any(value.strip() for value in self.data.getlist(name))}


class AttributeFilterMixin:
    def __init__(self, *args, attribute: Attribute, **kwargs):
        self.attribute = attribute
        super().__init__(*args, **kwargs)

    def matching(self, queryset, condition: Q):
        return queryset.filter(
            pk__in=self.attribute.product_values.filter(condition).values("product_id")
        )


class AttributeOptionFilter(AttributeFilterMixin, django_filters.MultipleChoiceFilter):
    def filter(self, queryset, value):
        return self.matching(queryset, Q(option__slug__in=value)) if value else queryset


class AttributeNumberFilter(AttributeFilterMixin, django_filters.NumberFilter):
    def filter(self, queryset, value):
        if value is None:
            return queryset
        return self.matching(queryset, Q(**{f"number__{self.lookup_expr}": value}))


class AttributeBooleanFilter(AttributeFilterMixin, django_filters.BooleanFilter):
    def filter(self, queryset, value):
        return self.matching(queryset, Q(boolean=True)) if value else queryset
