from django.core.management.base import BaseCommand

from tumbuh.interventions.catalogue import load_catalogue, shipped


class Command(BaseCommand):
    help = ("Load the shipped national intervention catalogue (tumbuh/interventions/data/catalogue.json) "
            "after an update of the file; idempotent, never touches local (kab/kota, province) items.")

    def handle(self, *args, **options):
        changed = load_catalogue()
        self.stdout.write(f"Catalogue {shipped()['version']}: {len(shipped()['items'])} items, {changed} changed.")
