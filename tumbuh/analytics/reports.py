"""The one code path from a user's scope to every number the pages and exports show. The
dashboard, the prevalence page and its .xlsx export all sum the summary table (`summary.py`) and
run the same estimators, so a figure on screen and the same figure in a file cannot differ.

The row-level functions (`*_from_rows`) compute the same figures from raw measurements: BNBA lists
and the data-quality page use them (they need rows), and tests use them as the reference the
summary must equal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tumbuh.regions.models import Region
from tumbuh.regions.selectors import posyandu_for

from . import coverage as cov
from . import quality as dq
from . import summary as sm
from .periods import Period, period_index
from .prevalence import (
    Estimate,
    headline,
    latest_per_child,
    prevalence_table,
    rate_by,
    rates_from_counts,
    table_from_counts,
)
from .selectors import (
    DASHBOARD_FIELDS,
    MEASUREMENT_FIELDS,
    measurement_frame,
    people_details,
    registered_frame,
)

HISTORY = {"month": 12, "quarter": 8, "semester": 6, "year": 5, "weighing": 6}


def latest_in_periods(user, region_code: str, periods: list[Period], posyandu_id=None,
                      fields=MEASUREMENT_FIELDS) -> pd.DataFrame:
    """Each child once per period: the latest measurement in it. Column `period` indexes `periods`."""
    m = measurement_frame(user, region_code, periods[0].start, periods[-1].end, posyandu_id, fields)
    idx = period_index(m["measured_on"].to_numpy(), periods)
    m = m.assign(period=idx)
    return latest_per_child(m[idx >= 0], by=("period",))


@dataclass
class PrevalenceReport:
    region: Region
    period: Period
    table: pd.DataFrame
    estimates: dict[str, Estimate]
    coverage: cov.Coverage
    latest: pd.DataFrame | None = field(default=None, repr=False)  # row-level path only


def prevalence_report(user, region: Region, period: Period, posyandu_id=None,
                      registered: pd.DataFrame | None = None) -> PrevalenceReport:
    """The anthro table, headline rates and coverage of one period, from the summary table.
    `registered`: `summary.registered_counts` of the same scope, region and period, if at hand."""
    counts, totals = sm.cell_totals(user, region.code, period, posyandu_id)
    table = table_from_counts(counts)
    if registered is None:
        registered = sm.registered_counts(user, region.code, period.end, posyandu_id)
    registered = int(registered["n"].sum())
    coverage = cov.Coverage(registered=registered, weighed=totals["weighed"], gained=totals["gained"],
                            measured_unregistered=totals["measured"] - totals["weighed"])
    return PrevalenceReport(region, period, table, headline(table), coverage)


def prevalence_report_from_rows(user, region: Region, period: Period, posyandu_id=None,
                                latest: pd.DataFrame | None = None) -> PrevalenceReport:
    if latest is None:
        latest = latest_in_periods(user, region.code, [period], posyandu_id)
    table = prevalence_table(latest)
    registered = registered_frame(user, region.code, period.end, posyandu_id)
    return PrevalenceReport(region, period, table, headline(table),
                            cov.coverage(registered, latest), latest)


# A period is taken as complete when it has at least this share of the children measured in the
# periods before it (median of up to three with data): a month whose posyandu have not all
# reported yet is not the default.
COMPLETE_SHARE = 0.5


def default_period(user, region_code: str, kind: str, today: dt.date) -> Period:
    """The period a page opens on without `?period=`: the latest *complete* one (issue 8).

    Start from the period of the latest measurement (never after today); a period still in
    progress (ending today or later) is not complete, so the one before it is taken; then step
    back while a period has far fewer children measured than the periods before it (D/S far below
    the previous months: a month whose sessions are not all entered). When no complete period has
    any data, the period of the latest measurement is shown after all."""
    latest = sm.latest_period_key(user, region_code)
    if not latest:
        return Period.containing(today, kind).previous()
    last_day = min(Period.parse(latest).end, today)
    newest = Period.containing(last_day, kind)
    start = newest.previous() if newest.end >= today else newest
    window = start.history(8)
    totals = sm.period_totals(user, region_code, window)
    measured = dict(zip(totals["period"], totals["measured"], strict=True))
    for i in range(len(window) - 1, len(window) - 4, -1):
        n = measured.get(i, 0)
        before = [measured[j] for j in range(i - 1, -1, -1) if measured.get(j, 0) > 0][:3]
        if n > 0 and (not before or n >= COMPLETE_SHARE * float(np.median(before))):
            return window[i]
    with_data = [i for i in range(len(window) - 1, -1, -1) if measured.get(i, 0) > 0]
    return window[with_data[0]] if with_data else newest


@dataclass
class TrendPoint:
    period: Period
    estimate: Estimate | None


def trend_points(latest: pd.DataFrame, periods: list[Period], indicator: str = "stunting") -> list[TrendPoint]:
    rates = rate_by(latest, latest["period"].to_numpy(), indicator) if len(latest) else None
    points = []
    for i, p in enumerate(periods):
        est = None
        if rates is not None:
            hit = rates[rates["key"] == i]
            if len(hit):
                r = hit.iloc[0]
                est = Estimate(indicator, float(r["rate"]), float(r["se"]), float(r["lower"]),
                               float(r["upper"]), int(r["cases"]), int(r["children"]))
        points.append(TrendPoint(p, est))
    return points


def child_units(user, region: Region) -> tuple[str, list[tuple[str, str]]]:
    """What sits under the region for ranking and the map: ("region", [(code, name)]) or, under a
    desa, ("posyandu", [(id, name)])."""
    if getattr(region, "is_service_area", False):  # a puskesmas service area: its desa
        return "region", list(region.units)
    if region.level == Region.Level.DESA:
        return "posyandu", [(str(p.pk), p.name) for p in posyandu_for(user).filter(desa=region)]
    return "region", list(Region.objects.filter(parent=region).values_list("code", "name"))


def unit_keys(frame: pd.DataFrame, kind: str, units: list[tuple[str, str]]) -> np.ndarray:
    if kind == "posyandu":
        return frame["posyandu_id"].astype(str).to_numpy()
    if not units:
        return np.array([""] * len(frame))
    width = len(units[0][0])
    return frame["desa"].astype(str).str[:width].to_numpy()


def ranking(user, region: Region, latest: pd.DataFrame, current: int, registered: pd.DataFrame,
            indicator: str = "stunting") -> pd.DataFrame:
    """Units under the region by prevalence in period `current` and change from the one before.
    Columns: key, name, rate, lower, upper, cases, children, registered, coverage, previous, change."""
    kind, units = child_units(user, region)
    now = latest[latest["period"] == current]
    before = latest[latest["period"] == current - 1]
    cur = rate_by(now, unit_keys(now, kind, units), indicator)
    prev = rate_by(before, unit_keys(before, kind, units), indicator)
    reg = pd.Series(unit_keys(registered, kind, units)).value_counts()
    return _ranking_table(units, cur, prev, reg)


def _ranking_table(units, cur: pd.DataFrame, prev: pd.DataFrame, registered: pd.Series) -> pd.DataFrame:
    names = dict(units)
    # Keys as objects even when a region has no units below it (an empty list would make them
    # float64, and the merges below refuse float64 against object keys: issue 8).
    rows = pd.DataFrame({"key": pd.Series(list(names), dtype=object), "name": pd.Series(list(names.values()), dtype=object)})
    prev = prev[["key", "rate", "children", "lower", "upper"]].rename(columns={
        "rate": "previous", "children": "previous_children", "lower": "previous_lower", "upper": "previous_upper"})
    reg = registered.rename_axis("key").rename("registered").reset_index()
    for frame in (cur, prev, reg):
        frame["key"] = frame["key"].astype(object)
    out = rows.merge(cur, on="key", how="left").merge(prev, on="key", how="left").merge(reg, on="key", how="left")
    out["registered"] = out["registered"].fillna(0).astype(int)
    out["children"] = out["children"].fillna(0).astype(int)
    out["cases"] = out["cases"].fillna(0).astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["coverage"] = np.where(out["registered"] > 0, 100 * out["children"] / out["registered"], np.nan)
    out["change"] = out["rate"] - out["previous"]
    return out.sort_values(["rate", "name"], ascending=[False, True], na_position="last").reset_index(drop=True)


def _unit_column(frame: pd.DataFrame, kind: str, units) -> np.ndarray:
    """unit_keys for the summary's per-desa/posyandu frames."""
    return unit_keys(frame, kind, units)


