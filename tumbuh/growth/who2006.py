"""WHO 2006 Child Growth Standards (0-5 years): z-scores and flags as WHO's ``anthro`` computes them.

Rule numbers refer to /work/shared/reference/who-growth-algorithm.md. The hot path is plain
numpy: one flat table lookup per parameter, powers only where L != 1, the restricted rule only
for rows beyond +/-3 SD.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from . import inputs
from .lms import restrict, round_r
from .tables import DAYS, LmsTable, who2006_age_table, who2006_length_table

DAYS_PER_MONTH = 30.4375  # WHO: 365.25 / 12

# Output columns, in the order of anthro::anthro_zscores (anthro 1.1), then our `reason`.
RESULT_COLUMNS = [
    "clenhei", "cmeasure", "c9mo_flag", "cbmi", "csex",
    "zlen", "flen", "zwei", "fwei", "zwfl", "fwfl", "zbmi", "fbmi",
    "zhc", "fhc", "zac", "fac", "zts", "fts", "zss", "fss",
    "reason",
]  # fmt: skip
INPUT_COLUMNS = [
    "sex", "age_days", "age_months", "weight", "lenhei", "measure", "oedema",
    "headc", "armc", "triskin", "subskin",
]  # fmt: skip

# (z column, flag column, table, restricted rule 9?, flag rule 16: (low, high) limits)
AGE_INDICATORS = [
    ("zlen", "flen", "lhfa", False, (-6, 6)),
    ("zwei", "fwei", "wfa", True, (-6, 5)),
    ("zbmi", "fbmi", "bfa", True, (-5, 5)),
    ("zhc", "fhc", "hcfa", False, (-5, 5)),
    ("zac", "fac", "acfa", True, (-5, 5)),
    ("zts", "fts", "tsfa", True, (-5, 5)),
    ("zss", "fss", "ssfa", True, (-5, 5)),
]
WFL_FLAG = (-5, 5)
# Measure codes used internally (inputs.measure): 0 missing, 1 lying (l), 2 standing (h).
LYING, STANDING = 1, 2


def round_half_up_days(days: np.ndarray) -> np.ndarray:
    """Rule 2: floor(x) + (frac >= 0.5); NaN stays NaN."""
    whole = np.floor(days)
    return whole + ((days - whole) >= 0.5)


def ages(age_days: np.ndarray, age_months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rules 2-3: (rounded age in days, unrounded age in months), NaN where unknown or negative.

    Per row, a given age in days wins over a given age in months.
    """
    use_days = ~np.isnan(age_days)
    raw_days = np.where(use_days, age_days, age_months * DAYS_PER_MONTH)
    months = np.where(use_days, age_days / DAYS_PER_MONTH, age_months)
    negative = raw_days < 0
    if negative.any():
        raw_days = np.where(negative, np.nan, raw_days)
        months = np.where(negative, np.nan, months)
    return round_half_up_days(raw_days), months


def adjust_lenhei(lenhei: np.ndarray, day: np.ndarray, cmeasure: np.ndarray) -> np.ndarray:
    """Rule 6: +0.7 cm if standing before day 731, -0.7 cm if lying from day 731."""
    plus = (day < 731) & (cmeasure == STANDING)
    minus = (day >= 731) & (cmeasure == LYING)
    out = lenhei.copy()
    if plus.any():
        out[plus] += 0.7
    if minus.any():
        out[minus] -= 0.7
    return out


