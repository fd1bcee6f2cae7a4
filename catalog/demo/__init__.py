"""Demo catalog for `manage.py seed_demo`: a Russian shop with a category tree, brands,
filterable attributes, products with variants, pictures and related products.

    data.py       what the shop sells (plain data)
    structure.py  categories, brands, attributes
    products.py   products in batches
    images.py     the shared pool of generated pictures
"""

from collections.abc import Callable
from dataclasses import dataclass

from catalog.cache import invalidate_storefront_cache
from catalog.demo.products import SKU_PREFIX, demo_products_create, demo_sku
from catalog.demo.structure import demo_structure_ensure
from catalog.demo.text import latin_slug, translit
from catalog.models import Product

__all__ = ["SKU_PREFIX", "demo_catalog_create", "demo_products_exist", "demo_sku", "latin_slug", "translit"]


@dataclass(frozen=True)
class DemoCatalogResult:
    products_created: int
    products_total: int


def demo_products_exist() -> bool:
    return Product.objects.exists()


def demo_catalog_create(*, products: int, seed: int,
                        on_progress: Callable[[int, int], None] | None = None) -> DemoCatalogResult:
    """Make the demo catalog hold products 1..`products`. Idempotent: existing rows are kept,
    only what is missing is added; the storefront cache is dropped afterwards.
    `on_progress(added, total)` is called after each batch of products."""
    structure = demo_structure_ensure()
    created = demo_products_create(structure=structure, count=products, seed=seed, on_progress=on_progress)
    invalidate_storefront_cache()
    return DemoCatalogResult(products_created=created, products_total=Product.objects.count())