@dataclass
class Dashboard:
    report: PrevalenceReport
    trend: list[TrendPoint]
    ranking: pd.DataFrame
    unit_kind: str
    skdn: pd.DataFrame


def dashboard(user, region: Region, period: Period) -> Dashboard:
    """Everything on the dashboard from the summary table: the current period's cells per age x
    sex (table, KPIs, coverage), per desa/posyandu over the trend's periods (trend, ranking,
    SKDN), and S from the register."""
    periods = period.history(HISTORY[period.kind])
    current = len(periods) - 1
    registered = sm.registered_counts(user, region.code, period.end)
    report = prevalence_report(user, region, period, registered=registered)
    # Per desa/posyandu only for the two periods the ranking and SKDN show; the trend needs
    # only the region's totals per period (far fewer rows back from the database).
    units_frame = sm.unit_counts(user, region.code, periods, detail=[current - 1, current] if current else [current])
    kind, units = child_units(user, region)

    per_period = sm.period_totals(user, region.code, periods)
    g = per_period.rename(columns={"period": "key", "measured": "rows"})
    rates = rates_from_counts(g[g["rows"] > 0])
    trend = []
    for i, p in enumerate(periods):
        hit = rates[rates["key"] == i]
        est = None
        if len(hit):
            r = hit.iloc[0]
            est = Estimate("stunting", float(r["rate"]), float(r["se"]), float(r["lower"]), float(r["upper"]),
                           int(r["cases"]), int(r["children"]))
        trend.append(TrendPoint(p, est))

    def unit_rates(i: int) -> pd.DataFrame:
        f = units_frame[units_frame["period"] == i]
        g = (f.assign(key=_unit_column(f, kind, units)).groupby("key", sort=True)[["measured", "children", "cases"]]
             .sum().reset_index().rename(columns={"measured": "rows"}))
        return rates_from_counts(g)

    reg_units = registered.assign(key=_unit_column(registered, kind, units)).groupby("key")["n"].sum()
    rank = _ranking_table(units, unit_rates(current), unit_rates(current - 1), reg_units)

    now = units_frame[units_frame["period"] == current]
    s = registered.groupby("posyandu_id", sort=True)["n"].sum()
    counts = now.groupby("posyandu_id", sort=True)[["D", "N", "T", "2T", "O", "B", "BGM"]].sum()
    skdn = cov.skdn_from_counts(s, counts)
    return Dashboard(report, trend, rank, kind, skdn)


