from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from integrations.models import PriceListImport, Supplier
from integrations.pricelists.services import pricelist_import_run

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = "Import a supplier's price list (.csv or .xlsx): prices and stock by SKU, with the supplier's mapping."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--supplier", required=True, help="The supplier's name, as in the admin.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; write nothing.")

    def handle(self, *args, file: Path, supplier: str, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        # Compared in Python: SQLite folds the case of Latin letters only.
        found = next((s for s in Supplier.objects.all() if s.name.casefold() == supplier.casefold()), None)
        if found is None:
            names = ", ".join(Supplier.objects.values_list("name", flat=True)) or "none yet"
            raise CommandError(f"No supplier {supplier!r}; suppliers: {names}")
        job = PriceListImport(supplier=found, dry_run=dry_run, original_name=file.name)
        with file.open("rb") as stream:
            job.file.save(file.name, File(stream), save=False)
        job.save()

        with tqdm(unit="rows", disable=options["verbosity"] == 0) as bar:
            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            job = pricelist_import_run(import_id=job.pk, progress=progress)
        if job.status == PriceListImport.Status.FAILED:
            raise CommandError(job.failure)
        verb = "Would be" if dry_run else "Done"
        self.stdout.write(f"{verb}: {job.new_count} new, {job.changed_count} changed, "
                          f"{job.unchanged_count} unchanged, {job.error_count} errors.")
        for error in job.row_errors.all()[:SHOWN_ERRORS]:
            self.stdout.write(f"  line {error.line} {error.sku}: {error.reason}")
