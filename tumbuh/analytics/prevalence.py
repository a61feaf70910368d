"""Prevalence estimates in the rows and columns of WHO `anthro_prevalence`, over a frame of one
measurement per child (see `latest_per_child`). Pure pandas/numpy; no Django.

Frame columns: sex ("M"/"F"), age_days, haz/waz/whz/bmiz (z-scores), haz_flag/waz_flag/whz_flag/
bmiz_flag (booleans, WHO flags), oedema (boolean).

WHO rules followed (anthro R/prevalence.R): flagged z-scores are missing for their index only;
records older than 1826 days are dropped; a child with oedema counts as z = -3.1 for the weight
indices' prevalences (so in the denominator and below every low cut-off) but is left out of
their z-score mean and SD. Estimates use anthro's simple-design formulas (no cluster, strata or
weights); see docs/analytics.md for why routine posyandu data is not a survey sample.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .stats import mean_estimate, proportion_estimate

MAX_AGE_DAYS = 1826
DAYS_PER_MONTH = 30.4375  # anthro's ANTHRO_DAYS_OF_MONTH

# (label used in column names, frame column, weight-based index so oedema applies)
INDICES = (("HA", "haz", False), ("WA", "waz", True), ("WH", "whz", True), ("BMI", "bmiz", True))
CUTOFF_SUFFIXES = ("_3", "_2", "_1", "1", "2", "3")  # < -3, < -2, < -1, > +1, > +2, > +3
AGE_GROUPS = ("00-05 mo", "06-11 mo", "12-23 mo", "24-35 mo", "36-47 mo", "48-59 mo")
AGE_BREAKS_MONTHS = np.array([0, 6, 12, 24, 36, 48, 60])
SEXES = ("Female", "Male")  # anthro's factor order
SEX_CODES = {"F": 0, "M": 1}
N_AGE, N_SEX = len(AGE_GROUPS) + 1, len(SEXES) + 1  # one extra level for "unknown"
N_CELLS = N_AGE * N_SEX
# Values of a z-score fall in one of 7 bins by the six cut-offs; bin 7 = missing.
N_BINS = 8


def _rows() -> list[tuple[str, str, np.ndarray]]:
    """(Group, Subgroup, which age x sex cells it sums) for every output row."""
    cells = np.arange(N_CELLS)
    age_of, sex_of = cells // N_SEX, cells % N_SEX
    known_age = age_of < len(AGE_GROUPS)
    rows = [("All", "All", np.ones(N_CELLS, bool))]
    rows += [("Age group", g, age_of == i) for i, g in enumerate(AGE_GROUPS)]
    rows += [("Sex", s, sex_of == i) for i, s in enumerate(SEXES)]
    rows += [("Age + sex", f"{g}.{s}", (age_of == i) & (sex_of == j))
             for j, s in enumerate(SEXES) for i, g in enumerate(AGE_GROUPS)]
    # Indonesian programme groups: baduta (under two) and balita (under five).
    rows += [("Age (Indonesia)", "Baduta 00-23 mo", known_age & (age_of <= 2)),
             ("Age (Indonesia)", "Balita 00-59 mo", known_age)]
    return rows


ROWS = _rows()
MEMBERSHIP = np.array([r[2] for r in ROWS], dtype=float)  # rows x cells


def index_columns(label: str) -> list[str]:
    cols = [f"{label}Z_pop", f"{label}Z_unwpop"]
    for suffix in CUTOFF_SUFFIXES:
        cols += [f"{label}{suffix}_{s}" for s in ("r", "se", "ll", "ul")]
    cols += [f"{label}_{s}" for s in ("r", "se", "ll", "ul", "stdev")]
    return cols


COMBINED_COLUMNS = (
    ["HA_2_WH_2_pop", "HA_2_WH_2_unwpop"]
    + [f"HA_2_WH_2_{s}" for s in ("r", "se", "ll", "ul")]
    + [f"HA_2_WH2_{s}" for s in ("r", "se", "ll", "ul")]
)
# WHO's columns first, in WHO's order; Tumbuh adds the numerators (case counts) after them.
WHO_COLUMNS = ["Group"] + [c for label, _, _ in INDICES for c in index_columns(label)] + COMBINED_COLUMNS
COUNT_COLUMNS = [f"{label}{suffix}_n" for label, _, _ in INDICES for suffix in CUTOFF_SUFFIXES] + [
    "HA_2_WH_2_n", "HA_2_WH2_n"]


def age_group_codes(age_days: np.ndarray) -> np.ndarray:
    """anthro_age_groups on completed days: months = days / 30.4375, cut at 0, 6, 12, 24, 36,
    48, 60 (left-closed). Unknown or out-of-range ages get the extra "unknown" code."""
    days = np.asarray(age_days, dtype=float)
    unknown = len(AGE_GROUPS)
    # Ages are whole days, so a lookup table over 0..1826 replaces a search per row. NaN fails
    # both comparisons and lands on -1, the table's last slot, "unknown".
    in_range = np.where((days >= 0) & (days <= MAX_AGE_DAYS), days, -1.0)
    whole = in_range.astype(np.int64)
    codes = _AGE_LOOKUP[whole]
    fractional = in_range != whole
    if fractional.any():
        months = days[fractional] / DAYS_PER_MONTH
        codes[fractional] = np.minimum(np.searchsorted(AGE_BREAKS_MONTHS, months, side="right") - 1, unknown)
    return codes


_AGE_LOOKUP = np.append(
    np.searchsorted(AGE_BREAKS_MONTHS, np.arange(MAX_AGE_DAYS + 1) / DAYS_PER_MONTH, side="right") - 1,
    len(AGE_GROUPS),
)


def sex_codes(sex) -> np.ndarray:
    s = sex if isinstance(sex, pd.Series) else pd.Series(sex)
    cat = s if isinstance(s.dtype, pd.CategoricalDtype) else s.astype("category")
    lookup = np.array([SEX_CODES.get(c, len(SEXES)) for c in cat.cat.categories] + [len(SEXES)])
    return lookup[cat.cat.codes.to_numpy()]  # code -1 (missing) takes the last slot, "unknown"


def _bool(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame:
        return np.zeros(len(frame), bool)
    return frame[col].fillna(False).to_numpy(dtype=bool)


def analysis_columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Apply WHO's exclusions: returns, per index, the z used for prevalences (`<ix>_prev`, with
    oedema as -3.1) and the z used for mean/SD (`<ix>_summ`), plus the age/sex cell.

    Written for tens of millions of rows: no copy when nothing is flagged, no row selection when
    every record is kept (the usual case: selectors already drop ages over 1826 days)."""
    age = frame["age_days"].to_numpy(dtype=float)
    over = age > MAX_AGE_DAYS  # NaN ages are kept, as anthro keeps them
    keep = ~over
    all_kept = not over.any()

    def kept(values: np.ndarray) -> np.ndarray:
        return values if all_kept else values[keep]

    oedema = _bool(frame, "oedema") & keep
    any_oedema = oedema.any()
    out: dict[str, np.ndarray] = {"keep": keep}
    for _, col, weight_based in INDICES:
        z = frame[col].to_numpy(dtype=float) if col in frame else np.full(len(frame), np.nan)
        flag = _bool(frame, f"{col}_flag")
        if flag.any() or (weight_based and any_oedema):
            z = z.copy()  # never write into the caller's frame
            z[flag] = np.nan
        if weight_based and any_oedema:
            z[oedema] = np.nan
            prev = np.where(oedema, -3.1, z)
        else:
            prev = z
        out[f"{col}_prev"] = kept(prev)
        out[f"{col}_summ"] = kept(z)
    out["cell"] = kept(age_group_codes(age) * N_SEX + sex_codes(frame["sex"]))
    return out


