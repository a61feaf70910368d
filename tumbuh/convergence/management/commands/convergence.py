"""`tumbuh convergence refresh [--region CODE]` and
`tumbuh convergence gaps --region CODE [--as-of YYYY-MM-DD] -o FILE.csv|FILE.xlsx`."""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections.abc import Iterator

from django.core.management.base import BaseCommand, CommandError

from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.regions.models import Region
from tumbuh.web import xlsx

from ... import selectors, services


def iter_rows(region: str, as_of: dt.date | None) -> tuple[Iterator[dict], dt.date, list[str]]:
    """The gap rows of a region, streamed: the stored table (refreshed if stale) for today,
    computed directly for any other date; the same row builder as the page. Returns (rows, the
    as-of date, the rule-set versions)."""
    today = services.today(region)  # the region's date, in its zone
    if as_of is None or as_of == today:
        services.ensure_fresh(region)
        stored = selectors.filtered(selectors.Gap.objects.all(), region=region)
        versions = sorted(set(stored.order_by().values_list("rule_version", flat=True).distinct()))
        gaps = selectors.stored_gaps(selectors.ordered(stored))
        return selectors.iter_gap_rows(gaps), today, versions
    gaps, _comps, _versions = services.compute(as_of, region_code=region, plain=True)
    rows = selectors.gap_rows(gaps)
    rows.sort(key=selectors.sort_key)
    return iter(rows), as_of, sorted({g.rule_version for g in gaps})


def rows_for(region: str, as_of: dt.date | None) -> tuple[list[dict], dt.date]:
    """`iter_rows` as a list (tests, small areas)."""
    rows, day, _versions = iter_rows(region, as_of)
    return list(rows), day


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
        rows, day, versions = iter_rows(region, as_of)
        counted = _Counted(rows)
        columns = selectors.COLUMNS
        if out.endswith(".csv"):
            with open(out, "w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(columns)
                # csv writes None as "" and a date as str(date), its ISO form
                w.writerows([r[c] for c in columns] for r in counted)
        else:
            from ...views import gap_sheet

            name = Region.objects.filter(code=region).values_list("name", flat=True).first() or ""
            sheet = gap_sheet(counted, title="Kesenjangan konvergensi", region_name=name, filters={"region": region},
                              user=None, as_of=day, versions=versions)
            with open(out, "wb") as fh:
                xlsx.write_workbook([sheet], fh)
        record(None, AuditEvent.Action.EXPORT, object_type="convergence.gap", region_code=region,
               summary="convergence gaps CLI", detail={"rows": counted.n, "as_of": day, "file": out},
               username="cli")
        self.stdout.write(f"{counted.n} gaps as of {day} -> {out} in {time.monotonic() - start:.1f} s")


class _Counted:
    """An iterator that counts what passed through it (the audit records the number of rows)."""

    def __init__(self, rows: Iterator[dict]):
        self.rows, self.n = rows, 0

    def __iter__(self) -> Iterator[dict]:
        for row in self.rows:
            self.n += 1
            yield row

