"""Rebuild the analytics summary table: everything, or the desa of one region."""

import time

from django.core.management.base import BaseCommand

from tumbuh.analytics.summary import rebuild_summaries, refresh_summaries


class Command(BaseCommand):
    help = "Rebuild the analytics summary table (all of it, or the desa inside --region)."

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="Region code (e.g. 64.74); default: everything.")

    def handle(self, *args, region="", **options):
        t0 = time.perf_counter()
        cells = refresh_summaries(region_code=region) if region else rebuild_summaries()
        self.stdout.write(f"{cells} summary cells written for {region or 'all regions'} "
                          f"in {time.perf_counter() - t0:.1f} s")
