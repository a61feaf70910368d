"""The figures Tumbuh already has, attached where they are the evidence (aksi 1: situation
analysis; aksi 7: measurement coverage and prevalence per desa) and frozen into meetings as their
materials. All figures come from tumbuh.analytics (the summary table, fresh after every write) and
are returned as plain JSON-ready dicts (no personal data: counts and rates only)."""

from __future__ import annotations

import datetime as dt
import math

from django.utils import timezone

from tumbuh.analytics import reports
from tumbuh.analytics import summary as sm
from tumbuh.analytics.periods import Period
from tumbuh.analytics.prevalence import rates_from_counts
from tumbuh.regions.models import Region, within

from .metrics import SYSTEM


def _num(v, digits: int = 1):
    if v is None:
        return None
    v = float(v)
    return None if math.isnan(v) else round(v, digits)


def period_at(region: Region, day: dt.date) -> Period:
    """The month containing `day`, or the latest month before it with a measurement (so a meeting
    early in a month shows last month's figures rather than an empty month)."""
    month = Period.containing(day, "month")
    for p in reversed(month.history(6)):
        if sm.cells_for(SYSTEM, region.code).filter(period_type="month", period_key=p.key).exists():
            return p
    return month


def dashboard_figures(region: Region, period: Period) -> dict:
    if not sm.cells_for(SYSTEM, region.code).exists():
        # No measurement at all in the region (a new kab/kota): nothing to show, and the
        # analytics ranking does not handle a region without sub-units or cells.
        return {"region": region.code, "region_name": region.name, "period": period.key, "headline": {},
                "coverage": {"registered": 0, "weighed": 0, "d_over_s": None}, "trend": [], "ranking": []}
    board = reports.dashboard(SYSTEM, region, period)
    est = board.report.estimates
    cov = board.report.coverage
    return {
        "region": region.code, "region_name": region.name, "period": period.key,
        "headline": {k: {"rate": _num(est[k].rate), "lower": _num(est[k].lower), "upper": _num(est[k].upper),
                         "cases": int(est[k].cases), "children": int(est[k].children)}
                     for k in ("stunting", "wasting", "underweight", "overweight") if k in est},
        "coverage": {"registered": cov.registered, "weighed": cov.weighed, "d_over_s": _num(cov.d_over_s)},
        "trend": [{"period": t.period.key, "rate": _num(t.estimate.rate) if t.estimate else None}
                  for t in board.trend],
        "ranking": [{"key": str(r.key), "name": r.name, "rate": _num(r.rate), "cases": int(r.cases),
                     "children": int(r.children), "coverage": _num(r.coverage)}
                    for r in board.ranking.itertuples()],
    }


def per_desa(region: Region, period: Period) -> list[dict]:
    """Per desa of the region: registered (S), measured, coverage, stunted, prevalence."""
    units = sm.unit_counts(SYSTEM, region.code, [period])
    registered = sm.registered_counts(SYSTEM, region.code, period.end).groupby("desa")["n"].sum()
    g = units.groupby("desa")[["measured", "children", "cases"]].sum().reset_index()
    rates = rates_from_counts(g.rename(columns={"desa": "key", "measured": "rows"}))
    rate_of = dict(zip(rates["key"], rates["rate"], strict=False)) if len(rates) else {}
    names = dict(Region.objects.filter(code__startswith=region.code + ".", level=Region.Level.DESA)
                 .values_list("code", "name"))
    measured = dict(zip(g["desa"], g["measured"], strict=False))
    cases = dict(zip(g["desa"], g["cases"], strict=False))
    out = []
    for code in sorted(set(names) & (set(measured) | set(registered.index))):
        s = int(registered.get(code, 0))
        m = int(measured.get(code, 0))
        out.append({"code": code, "name": names[code], "registered": s, "measured": m,
                    "coverage": _num(100 * m / s) if s else None, "stunted": int(cases.get(code, 0)),
                    "prevalence": _num(rate_of.get(code))})
    return out


def situation_analysis(region: Region, year: int) -> dict:
    """Aksi 1: where stunting is and how well children are reached, from the latest month of the
    year with data (or the previous year's August weighing when the year has only begun)."""
    end = min(dt.date(year, 12, 31), timezone.localdate())
    period = period_at(region, end)
    figures = dashboard_figures(region, period)
    desa = per_desa(region, period)
    ranked = sorted([d for d in desa if d["prevalence"] is not None], key=lambda d: (-d["prevalence"], d["name"]))
    figures["priority_desa"] = ranked[:10]
    figures["low_coverage_desa"] = sorted([d for d in desa if d["coverage"] is not None],
                                          key=lambda d: d["coverage"])[:10]
    figures["desa_count"] = len(desa)
    return figures


def measurement_publication(region: Region, year: int) -> dict:
    """Aksi 7: the February and August weighing months: coverage and prevalence per desa."""
    rounds = []
    for month in (2, 8):
        period = Period(year, "weighing", month)
        if period.start > timezone.localdate():
            continue
        desa = per_desa(region, period)
        s = sum(d["registered"] for d in desa)
        m = sum(d["measured"] for d in desa)
        rounds.append({"period": period.key, "registered": s, "measured": m,
                       "coverage": _num(100 * m / s) if s else None,
                       "published_desa": sum(1 for d in desa if d["prevalence"] is not None),
                       "desa": desa})
    return {"region": region.code, "year": year, "rounds": rounds}


AUTO = {"situation_analysis": situation_analysis, "measurement_publication": measurement_publication}


def meeting_materials(region: Region, day: dt.date) -> dict:
    """The dashboard as of the meeting date, plus the open commitments then: frozen into the
    meeting so it reads later as it was."""
    from .models import OPEN_STATUSES, Commitment

    period = period_at(region, day)
    materials = dashboard_figures(region, period)
    materials["desa"] = per_desa(region, period) if region.level in (Region.Level.KABUPATEN, Region.Level.KECAMATAN) else []
    opened = Commitment.objects.filter(within("region_id", region.code), status__in=OPEN_STATUSES,
                                       created_at__date__lte=day).select_related("agency")
    materials["open_commitments"] = [
        {"what": c.what, "owner": c.owner_label, "due": c.due_date.isoformat(), "status": c.status,
         "overdue": c.due_date < day} for c in opened]
    materials["as_of"] = day.isoformat()
    return materials


