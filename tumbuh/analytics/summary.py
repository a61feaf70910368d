"""The summary table (`PeriodSummary`): building it from raw rows, keeping it fresh, and reading
the dashboard's and the prevalence table's numbers from it.

Build: for each period kind (month, quarter, semester, year, weighing month), each child's latest
measurement in each period (age 0-1826 days, as the pages always counted), cut into additive
counts per (period, home desa, home posyandu, sex, age group). The arithmetic is the row-level
code's: `prevalence.analysis_columns` (WHO exclusions, oedema) and the same bins.

Freshness: `refresh_summaries` deletes and rebuilds every cell of the affected desa (all periods:
a new or deleted measurement can change weight gain and the latest-in-period of the whole series,
and a delete leaves no row to tell which period it was in). It runs inside the writer's
transaction, from the `measurements_changed` / `people_changed` signals (apps.py), so the next
request sees the write and a rolled-back write rolls the cells back too.

Read: `Scope.person_q` (tumbuh.accounts.scoping) filters the cells exactly as it filters people and measurements
(cells carry the child's current desa and posyandu); sums in SQL, then the same estimators as the
row-level path (`prevalence.table_from_counts`, `rates_from_counts`, `coverage.skdn_from_counts`).
S (registered under-fives at the period's end) is counted from `Person` at request time: one
GROUP BY over one row per child, always right for any period the picker offers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Count, F, Sum

from tumbuh.accounts.scoping import person_scope_q
from tumbuh.measurements.models import Measurement
from tumbuh.regions.models import Region, within
from tumbuh.registry.models import Person

from .models import COUNT_FIELDS, INDEX_PREFIXES, SUM_FIELDS, PeriodSummary
from .periods import KINDS, Period
from .prevalence import (
    INDICES,
    MAX_AGE_DAYS,
    N_BINS,
    N_CELLS,
    N_SEX,
    _bins,
    analysis_columns,
    latest_per_child,
)
from .selectors import _fetch, registered_people

VALUE_FIELDS = COUNT_FIELDS + SUM_FIELDS
KEY_FIELDS = ["period_type", "period_key", "desa_id", "posyandu_id", "sex", "age_group"]
LABEL_OF = dict(zip(INDEX_PREFIXES, [label for label, _, _ in INDICES], strict=True))

SOURCE_FIELDS = {
    "id": "id", "child_id": "child_id", "measured_on": "measured_on", "age_days": "age_days",
    "haz": "length_for_age_z", "waz": "weight_for_age_z", "whz": "weight_for_length_z",
    "bmiz": "bmi_for_age_z", "haz_flag": "length_for_age_flag", "waz_flag": "weight_for_age_flag",
    "whz_flag": "weight_for_length_flag", "bmiz_flag": "bmi_for_age_flag", "oedema": "oedema",
    "weight_gain": "weight_gain", "bgm": "below_red_line",
}
PERSON_FIELDS = {"child_id": "id", "desa": "desa_id", "posyandu_id": "posyandu_id", "sex": "sex",
                 "birth_date": "birth_date", "active": "active"}
DESA_CHUNK = 150  # desa rebuilt per pass (bounded memory and parameter lists)


# ---- build ----------------------------------------------------------------------------------

def _period_codes(days: np.ndarray, kind: str) -> np.ndarray:
    """An integer per period of `kind` for each date (datetime64); -1 outside any (weighing)."""
    months = days.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    year, month = months // 12 + 1970, months % 12 + 1
    if kind == "month":
        return months
    if kind == "quarter":
        return year * 4 + (month - 1) // 3
    if kind == "semester":
        return year * 2 + (month - 1) // 6
    if kind == "year":
        return year
    return np.where(month == 2, year * 2, np.where(month == 8, year * 2 + 1, -1))


def _period_of(code: int, kind: str) -> Period:
    if kind == "month":
        return Period(1970 + code // 12, kind, code % 12 + 1)
    if kind == "quarter":
        return Period(code // 4, kind, code % 4 + 1)
    if kind == "semester":
        return Period(code // 2, kind, code % 2 + 1)
    if kind == "year":
        return Period(code, kind, 1)
    return Period(code // 2, kind, (2, 8)[code % 2])


def _cells_of(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """One period kind: latest measurement per child and period, summed per cell."""
    codes = _period_codes(frame["measured_on"].to_numpy().astype("datetime64[D]"), kind)
    keep = codes >= 0
    latest = latest_per_child(frame[keep].assign(period=codes[keep]), by=("period",))
    if latest.empty:
        return pd.DataFrame()
    period = latest["period"].to_numpy()
    uniq, inv = np.unique(period, return_inverse=True)
    periods = [_period_of(int(c), kind) for c in uniq]
    ends = np.array([p.end for p in periods], dtype="datetime64[D]")[inv]
    birth = latest["birth_date"].to_numpy().astype("datetime64[D]")
    registered = (latest["active"].to_numpy(dtype=bool) & (birth <= ends)
                  & (birth > ends - np.timedelta64(MAX_AGE_DAYS, "D")))
    gain = latest["weight_gain"].astype(str).to_numpy()
    cols = analysis_columns(latest)
    cell = cols["cell"]
    values: dict[str, np.ndarray] = {
        "measured": np.ones(len(latest), np.int64),
        "weighed": registered.astype(np.int64),
        "gained": (registered & (gain == "N")).astype(np.int64),
        "gain_n": (gain == "N").astype(np.int64), "gain_t": (gain == "T").astype(np.int64),
        "gain_2t": (gain == "2T").astype(np.int64), "gain_o": (gain == "O").astype(np.int64),
        "gain_b": (gain == "B").astype(np.int64),
        "bgm": latest["bgm"].to_numpy(dtype=bool).astype(np.int64),
    }
    for ix, (_label, col, _) in zip(INDEX_PREFIXES, INDICES, strict=True):
        bins = _bins(cols[f"{col}_prev"])
        for i in range(7):
            values[f"{ix}_b{i}"] = (bins == i).astype(np.int64)
        summ = cols[f"{col}_summ"]
        valid = ~np.isnan(summ)
        filled = np.where(valid, summ, 0.0)
        values[f"{ix}_n"] = valid.astype(np.int64)
        values[f"{ix}_sum"] = filled
        values[f"{ix}_sq"] = filled * filled
    haz, whz = cols["haz_prev"], cols["whz_prev"]
    both = ~np.isnan(haz) & ~np.isnan(whz)
    values["both_n"] = both.astype(np.int64)
    values["ha_2_wh_2"] = (both & (haz < -2) & (whz < -2)).astype(np.int64)
    values["ha_2_wh2"] = (both & (haz < -2) & (whz > 2)).astype(np.int64)
    keys = pd.DataFrame({"period": period, "desa": latest["desa"].astype(str).to_numpy(),
                         "posyandu_id": latest["posyandu_id"].to_numpy(), "sex": cell % N_SEX,
                         "age_group": cell // N_SEX})
    grouped = pd.concat([keys, pd.DataFrame(values)], axis=1).groupby(
        ["period", "desa", "posyandu_id", "sex", "age_group"], sort=False).sum().reset_index()
    key_of = {int(c): p.key for c, p in zip(uniq, periods, strict=True)}
    grouped.insert(0, "period_key", grouped.pop("period").map(key_of))
    grouped.insert(0, "period_type", kind)
    return grouped


def build_cells(people: pd.DataFrame, measurements: pd.DataFrame) -> pd.DataFrame:
    """Every cell of these children (people: child_id, desa, posyandu_id, sex, birth_date,
    active; measurements: SOURCE_FIELDS columns). Columns: KEY_FIELDS + VALUE_FIELDS."""
    if measurements.empty or people.empty:
        return pd.DataFrame(columns=KEY_FIELDS + VALUE_FIELDS)
    pos = pd.Index(people["child_id"]).get_indexer(measurements["child_id"])
    m = measurements[pos >= 0]
    pos = pos[pos >= 0]
    m = m.assign(**{c: people[c].to_numpy()[pos] for c in ("desa", "posyandu_id", "sex", "birth_date", "active")})
    m = m.assign(sex=pd.Categorical(m["sex"].astype(str)))
    parts = [_cells_of(kind, m) for kind in KINDS]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=KEY_FIELDS + VALUE_FIELDS)
    out = pd.concat(parts, ignore_index=True).rename(columns={"desa": "desa_id"})
    return out[KEY_FIELDS + VALUE_FIELDS]


def _insert(cells: pd.DataFrame) -> None:
    if cells.empty:
        return
    meta = PeriodSummary._meta
    qn = connection.ops.quote_name
    columns = [meta.get_field(f.removesuffix("_id")).column if f.endswith("_id") else meta.get_field(f).column
               for f in KEY_FIELDS + VALUE_FIELDS]
    posyandu = cells["posyandu_id"].to_numpy()
    data = [cells[c].tolist() for c in KEY_FIELDS + VALUE_FIELDS]
    data[KEY_FIELDS.index("posyandu_id")] = [int(p) if p else None for p in posyandu]  # 0 = no posyandu
    rows = list(zip(*data, strict=True))
    table = qn(meta.db_table)
    listed = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({listed}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({listed}) VALUES ({', '.join(['%s'] * len(columns))})",
                               rows)


def _rebuild_desas(desas: list[str] | None) -> int:
    """Delete and rebuild the cells of these desa (None: every desa). Returns cells written."""
    people_qs = Person.objects.all()
    cells_qs = PeriodSummary.objects.all()
    if desas is not None:
        people_qs = people_qs.filter(desa_id__in=desas)
        cells_qs = cells_qs.filter(desa_id__in=desas)
    cells_qs._raw_delete(cells_qs.db)
    m_qs = Measurement.objects.filter(age_days__gte=0, age_days__lte=MAX_AGE_DAYS)
    if desas is not None:
        m_qs = m_qs.filter(child__desa_id__in=desas)
    people = _fetch(people_qs.order_by(), PERSON_FIELDS)
    measurements = _fetch(m_qs.order_by(), SOURCE_FIELDS)
    cells = build_cells(people, measurements)
    _insert(cells)
    return len(cells)


def _desa_chunks(desas: Iterable[str]) -> list[list[str]]:
    ordered = sorted(set(desas))
    return [ordered[i:i + DESA_CHUNK] for i in range(0, len(ordered), DESA_CHUNK)]


@transaction.atomic
def refresh_summaries(child_ids: Iterable[int] | None = None, desa_codes: Iterable[str] | None = None,
                      region_code: str | None = None) -> int:
    """Rebuild the cells of every desa these children live in now, plus `desa_codes` (e.g. the
    desa a child has just moved out of) and every desa inside `region_code` ("" = everything).
    Nothing given: everything. Returns the number of cells written."""
    from .memo import bump

    bump()  # writers that bypass the signals still call this: memoized pages see their data
    if child_ids is None and desa_codes is None and region_code is None:
        return rebuild_summaries()
    if region_code == "":
        return rebuild_summaries()
    desas = {str(d) for d in desa_codes or () if d}
    ids = sorted({int(c) for c in child_ids or ()})
    for i in range(0, len(ids), 900):
        desas.update(Person.objects.filter(pk__in=ids[i:i + 900]).values_list("desa_id", flat=True).distinct())
    if region_code:
        desas.update(Region.objects.filter(within("code", region_code), level=Region.Level.DESA)
                     .values_list("code", flat=True))
        # Cells of a desa no longer in the region table (cannot happen through the app, cheap to cover).
        desas.update(PeriodSummary.objects.filter(within("desa_id", region_code))
                     .values_list("desa_id", flat=True).distinct())
    return sum(_rebuild_desas(chunk) for chunk in _desa_chunks(desas))


@transaction.atomic
def rebuild_summaries() -> int:
    """Every cell from scratch."""
    from .memo import bump

    bump()
    everything = PeriodSummary.objects.all()
    everything._raw_delete(everything.db)
    desas = set(Person.objects.order_by().values_list("desa_id", flat=True).distinct())
    return sum(_rebuild_desas(chunk) for chunk in _desa_chunks(desas))


# ---- read -----------------------------------------------------------------------------------

def cells_for(user, region_code: str, posyandu_id: int | None = None):
    """The user's cells in the region: scoped exactly as `people_for`/`measurements_for` are."""
    qs = PeriodSummary.objects.filter(person_scope_q(user))
    if region_code:
        qs = qs.filter(within("desa_id", region_code))
    if posyandu_id:
        qs = qs.filter(posyandu_id=posyandu_id)
    return qs


