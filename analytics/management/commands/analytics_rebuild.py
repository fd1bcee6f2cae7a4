"""Recompute every daily rollup: `manage.py analytics_rebuild [--days 90]`.

The reports stay right while it runs (a day not yet refilled is computed live), and stopping it
half way is harmless: a day is replaced in one transaction, and the beat carries on from there."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from analytics.periods import shop_today
from analytics.rollups import rollup_days_all, rollup_days_due, rollups_rebuild


class Command(BaseCommand):
    help = "Recompute the analytics rollups of every past day (or the last --days days, or only --due ones)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=0, help="Only the last N days (default: all).")
        parser.add_argument("--due", action="store_true", help="Only the days missing or changed, as the beat does.")

    def handle(self, *args, **options) -> None:
        today = shop_today()
        if options["due"]:
            days = rollup_days_due(today=today)
        elif options["days"]:
            days = [today - timedelta(days=n) for n in range(options["days"], 0, -1)]
        else:
            days = rollup_days_all(today=today)
        with tqdm(total=len(days), unit=" days",
                  disable=options["verbosity"] < 1) as bar:
            count = rollups_rebuild(days=days, on_progress=lambda day: (bar.set_postfix_str(str(day)), bar.update()))
        self.stdout.write(self.style.SUCCESS(f"{count} days recomputed."))
