"""Demo products, made in batches with bulk_create. Product n always gets the SKU "VT-00000n"
and, for the same seed, the same name, price and pictures, so a run adds only what is missing."""

import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from catalog.demo.data import BOOLEAN, CHOICE, NUMBER
from catalog.demo.images import Picture, product_pictures
from catalog.demo.structure import DemoStructure, Leaf
from catalog.demo.text import latin_slug
from catalog.models import Product, ProductAttributeValue, ProductImage, ProductVariant
from catalog.services import products_refresh_availability

SKU_PREFIX = "VT-"
BATCH_SIZE = 1000
PICTURES_PER_CATEGORY = 2
RELATED_PER_PRODUCT = 4
SIZE_RANGES = {"Женский": ("35", "41"), "Мужской": ("39", "46"), "Унисекс": ("36", "45")}
MODEL_SUFFIXES = ("", "", " 2", " 3", " Pro", " Lite", " Max")


@dataclass
class Draft:
    """One product with everything that hangs off it, before it has a primary key."""

    product: Product
    leaf: Leaf
    values: list[ProductAttributeValue] = field(default_factory=list)
    picture_numbers: list[int] = field(default_factory=list)
    variants: list[tuple[ProductVariant, object]] = field(default_factory=list)  # (variant, its size option)


def demo_sku(number: int) -> str:
    return f"{SKU_PREFIX}{number:06d}"


def demo_products_create(*, structure: DemoStructure, count: int, seed: int,
                         on_progress: Callable[[int, int], None] | None = None) -> int:
    """Create the demo products numbered 1..count that do not exist yet; returns how many.
    Each batch commits on its own, so an interrupted run is finished by running it again."""
    existing = set(Product.objects.filter(sku__startswith=SKU_PREFIX).values_list("sku", flat=True))
    missing = [number for number in range(1, count + 1) if demo_sku(number) not in existing]
    pictures: dict[tuple[str, int], Picture] = {}
    for start in range(0, len(missing), BATCH_SIZE):
        drafts = [_draft(structure, seed=seed, number=number) for number in missing[start:start + BATCH_SIZE]]
        _render_pictures(drafts, pictures)
        with transaction.atomic():
            _insert(drafts, pictures)
        if on_progress is not None:
            on_progress(len(drafts), len(missing))
    if missing:
        _link_related(seed=seed)
    return len(missing)


def _draft(structure: DemoStructure, *, seed: int, number: int) -> Draft:
    rng = random.Random(f"product:{seed}:{number}")
    leaf = rng.choices(structure.leaves, weights=[leaf.goods.share for leaf in structure.leaves])[0]
    goods = leaf.goods
    sku = demo_sku(number)
    values = {slug: _pick_value(rng, structure, leaf, slug) for slug in leaf.attributes}
    values = {slug: value for slug, value in values.items() if value is not None}
    brand = rng.choice(leaf.brands)
    name = _name(rng, structure, leaf, values, brand=brand.name)
    price = _price(rng, *goods.price)
    product = Product(
        category=leaf.category, brand=brand, name=name, sku=sku,
        slug=f"{latin_slug(name)[:200]}-{sku.lower()}", description=_description(rng, leaf),
        price=price, old_price=_old_price(rng, price),
        stock=0 if goods.sizes or rng.random() < 0.12 else rng.randint(1, 150),
        consumption_days=rng.choice(goods.consumption_days) if goods.consumption_days else None,
        sales_count=0 if rng.random() < 0.25 else min(int(rng.paretovariate(1.3) * 4), 5000),
    )
    product.search_fields_refresh()  # bulk_create skips save(), which fills them
    draft = Draft(product=product, leaf=leaf)
    draft.values = [_value_row(structure, slug, value) for slug, value in values.items()]
    draft.picture_numbers = rng.sample(range(1, PICTURES_PER_CATEGORY + 1), k=rng.randint(1, PICTURES_PER_CATEGORY))
    if goods.sizes:
        draft.variants = _variants(rng, structure, goods.sizes, sku=sku, price=price, gender=values.get("gender"))
    return draft


def _pick_value(rng: random.Random, structure: DemoStructure, leaf: Leaf, slug: str):
    spec = structure.specs[slug]
    if spec.kind == CHOICE:
        return rng.choice(leaf.goods.choices.get(slug, spec.options))
    if spec.kind == NUMBER:
        numbers = leaf.goods.numbers.get(slug)
        return Decimal(str(rng.choice(numbers))) if numbers else None
    if spec.kind == BOOLEAN:
        return rng.random() < 0.5
    return None


def _value_row(structure: DemoStructure, slug: str, value) -> ProductAttributeValue:
    row = ProductAttributeValue(attribute=structure.attributes[slug])
    kind = structure.specs[slug].kind
    if kind == CHOICE:
        row.option = structure.options[slug][value]
    elif kind == NUMBER:
        row.number = value
    else:
        row.boolean = value
    return row