def flags(z: np.ndarray, limits: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Rule 16 on the rounded z: (0/1 values, missing mask)."""
    low, high = limits
    flagged = (z < low) | (z > high)
    return flagged, np.isnan(z)


def age_zscore(table: LmsTable, idx: np.ndarray, y: np.ndarray, restricted: bool) -> np.ndarray:
    """Rules 8-9 for an age-based indicator; ``idx`` from ``LmsTable.flat_index``."""
    m = np.take(table.m, idx)
    ratio = y / m
    if table.l_is_one:
        # (ratio^1 - 1) / (S * 1) is the same double as (ratio - 1) / S
        z = (ratio - 1) / np.take(table.s, idx)
    else:
        z = (np.power(ratio, np.take(table.l, idx)) - 1) / np.take(table.sl, idx)
    if restricted:
        restrict_from_table(z, y, table, idx)
    return z


def restrict_from_table(z, y, table: LmsTable, idx: np.ndarray) -> None:
    beyond = np.flatnonzero(np.abs(z) > 3)
    if beyond.size:
        sub_idx = idx[beyond]
        zb = z[beyond]
        restrict(zb, y[beyond], table.l[sub_idx], table.m[sub_idx], table.s[sub_idx])
        z[beyond] = zb


class _LengthTables:
    """wfl (45-110 cm) and wfh (65-120 cm) side by side in one flat array, for one gather."""

    def __init__(self):
        wfl = who2006_length_table("wfl")
        wfh = who2006_length_table("wfh")
        self.parts = (wfl, wfh)
        self.base_h = 2 * wfl.size
        self.sentinel = 2 * wfl.size + 2 * wfh.size
        self.l, self.m, self.s = (
            np.concatenate([getattr(wfl, k)[:-1], getattr(wfh, k)[:-1], [np.nan]]) for k in "lms"
        )

    def index(self, sex, tenth, use_h, ok) -> np.ndarray:
        wfl, wfh = self.parts
        first = np.where(use_h, wfh.first, wfl.first)
        size = np.where(use_h, wfh.size, wfl.size)
        base = np.where(use_h, self.base_h, 0)
        offset = tenth - first
        ok = ok & ((sex == 1) | (sex == 2)) & (offset >= 0) & (offset < size)
        idx = np.where(ok, base + (sex.astype(np.int64) - 1) * size + offset, self.sentinel)
        return idx.astype(np.intp, copy=False)


_length_tables: _LengthTables | None = None


def length_tables() -> _LengthTables:
    global _length_tables
    if _length_tables is None:
        _length_tables = _LengthTables()
    return _length_tables


def wfl_zscore(sex, day, months, weight, clenhei, cmeasure, oedema) -> np.ndarray:
    """Rules 12-14 and 9: weight-for-length/height, unrounded (NaN where not valid)."""
    tables = length_tables()
    known_day = ~np.isnan(day)
    # Rule 12: table by age; with no age by the cleaned measure; with neither by 87 cm.
    no_age_h = np.where(cmeasure == STANDING, True,
                        np.where(cmeasure == LYING, False, clenhei >= 87))  # fmt: skip
    no_age_l = np.where(cmeasure == LYING, True,
                        np.where(cmeasure == STANDING, False, clenhei < 87))  # fmt: skip
    use_h = np.where(known_day, day >= 731, no_age_h)
    use_l = np.where(known_day, day < 731, no_age_l)
    # Rule 14 (ranges, oedema) and the age limits when the age is known (rule 4).
    valid = (use_l & (clenhei >= 45) & (clenhei <= 110)) | (
        use_h & (clenhei >= 65) & (clenhei <= 120)
    )
    valid &= ~oedema
    valid &= ~(day > 1856)
    valid &= ~(months >= 60)
    # Rule 13, literally: k = trunc(len*10), upper = trunc(len*10 + 1), diff by division.
    x10 = clenhei * 10
    k = np.trunc(x10)
    k_up = np.trunc(x10 + 1)
    diff = (clenhei - k / 10) / 0.1
    k_int = np.where(valid, k, 0).astype(np.int64)
    idx = tables.index(sex, k_int, use_h, valid)
    step = np.where(valid, k_up - k, 0).astype(np.int64)
    idx_up = tables.index(sex, k_int + step, use_h, valid)
    interpolate = diff > 0
    params = []
    for name in "lms":
        values = getattr(tables, name)
        low = np.take(values, idx)
        up = np.take(values, idx_up)
        params.append(np.where(interpolate, low + diff * (up - low), low))
    l, m, s = params  # noqa: E741
    z = (np.power(weight / m, l) - 1) / (s * l)
    restrict(z, weight, l, m, s)
    return z


FLOAT_RESULTS = ["clenhei", "cbmi", "zlen", "zwei", "zwfl", "zbmi", "zhc", "zac", "zts", "zss"]
FLAG_RESULTS = ["flen", "fwei", "fwfl", "fbmi", "fhc", "fac", "fts", "fss"]
# Rows per chunk: the temporaries of one chunk stay in cache and their memory is reused, where
# whole-column temporaries would each cost fresh pages.
CHUNK_ROWS = 1 << 15


def flag_codes(z: np.ndarray, limits: tuple[int, int]) -> np.ndarray:
    """Rule 16 as int8: 1 flagged, 0 not, -1 missing (z missing)."""
    flagged, missing = flags(z, limits)
    out = flagged.astype(np.int8)
    out[missing] = -1
    return out


def compute(
    sex: np.ndarray,
    age_days: np.ndarray,
    age_months: np.ndarray,
    weight: np.ndarray,
    lenhei: np.ndarray,
    measure: np.ndarray,
    oedema: np.ndarray,
    headc: np.ndarray,
    armc: np.ndarray,
    triskin: np.ndarray,
    subskin: np.ndarray,
) -> dict[str, np.ndarray]:
    """All WHO 2006 results from clean arrays, chunk by chunk.

    ``sex`` int (1, 2, else none), ages as given (NaN unknown; per row days win), ``measure``
    0/1/2 (missing, l, h), ``oedema`` bool, the rest float64 (NaN missing). Returns float64
    ``clenhei``, ``cbmi`` and rounded z-scores; int8 flags (-1 missing), ``c9mo_flag`` and
    ``cmeasure`` (0/1/2).
    """
    n = len(sex)
    out = {name: np.empty(n) for name in FLOAT_RESULTS}
    for name in [*FLAG_RESULTS, "c9mo_flag", "cmeasure"]:
        out[name] = np.empty(n, dtype=np.int8)
    columns = (sex, age_days, age_months, weight, lenhei, measure, oedema, headc, armc,
               triskin, subskin)  # fmt: skip
    # NaN propagates as "missing"; a negative or zero weight may raise invalid/divide in pow
    # (rule 13 keeps them); one errstate here instead of one per operation and chunk.
    with np.errstate(all="ignore"):
        for start in range(0, n, CHUNK_ROWS):
            part = slice(start, min(start + CHUNK_ROWS, n))
            _compute_chunk(out, part, *(c[part] for c in columns))
    return out


def _compute_chunk(out, part, sex, age_days, age_months, weight, lenhei, measure, oedema,
                   headc, armc, triskin, subskin) -> None:  # fmt: skip
    day, months = ages(age_days, age_months)
    # Rule 5: standing before 9 months is implausible: measure dropped, no correction.
    c9mo = (measure == STANDING) & (months < 9)
    cmeasure = np.where(c9mo, 0, measure).astype(np.int8)
    clenhei = adjust_lenhei(lenhei, day, cmeasure)
    height_m = clenhei / 100
    cbmi = weight / (height_m * height_m)  # rule 7: R computes ^2 as h*h
    out["c9mo_flag"][part] = c9mo
    out["cmeasure"][part] = cmeasure
    out["clenhei"][part] = clenhei
    out["cbmi"][part] = cbmi

    # Rule 4: age-based z only for age < 60 months and day 0..1856 (day >= 91 for arm
    # circumference and skinfolds comes from the tables, which have no earlier rows).
    age_ok = (months < 60) & (day >= 0) & (day <= DAYS - 1)
    day_int = np.where(age_ok, day, 0).astype(np.int64)
    idx = who2006_age_table("lhfa").flat_index(sex, day_int, age_ok)

    measures = {
        "zlen": clenhei,
        "zwei": np.where(oedema, np.nan, weight),  # rule 11
        "zbmi": np.where(oedema, np.nan, cbmi),
        "zhc": headc,
        "zac": armc,
        "zts": triskin,
        "zss": subskin,
    }
    for zname, fname, table_name, restricted, limits in AGE_INDICATORS:
        y = measures[zname]
        y = np.where(y > 0, y, np.nan)  # rule 10 (NaN > 0 is False: stays NaN)
        z = round_r(age_zscore(who2006_age_table(table_name), idx, y, restricted))
        out[zname][part] = z
        out[fname][part] = flag_codes(z, limits)
    zwfl = round_r(wfl_zscore(sex, day, months, weight, clenhei, cmeasure, oedema))
    out["zwfl"][part] = zwfl
    out["fwfl"][part] = flag_codes(zwfl, WFL_FLAG)


def _clean(frame) -> tuple[dict[str, np.ndarray], inputs.Issues, int]:
    n = inputs.row_count(frame)
    issues = inputs.Issues(n)
    sex = inputs.sex(frame, n, issues)
    numbers = {
        name: inputs.number(frame, name, n, issues)
        for name in ("age_days", "age_months", "weight", "lenhei", "headc", "armc",
                     "triskin", "subskin")
    }  # fmt: skip
    cleaned = {
        "sex": sex,
        "measure": inputs.measure(frame, n),
        "oedema": inputs.oedema(frame, n),
        **numbers,
    }
    return cleaned, issues, n


def compute_frame(frame: pd.DataFrame | Mapping, index=None) -> pd.DataFrame:
    cleaned, issues, n = _clean(frame)
    sex = cleaned["sex"]
    bad = np.flatnonzero(issues.bad) if issues.any() else None
    if bad is not None:
        sex = sex.copy()
        sex[bad] = 0  # every lookup of a bad row misses: all its z-scores are missing
    res = compute(
        sex, cleaned["age_days"], cleaned["age_months"], cleaned["weight"], cleaned["lenhei"],
        cleaned["measure"], cleaned["oedema"], cleaned["headc"], cleaned["armc"],
        cleaned["triskin"], cleaned["subskin"],
    )  # fmt: skip
    if bad is not None:
        res["clenhei"][bad] = np.nan
        res["cbmi"][bad] = np.nan
        res["cmeasure"][bad] = 0
        res["c9mo_flag"][bad] = -1
    return to_frame(res, sex, issues, n, index)


def int_column(codes: np.ndarray) -> pd.arrays.IntegerArray:
    """Nullable Int8 from int8 codes where -1 means missing."""
    return pd.arrays.IntegerArray(codes, codes < 0)


def to_frame(res, sex, issues, n, index) -> pd.DataFrame:
    columns: dict[str, object] = {
        "clenhei": res["clenhei"],
        "cmeasure": pd.Categorical.from_codes(res["cmeasure"] - 1, categories=["l", "h"]),
        "c9mo_flag": int_column(res["c9mo_flag"]),
        "cbmi": res["cbmi"],
        "csex": int_column(np.where(sex == 0, -1, sex).astype(np.int8)),
    }
    for zname in FLOAT_RESULTS[2:]:
        columns[zname] = res[zname]
        fname = "f" + zname[1:]
        columns[fname] = int_column(res[fname])
    columns["reason"] = issues.reasons()
    columns = {name: columns[name] for name in RESULT_COLUMNS}
    index = index if index is not None else pd.RangeIndex(n)
    # copy=False: the result arrays are ours; copying and consolidating them would double
    # the memory touched
    return pd.DataFrame(columns, index=index, copy=False)


def anthro_zscores(frame: pd.DataFrame | Mapping) -> pd.DataFrame:
    """WHO 2006 z-scores and flags for every row of ``frame``, as anthro::anthro_zscores.

    Input columns (any may be absent; WHO Anthro names): ``sex`` (1/2/m/f), ``age_days`` or
    ``age_months`` (per row, days win), ``weight`` (kg), ``lenhei`` (cm), ``measure`` (l/h),
    ``oedema`` (y/n/1/2), ``headc``, ``armc`` (cm), ``triskin``, ``subskin`` (mm). Columns may
    hold numbers or text. Returns one row per input row (same index) with ``RESULT_COLUMNS``:
    z-scores rounded to 2 decimals as R rounds, flags as nullable integers, NaN/NA where WHO
    gives missing, and ``reason`` (empty unless the row is bad: then every result is empty).
    """
    index = frame.index if isinstance(frame, pd.DataFrame) else None
    return compute_frame(frame, index)


def anthro_zscore_row(**fields) -> dict:
    """One child: ``anthro_zscore_row(sex=1, age_days=300, weight=8.1, lenhei=70.2, measure="l")``.

    Same fields as the columns of ``anthro_zscores``; returns ``{column: value}`` with None for
    missing values (floats for z-scores, int for flags, str for ``cmeasure``/``reason``).
    """
    unknown = set(fields) - set(INPUT_COLUMNS)
    if unknown:
        raise TypeError(f"unknown field(s): {', '.join(sorted(unknown))}")
    frame = pd.DataFrame({k: pd.Series([v], dtype=object) for k, v in fields.items()})
    if frame.empty:
        frame = pd.DataFrame(index=[0])
    row = compute_frame(frame).iloc[0]
    return {k: (None if pd.isna(v) else v.item() if hasattr(v, "item") else v)
            for k, v in row.items()}  # fmt: skip
