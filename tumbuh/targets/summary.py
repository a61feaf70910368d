"""The target-group summary table (`TargetGroupSummary`): building it from the registers, keeping
it fresh, and reading the dashboard's target-group counts from it. The same mechanism as the
analytics summary (tumbuh/analytics/summary.py): additive cells keyed by period and desa/posyandu,
every cell of a desa deleted and rebuilt in the writer's transaction, sums in SQL on read.

Build: each count is defined exactly as the row-level `selectors.group_counts_from_rows` counts it
(the reference the tests compare with): only records not voided, a visit or birth only under a
pregnancy/after-birth record not voided, the same flags and cut-offs.

Freshness: `refresh_target_summaries(desa_codes)` is called on every write of a target-group
record: post_save/post_delete of the records that hold a counted column (apps.py), the bulk
writers that bypass them (`services.store_derived`, `services.follow_person`, the demo), and the
registry's `people_changed` (people merged or moved with their records). Bulk writers wrap their
work in `deferred()`: the desa are collected and rebuilt once at the end, still in the transaction.
Time passing needs no refresh: the rolling windows are sums of day cells picked at read time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

from tumbuh.accounts.scoping import as_scope
from tumbuh.regions.models import Region, within

from . import rules
from .models import (
    SUMMARY_FIELDS,
    Adolescent,
    Birth,
    CatinScreening,
    KrsSnapshot,
    Postpartum,
    Pregnancy,
    TargetGroupSummary,
    TpkVisit,
)

DESA_CHUNK = 150
STATE, DAY, SEMESTER = "state", "day", "semester"
_local = threading.local()


# ---- build ----------------------------------------------------------------------------------

def _add(cells: dict, kind: str, key: str, desa: str, posyandu, household: bool, **values) -> None:
    cell = cells[(kind, key, desa, posyandu, household)]
    for name, value in values.items():
        cell[name] += int(value or 0)


def _day(d: dt.date) -> str:
    return d.isoformat()


def build_cells(desas: list[str]) -> dict:
    """Every cell of these desa: {(period_type, period_key, desa, posyandu, household): {field: n}}."""
    cells: dict = defaultdict(lambda: dict.fromkeys(SUMMARY_FIELDS, 0))
    in_desa = Q(desa_id__in=desas)
    for row in (Pregnancy.objects.filter(in_desa, outcome="").values("desa_id", "posyandu_id").order_by()
                .annotate(n=Count("pk"), kek=Count("pk", filter=Q(kek=True)),
                          anaemia=Count("pk", filter=Q(anaemia=True)), high=Count("pk", filter=Q(high_risk=True)))):
        _add(cells, STATE, "", row["desa_id"], row["posyandu_id"], False, preg_n=row["n"], preg_kek=row["kek"],
             preg_anaemia=row["anaemia"], preg_high=row["high"])
    ttd_cut = rules.cut("pregnancy", "ttd_target_tablets")
    for row in (Pregnancy.objects.filter(in_desa, outcome__in=["live_birth", "stillbirth"], outcome_on__isnull=False)
                .values("desa_id", "posyandu_id", "outcome_on").order_by()
                .annotate(n=Count("pk"), k6=Count("pk", filter=Q(k6=True)),
                          ttd=Count("pk", filter=Q(ttd_total__gte=ttd_cut)))):
        _add(cells, DAY, _day(row["outcome_on"]), row["desa_id"], row["posyandu_id"], False,
             ended_n=row["n"], ended_k6=row["k6"], ended_ttd=row["ttd"])
    for row in (Birth.objects.filter(pregnancy__desa_id__in=desas, pregnancy__voided_at__isnull=True)
                .values("pregnancy__desa_id", "pregnancy__posyandu_id", "born_on").order_by()
                .annotate(n=Count("pk"), weighed=Count("pk", filter=Q(weight_g__isnull=False)),
                          bblr=Count("pk", filter=Q(bblr=True)), short=Count("pk", filter=Q(short=True)))):
        _add(cells, DAY, _day(row["born_on"]), row["pregnancy__desa_id"], row["pregnancy__posyandu_id"], False,
             birth_n=row["n"], birth_weighed=row["weighed"], birth_bblr=row["bblr"], birth_short=row["short"])
    for row in (CatinScreening.objects.filter(in_desa).values("desa_id", "posyandu_id", "screened_on").order_by()
                .annotate(n=Count("pk"), red=Count("pk", filter=Q(at_risk=True)))):
        _add(cells, DAY, _day(row["screened_on"]), row["desa_id"], row["posyandu_id"], False,
             catin_n=row["n"], catin_red=row["red"])
    for row in (Postpartum.objects.filter(in_desa).values("desa_id", "posyandu_id", "delivered_on").order_by()
                .annotate(n=Count("pk"))):
        _add(cells, DAY, _day(row["delivered_on"]), row["desa_id"], row["posyandu_id"], False, nifas_n=row["n"])
    for row in (Adolescent.objects.filter(in_desa).values("desa_id", "posyandu_id").order_by()
                .annotate(n=Count("pk"), tested=Count("pk", filter=Q(latest_hb_gdl__isnull=False)),
                          anaemia=Count("pk", filter=Q(anaemia=True)))):
        _add(cells, STATE, "", row["desa_id"], row["posyandu_id"], False, teen_n=row["n"],
             teen_tested=row["tested"], teen_anaemia=row["anaemia"])
    for row in (KrsSnapshot.objects.filter(in_desa).values("desa_id", "period").order_by()
                .annotate(n=Count("pk"), krs=Count("pk", filter=Q(krs=True)),
                          unmet=Count("pk", filter=Q(unmet_need=True)))):
        _add(cells, SEMESTER, row["period"], row["desa_id"], None, True, krs_n=row["n"], krs_krs=row["krs"],
             krs_unmet=row["unmet"])
    # KRS families with a TPK visit in a month of their snapshot's semester: counted on the day
    # of the first visit of that month, so "this month up to today" is a range of day cells.
    snaps: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for household_id, period, desa in (KrsSnapshot.objects.filter(in_desa, krs=True).order_by()
                                       .values_list("household_id", "period", "desa_id")):
        snaps[household_id].append((period, desa))
    ids = sorted(snaps)
    for i in range(0, len(ids), 900):
        firsts = (TpkVisit.objects.filter(household_id__in=ids[i:i + 900])
                  .annotate(month=TruncMonth("visited_on")).values("household_id", "month").order_by()
                  .annotate(first=Min("visited_on")).values_list("household_id", "first"))
        for household_id, first in firsts:
            semester = rules.semester_of(first)
            for period, desa in snaps[household_id]:
                if period == semester:
                    _add(cells, DAY, _day(first), desa, None, True, krs_visited=1)
    return cells


def _rebuild_desas(desas: list[str]) -> int:
    old = TargetGroupSummary.objects.filter(desa_id__in=desas)
    old._raw_delete(old.db)
    cells = build_cells(desas)
    rows = [TargetGroupSummary(period_type=kind, period_key=key, desa_id=desa, posyandu_id=posyandu,
                               household=household, **values)
            for (kind, key, desa, posyandu, household), values in cells.items() if any(values.values())]
    TargetGroupSummary.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _chunks(desas: Iterable[str]) -> list[list[str]]:
    ordered = sorted({str(d) for d in desas if d})
    return [ordered[i:i + DESA_CHUNK] for i in range(0, len(ordered), DESA_CHUNK)]


def _record_desas() -> set[str]:
    desas: set[str] = set()
    for model in (CatinScreening, Pregnancy, Postpartum, Adolescent, KrsSnapshot):
        desas.update(model.all_objects.order_by().values_list("desa_id", flat=True).distinct())
    desas.update(TargetGroupSummary.objects.order_by().values_list("desa_id", flat=True).distinct())
    return desas


@transaction.atomic
def refresh_target_summaries(desa_codes: Iterable[str] | None = None, region_code: str | None = None) -> int:
    """Rebuild every cell of these desa and of every desa inside `region_code` ("" = everything).
    Nothing given: everything. Inside `deferred()` the desa are only collected. Returns cells written."""
    from tumbuh.analytics.memo import bump

    if desa_codes is None and not region_code:
        if getattr(_local, "pending", None) is not None:
            _local.pending.add(None)
            return 0
        return rebuild_target_summaries()
    desas = {str(d) for d in desa_codes or () if d}
    if region_code:
        desas.update(Region.objects.filter(within("code", region_code), level=Region.Level.DESA)
                     .values_list("code", flat=True))
        desas.update(TargetGroupSummary.objects.filter(within("desa_id", region_code))
                     .values_list("desa_id", flat=True).distinct())
    pending = getattr(_local, "pending", None)
    if pending is not None:
        pending.update(desas)
        return 0
    bump()
    return sum(_rebuild_desas(chunk) for chunk in _chunks(desas))


@transaction.atomic
def rebuild_target_summaries() -> int:
    """Every cell from scratch."""
    from tumbuh.analytics.memo import bump

    bump()
    everything = TargetGroupSummary.objects.all()
    everything._raw_delete(everything.db)
    return sum(_rebuild_desas(chunk) for chunk in _chunks(_record_desas()))


@contextlib.contextmanager
def deferred():
    """Collect the desa refreshed inside the block and rebuild them once when it ends (bulk
    writers: an import of thousands of rows, the demo). Use it inside the writer's transaction."""
    if getattr(_local, "pending", None) is not None:
        yield  # an outer block already collects
        return
    _local.pending = set()
    try:
        yield
        pending = _local.pending
    finally:
        _local.pending = None
    if None in pending:
        rebuild_target_summaries()
    elif pending:
        refresh_target_summaries(desa_codes=pending)


