"""The one code path from a user's scope to every number the pages and exports show: selectors
load frames, the pure modules compute, and both the HTML views and the .xlsx writers call these
functions, so a figure on screen and the same figure in a file cannot differ."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tumbuh.accounts.scoping import posyandu_for
from tumbuh.regions.models import Region

from . import coverage as cov
from . import quality as dq
from .periods import Period, period_index
from .prevalence import Estimate, headline, latest_per_child, prevalence_table, rate_by
from .selectors import (
    DASHBOARD_FIELDS,
    MEASUREMENT_FIELDS,
    cached,
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
    latest: pd.DataFrame = field(repr=False)


def prevalence_report(user, region: Region, period: Period, posyandu_id=None,
                      latest: pd.DataFrame | None = None) -> PrevalenceReport:
    if latest is None:
        latest = latest_in_periods(user, region.code, [period], posyandu_id)
    table = prevalence_table(latest)
    registered = registered_frame(user, region.code, period.end, posyandu_id)
    return PrevalenceReport(region, period, table, headline(table),
                            cov.coverage(registered, latest), latest)


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
    names = dict(units)
    rows = pd.DataFrame({"key": list(names), "name": list(names.values())})
    now = latest[latest["period"] == current]
    before = latest[latest["period"] == current - 1]
    cur = rate_by(now, unit_keys(now, kind, units), indicator)
    prev = rate_by(before, unit_keys(before, kind, units), indicator)[["key", "rate"]].rename(
        columns={"rate": "previous"})
    reg_keys = unit_keys(registered, kind, units)
    reg = pd.Series(reg_keys).value_counts().rename_axis("key").rename("registered").reset_index()
    out = rows.merge(cur, on="key", how="left").merge(prev, on="key", how="left").merge(reg, on="key", how="left")
    out["registered"] = out["registered"].fillna(0).astype(int)
    out["children"] = out["children"].fillna(0).astype(int)
    out["cases"] = out["cases"].fillna(0).astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["coverage"] = np.where(out["registered"] > 0, 100 * out["children"] / out["registered"], np.nan)
    out["change"] = out["rate"] - out["previous"]
    return out.sort_values(["rate", "name"], ascending=[False, True], na_position="last").reset_index(drop=True)


@dataclass
class Dashboard:
    report: PrevalenceReport
    trend: list[TrendPoint]
    ranking: pd.DataFrame
    unit_kind: str
    skdn: pd.DataFrame


def dashboard(user, region: Region, period: Period) -> Dashboard:
    return cached("dashboard", user, region.code, period.key, build=lambda: _dashboard(user, region, period))


def _dashboard(user, region: Region, period: Period) -> Dashboard:
    periods = period.history(HISTORY[period.kind])
    # One load for everything on the page: KPIs and coverage (current period), trend (every
    # period), ranking (current and previous). The BMI, weight and length columns are not read.
    latest = latest_in_periods(user, region.code, periods, fields=DASHBOARD_FIELDS)
    current = len(periods) - 1
    report = prevalence_report(user, region, period, latest=latest[latest["period"] == current])
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
        reg = registered.assign(measured_on=registered["child_id"].map(last))
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


def mask_nik(nik: str) -> str:
    nik = nik or ""
    return ("•" * 12 + nik[-4:]) if len(nik) == 16 else nik


# ---- Data quality ---------------------------------------------------------------------------

def quality_report(user, region: Region, period: Period, by: str = "posyandu") -> pd.DataFrame:
    m = measurement_frame(user, region.code, period.start, period.end)
    if m.empty:
        return dq.quality_table(m.assign(unit=pd.Series(dtype=str)), "unit")
    if by == "posyandu":
        names = dict(posyandu_for(user).values_list("pk", "name"))
        m = m.assign(unit=m["posyandu_id"].map(names).fillna("-"))
    else:
        kind, units = child_units(user, region)
        keys = unit_keys(m, kind, units)
        m = m.assign(unit=pd.Series(keys).map(dict(units)).fillna("-").to_numpy())
    return dq.quality_table(m, "unit").sort_values("score").reset_index(drop=True)