def cell_totals(user, region_code: str, period: Period, posyandu_id: int | None = None
                ) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """Per age x sex cell counts for `prevalence.table_from_counts`, and the period's totals."""
    qs = cells_for(user, region_code, posyandu_id).filter(period_type=period.kind, period_key=period.key)
    rows = list(qs.values_list("age_group", "sex").annotate(*[Sum(f) for f in VALUE_FIELDS]).order_by())
    frame = pd.DataFrame(rows, columns=["age_group", "sex", *VALUE_FIELDS]).fillna(0)
    cell = (frame["age_group"].to_numpy(np.int64) * N_SEX + frame["sex"].to_numpy(np.int64))

    def per_cell(col: str) -> np.ndarray:
        out = np.zeros(N_CELLS)
        np.add.at(out, cell, frame[col].to_numpy(dtype=float))
        return out

    measured = per_cell("measured")
    counts: dict[str, np.ndarray] = {"rows": measured}
    for ix in INDEX_PREFIXES:
        label = LABEL_OF[ix]
        bins = np.zeros((N_CELLS, N_BINS))
        for i in range(7):
            bins[:, i] = per_cell(f"{ix}_b{i}")
        bins[:, 7] = measured - bins[:, :7].sum(axis=1)
        counts[f"{label}_bins"] = bins
        counts[f"{label}_n"] = per_cell(f"{ix}_n")
        counts[f"{label}_sum"] = per_cell(f"{ix}_sum")
        counts[f"{label}_sq"] = per_cell(f"{ix}_sq")
    counts["both"] = per_cell("both_n")
    counts["HA_2_WH_2"] = per_cell("ha_2_wh_2")
    counts["HA_2_WH2"] = per_cell("ha_2_wh2")
    totals = {f: int(frame[f].sum()) for f in ("measured", "weighed", "gained")}
    return counts, totals


