"""Importing a supplier's price list: a dry run that shows what would change, or the real run.

Rows are read from the file one at a time and handled BATCH_SIZE at a time, each batch in its own
transaction with its products locked, so a 100,000-row file takes flat memory, the job's page
sees its progress, and a worker killed half-way leaves whole batches behind: running the same
file again upserts the rest and changes nothing that is already right.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.demo.text import latin_slug
from catalog.models import Brand, Product, ProductAttributeValue, ProductVariant
from catalog.services import products_refresh_availability, storefront_renew_for_products
from core.transactions import after_commit
from integrations.models import PriceChange, PriceListImport, PriceListRowError, Supplier
from integrations.pricelists.bulk import rows_update
from integrations.pricelists.reader import PriceListUnreadable, RawRow, pricelist_open
from integrations.pricelists.rows import (
    CatalogLookup,
    ParsedRow,
    RowInvalid,
    product_changes,
    row_parse,
    variant_changes,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
PREVIEW_SIZE = 200
# A running import whose batches stopped this long ago lost its worker: the redelivered task resumes it.
STALLED_AFTER = timedelta(minutes=10)
Status = PriceListImport.Status


@dataclass
class Outcome:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: int = 0
    preview: list[dict] = field(default_factory=list)

    def add_preview(self, line: int, sku: str, kind: str, changes: dict) -> None:
        if len(self.preview) < PREVIEW_SIZE:
            self.preview.append({"line": line, "sku": sku, "kind": kind,
                                 "changes": {name: [_plain(old), _plain(new)] for name, (old, new) in changes.items()}})


def _plain(value) -> object:
    return value if value is None or isinstance(value, bool | int | str) else str(value)


def pricelist_import_claim(*, import_id: int) -> PriceListImport | None:
    """Move a waiting (or stalled) import to running; None when another worker has it or it is over."""
    now = timezone.now()
    claimed = PriceListImport.objects.filter(
        Q(status=Status.PENDING) | Q(status=Status.RUNNING, updated_at__lt=now - STALLED_AFTER), pk=import_id,
    ).update(status=Status.RUNNING, started_at=now, updated_at=now, processed_rows=0, new_count=0,
             changed_count=0, unchanged_count=0, error_count=0, preview=[], failure="")
    if not claimed:
        return None
    PriceListRowError.objects.filter(price_list_import_id=import_id).delete()
    return PriceListImport.objects.select_related("supplier").get(pk=import_id)


def pricelist_import_start(*, supplier: Supplier, file, dry_run: bool, user=None) -> PriceListImport:
    """Keep the uploaded file and hand the import to a worker once this transaction commits."""
    job = PriceListImport(supplier=supplier, dry_run=dry_run, started_by=user,
                          original_name=Path(file.name).name[:255])
    job.file.save(job.original_name, file, save=False)
    job.save()
    after_commit(lambda: _schedule(job.pk))
    return job


def pricelist_import_apply(*, dry_run: PriceListImport, user=None) -> PriceListImport:
    """Apply for real the file a finished dry run showed, as a new import of the same file."""
    job = PriceListImport.objects.create(supplier=dry_run.supplier, file=dry_run.file.name, dry_run=False,
                                         original_name=dry_run.original_name, started_by=user)
    after_commit(lambda: _schedule(job.pk))
    return job


def _schedule(import_id: int) -> None:
    from integrations.tasks import pricelist_import_task

    try:
        pricelist_import_task.delay(import_id)
    except Exception:
        # The row stays pending; the staff member sees it waiting and can start it again.
        logger.exception("Price list import %s could not be handed to a worker", import_id)


def pricelist_import_run(
    *, import_id: int, progress: Callable[[int, int], None] | None = None
) -> PriceListImport | None:
    """Run one claimed import to its end: counts, row errors, changes and (unless a dry run) writes.

    Guarantees: a dry run writes nothing to the catalog. A row with an error is recorded with its
    line and reason and never stops the others. Products are matched by SKU (a product's or a
    variant's); only the columns the supplier maps are written; every price that changes is logged.
    A file that cannot be read at all fails the import with the reason. Must run outside a
    transaction. Returns None when the import was not this call's to run.
    """
    job = pricelist_import_claim(import_id=import_id)
    if job is None:
        return None
    try:
        opened = pricelist_open(Path(job.file.path), columns=job.supplier.columns,
                                attribute_columns=job.supplier.attribute_columns)
    except (PriceListUnreadable, OSError) as error:
        return _finish(job, status=Status.FAILED, failure=str(error))
    PriceListImport.objects.filter(pk=job.pk).update(total_rows=opened.total_rows)
    importer = _Importer(job)
    try:
        for batch in _batches(opened.rows, BATCH_SIZE):
            importer.batch(batch)
            if progress:
                progress(importer.processed, opened.total_rows)
    except PriceListUnreadable as error:
        return _finish(job, status=Status.FAILED, failure=str(error))
    return _finish(job, status=Status.DONE)


def _finish(job: PriceListImport, *, status: str, failure: str = "") -> PriceListImport:
    PriceListImport.objects.filter(pk=job.pk).update(status=status, failure=failure, finished_at=timezone.now(),
                                                     updated_at=timezone.now())
    job.refresh_from_db()
    return job


def _batches(rows: Iterable[RawRow], size: int):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Importer:
    def __init__(self, job: PriceListImport) -> None:
        self.job = job
        self.supplier: Supplier = job.supplier
        self.lookup = CatalogLookup(supplier=self.supplier)
        self.outcome = Outcome()
        self.processed = 0
        # SKU → first line, to report a SKU the file lists twice.
        self.seen: dict[str, int] = {}
        self.brands = {brand.name.casefold(): brand for brand in Brand.objects.all()}
        self.brands_by_id = {brand.pk: brand for brand in self.brands.values()}
        self.source = _("Price list of %(supplier)s") % {"supplier": self.supplier.name}

    def batch(self, raw_rows: list[RawRow]) -> None:
        errors: list[PriceListRowError] = []
        parsed: list[ParsedRow] = []
        for raw in raw_rows:
            try:
                row = row_parse(raw, supplier=self.supplier, lookup=self.lookup)
                first = self.seen.setdefault(row.sku, row.line)
                if first != row.line:
                    raise RowInvalid(_("The SKU is on line %(line)s already.") % {"line": first})
            except RowInvalid as error:
                errors.append(self._error(raw.line, raw.cells.get("sku"), str(error)))
                continue
            parsed.append(row)
        with transaction.atomic():
            self._apply(parsed, errors)
            PriceListRowError.objects.bulk_create(errors)
        self.outcome.errors += len(errors)
        self.processed += len(raw_rows)
        outcome = self.outcome
        PriceListImport.objects.filter(pk=self.job.pk).update(
            processed_rows=self.processed, new_count=outcome.new, changed_count=outcome.changed,
            unchanged_count=outcome.unchanged, error_count=outcome.errors, preview=outcome.preview,
            updated_at=timezone.now(),
        )

    def _error(self, line: int, sku: object, reason: str) -> PriceListRowError:
        return PriceListRowError(price_list_import=self.job, line=line, sku=str(sku or "")[:64], reason=reason[:500])

    def _apply(self, rows: list[ParsedRow], errors: list[PriceListRowError]) -> None:
        skus = [row.sku for row in rows]
        products = Product.objects.filter(sku__in=skus).select_related("brand").order_by("pk")
        variants = ProductVariant.objects.filter(sku__in=skus).select_related("product").order_by("pk")
        if not self.job.dry_run:
            # Locked in id order, like every other stock write, so two imports queue rather than deadlock.
            products = products.select_for_update(of=("self",))
            variants = variants.select_for_update(of=("self",))
        products = {p.sku: p for p in products}
        variants = {v.sku: v for v in variants}
        values = self._current_values(products.values(), rows)

        changed_products: dict[str, set[str]] = {}
        changed_variants: set[ProductVariant] = set()
        price_changes: list[PriceChange] = []
        attribute_rows: list[ProductAttributeValue] = []
        new_rows: list[ParsedRow] = []
        for row in rows:
            product, variant = products.get(row.sku), variants.get(row.sku)
            if product is not None:
                brand_id = self._brand_id(row.brand_name) if row.brand_name else product.brand_id
                changes = product_changes(product, row, brand_id=brand_id, current_values=values)
                self._count(row, changes)
                self._change_product(product, changes, changed_products, price_changes, attribute_rows, row)
            elif variant is not None:
                changes = variant_changes(variant, row)
                self._count(row, changes)
                if changes:
                    self._change_variant(variant, changes, price_changes)
                    changed_variants.add(variant)
            elif not self.supplier.creates_products:
                errors.append(self._error(row.line, row.sku, _("No product or variant has this SKU.")))
            elif not (row.name and row.price is not None and (row.category_id or self.supplier.default_category_id)):
                errors.append(self._error(row.line, row.sku, _(
                    "A new product needs a name, a price and a category.")))
            else:
                new_rows.append(row)
                self.outcome.new += 1
                self.outcome.add_preview(row.line, row.sku, "new", {"price": (None, row.price)})
        if self.job.dry_run:
            return
        self._write(products, changed_products, changed_variants, new_rows, price_changes, attribute_rows)

    def _count(self, row: ParsedRow, changes: dict) -> None:
        if changes:
            self.outcome.changed += 1
            self.outcome.add_preview(row.line, row.sku, "changed", self._readable(changes, row))
        else:
            self.outcome.unchanged += 1

    def _readable(self, changes: dict, row: ParsedRow) -> dict:
        """The changes as a person reads them: a category and a brand by name, not by id."""
        names = {
            "category_id": lambda pk: self.lookup.category_names.get(pk, pk),
            "brand_id": lambda pk: getattr(self._brand(pk), "name", row.brand_name) if pk else None,
        }
        return {field: tuple(names[field](value) for value in pair) if field in names else pair
                for field, pair in changes.items()}

    def _current_values(self, products: Iterable[Product], rows: list[ParsedRow]) -> dict:
        attribute_ids = {attribute_id for row in rows for attribute_id in row.attributes}
        if not attribute_ids:
            return {}
        current = ProductAttributeValue.objects.filter(
            product__in=list(products), attribute_id__in=attribute_ids
        ).values_list("product_id", "attribute_id", "option_id", "number", "boolean")
        return {(p, a): next(v for v in (o, n, b) if v is not None) for p, a, o, n, b in current
                if (o, n, b) != (None, None, None)}

    def _brand_id(self, name: str) -> int:
        key = name.casefold()
        if key not in self.brands:
            if self.job.dry_run:
                return -1  # a brand the real run will create
            brand = Brand.objects.filter(name__iexact=name).first() or Brand.objects.create(
                name=name, slug=_unique_slug(Brand, latin_slug(name) or "brand"))
            self.brands[key] = self.brands_by_id[brand.pk] = brand
        return self.brands[key].pk

    def _brand(self, brand_id: int | None) -> Brand | None:
        return self.brands_by_id.get(brand_id)

    def _change_product(self, product, changes, changed_products, price_changes, attribute_rows, row) -> None:
        for name, (old, new) in changes.items():
            if name.startswith("attribute:"):
                continue
            setattr(product, name, new)
            if name == "price":
                price_changes.append(self._price_change(product, None, old, new))
        fields = {name for name in changes if not name.startswith("attribute:")}
        if fields:
            changed_products[product.sku] = fields
        for attribute_id, (slug, value) in row.attributes.items():
            if f"attribute:{slug}" in changes:
                attribute_rows.append(_attribute_row(product.pk, attribute_id, value))

    def _change_variant(self, variant, changes, price_changes) -> None:
        if "price_override" in changes:
            old, new = changes["price_override"]
            variant.price_override = None if new == variant.product.price else new
            price_changes.append(self._price_change(variant.product, variant, old, new))
        if "stock" in changes:
            variant.stock = changes["stock"][1]

    def _price_change(self, product, variant, old, new) -> PriceChange:
        return PriceChange(product=product, variant=variant, sku=(variant or product).sku, old_price=old,
                           new_price=new, source=self.source[:200], price_list_import=self.job)

    def _write(self, products, changed_products, changed_variants, new_rows, price_changes, attribute_rows) -> None:
        touched = set()
        if changed_products:
            rows = [products[sku] for sku in changed_products]
            fields = set().union(*changed_products.values()) | {"updated_at"}
            now = timezone.now()
            for product in rows:
                product.updated_at = now
            if fields & {"name", "brand_id"}:
                for product in rows:
                    product.brand = self._brand(product.brand_id)
                    product.search_fields_refresh()
                fields |= {"search_title", "search_text"}
            rows_update(Product, rows, sorted(fields))
            touched.update(product.pk for product in rows)
        if changed_variants:
            rows_update(ProductVariant, list(changed_variants), ["price_override", "stock"])
            touched.update(variant.product_id for variant in changed_variants)
        if new_rows:
            created = self._create(new_rows)
            touched.update(product.pk for product in created)
            attribute_rows += [_attribute_row(product.pk, attribute_id, value)
                               for product, row in zip(created, new_rows, strict=True)
                               for attribute_id, (_slug, value) in row.attributes.items()]
        if attribute_rows:
            ProductAttributeValue.objects.bulk_create(
                attribute_rows, update_conflicts=True, unique_fields=["product", "attribute"],
                update_fields=["option", "number", "boolean"])
        PriceChange.objects.bulk_create(price_changes)
        if touched:
            products_refresh_availability(product_ids=touched)
            # Each batch commits on its own: its products' pages are renewed as it does, the rest
            # of the storefront's caches stay warm.
            after_commit(lambda: storefront_renew_for_products(product_ids=touched))

    def _create(self, rows: list[ParsedRow]) -> list[Product]:
        bases = {row.sku: latin_slug(row.sku) or "product" for row in rows}
        taken = set(Product.objects.filter(slug__in=bases.values()).values_list("slug", flat=True))
        products = []
        for row in rows:
            slug = bases[row.sku]
            if slug in taken:
                slug = _unique_slug(Product, f"{slug}-{row.line}")
            taken.add(slug)
            brand_id = self._brand_id(row.brand_name) if row.brand_name else None
            product = Product(sku=row.sku, name=row.name, slug=slug, price=row.price, stock=row.stock or 0,
                              category_id=row.category_id or self.supplier.default_category_id, brand_id=brand_id)
            product.brand = self._brand(brand_id)
            product.search_fields_refresh()
            products.append(product)
        return Product.objects.bulk_create(products)


def _attribute_row(product_id: int, attribute_id: int, value) -> ProductAttributeValue:
    row = ProductAttributeValue(product_id=product_id, attribute_id=attribute_id)
    if isinstance(value, bool):
        row.boolean = value
    elif isinstance(value, int):
        row.option_id = value
    else:
        row.number = value
    return row


def _unique_slug(model, base: str) -> str:
    slug, number = base[:240], 2
    while model.objects.filter(slug=slug).exists():
        slug, number = f"{base[:240]}-{number}", number + 1
    return slug
