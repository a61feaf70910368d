"""`tumbuh convergence refresh [--region CODE]` and
`tumbuh convergence gaps --region CODE [--as-of YYYY-MM-DD] -o FILE.csv|FILE.xlsx`."""

from __future__ import annotations

import csv
import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.regions.models import Region
from tumbuh.web import xlsx

from ... import selectors, services


def rows_for(region: str, as_of: dt.date | None) -> tuple[list[dict], dt.date]:
    """The gap rows of a region: the stored table (refreshed if stale) for today, computed
    directly for any other date. The same row builder as the page."""
    today = services.today()
    if as_of is None or as_of == today:
        services.ensure_fresh(region)
        gaps = selectors.ordered(selectors.filtered(selectors.Gap.objects.all(), region=region))
        return selectors.gap_rows(gaps.iterator(chunk_size=5000)), today
    gaps, _comps, _v = services.compute(as_of, region_code=region)
    rows = selectors.gap_rows(gaps)
    rows.sort(key=selectors.sort_key)
    return rows, as_of


class Command(BaseCommand):
    help = "Convergence gaps: refresh the stored table, or write the gap list of a region."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser("refresh", help="recompute the stored gaps for today (cron: daily)")
        refresh.add_argument("--region", default="", help="region code (default: everything)")
        refresh.add_argument("--stale-only", action="store_true", help="only desa not yet computed today")
        gaps = sub.add_parser("gaps", help="write the gap list of a region to .csv or .xlsx")
        gaps.add_argument("--region", required=True)
        gaps.add_argument("--as-of", dest="as_of", default=None, help="YYYY-MM-DD (default: today)")
        gaps.add_argument("-o", "--output", required=True)

    def handle(self, *args, action, **opts):
        region = opts.get("region") or ""
        if region and not Region.objects.filter(code=region).exists():
            raise CommandError(f"unknown region {region}")
        start = time.monotonic()
        if action == "refresh":
            if opts.get("stale_only"):
                n = services.ensure_fresh(region)
                self.stdout.write(f"{n} desa refreshed in {time.monotonic() - start:.1f} s")
            else:
                n = services.refresh_region(region)
                self.stdout.write(f"{n} gaps stored for {region or 'everything'} in {time.monotonic() - start:.1f} s")
            return
        as_of = None
        if opts.get("as_of"):
            try:
                as_of = dt.date.fromisoformat(opts["as_of"])
            except ValueError as exc:
                raise CommandError("--as-of must be YYYY-MM-DD") from exc
        out = opts["output"]
        if not out.endswith((".csv", ".xlsx")):
            raise CommandError("-o must end in .csv or .xlsx")
        rows, day = rows_for(region, as_of)
        columns = selectors.COLUMNS
        if out.endswith(".csv"):
            with open(out, "w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(columns)
                for r in rows:
                    w.writerow(["" if r[c] is None else (r[c].isoformat() if isinstance(r[c], dt.date) else r[c])
                                for c in columns])
        else:
            from ...views import gap_sheet

            name = Region.objects.filter(code=region).values_list("name", flat=True).first() or ""
            sheet = gap_sheet(rows, title="Kesenjangan konvergensi", region_name=name, filters={"region": region},
                              user=None, as_of=day)
            with open(out, "wb") as fh:
                xlsx.write_workbook([sheet], fh)
        record(None, AuditEvent.Action.EXPORT, object_type="convergence.gap", region_code=region,
               summary="convergence gaps CLI", detail={"rows": len(rows), "as_of": day, "file": out},
               username="cli")
        self.stdout.write(f"{len(rows)} gaps as of {day} -> {out} in {time.monotonic() - start:.1f} s")
