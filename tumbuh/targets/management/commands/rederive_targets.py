"""`tumbuh rederive_targets [--region CODE] [--on YYYY-MM-DD]`: re-derive the open semester's KRS
snapshots as of a day (default today).

Writes re-derive a household's snapshot at once (a new pregnancy, a member who moves); time passing
changes verdicts without any write: a baby ages out of baduta at 24 months, a balita at 60, a
wife turns 20 or 35. Run this daily (cron, or the task worker) so the registers follow the
calendar; it changes only snapshots whose verdict moved, and says how many.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tumbuh.regions.models import within
from tumbuh.targets import services
from tumbuh.targets.models import KrsSnapshot

CHUNK = 2000


class Command(BaseCommand):
    help = "Re-derive the open semester's KRS snapshots as of a day (members age: baduta, balita, 4T)."

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="region code (default: every region)")
        parser.add_argument("--on", default="", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, region: str, on: str, **options):
        try:
            day = dt.date.fromisoformat(on) if on else services.today()
        except ValueError as exc:
            raise CommandError(f"--on {on!r} bukan tanggal (YYYY-MM-DD)") from exc
        period = services.open_period(day)
        qs = KrsSnapshot.objects.filter(period=period)
        if region:
            qs = qs.filter(within("desa__code", region))
        ids = list(qs.order_by("pk").values_list("pk", flat=True))
        changed = 0
        for start in range(0, len(ids), CHUNK):
            with transaction.atomic():
                snaps = list(KrsSnapshot.objects.filter(pk__in=ids[start:start + CHUNK]))
                before = {s.pk: _verdict(s) for s in snaps}
                services.derive_many(snaps, day)
                moved = [s for s in snaps if _verdict(s) != before[s.pk]]
                if moved:
                    services.store_derived(moved)
                changed += len(moved)
        self.stdout.write(f"{len(ids)} snapshot {period} diperiksa per {day.isoformat()}, {changed} berubah")


def _verdict(s: KrsSnapshot) -> tuple:
    return tuple(getattr(s, f) for f in services.DERIVED if f not in ("derived_at", "reference_on"))
