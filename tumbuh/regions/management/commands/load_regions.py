import time

from django.core.management.base import BaseCommand, CommandError

from tumbuh.regions.loading import RegionDataMissing, load_regions


class Command(BaseCommand):
    help = (
        "Load the Kemendagri region code list (npm idn-area-data, ODbL) into Region: provinsi, "
        "kabupaten/kota, kecamatan, desa/kelurahan. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only", nargs="+", metavar="CODE",
            help="load only these regions with their ancestors and descendants (e.g. 64.74)",
        )
        parser.add_argument("--data-dir", help="directory with the CSVs (default: settings.REGION_DATA_DIR)")

    def handle(self, *args, only=None, data_dir=None, verbosity=1, **options):
        started = time.perf_counter()
        try:
            result = load_regions(only=only, directory=data_dir)
        except RegionDataMissing as exc:
            raise CommandError(str(exc)) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started
        levels = ", ".join(f"{count} {level}" for level, count in result.by_level.items())
        if result.changed:
            self.stdout.write(
                f"Regions loaded in {seconds:.1f}s: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged ({levels})."
            )
        else:
            self.stdout.write(
                f"Regions already up to date: nothing changed ({result.unchanged} regions: {levels})."
            )
