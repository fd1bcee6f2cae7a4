"""Parts of the product page that higher apps own (reviews: the rating, the reviews and the form).

As with the order card (orders/backoffice/card.py), a higher app adds its part in a module named
`product_page.py`, found the way the admin finds `admin.py`, registering a function with
@product_page_section: the catalog never imports it. A section is a function
(request, product) -> ProductPageSection | None; it runs on every render of the page, so the
anonymous page cache keeps what it shows until the product's page scope is renewed, and a
signed-in shopper (never served from that cache) gets their own.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.module_loading import autodiscover_modules
from django.utils.safestring import SafeString, mark_safe

from catalog.models import Product


@dataclass
class ProductPageSection:
    template: str
    context: dict = field(default_factory=dict)
    position: int = 100
    # Properties added to the page's schema.org Product (the reviews' "review" items).
    structured_data: dict = field(default_factory=dict)


SectionFunction = Callable[..., "ProductPageSection | None"]
product_page_sections: list[SectionFunction] = []


def product_page_section(function: SectionFunction) -> SectionFunction:
    """Decorator for a higher app's section; registering twice (a reloaded module) is harmless."""
    name = f"{function.__module__}.{function.__qualname__}"
    product_page_sections[:] = [f for f in product_page_sections if f"{f.__module__}.{f.__qualname__}" != name]
    product_page_sections.append(function)
    return function


@dataclass
class RenderedSections:
    html: SafeString
    structured_data: dict


def product_page_sections_render(request, *, product: Product) -> RenderedSections:
    """The sections for this product, rendered in their order, and what they add to its JSON-LD."""
    autodiscover_modules("product_page")
    sections = [section for function in product_page_sections if (section := function(request, product))]
    sections.sort(key=lambda section: section.position)
    html = "".join(render_to_string(section.template, {"product": product, **section.context}, request)
                   for section in sections)
    structured_data = {key: value for section in sections for key, value in section.structured_data.items()}
    return RenderedSections(html=mark_safe(html), structured_data=structured_data)  # noqa: S308 - our templates