UNIT_FIELDS = ["measured"] + [f"ha_b{i}" for i in range(7)] + [
    "gain_n", "gain_t", "gain_2t", "gain_o", "gain_b", "bgm"]


def unit_counts(user, region_code: str, periods: list[Period], detail: Iterable[int] | None = None
                ) -> pd.DataFrame:
    """Per period, desa and posyandu: children measured, valid HAZ, stunted (HAZ < -2) and the
    SKDN counts. Columns: period (index into `periods`), desa, posyandu_id (0 = none), measured,
    children, cases, D, N, T, 2T, O, B, BGM. `detail`: only these periods (indexes) per desa and
    posyandu (what the ranking and SKDN need); `period_totals` gives the trend the others."""
    keys = {p.key: i for i, p in enumerate(periods)}
    wanted = [periods[i].key for i in detail] if detail is not None else list(keys)
    qs = cells_for(user, region_code).filter(period_type=periods[0].kind, period_key__in=wanted)
    rows = list(qs.values_list("period_key", "desa_id", "posyandu_id")
                .annotate(*[Sum(f) for f in UNIT_FIELDS]).order_by())
    f = pd.DataFrame(rows, columns=["period_key", "desa", "posyandu_id", *UNIT_FIELDS])
    out = pd.DataFrame({
        "period": f["period_key"].map(keys).astype(np.int64),
        "desa": f["desa"].astype(str),
        "posyandu_id": f["posyandu_id"].fillna(0).astype(np.int64),
        "measured": f["measured"].astype(np.int64),
        "children": f[[f"ha_b{i}" for i in range(7)]].sum(axis=1).astype(np.int64),
        "cases": (f["ha_b0"] + f["ha_b1"]).astype(np.int64),
        "D": f["measured"].astype(np.int64), "N": f["gain_n"].astype(np.int64),
        "T": f["gain_t"].astype(np.int64), "2T": f["gain_2t"].astype(np.int64),
        "O": f["gain_o"].astype(np.int64), "B": f["gain_b"].astype(np.int64),
        "BGM": f["bgm"].astype(np.int64),
    })
    return out


