"""WHO 2007 Growth Reference (5-19 years) as WHO's ``anthroplus`` computes it (rules 17-21).

Age limits follow rule 20 (inclusive: height and BMI 60..228 months, weight 60..120). Note that
anthroplus 1.1.0 moved the upper limits to "below 229" and "below 121" months (its NEWS.md); see
docs/growth.md.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from . import inputs
from .lms import restrict, round_r
from .tables import LmsTable, who2007_table
from .who2006 import CHUNK_ROWS, DAYS_PER_MONTH, flag_codes, int_column

RESULT_COLUMNS = [
    "csex", "coedema", "cbmi", "zhfa", "fhfa", "zwfa", "fwfa", "zbfa", "fbfa", "reason",
]  # fmt: skip
INPUT_COLUMNS = ["sex", "age_months", "age_days", "weight", "height", "oedema"]

FIRST_MONTH = 60
# (z column, flag column, table, restricted rule?, last valid month, flag limits) - rules 19-21
INDICATORS = [
    ("zhfa", "fhfa", "hfa", False, 228, (-6, 6)),
    ("zwfa", "fwfa", "wfa", True, 120, (-6, 5)),
    ("zbfa", "fbfa", "bfa", True, 228, (-5, 5)),
]


def month_zscore(table: LmsTable, sex, months, y, last_month: int, restricted: bool):
    """Rule 17: L, M, S interpolated between trunc(age) and trunc(age + 1); rule 20 limits."""
    with np.errstate(invalid="ignore"):
        valid = (months >= FIRST_MONTH) & (months <= last_month)
        low = np.trunc(months)
        up = np.trunc(months + 1)
        diff = months - low
    low_int = np.where(valid, low, 0).astype(np.int64)
    up_int = np.where(valid, up, 0).astype(np.int64)
    idx_low = table.flat_index(sex, low_int, valid)
    idx_up = table.flat_index(sex, up_int, valid)
    interpolate = diff > 0
    params = []
    for name in "lms":
        values = getattr(table, name)
        lo = np.take(values, idx_low)
        hi = np.take(values, idx_up)
        with np.errstate(invalid="ignore"):
            params.append(np.where(interpolate, lo + diff * (hi - lo), lo))
    l, m, s = params  # noqa: E741
    with np.errstate(all="ignore"):
        z = (np.power(y / m, l) - 1) / (s * l)
    if restricted:
        restrict(z, y, l, m, s)
    return z


def compute(sex, months, weight, height, oedema) -> dict[str, np.ndarray]:
    """Clean arrays in (sex 1/2/other, months float NaN unknown, oedema bool); float64 ``cbmi``
    and rounded z-scores, int8 flags (-1 missing) out. Chunked as in who2006.compute."""
    n = len(sex)
    out = {name: np.empty(n) for name in ("cbmi", "zhfa", "zwfa", "zbfa")}
    for name in ("fhfa", "fwfa", "fbfa"):
        out[name] = np.empty(n, dtype=np.int8)
    for start in range(0, n, CHUNK_ROWS):
        part = slice(start, min(start + CHUNK_ROWS, n))
        _compute_chunk(out, part, sex[part], months[part], weight[part], height[part],
                       oedema[part])  # fmt: skip
    return out


def _compute_chunk(out, part, sex, months, weight, height, oedema) -> None:
    with np.errstate(all="ignore"):
        cbmi = weight / ((height / 100) * (height / 100))  # rule 18
        # anthroplus refuses negative measurements; here they give missing z-scores
        months = np.where(months >= 0, months, np.nan)
        measures = {
            "zhfa": np.where(height >= 0, height, np.nan),
            "zwfa": np.where(oedema | ~(weight >= 0), np.nan, weight),  # rule 20: oedema
            "zbfa": np.where(oedema | ~(cbmi >= 0), np.nan, cbmi),
        }
    out["cbmi"][part] = cbmi
    for zname, fname, table_name, restricted, last_month, limits in INDICATORS:
        z = month_zscore(
            who2007_table(table_name), sex, months, measures[zname], last_month, restricted
        )
        z = round_r(z)
        out[zname][part] = z
        out[fname][part] = flag_codes(z, limits)


def compute_frame(frame: pd.DataFrame | Mapping, index=None) -> pd.DataFrame:
    n = inputs.row_count(frame)
    issues = inputs.Issues(n)
    sex = inputs.sex(frame, n, issues)
    months = inputs.number(frame, "age_months", n, issues)
    days = inputs.number(frame, "age_days", n, issues)
    weight = inputs.number(frame, "weight", n, issues)
    height = inputs.number(frame, "height", n, issues)
    oedema = inputs.oedema(frame, n)
    if np.isnan(months).any():
        months = np.where(np.isnan(months), days / DAYS_PER_MONTH, months)
    bad = np.flatnonzero(issues.bad) if issues.any() else None
    if bad is not None:
        sex = sex.copy()
        sex[bad] = 0
    res = compute(sex, months, weight, height, oedema)
    coedema = oedema.astype(np.int8)
    if bad is not None:
        res["cbmi"][bad] = np.nan
        coedema[bad] = -1
    columns: dict[str, object] = {
        "csex": int_column(np.where(sex == 0, -1, sex).astype(np.int8)),
        "coedema": pd.Categorical.from_codes(coedema, categories=["n", "y"]),
        "cbmi": res["cbmi"],
    }
    for zname, fname, *_ in INDICATORS:
        columns[zname] = res[zname]
        columns[fname] = int_column(res[fname])
    columns["reason"] = issues.reasons()
    index = index if index is not None else pd.RangeIndex(n)
    return pd.DataFrame(columns, index=index, copy=False)


def anthroplus_zscores(frame: pd.DataFrame | Mapping) -> pd.DataFrame:
    """WHO 2007 z-scores and flags for every row, as anthroplus::anthroplus_zscores.

    Input columns: ``sex`` (1/2/m/f), ``age_months`` (fractional; or ``age_days``, divided by
    30.4375, used where ``age_months`` is empty), ``weight`` (kg), ``height`` (cm, as measured),
    ``oedema`` (y/n/1/2). Returns ``RESULT_COLUMNS`` with the same index.
    """
    index = frame.index if isinstance(frame, pd.DataFrame) else None
    return compute_frame(frame, index)