def _name(rng: random.Random, structure: DemoStructure, leaf: Leaf, values: dict, *, brand: str) -> str:
    goods = leaf.goods
    phrase = ""
    if goods.phrase_attribute:
        value = values[goods.phrase_attribute]
        phrase = goods.phrases.get(value, structure.specs[goods.phrase_attribute].phrases.get(value, ""))
    text = goods.template.format(
        noun=rng.choice(goods.nouns), brand=brand, qualifier=rng.choice(goods.qualifiers), phrase=phrase,
        model=rng.choice(goods.models) + rng.choice(MODEL_SUFFIXES),
    )
    name = " ".join(text.split())
    if goods.number_in_name and goods.number_in_name in values:
        number = f"{values[goods.number_in_name].normalize():f}".replace(".", ",")
        name += f", {number} {structure.specs[goods.number_in_name].unit}"
    return name


def _description(rng: random.Random, leaf: Leaf) -> str:
    own = rng.sample(leaf.goods.facts, k=min(len(leaf.goods.facts), rng.randint(2, 3)))
    shared = rng.sample(leaf.facts, k=min(len(leaf.facts), rng.randint(1, 2)))
    return " ".join([*own, *shared])


def _price(rng: random.Random, low: int, high: int) -> Decimal:
    """Shop-like prices: 349, 1 290, 4 990."""
    amount = rng.triangular(low, high, low + (high - low) * 0.3)
    rounded = round(amount, -1) - 1 if amount < 1000 else round(amount, -2) - 10
    return Decimal(int(max(rounded, 9)))


def _old_price(rng: random.Random, price: Decimal) -> Decimal | None:
    if rng.random() >= 0.3:
        return None
    old = _price(rng, int(price * Decimal("1.1")) + 10, int(price * Decimal("1.6")) + 20)
    return old if old > price else price + 100


def _variants(rng: random.Random, structure: DemoStructure, slug: str, *, sku: str, price: Decimal,
              gender: str | None) -> list[tuple[ProductVariant, object]]:
    sizes = list(structure.specs[slug].options)
    if gender in SIZE_RANGES and slug == "shoe-size":
        first, last = SIZE_RANGES[gender]
        sizes = sizes[sizes.index(first):sizes.index(last) + 1]
    sizes = [size for size in sizes if rng.random() > 0.15] or sizes[:1]
    # Now and then the largest sizes cost a little more.
    dearer = Decimal(int(price * Decimal("1.1")) // 10 * 10 - 10) if rng.random() < 0.15 else None
    return [
        (ProductVariant(
            sku=f"{sku}-{size}", name=size, position=position,
            stock=0 if rng.random() < 0.2 else rng.randint(1, 12),
            price_override=dearer if dearer and position >= len(sizes) - 2 else None,
        ), structure.options[slug][size])
        for position, size in enumerate(sizes)
    ]


def _render_pictures(drafts: Iterable[Draft], pictures: dict[tuple[str, int], Picture]) -> None:
    """Render the pool pictures of the categories this batch uses, unless done already."""
    names = {draft.leaf.category.slug: draft.leaf.category.name for draft in drafts}
    wanted = [(slug, number) for slug in sorted(names) for number in range(1, PICTURES_PER_CATEGORY + 1)
              if (slug, number) not in pictures]
    rendered = product_pictures([
        {"key": slug, "number": number, "label": names[slug], "initial": names[slug][0]} for slug, number in wanted
    ])
    pictures.update(zip(wanted, rendered, strict=True))


def _insert(drafts: list[Draft], pictures: dict) -> None:
    Product.objects.bulk_create([draft.product for draft in drafts])
    values, images, variants = [], [], []
    for draft in drafts:
        product = draft.product
        for value in draft.values:
            value.product = product
            values.append(value)
        for position, number in enumerate(draft.picture_numbers):
            picture = pictures[(draft.leaf.category.slug, number)]
            images.append(ProductImage(product=product, image=picture.image, thumb_small=picture.thumb_small,
                                       thumb_large=picture.thumb_large, alt=product.name, position=position))
        for variant, _option in draft.variants:
            variant.product = product
            variants.append(variant)
    ProductAttributeValue.objects.bulk_create(values)
    ProductImage.objects.bulk_create(images)
    ProductVariant.objects.bulk_create(variants)
    through = ProductVariant.options.through
    through.objects.bulk_create([
        through(productvariant_id=variant.pk, attributeoption_id=option.pk)
        for draft in drafts for variant, option in draft.variants
    ])
    products_refresh_availability(product_ids=[draft.product.pk for draft in drafts])


def _link_related(*, seed: int) -> None:
    """Give each demo product without related products a few from its own category."""
    through = Product.related_products.through
    products = list(Product.objects.filter(sku__startswith=SKU_PREFIX).order_by("sku")
                    .values_list("pk", "sku", "category_id"))
    linked = set(through.objects.filter(from_product__sku__startswith=SKU_PREFIX)
                 .values_list("from_product_id", flat=True).distinct())
    by_category = defaultdict(list)
    for pk, _sku, category_id in products:
        by_category[category_id].append(pk)
    rows = []
    for pk, sku, category_id in products:
        if pk in linked:
            continue
        pool = by_category[category_id]
        rng = random.Random(f"related:{seed}:{sku}")
        picked = [other for other in rng.sample(pool, k=min(RELATED_PER_PRODUCT + 1, len(pool))) if other != pk]
        rows.extend(through(from_product_id=pk, to_product_id=other) for other in picked[:RELATED_PER_PRODUCT])
    with transaction.atomic():
        through.objects.bulk_create(rows, batch_size=BATCH_SIZE * 5, ignore_conflicts=True)
