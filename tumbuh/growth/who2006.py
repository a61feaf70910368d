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
    with np.errstate(invalid="ignore"):
        raw_days = np.where(use_days, age_days, age_months * DAYS_PER_MONTH)
        months = np.where(use_days, age_days / DAYS_PER_MONTH, age_months)
        negative = raw_days < 0
    if negative.any():
        raw_days = np.where(negative, np.nan, raw_days)
        months = np.where(negative, np.nan, months)
    return round_half_up_days(raw_days), months


def adjust_lenhei(lenhei: np.ndarray, day: np.ndarray, cmeasure: np.ndarray) -> np.ndarray:
    """Rule 6: +0.7 cm if standing before day 731, -0.7 cm if lying from day 731."""
    with np.errstate(invalid="ignore"):
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
    with np.errstate(invalid="ignore"):
        flagged = (z < low) | (z > high)
    return flagged, np.isnan(z)


def age_zscore(table: LmsTable, idx: np.ndarray, y: np.ndarray, restricted: bool) -> np.ndarray:
    """Rules 8-9 for an age-based indicator; ``idx`` from ``LmsTable.flat_index``."""
    m = np.take(table.m, idx)
    with np.errstate(all="ignore"):
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
    with np.errstate(invalid="ignore"):
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
    with np.errstate(invalid="ignore"):
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
    with np.errstate(all="ignore"):
        z = (np.power(weight / m, l) - 1) / (s * l)
    restrict(z, weight, l, m, s)
    return z


def compute(
    sex: np.ndarray,
    day: np.ndarray,
    months: np.ndarray,
    weight: np.ndarray,
    lenhei: np.ndarray,
    measure: np.ndarray,
    oedema: np.ndarray,
    headc: np.ndarray,
    armc: np.ndarray,
    triskin: np.ndarray,
    subskin: np.ndarray,
) -> dict[str, np.ndarray]:
    """All WHO 2006 results from clean arrays.

    ``sex`` int (1, 2, else none), ``day`` rounded days and ``months`` unrounded months (NaN if
    unknown), ``measure`` 0/1/2 (missing, l, h), ``oedema`` bool, the rest float64 (NaN missing).
    Returns unrounded helper columns and rounded z-scores; flags as (values, missing) pairs.
    """
    sex = np.asarray(sex)
    with np.errstate(invalid="ignore"):
        # Rule 5: standing before 9 months is implausible: measure dropped, no correction.
        c9mo = (measure == STANDING) & (months < 9)
    cmeasure = np.where(c9mo, 0, measure).astype(np.int8)
    clenhei = adjust_lenhei(lenhei, day, cmeasure)
    with np.errstate(all="ignore"):
        height_m = clenhei / 100
        cbmi = weight / (height_m * height_m)  # rule 7: R computes ^2 as h*h

    # Rule 4: age-based z only for age < 60 months and day 0..1856 (day >= 91 for arm
    # circumference and skinfolds comes from the tables, which have no earlier rows).
    with np.errstate(invalid="ignore"):
        age_ok = (months < 60) & (day >= 0) & (day <= DAYS - 1)
    day_int = np.where(age_ok, day, 0).astype(np.int64)
    idx = who2006_age_table("lhfa").flat_index(sex, day_int, age_ok)

    weight_no_oedema = np.where(oedema, np.nan, weight)  # rule 11
    bmi_no_oedema = np.where(oedema, np.nan, cbmi)
    measures = {
        "zlen": clenhei,
        "zwei": weight_no_oedema,
        "zbmi": bmi_no_oedema,
        "zhc": headc,
        "zac": armc,
        "zts": triskin,
        "zss": subskin,
    }
    out: dict[str, np.ndarray] = {
        "clenhei": clenhei,
        "cmeasure": cmeasure,
        "c9mo_flag": c9mo,
        "cbmi": cbmi,
    }
    for zname, fname, table_name, restricted, limits in AGE_INDICATORS:
        y = measures[zname]
        with np.errstate(invalid="ignore"):
            y = np.where(y > 0, y, np.nan)  # rule 10 (NaN > 0 is False: stays NaN)
        z = round_r(age_zscore(who2006_age_table(table_name), idx, y, restricted))
        out[zname] = z
        out[fname] = flags(z, limits)
    zwfl = round_r(wfl_zscore(sex, day, months, weight, clenhei, cmeasure, oedema))
    out["zwfl"] = zwfl
    out["fwfl"] = flags(zwfl, WFL_FLAG)
    return out


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


_Z_ORDER = [(RESULT_COLUMNS[i], RESULT_COLUMNS[i + 1]) for i in range(5, 21, 2)]
_MEASURE_TEXT = np.array([None, "l", "h"], dtype=object)


def compute_frame(frame: pd.DataFrame | Mapping, index=None) -> pd.DataFrame:
    cleaned, issues, n = _clean(frame)
    sex = cleaned["sex"]
    bad = issues.bad if issues.any() else None
    if bad is not None:
        sex = np.where(bad, 0, sex).astype(np.int8)
    day, months = ages(cleaned["age_days"], cleaned["age_months"])
    res = compute(
        sex, day, months, cleaned["weight"], cleaned["lenhei"], cleaned["measure"],
        cleaned["oedema"], cleaned["headc"], cleaned["armc"], cleaned["triskin"],
        cleaned["subskin"],
    )  # fmt: skip
    return to_frame(res, sex, bad, issues, n, index)


def _int_column(values: np.ndarray, missing: np.ndarray | None) -> pd.arrays.IntegerArray:
    if missing is None:
        missing = np.zeros(values.shape, dtype=bool)
    return pd.arrays.IntegerArray(values.astype(np.int64), missing)


def to_frame(res, sex, bad, issues, n, index) -> pd.DataFrame:
    clenhei, cbmi = res["clenhei"], res["cbmi"]
    cmeasure = res["cmeasure"]
    c9mo_missing = None
    if bad is not None:
        clenhei = np.where(bad, np.nan, clenhei)
        cbmi = np.where(bad, np.nan, cbmi)
        cmeasure = np.where(bad, 0, cmeasure)
        c9mo_missing = bad
    columns: dict[str, object] = {
        "clenhei": clenhei,
        "cmeasure": np.take(_MEASURE_TEXT, cmeasure),
        "c9mo_flag": _int_column(res["c9mo_flag"], c9mo_missing),
        "cbmi": cbmi,
        "csex": _int_column(sex, sex == 0),
    }
    for zname, fname in _Z_ORDER:
        columns[zname] = res[zname]
        flagged, missing = res[fname]
        columns[fname] = _int_column(flagged, missing)
    columns["reason"] = issues.reasons() if issues.any() else np.full(n, "", dtype=object)
    return pd.DataFrame(columns, index=index if index is not None else pd.RangeIndex(n))


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