# ---- the signals' targets (apps.py) ----------------------------------------------------------

def desas_of(instance) -> set[str]:
    """The desa whose cells a saved or deleted record is counted in."""
    if isinstance(instance, Birth):
        desa = Pregnancy.all_objects.filter(pk=instance.pregnancy_id).values_list("desa_id", flat=True).first()
        return {desa} if desa else set()
    desas = {instance.desa_id} if getattr(instance, "desa_id", None) else set()
    if isinstance(instance, TpkVisit):  # the families visited are counted where their snapshot is
        desas.update(KrsSnapshot.all_objects.filter(household_id=instance.household_id)
                     .values_list("desa_id", flat=True))
    return desas


# ---- read -----------------------------------------------------------------------------------

def cells_for(scope, region: str = ""):
    """The scope's cells (in `region`): person cells as `scope.person_q()` filters the records,
    household cells as `scope.place_q("desa")` filters the places."""
    scope = as_scope(scope)
    qs = TargetGroupSummary.objects.filter((Q(household=False) & scope.person_q())
                                           | (Q(household=True) & scope.place_q("desa")))
    if region:
        qs = qs.filter(within("desa_id", region))
    return qs


def _sum(name: str, where: Q):
    return Coalesce(Sum(name, filter=where), 0)


def totals(scope, *, region: str = "", on: dt.date) -> dict[str, int]:
    """The counts `selectors.group_counts` shows, summed from the cells in one query."""
    year_ago, month_start = _day(on - dt.timedelta(days=365)), _day(on.replace(day=1))
    nifas_from = _day(on - dt.timedelta(days=rules.cut("nifas", "nifas_days")))
    today_key = _day(on)
    state = Q(period_type=STATE)
    year = Q(period_type=DAY, period_key__gt=year_ago, period_key__lte=today_key)
    windows = {
        "preg": state, "teen": state, "ended": year, "birth": year,
        "catin": Q(period_type=DAY, period_key__gt=year_ago),  # as the register: no upper bound
        "nifas": Q(period_type=DAY, period_key__gte=nifas_from, period_key__lte=today_key),
        "krs": Q(period_type=SEMESTER, period_key=rules.semester_of(on)),
    }
    wanted = {}
    for name in SUMMARY_FIELDS:
        where = (Q(period_type=DAY, period_key__gte=month_start, period_key__lte=today_key)
                 if name == "krs_visited" else windows[name.split("_")[0]])
        wanted[name] = _sum(name, where)
    return cells_for(scope, region).aggregate(**wanted)
