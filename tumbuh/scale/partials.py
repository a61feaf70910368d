"""One SQL text for per-cell partial sums, run as it is by DuckDB and by Spark SQL, and the final
step on the driver through the web app's own estimators. No Django.

Why this shape: every number of the WHO prevalence table is a function of per age x sex cell
counts (bins of the prevalence z, n, sum and sum of squares of the summary z; see
`tumbuh.analytics.prevalence.cell_counts`). Those are additive, so an engine only has to group and
sum; `table_from_counts` (pure numpy) turns them into the table exactly as the web app does, for
the summary table and for raw rows alike. Counts are integers, so every rate, SE and CI is
bit-identical across DuckDB, Spark and the web app. The z sums are summed as integer centi-z
(`round(z * 100)`: tumbuh.growth rounds every z to 2 decimals), which makes them exact and
independent of the engine's partitioning, hence means/SDs bit-identical between DuckDB and Spark;
the web app sums the same floats in numpy, which differs from the exact sum by float rounding
(< 1e-9, the tolerance the web app's own summary-vs-rows test uses).

The SQL is the common subset of DuckDB and Spark SQL (CTEs, row_number() windows, CASE, substr,
DATE literals, LIKE); region codes and period keys are validated before they are put in it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tumbuh.analytics.periods import Period
from tumbuh.analytics.prevalence import (
    _AGE_LOOKUP,
    AGE_GROUPS,
    INDICES,
    MAX_AGE_DAYS,
    N_BINS,
    N_CELLS,
    N_SEX,
    SEX_CODES,
    latest_per_child,
    rates_from_counts,
    table_from_counts,
)

from .layout import region_level

# An engine is anything that runs one SQL text over the views `measurements` and `people` and
# returns a pandas frame (duck.DuckEngine, spark_job.SparkEngine).
Run = Callable[[str], pd.DataFrame]

_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
UNIT_LENGTHS = {"province": 2, "kabkota": 5, "kecamatan": 8, "desa": 13}
# First day of age groups 1..5 (06-11 mo ... 48-59 mo) by anthro's rule on whole days.
AGE_GROUP_STARTS = [int(np.argmax(_AGE_LOOKUP[:-1] >= g)) for g in range(1, len(AGE_GROUPS))]
BADUTA_UNTIL_DAYS = AGE_GROUP_STARTS[2]  # age groups 00-05, 06-11, 12-23 mo: days < 731
OEDEMA_Z = -3.1
# Convergence aggregate (see `convergence`).
LOOKBACK_DAYS = 365
FOLLOWUP_DAYS = 60


def check_region(code: str) -> str:
    code = (code or "").strip()
    if code and not _CODE.match(code):
        raise ValueError(f"not a Kemendagri region code: {code!r}")
    return code


def _date(d: dt.date) -> str:
    return f"DATE '{d.isoformat()}'"


def _where_region(region: str, column: str = "desa") -> list[str]:
    """Prefix match on the full code plus the partition columns it fixes (directory pruning)."""
    region = check_region(region)
    if not region:
        return []
    out = [f"({column} = '{region}' OR {column} LIKE '{region}.%')"]
    level = region_level(region)
    out.append(f"province = '{region[:2]}'")
    if level >= 2:
        out.append(f"kabkota = '{region[:5]}'")
    return out


def _unit(by: str | None, region: str, column: str = "desa") -> str:
    if by is None:
        return f"'{check_region(region)}'"
    if by in ("province", "kabkota"):
        return by  # the partition column: one value per file, no per-row string work
    return f"substr({column}, 1, {UNIT_LENGTHS[by]})"


def _period_case(periods: Sequence[Period]) -> str:
    """The position of the row's period in `periods` (an integer: cheaper to partition and group
    by than the key text; `_keys` maps it back)."""
    whens = " ".join(f"WHEN measured_on BETWEEN {_date(p.start)} AND {_date(p.end)} THEN {i}"
                     for i, p in enumerate(periods))
    return f"CASE {whens} END"


def _keys(frame: pd.DataFrame, periods: Sequence[Period]) -> pd.DataFrame:
    keys = np.array([p.key for p in periods], dtype=object)
    return frame.assign(pkey=keys[frame["pkey"].to_numpy(dtype=np.int64)])


def _check_periods(periods: Sequence[Period]) -> list[Period]:
    periods = sorted(periods, key=lambda p: p.start)
    for a, b in zip(periods, periods[1:], strict=False):
        if b.start <= a.end:
            raise ValueError(f"periods overlap: {a.key} and {b.key}")
    return periods


def latest_sql(region: str, periods: Sequence[Period], by: str | None, values: dict[str, str],
               pre: dict[str, str] | None = None, flagged: bool = False) -> str:
    """Each child once per period: the latest measurement in it (ties on a day: highest id),
    age 0-1826 days, child living in `region` now (the web app's `latest_in_periods`). CTE
    `latest` has pkey, unit, child_id and each of `values` (name -> SQL expression over `pre`,
    the columns computed first from the raw ones).

    `flagged`: every period is one calendar month and the tree carries `latest_in_month` (set by
    the exporter and the generator: the child's last measurement of that month), so the latest
    row is a filter, no window: a scan and one aggregation, ~3x cheaper at 10M rows. Otherwise a
    row_number() window per (period, child)."""
    periods = _check_periods(periods)
    where = [f"measured_on BETWEEN {_date(periods[0].start)} AND {_date(periods[-1].end)}",
             f"age_days BETWEEN 0 AND {MAX_AGE_DAYS}",
             f"period BETWEEN '{periods[0].start:%Y-%m}' AND '{periods[-1].end:%Y-%m}'",
             *_where_region(region)]
    if flagged:
        where.append("latest_in_month")
    pre_cols = "".join(f", {expr} AS {name}" for name, expr in (pre or {}).items())
    m0 = f"""
    m0 AS (
      SELECT {_period_case(periods)} AS pkey, {_unit(by, region)} AS unit, child_id, id, measured_on{pre_cols}
      FROM measurements WHERE {' AND '.join(where)}
    )"""
    out_cols = ", ".join(f"{e} AS {n}" for n, e in values.items())
    if flagged:
        return m0 + f""",
    latest AS (SELECT pkey, unit, child_id, {out_cols} FROM m0 WHERE pkey IS NOT NULL)"""
    return m0 + f""",
    latest AS (
      SELECT pkey, unit, child_id, {out_cols} FROM (
        SELECT m0.*, row_number() OVER (PARTITION BY pkey, child_id ORDER BY measured_on DESC, id DESC) AS rn
        FROM m0 WHERE pkey IS NOT NULL
      ) t WHERE rn = 1
    )"""


def use_flag(run: Run, periods: Sequence[Period]) -> bool:
    """The `latest_in_month` fast path: single-month periods and a tree that has the column."""
    columns = getattr(run, "columns", lambda dataset: set())("measurements")
    return "latest_in_month" in columns and all(p.months == 1 for p in periods)


MISSING = -1_000_000  # a missing centi-z (never a real value: |z| < 10,000)


def _age_code() -> str:
    whens = " ".join(f"WHEN age_days < {d} THEN {i}" for i, d in enumerate(AGE_GROUP_STARTS))
    return f"CASE {whens} ELSE {len(AGE_GROUP_STARTS)} END"


def _sex_code() -> str:
    whens = " ".join(f"WHEN '{s}' THEN {c}" for s, c in SEX_CODES.items())
    return f"CASE sex {whens} ELSE {N_SEX - 1} END"


def _int_sum(condition: str) -> str:
    return f"CAST(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS BIGINT)"


def _bin(z: str) -> str:
    """Bin of a prevalence z, as prevalence._bins: 0 < -3, 1 [-3,-2), 2 [-2,-1), 3 [-1,1],
    4 (1,2], 5 (2,3], 6 > 3, 7 missing."""
    return (f"CASE WHEN {z} IS NULL THEN 7 WHEN {z} < -3 THEN 0 WHEN {z} < -2 THEN 1 WHEN {z} < -1 THEN 2 "
            f"WHEN {z} <= 1 THEN 3 WHEN {z} <= 2 THEN 4 WHEN {z} <= 3 THEN 5 ELSE 6 END")


def prevalence_sql(region: str, periods: Sequence[Period], by: str | None = None, flagged: bool = False) -> str:
    """Per (period, unit, age x sex cell): everything `table_from_counts` needs."""
    pre: dict[str, str] = {"cell": f"({_age_code()}) * {N_SEX} + ({_sex_code()})"}
    values: dict[str, str] = {"cell": "cell"}
    for label, col, weight_based in INDICES:
        flag = f"COALESCE({col}_flag, FALSE)"
        if weight_based:
            # anthro: oedema counts as z = -3.1 for the prevalences, is left out of mean/SD
            pre[f"{label}_p"] = (f"CASE WHEN COALESCE(oedema, FALSE) THEN CAST({OEDEMA_Z} AS DOUBLE) "
                                 f"WHEN {flag} THEN NULL ELSE {col} END")
            pre[f"{label}_s"] = f"CASE WHEN COALESCE(oedema, FALSE) OR {flag} THEN NULL ELSE {col} END"
        else:
            pre[f"{label}_p"] = f"CASE WHEN {flag} THEN NULL ELSE {col} END"
            pre[f"{label}_s"] = pre[f"{label}_p"]
        values[f"{label}_bin"] = _bin(f"{label}_p")
        values[f"{label}_c"] = f"COALESCE(CAST(ROUND({label}_s * 100) AS BIGINT), {MISSING})"
    aggs = ["CAST(COUNT(*) AS BIGINT) AS n_rows"]
    for label, _, _ in INDICES:
        aggs += [f"{_int_sum(f'{label}_bin = {b}')} AS {label}_b{b}" for b in range(N_BINS)]
        c = f"CASE WHEN {label}_c = {MISSING} THEN NULL ELSE {label}_c END"
        aggs += [f"CAST(COUNT({c}) AS BIGINT) AS {label}_n",
                 f"CAST(SUM({c}) AS BIGINT) AS {label}_s1",
                 f"CAST(SUM(({c}) * ({c})) AS BIGINT) AS {label}_s2"]
    # HA_p < -2 is bins 0-1, WH_p > 2 bins 5-6, missing bin 7
    both = "HA_bin < 7 AND WH_bin < 7"
    aggs += [f"{_int_sum(both)} AS c_both",
             f"{_int_sum('HA_bin <= 1 AND WH_bin <= 1')} AS c_ha2wh2",
             f"{_int_sum('HA_bin <= 1 AND WH_bin IN (5, 6)')} AS c_ha2wh2p"]
    return f"""WITH {latest_sql(region, periods, by, values, pre, flagged)}
    SELECT pkey, unit, cell, {', '.join(aggs)}
    FROM latest GROUP BY pkey, unit, cell"""


def grouped_counts(part: pd.DataFrame, group: np.ndarray, n_groups: int) -> list[dict[str, np.ndarray]]:
    """The per-cell partial rows -> one `prevalence.cell_counts` dict per group (`group`: each
    row's group number, 0..n_groups-1): one numpy pass per column over the whole frame, not a
    pandas selection per group and column (which was most of a national run's time)."""
    cell = part["cell"].to_numpy(dtype=np.int64)
    flat = group * N_CELLS + cell

    def per_cell(col: str, scale: float = 1.0) -> np.ndarray:
        out = np.zeros(n_groups * N_CELLS)
        values = part[col].fillna(0).to_numpy(dtype=np.int64)
        np.add.at(out, flat, values)  # exact: integers below 2**53
        out = out.reshape(n_groups, N_CELLS)
        return out / scale if scale != 1.0 else out

    columns: dict[str, np.ndarray] = {"rows": per_cell("n_rows")}
    for label, _, _ in INDICES:
        columns[f"{label}_bins"] = np.stack([per_cell(f"{label}_b{b}") for b in range(N_BINS)], axis=2)
        columns[f"{label}_n"] = per_cell(f"{label}_n")
        columns[f"{label}_sum"] = per_cell(f"{label}_s1", 100.0)
        columns[f"{label}_sq"] = per_cell(f"{label}_s2", 10000.0)
    columns["both"] = per_cell("c_both")
    columns["HA_2_WH_2"] = per_cell("c_ha2wh2")
    columns["HA_2_WH2"] = per_cell("c_ha2wh2p")
    return [{name: values[g] for name, values in columns.items()} for g in range(n_groups)]


def prevalence(run: Run, region: str, periods: Sequence[Period], by: str | None = None
               ) -> dict[tuple[str, str], pd.DataFrame]:
    """{(period key, unit): anthro table} for every period and unit with a measured child."""
    periods = _check_periods(periods)
    part = _keys(run(prevalence_sql(region, periods, by, use_flag(run, periods))), periods)
    groups = part.groupby(["pkey", "unit"], sort=True)
    keys = list(groups.size().index)
    counts = grouped_counts(part, groups.ngroup().to_numpy(dtype=np.int64), len(keys))
    return {(str(k), str(u)): table_from_counts(c) for (k, u), c in zip(keys, counts, strict=True)}


def coverage_sql(region: str, periods: Sequence[Period], by: str | None = None, flagged: bool = False) -> str:
    """Per (period, unit): S (registered active under-fives on the period's last day, where they
    live now), D (of them, measured in the period), N (their latest weighing N) and the measured
    children not on the register, as analytics.coverage.coverage."""
    periods = _check_periods(periods)
    # S: one small aggregate per period over `people` (no row per child and period is built)
    s_parts = []
    for i, p in enumerate(periods):
        where = ["active", f"birth_date <= {_date(p.end)}",
                 f"birth_date > {_date(p.end - dt.timedelta(days=MAX_AGE_DAYS))}", *_where_region(region)]
        s_parts.append(f"SELECT {i} AS pkey, {_unit(by, region)} AS unit, CAST(COUNT(*) AS BIGINT) AS registered "
                       f"FROM people WHERE {' AND '.join(where)} GROUP BY {_unit(by, region)}")
    # D, N and the unregistered: each child's latest row of the period joined to its person,
    # registered when the person was on the register at that period's end.
    end = "CASE l.pkey " + " ".join(f"WHEN {i} THEN {_date(p.end)}" for i, p in enumerate(periods)) + " END"
    born_after = "CASE l.pkey " + " ".join(
        f"WHEN {i} THEN {_date(p.end - dt.timedelta(days=MAX_AGE_DAYS))}" for i, p in enumerate(periods)) + " END"
    inside = _where_region(region, "p.desa")[:1]
    registered = " AND ".join(["p.id IS NOT NULL", "p.active", f"p.birth_date <= {end}", f"p.birth_date > {born_after}",
                               *inside])
    return f"""WITH {latest_sql(region, periods, by, {'weight_gain': 'wg'}, {'wg': "COALESCE(weight_gain, '')"}, flagged)},
    s AS ({' UNION ALL '.join(s_parts)}),
    d AS (
      SELECT l.pkey AS pkey, l.unit AS unit,
             {_int_sum(registered)} AS weighed,
             {_int_sum(f"{registered} AND l.weight_gain = 'N'")} AS gained,
             {_int_sum(f"NOT ({registered})")} AS measured_unregistered
      FROM latest l LEFT JOIN people p ON p.id = l.child_id
      GROUP BY l.pkey, l.unit
    )
    SELECT COALESCE(s.pkey, d.pkey) AS pkey, COALESCE(s.unit, d.unit) AS unit,
           COALESCE(s.registered, 0) AS registered, COALESCE(d.weighed, 0) AS weighed,
           COALESCE(d.gained, 0) AS gained, COALESCE(d.measured_unregistered, 0) AS measured_unregistered
    FROM s FULL OUTER JOIN d ON s.pkey = d.pkey AND s.unit = d.unit"""


def coverage(run: Run, region: str, periods: Sequence[Period], by: str | None = None) -> pd.DataFrame:
    """Columns pkey, unit, registered (S), weighed (D), gained (N), measured_unregistered,
    d_over_s, n_over_d (percent, as analytics.coverage.Coverage)."""
    periods = _check_periods(periods)
    out = _keys(run(coverage_sql(region, periods, by, use_flag(run, periods))), periods).sort_values(["pkey", "unit"]).reset_index(drop=True)
    out["pkey"] = out["pkey"].astype(str)
    out["unit"] = out["unit"].astype(str)
    for c in ("registered", "weighed", "gained", "measured_unregistered"):
        out[c] = out[c].astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        s, d = out["registered"].to_numpy(float), out["weighed"].to_numpy(float)
        out["d_over_s"] = np.where(s > 0, 100 * d / s, np.nan)
        out["n_over_d"] = np.where(d > 0, 100 * out["gained"].to_numpy(float) / d, np.nan)
    return out


def convergence_sql(region: str, on: dt.date, by: str | None = None) -> str:
    """Per unit: the cohort (children whose latest measurement in the `LOOKBACK_DAYS` up to `on`
    shows stunting, valid HAZ < -2, at under two years) and of them those whose latest
    measurement is within the last `FOLLOWUP_DAYS` (followed up)."""
    since = on - dt.timedelta(days=LOOKBACK_DAYS - 1)
    recent = on - dt.timedelta(days=FOLLOWUP_DAYS - 1)
    where = [f"measured_on BETWEEN {_date(since)} AND {_date(on)}", f"age_days BETWEEN 0 AND {MAX_AGE_DAYS}",
             f"period BETWEEN '{since:%Y-%m}' AND '{on:%Y-%m}'", *_where_region(region)]
    cohort = f"NOT COALESCE(haz_flag, FALSE) AND haz < -2 AND age_days < {BADUTA_UNTIL_DAYS}"
    return f"""WITH m AS (
      SELECT {_unit(by, region)} AS unit, child_id, measured_on,
             CASE WHEN {cohort} THEN 1 ELSE 0 END AS stunted
      FROM measurements WHERE {' AND '.join(where)}
    ),
    latest AS (
      SELECT unit, child_id, max(measured_on) AS measured_on, max_by(stunted, measured_on) AS stunted
      FROM m GROUP BY unit, child_id
    )
    SELECT unit, {_int_sum('stunted = 1')} AS cohort,
           {_int_sum(f'stunted = 1 AND measured_on >= {_date(recent)}')} AS followed
    FROM latest GROUP BY unit"""


def convergence(run: Run, region: str, on: dt.date, by: str | None = None) -> pd.DataFrame:
    """Share of stunted children under two (latest measurement in the past year) seen in the
    last two months, per unit: key, rate, se, lower, upper, cases (followed), children (cohort);
    the rate and its logit CI from `stats.proportion_estimate` with the cohort as the design."""
    g = run(convergence_sql(region, on, by))
    return convergence_from_counts(g)


def convergence_from_counts(g: pd.DataFrame) -> pd.DataFrame:
    g = pd.DataFrame({"key": g["unit"].astype(str).to_numpy(), "rows": g["cohort"].to_numpy(np.int64),
                      "children": g["cohort"].to_numpy(np.int64), "cases": g["followed"].to_numpy(np.int64)})
    return rates_from_counts(g[g["children"] > 0]).reset_index(drop=True)


def convergence_from_rows(frame: pd.DataFrame, on: dt.date, unit_of: Callable[[pd.Series], pd.Series]
                          ) -> pd.DataFrame:
    """The same aggregate from raw measurement rows (the web app's selectors' frame: child_id,
    id, measured_on, age_days, haz, haz_flag, desa), the row-level reference the engines are
    tested against."""
    days = frame["measured_on"].to_numpy().astype("datetime64[D]")
    since = np.datetime64(on - dt.timedelta(days=LOOKBACK_DAYS - 1))
    keep = (days >= since) & (days <= np.datetime64(on)) & (frame["age_days"] >= 0).to_numpy() & (
        frame["age_days"] <= MAX_AGE_DAYS).to_numpy()
    latest = latest_per_child(frame[keep])
    flag = latest["haz_flag"].fillna(False).to_numpy(bool)
    haz = latest["haz"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        cohort = ~flag & (haz < -2) & (latest["age_days"].to_numpy() < BADUTA_UNTIL_DAYS)
    recent = latest["measured_on"].to_numpy().astype("datetime64[D]") >= np.datetime64(
        on - dt.timedelta(days=FOLLOWUP_DAYS - 1))
    g = pd.DataFrame({"unit": unit_of(latest["desa"]).to_numpy(), "cohort": cohort.astype(int),
                      "followed": (cohort & recent).astype(int)}).groupby("unit", sort=True).sum().reset_index()
    return convergence_from_counts(g)


@dataclass(frozen=True)
class Figures:
    """What `tumbuh scale query` / `tumbuh spark prevalence` print for one run."""

    prevalence: dict[tuple[str, str], pd.DataFrame]
    coverage: pd.DataFrame
    convergence: pd.DataFrame


def all_figures(run: Run, region: str, periods: Sequence[Period], by: str | None = None) -> Figures:
    periods = _check_periods(periods)
    return Figures(prevalence(run, region, periods, by), coverage(run, region, periods, by),
                   convergence(run, region, periods[-1].end, by))


HEADLINE_COLUMNS = ["HA_2_r", "HA_2_ll", "HA_2_ul", "HAZ_unwpop", "WH_2_r", "WA_2_r", "WH2_r", "HA_r", "HA_stdev"]


def summary_frame(figures: Figures) -> pd.DataFrame:
    """One line per (period, unit): stunting with CI and n, wasting, underweight, overweight,
    mean HAZ/SD, D/S, N/D."""
    rows = []
    for (k, u), table in figures.prevalence.items():
        row = table.loc[table["Subgroup"] == "All"].iloc[0]
        rows.append({"period": k, "unit": u, **{c: row[c] for c in HEADLINE_COLUMNS}})
    out = pd.DataFrame(rows, columns=["period", "unit", *HEADLINE_COLUMNS])
    cov = figures.coverage.rename(columns={"pkey": "period"})[["period", "unit", "registered", "weighed",
                                                               "d_over_s", "n_over_d"]]
    return out.merge(cov, on=["period", "unit"], how="outer").sort_values(["period", "unit"]).reset_index(drop=True)
