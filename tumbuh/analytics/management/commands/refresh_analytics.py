"""Rebuild the summary tables: the analytics cells (PeriodSummary) and the target-group cells
(targets.TargetGroupSummary), everything or the desa of one region."""

import time

from django.core.management.base import BaseCommand

from tumbuh.analytics.summary import rebuild_summaries, refresh_summaries
from tumbuh.targets.summary import rebuild_target_summaries, refresh_target_summaries


class Command(BaseCommand):
    help = "Rebuild the summary tables (analytics and target groups; all of it, or the desa inside --region)."

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="Region code (e.g. 64.74); default: everything.")

    def handle(self, *args, region="", **options):
        t0 = time.perf_counter()
        cells = refresh_summaries(region_code=region) if region else rebuild_summaries()
        target_cells = refresh_target_summaries(region_code=region) if region else rebuild_target_summaries()
        self.stdout.write(f"{cells} summary cells written (and {target_cells} target-group cells) for "
                          f"{region or 'all regions'} in {time.perf_counter() - t0:.1f} s")