def dashboard_from_rows(user, region: Region, period: Period) -> Dashboard:
    """The dashboard computed from raw measurements (the reference the summary must equal)."""
    periods = period.history(HISTORY[period.kind])
    latest = latest_in_periods(user, region.code, periods, fields=DASHBOARD_FIELDS)
    current = len(periods) - 1
    report = prevalence_report_from_rows(user, region, period, latest=latest[latest["period"] == current])
    registered = registered_frame(user, region.code, period.end)
    kind, _units = child_units(user, region)
    skdn = cov.skdn(registered, report.latest)
    return Dashboard(report, trend_points(latest, periods), ranking(user, region, latest, current, registered),
                     kind, skdn)


# ---- BNBA (by name, by address) -------------------------------------------------------------

BNBA_CATEGORIES = ("stunted", "wasted", "2T", "BGM", "not_measured")
NOT_MEASURED_DAYS = 61  # "not measured for 2 months"


def bnba(user, region: Region, period: Period, category: str, posyandu_id=None) -> pd.DataFrame:
    """The children of one list, with name and address, sorted by desa, posyandu and name."""
    if category not in BNBA_CATEGORIES:
        raise ValueError(category)
    if category == "not_measured":
        since = period.end - dt.timedelta(days=NOT_MEASURED_DAYS)
        registered = registered_frame(user, region.code, period.end, posyandu_id)
        recent = measurement_frame(user, region.code, since - dt.timedelta(days=365), period.end)
        last = recent.groupby("child_id")["measured_on"].max()
        # reindex, not Series.map: mapping through an empty datetime Series makes pandas cast it
        # to float64 (TypeError) when no child in scope has a recent measurement.
        reg = registered.assign(measured_on=last.reindex(registered["child_id"].to_numpy()).to_numpy())
        rows = reg[reg["measured_on"].isna() | (reg["measured_on"] < pd.Timestamp(since))].copy()
        for col in ("haz", "waz", "whz", "weight_kg", "length_cm"):
            rows[col] = np.nan
        rows["weight_gain"] = ""
        rows["bgm"] = False
    else:
        latest = latest_in_periods(user, region.code, [period], posyandu_id)
        mask = {
            "stunted": (latest["haz"] < -2) & ~latest["haz_flag"],
            "wasted": ((latest["whz"] < -2) & ~latest["whz_flag"]) | latest["oedema"],
            "2T": latest["weight_gain"].astype(str) == "2T",
            "BGM": latest["bgm"],
        }[category]
        rows = latest[mask.to_numpy()].copy()
    if rows.empty:
        return pd.DataFrame(columns=BNBA_COLUMNS)
    details = people_details(user, rows["child_id"].unique())
    out = rows.merge(details, on="child_id", how="inner")  # inner: never a child outside scope
    posyandu_names = dict(posyandu_for(user).values_list("pk", "name"))
    out["posyandu"] = out["posyandu_id"].map(posyandu_names).fillna(out["home_posyandu"])
    as_of = pd.Timestamp(period.end)
    out["age_months"] = ((as_of - pd.to_datetime(out["birth_date"])).dt.days / 30.4375).round(1)
    out = out.sort_values(["desa_name", "posyandu", "name"], na_position="last")
    return out.reindex(columns=BNBA_COLUMNS).reset_index(drop=True)


