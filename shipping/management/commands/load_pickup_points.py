from django.core.management.base import BaseCommand, CommandError

from shipping.carriers import CarrierRefused, CarrierUnavailable
from shipping.services import pickup_points_load_all


class Command(BaseCommand):
    help = "Load pickup points and lockers from the carriers' lists into every pickup delivery method with a carrier."

    def handle(self, *args, **options):
        try:
            results = pickup_points_load_all()
        except (CarrierUnavailable, CarrierRefused) as error:
            raise CommandError(str(error)) from error
        if not results:
            self.stdout.write("No pickup delivery method has a configured carrier with a list of points.")
        for method, (added, updated, switched_off) in results.items():
            self.stdout.write(f"{method}: {added} added, {updated} updated, {switched_off} switched off")