def _bins(z: np.ndarray) -> np.ndarray:
    b = ((z >= -3).astype(np.int8) + (z >= -2) + (z >= -1) + (z > 1) + (z > 2) + (z > 3)).astype(np.int64)
    b[np.isnan(z)] = N_BINS - 1
    return b


def _by_row(per_cell: np.ndarray) -> np.ndarray:
    return MEMBERSHIP @ per_cell


def cell_counts(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Everything `table_from_counts` needs, per age x sex cell: rows, per index the bin counts of
    the prevalence z (7 value bins + missing), n/sum/sum of squares of the summary z, and the
    combined HA/WH counts. Additive: the counts of two frames sum to the counts of both, which is
    what the summary table (`analytics.summary`) stores per desa, posyandu and period."""
    cols = analysis_columns(frame)
    cell = cols["cell"]
    out: dict[str, np.ndarray] = {"rows": np.bincount(cell, minlength=N_CELLS).astype(float)}
    for label, col, _ in INDICES:
        prev, summ = cols[f"{col}_prev"], cols[f"{col}_summ"]
        bins = np.bincount(cell * N_BINS + _bins(prev), minlength=N_CELLS * N_BINS)
        out[f"{label}_bins"] = bins.reshape(N_CELLS, N_BINS).astype(float)
        # NaN (missing) weighs 0 in the sums; n is the valid count, read off the bin counts when
        # no value is left out of the mean only.
        valid = ~np.isnan(summ)
        filled = np.where(valid, summ, 0.0)
        if summ is prev:
            out[f"{label}_n"] = out[f"{label}_bins"][:, :7].sum(axis=1)
        else:
            out[f"{label}_n"] = np.bincount(cell[valid], minlength=N_CELLS).astype(float)
        out[f"{label}_sum"] = np.bincount(cell, weights=filled, minlength=N_CELLS)
        np.multiply(filled, filled, out=filled)
        out[f"{label}_sq"] = np.bincount(cell, weights=filled, minlength=N_CELLS)
    haz, whz = cols["haz_prev"], cols["whz_prev"]
    both = ~np.isnan(haz) & ~np.isnan(whz)
    out["both"] = np.bincount(cell, weights=both.astype(float), minlength=N_CELLS)
    for name, hit in (("HA_2_WH_2", both & (haz < -2) & (whz < -2)),
                      ("HA_2_WH2", both & (haz < -2) & (whz > 2))):
        out[name] = np.bincount(cell, weights=hit.astype(float), minlength=N_CELLS)
    return out


def prevalence_table(frame: pd.DataFrame) -> pd.DataFrame:
    """anthro_prevalence's table (plus baduta/balita rows and case counts) for one frame."""
    return table_from_counts(cell_counts(frame))


def table_from_counts(counts: dict[str, np.ndarray]) -> pd.DataFrame:
    """The table from per-cell counts (`cell_counts`, or the summary table's sums)."""
    total_rows = int(round(float(counts["rows"].sum())))  # N of the design: every record kept
    out: dict[str, np.ndarray] = {}
    for label, _col, _ in INDICES:
        binned = _by_row(counts[f"{label}_bins"])  # rows x bins
        n = binned[:, :7].sum(axis=1)
        below = np.cumsum(binned[:, :3], axis=1)  # < -3, < -2, < -1
        above = np.cumsum(binned[:, 6:3:-1], axis=1)  # > +3, > +2, > +1
        cases = {"_3": below[:, 0], "_2": below[:, 1], "_1": below[:, 2],
                 "1": above[:, 2], "2": above[:, 1], "3": above[:, 0]}
        out[f"{label}Z_pop"] = n
        out[f"{label}Z_unwpop"] = n
        # the six cut-offs in one call (element-wise: the same numbers as one call each)
        estimates = proportion_estimate(np.stack([cases[s] for s in CUTOFF_SUFFIXES]), n, total_rows)
        for i, suffix in enumerate(CUTOFF_SUFFIXES):
            r, se, ll, ul = (e[i] for e in estimates)
            out.update({f"{label}{suffix}_r": r, f"{label}{suffix}_se": se,
                        f"{label}{suffix}_ll": ll, f"{label}{suffix}_ul": ul,
                        f"{label}{suffix}_n": cases[suffix]})
        mean, se, ll, ul, sd = mean_estimate(_by_row(counts[f"{label}_n"]), _by_row(counts[f"{label}_sum"]),
                                             _by_row(counts[f"{label}_sq"]), total_rows)
        out.update({f"{label}_r": mean, f"{label}_se": se, f"{label}_ll": ll,
                    f"{label}_ul": ul, f"{label}_stdev": sd})
    n = _by_row(counts["both"])
    for name in ("HA_2_WH_2", "HA_2_WH2"):
        k = _by_row(counts[name])
        r, se, ll, ul = proportion_estimate(k, n, total_rows)
        out.update({f"{name}_r": r, f"{name}_se": se, f"{name}_ll": ll, f"{name}_ul": ul,
                    f"{name}_n": k})
    out["HA_2_WH_2_pop"] = n
    out["HA_2_WH_2_unwpop"] = n
    # One float block and the three label columns: building the frame from ~150 separate arrays
    # cost more than the estimates themselves when a national run makes a table per region-month.
    numbers = pd.DataFrame(np.column_stack([out[c] for c in _NUMBER_COLUMNS]).astype(float, copy=False),
                           columns=_NUMBER_COLUMNS)
    return pd.concat([_row_labels().copy(), numbers], axis=1)  # a copy: the caller may change its table


_NUMBER_COLUMNS = WHO_COLUMNS[1:] + COUNT_COLUMNS


@functools.cache
def _row_labels() -> pd.DataFrame:
    return pd.DataFrame({"Group": [g if g == "All" else f"{g}: {s}" for g, s, _ in ROWS],
                         "Stratum": [g for g, _, _ in ROWS], "Subgroup": [s for _, s, _ in ROWS]})


# The headline indicators of the dashboard, as (key, column prefix, pop column).
HEADLINES = (
    ("stunting", "HA_2", "HAZ_unwpop"),
    ("severe_stunting", "HA_3", "HAZ_unwpop"),
    ("wasting", "WH_2", "WHZ_unwpop"),
    ("underweight", "WA_2", "WAZ_unwpop"),
    ("overweight", "WH2", "WHZ_unwpop"),
)


@dataclass(frozen=True)
class Estimate:
    indicator: str
    rate: float  # percent
    se: float
    lower: float
    upper: float
    cases: int
    children: int

    @property
    def available(self) -> bool:
        return self.children > 0 and not np.isnan(self.rate)

    @property
    def small(self) -> bool:
        """Too few children for the rate to mean much (see `is_small_sample`)."""
        return self.available and is_small_sample(self.children, self.lower, self.upper)


# Estimates on fewer children than this, or with a 95% CI wider than this many points, are shown
# greyed as "sampel kecil" and left out of ranking colours, change and the map (issue 8).
SMALL_SAMPLE_N = 30
SMALL_SAMPLE_CI_POINTS = 20.0


def is_small_sample(children, lower=float("nan"), upper=float("nan")) -> bool:
    if children is None or children < SMALL_SAMPLE_N:
        return True
    try:
        width = float(upper) - float(lower)
    except (TypeError, ValueError):
        return False
    return bool(not np.isnan(width) and width > SMALL_SAMPLE_CI_POINTS)


def headline(table: pd.DataFrame, subgroup: str = "All") -> dict[str, Estimate]:
    """The dashboard's five rates, read off the same table the export writes."""
    row = table.loc[table["Subgroup"] == subgroup].iloc[0]
    return {
        key: Estimate(key, float(row[f"{prefix}_r"]), float(row[f"{prefix}_se"]),
                      float(row[f"{prefix}_ll"]), float(row[f"{prefix}_ul"]),
                      int(row[f"{prefix}_n"]), int(row[pop]))
        for key, prefix, pop in HEADLINES
    }


def rate_by(frame: pd.DataFrame, keys: np.ndarray, indicator: str = "stunting") -> pd.DataFrame:
    """One headline rate per key (region or posyandu), each key its own design as if
    `prevalence_table` were run on that key's rows alone. Columns: key, rate, se, lower, upper,
    cases, children."""
    prefix = {k: p for k, p, _ in HEADLINES}[indicator]
    label = next(lbl for lbl, _, _ in INDICES if prefix.startswith(lbl))
    col = next(c for lbl, c, _ in INDICES if lbl == label)
    cols = analysis_columns(frame)
    keys = np.asarray(keys)[cols["keep"]]
    z = cols[f"{col}_prev"]
    suffix = prefix[len(label):]
    cutoff = {"_3": -3, "_2": -2, "_1": -1, "1": 1, "2": 2, "3": 3}[suffix]
    hit = (z < cutoff) if cutoff < 0 else (z > cutoff)
    df = pd.DataFrame({"key": keys, "valid": ~np.isnan(z), "hit": hit & ~np.isnan(z)})
    g = df.groupby("key", sort=True).agg(rows=("valid", "size"), children=("valid", "sum"),
                                         cases=("hit", "sum")).reset_index()
    return rates_from_counts(g)


def rates_from_counts(g: pd.DataFrame) -> pd.DataFrame:
    """`rate_by` from per-key counts: columns key, rows (records, the design's N), children (valid
    z) and cases; keys sorted. Returns key, rate, se, lower, upper, cases, children."""
    columns = ["key", "rate", "se", "lower", "upper", "cases", "children"]
    if len(g) == 0:
        return pd.DataFrame(columns=columns)
    g = g.sort_values("key", kind="stable")
    rows = g["rows"].to_numpy()
    cases, children = g["cases"].to_numpy(), g["children"].to_numpy()
    est = [np.empty(len(g)) for _ in range(4)]
    for n in np.unique(rows):  # N differs per key; keys sharing the same N in one call
        m = rows == n
        for out, v in zip(est, proportion_estimate(cases[m], children[m], int(n)), strict=True):
            out[m] = v
    return pd.DataFrame({"key": g["key"].to_numpy(), "rate": est[0], "se": est[1], "lower": est[2],
                         "upper": est[3], "cases": cases, "children": children})


def latest_per_child(frame: pd.DataFrame, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Each child once (per `by`, e.g. period): the latest measurement by date, then by id.

    Expects columns child_id, measured_on and, to break same-day ties, id. One stable numpy
    lexsort and a comparison with the next row (a pandas sort + drop_duplicates costs several
    times more on a few hundred thousand rows); same result, rows in (by, child_id) order."""
    if frame.empty:
        return frame.reset_index(drop=True)
    order_cols = [*by, "child_id", "measured_on"] + (["id"] if "id" in frame else [])
    keys = [_sortable(frame[c]) for c in reversed(order_cols)]  # lexsort: last key is primary
    order = np.lexsort(keys)
    group_end = np.zeros(len(order), dtype=bool)  # True on the last row of each (by, child) group
    group_end[-1] = True
    for c in [*by, "child_id"]:
        v = _sortable(frame[c])[order]
        group_end[:-1] |= v[1:] != v[:-1]
    return frame.iloc[order[group_end]].reset_index(drop=True)


def _sortable(column: pd.Series) -> np.ndarray:
    values = column.to_numpy()
    if np.issubdtype(values.dtype, np.datetime64):
        return values.astype("datetime64[s]").view(np.int64)
    return values
