"""Recompute every derived measurement field in bulk (after a table, category or rule change)."""

import time

from django.core.management.base import BaseCommand, CommandError

from tumbuh.measurements.derivation import recompute_all
from tumbuh.regions.models import Region


class Command(BaseCommand):
    help = "Recompute z-scores, categories, flags, N/T/2T and warnings of all measurements."

    def add_arguments(self, parser):
        parser.add_argument("--region", help="only children living in this region code (e.g. 64.74)")
        parser.add_argument("--batch-size", type=int, default=2000, help="children per transaction")

    def handle(self, *args, region=None, batch_size=2000, verbosity=1, **options):
        if region and not Region.objects.filter(code=region).exists():
            raise CommandError(f"Unknown region code {region!r}")
        started = time.perf_counter()
        progress = None
        if verbosity > 1:
            def progress(n):
                self.stdout.write(f"  {n} rows")
        total = recompute_all(region, batch_size=batch_size, progress=progress)
        seconds = time.perf_counter() - started
        if verbosity:
            rate = total / seconds if seconds > 0 else 0
            self.stdout.write(f"Recomputed {total} measurements in {seconds:.1f} s ({rate:,.0f} rows/s)")
