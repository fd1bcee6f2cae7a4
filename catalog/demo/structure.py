"""The demo shop's categories, brands and attributes, created once and found again later."""

from collections.abc import Iterator
from dataclasses import dataclass

from catalog.demo import data
from catalog.demo.images import category_picture
from catalog.demo.text import latin_slug
from catalog.models import Attribute, AttributeOption, Brand, Category, CategoryAttribute
from catalog.services import category_save


@dataclass(frozen=True)
class Leaf:
    """A category that holds products, with what its products are made of."""

    category: Category
    goods: data.Goods
    brands: tuple[Brand, ...]
    attributes: tuple[str, ...]  # slugs of its own and its ancestors' filterable attributes
    facts: tuple[str, ...]  # description sentences shared by the whole branch


@dataclass(frozen=True)
class DemoStructure:
    leaves: tuple[Leaf, ...]
    attributes: dict[str, Attribute]
    options: dict[str, dict[str, AttributeOption]]  # attribute slug -> option value -> option
    specs: dict[str, data.AttributeSpec]


@dataclass(frozen=True)
class _Node:
    spec: data.CategorySpec
    parent: data.CategorySpec | None
    position: int
    brands: tuple[str, ...]
    facts: tuple[str, ...]
    attributes: tuple[str, ...]


def demo_structure_ensure() -> DemoStructure:
    """Create whatever part of the demo tree is missing; rows that exist are left as they are,
    so a shop owner's edits survive another run. A handful of queries once everything exists."""
    nodes = list(_walk(data.CATALOG, parent=None, brands=(), facts=(), attributes=()))
    attributes = _ensure_attributes()
    options = _ensure_options(attributes)
    brands = _ensure_brands({name for node in nodes for name in node.brands})
    categories = _ensure_categories(nodes)
    _ensure_category_attributes(nodes, categories, attributes)
    leaves = tuple(
        Leaf(category=categories[node.spec.slug], goods=node.spec.goods, attributes=node.attributes,
             brands=tuple(brands[name] for name in node.brands), facts=node.facts)
        for node in nodes if node.spec.goods is not None
    )
    return DemoStructure(leaves=leaves, attributes=attributes, options=options,
                         specs={spec.slug: spec for spec in data.ATTRIBUTES})


def _walk(specs, *, parent, brands, facts, attributes) -> Iterator[_Node]:
    """The tree parents first, each node carrying what it inherits from its ancestors."""
    for position, spec in enumerate(specs):
        node = _Node(spec=spec, parent=parent, position=position, brands=spec.brands or brands,
                     facts=(*facts, *spec.facts), attributes=(*attributes, *spec.attributes))
        yield node
        yield from _walk(spec.children, parent=spec, brands=node.brands, facts=node.facts,
                         attributes=node.attributes)


def _ensure_attributes() -> dict[str, Attribute]:
    existing = {a.slug: a for a in Attribute.objects.filter(slug__in=[spec.slug for spec in data.ATTRIBUTES])}
    Attribute.objects.bulk_create([
        Attribute(slug=spec.slug, name=spec.name, kind=spec.kind, unit=spec.unit)
        for spec in data.ATTRIBUTES if spec.slug not in existing
    ])
    return {a.slug: a for a in Attribute.objects.filter(slug__in=[spec.slug for spec in data.ATTRIBUTES])}


def _ensure_options(attributes: dict[str, Attribute]) -> dict[str, dict[str, AttributeOption]]:
    def load() -> dict[tuple[int, str], AttributeOption]:
        return {(o.attribute_id, o.slug): o for o in AttributeOption.objects.filter(attribute__in=attributes.values())}

    existing = load()
    missing = [
        AttributeOption(attribute=attributes[spec.slug], value=value, slug=latin_slug(value), position=position)
        for spec in data.ATTRIBUTES
        for position, value in enumerate(spec.options)
        if (attributes[spec.slug].pk, latin_slug(value)) not in existing
    ]
    if missing:
        AttributeOption.objects.bulk_create(missing)
        existing = load()
    return {
        spec.slug: {value: existing[(attributes[spec.slug].pk, latin_slug(value))] for value in spec.options}
        for spec in data.ATTRIBUTES
    }


def _ensure_brands(names: set[str]) -> dict[str, Brand]:
    slugs = {latin_slug(name): name for name in names}
    existing = {brand.slug: brand for brand in Brand.objects.filter(slug__in=slugs)}
    Brand.objects.bulk_create([Brand(slug=slug, name=name) for slug, name in slugs.items() if slug not in existing],
                              ignore_conflicts=True)
    by_slug = {brand.slug: brand for brand in Brand.objects.filter(slug__in=slugs)}
    return {name: by_slug[slug] for slug, name in slugs.items()}


def _ensure_categories(nodes: list[_Node]) -> dict[str, Category]:
    categories = {c.slug: c for c in Category.objects.filter(slug__in=[node.spec.slug for node in nodes])}
    for node in nodes:  # parents come first: a category's path starts with its parent's
        spec = node.spec
        if spec.slug in categories:
            continue
        category = Category(
            slug=spec.slug, name=spec.name, position=node.position, is_featured=spec.featured,
            parent=categories[node.parent.slug] if node.parent else None,
            seo_title=f"{spec.name} — купить в интернет-магазине",
        )
        if spec.featured:
            category.image = category_picture(key=spec.slug, label=spec.name, initial=spec.name[0])
        categories[spec.slug] = category_save(category=category)
    return categories


def _ensure_category_attributes(nodes: list[_Node], categories: dict[str, Category],
                                attributes: dict[str, Attribute]) -> None:
    existing = set(CategoryAttribute.objects.filter(category__in=categories.values())
                   .values_list("category_id", "attribute_id"))
    CategoryAttribute.objects.bulk_create([
        CategoryAttribute(category=categories[node.spec.slug], attribute=attributes[slug], position=position)
        for node in nodes
        for position, slug in enumerate(node.spec.attributes)
        if (categories[node.spec.slug].pk, attributes[slug].pk) not in existing
    ])