BNBA_COLUMNS = ["child_id", "nik", "name", "sex", "birth_date", "age_months", "mother", "address", "rt",
                "rw", "desa", "desa_name", "posyandu", "measured_on", "weight_kg", "length_cm", "haz", "waz",
                "whz", "weight_gain", "bgm"]


# ---- Data quality ---------------------------------------------------------------------------

def posyandu_labels(user) -> dict[int, str]:
    """Posyandu id -> "name (desa)": posyandu names repeat across desa (four "Posyandu Anggrek 1"
    in one kota), so every list names the desa beside them."""
    return {pk: f"{name} ({desa})" for pk, name, desa in
            posyandu_for(user).values_list("pk", "name", "desa__name")}


def quality_report(user, region: Region, period: Period, by: str = "posyandu") -> pd.DataFrame:
    """Data-quality checks per posyandu (grouped by id, labelled with its desa) or per area."""
    m = measurement_frame(user, region.code, period.start, period.end)
    if m.empty:
        return dq.quality_table(m.assign(unit=pd.Series(dtype=str)), "unit").assign(unit_id=pd.Series(dtype=str))
    if by == "posyandu":
        keys = m["posyandu_id"].astype(str).to_numpy()
        labels = {str(k): v for k, v in posyandu_labels(user).items()}
    else:
        kind, units = child_units(user, region)
        keys = unit_keys(m, kind, units)
        labels = dict(units)
    table = dq.quality_table(m.assign(unit=keys), "unit").rename(columns={"unit": "unit_id"})
    table.insert(0, "unit", table["unit_id"].map(labels).fillna("-"))
    return table.sort_values(["score", "unit"]).reset_index(drop=True)