def period_totals(user, region_code: str, periods: list[Period]) -> pd.DataFrame:
    """Per period over the whole region: children measured (the design's N), with a valid HAZ,
    stunted. One row per period with cells; columns period (index into `periods`), measured,
    children, cases. The trend line: 3 sums per period, one row back per period."""
    keys = {p.key: i for i, p in enumerate(periods)}
    qs = cells_for(user, region_code).filter(period_type=periods[0].kind, period_key__in=list(keys))
    valid = sum((F(f"ha_b{i}") for i in range(1, 7)), F("ha_b0"))
    rows = list(qs.values_list("period_key").annotate(m=Sum("measured"), c=Sum(valid), k=Sum(F("ha_b0") + F("ha_b1")))
                .values_list("period_key", "m", "c", "k").order_by())
    f = pd.DataFrame(rows, columns=["period_key", "measured", "children", "cases"])
    return pd.DataFrame({"period": f["period_key"].map(keys).astype(np.int64),
                         "measured": f["measured"].astype(np.int64),
                         "children": f["children"].astype(np.int64),
                         "cases": f["cases"].astype(np.int64)}).sort_values("period").reset_index(drop=True)


def registered_counts(user, region_code: str, on: dt.date, posyandu_id: int | None = None) -> pd.DataFrame:
    """S: active children under five on `on` living in the region, per desa and posyandu
    (0 = none). Columns: desa, posyandu_id, n."""
    qs = registered_people(user, region_code, on, posyandu_id)
    # COUNT(*), not COUNT(id): the (desa, posyandu, birth_date, active) index covers the query.
    rows = list(qs.values_list("desa_id", "posyandu_id").annotate(n=Count("*")).order_by())
    f = pd.DataFrame(rows, columns=["desa", "posyandu_id", "n"])
    return f.assign(posyandu_id=f["posyandu_id"].fillna(0).astype(np.int64), n=f["n"].astype(np.int64))


def latest_period_key(user, region_code: str) -> str | None:
    """The latest month with a measurement in the user's cells of the region: one query, the
    (period_type, period_key, desa) index walked backwards from the newest month until a cell in
    scope turns up (usually the very first entry; PostgreSQL has no skip scan, so a DISTINCT over
    the month keys read every month row)."""
    return (cells_for(user, region_code).filter(period_type="month").order_by("-period_key")
            .values_list("period_key", flat=True).first())
