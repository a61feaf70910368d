"""Fill (or rebuild) the stored desa scorecard cells, e.g. after loading data in SQL or at night
so the first kabupaten page of the day is not the one that computes them:

    tumbuh refresh_scorecards --region 64.74 [--quarters 4] [--period 2026-Q3]
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tumbuh.analytics.periods import Period
from tumbuh.indicators import scorecard as sc
from tumbuh.indicators import selectors
from tumbuh.indicators.signals import invalidate


class Command(BaseCommand):
    help = "Rebuild the stored desa scorecard cells of a region for the last quarters."

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="Kemendagri code (default: everything)")
        parser.add_argument("--period", default="", help="the last quarter (default: the current one)")
        parser.add_argument("--quarters", type=int, default=4)

    def handle(self, *args, region, period, quarters, **options):
        try:
            last = Period.parse(period) if period else Period.containing(timezone.localdate(), "quarter")
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        invalidate(region_code=region)
        for p in last.history(quarters):
            for mode in sc.MODES:
                t0 = time.perf_counter()
                card = selectors.scorecard(selectors.SYSTEM, region, p, mode)
                self.stdout.write(f"{p.key} {mode}: {len(card.desa)} desa in {time.perf_counter() - t0:.1f} s")
