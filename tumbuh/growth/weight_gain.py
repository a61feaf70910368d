"""Weight-gain status between monthly weighings (N / T / 2T / O / B) and the red line (BGM).

Rules, for rows already sorted by child and then date (``measured_on`` as datetime64[D]); a row
whose weight (or date) is missing is not a weighing: it gets ``""`` and is skipped when looking
back.

* **B** (baru): the child's first weighing.
* **O**: the child has earlier weighings but none in the previous calendar month. (A weighing
  earlier in the same calendar month is not "last month": it is skipped.)
* **N** (naik): gain since the child's last weighing in the previous calendar month is at least
  the minimum gain (KBM, Kenaikan Berat badan Minimal, Buku KIA) for the child's age in completed
  months at this weighing (age_days / 30.4375, truncated). The gain is rounded to whole grams
  before comparing, so 0.1 kg steps stored as binary floats compare as written.
* **T** (tidak naik): that gain is below KBM (no gain and weight loss included).
* **2T**: a T whose previous weighing (the one in the previous month) was also T or 2T.
* ``""``: weight missing; or N/T cannot be decided because the age is missing.

KBM comes from ``data/kbm.csv`` (see data/SOURCES.md: values from the Buku KIA, the month mapping
is inferred). ``below_red_line`` marks BGM (bawah garis merah): weight-for-age z < -3.
"""

from __future__ import annotations

import csv
import functools

import numpy as np

from .tables import DATA_DIR
from .who2006 import DAYS_PER_MONTH


@functools.cache
def kbm_table() -> tuple[tuple[int, int | None, int, str], ...]:
    """Rows of kbm.csv: (first month, last month or None, KBM grams, mapping)."""
    with open(DATA_DIR / "kbm.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(
        (
            int(r["age_months_min"]),
            int(r["age_months_max"]) if r["age_months_max"] else None,
            int(r["kbm_g"]),
            r["mapping"],
        )
        for r in rows
    )


@functools.cache
def _kbm_by_month() -> tuple[np.ndarray, int]:
    rows = kbm_table()
    last_explicit = max(hi if hi is not None else lo for lo, hi, _, _ in rows)
    lookup = np.full(last_explicit + 1, np.nan)
    open_ended = np.nan
    for lo, hi, grams, _ in rows:
        if hi is None:
            open_ended = grams
            lookup[lo:] = grams
        else:
            lookup[lo : hi + 1] = grams
    return lookup, open_ended


def kbm_grams(age_months) -> np.ndarray:
    """Minimum gain in grams for the age in completed months (NaN where age missing/negative)."""
    age = np.asarray(age_months, dtype=np.float64)
    lookup, open_ended = _kbm_by_month()
    with np.errstate(invalid="ignore"):
        month = np.floor(age)
        ok = month >= 0
    idx = np.where(ok, np.minimum(np.where(ok, month, 0), len(lookup) - 1), 0).astype(np.intp)
    out = lookup[idx]
    out = np.where(ok & (month >= len(lookup)), open_ended, out)
    return np.where(ok, out, np.nan)


def below_red_line(weight_for_age_z) -> np.ndarray:
    """BGM: weight-for-age z < -3 (False where z is missing)."""
    z = np.asarray(weight_for_age_z, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return z < -3


def weight_gain_status(child_key, measured_on, age_days, weight_kg) -> np.ndarray:
    """N / T / 2T / O / B per row (see module docstring); rows sorted by child, then date."""
    key = np.asarray(child_key)
    dates = np.asarray(measured_on).astype("datetime64[D]")
    age_days = np.asarray(age_days, dtype=np.float64)
    weight = np.asarray(weight_kg, dtype=np.float64)
    n = len(key)
    if not (len(dates) == len(age_days) == len(weight) == n):
        raise ValueError("child_key, measured_on, age_days and weight_kg differ in length")
    out = np.full(n, "", dtype=object)
    weighed = np.flatnonzero(~np.isnan(weight) & ~np.isnat(dates))
    if weighed.size == 0:
        return out
    k, d, a, w = key[weighed], dates[weighed], age_days[weighed], weight[weighed]
    m = d.astype("datetime64[M]").astype(np.int64)
    new_child = np.ones(k.size, dtype=bool)
    new_child[1:] = k[1:] != k[:-1]
    if np.any(d[1:][~new_child[1:]] < d[:-1][~new_child[1:]]):
        raise ValueError("rows must be sorted by child, then measured_on")
    # Start of each (child, calendar month) block; the row before it is the child's last
    # weighing in an earlier month.
    new_block = new_child.copy()
    new_block[1:] |= m[1:] != m[:-1]
    block_start = np.maximum.accumulate(np.where(new_block, np.arange(k.size), 0))
    prev = block_start - 1
    has_prev = ~new_child[block_start]  # block does not start the child
    prev_safe = np.where(has_prev, prev, 0)
    last_month = has_prev & (m[prev_safe] == m - 1)

    status = np.full(k.size, "", dtype=object)
    status[~has_prev] = "B"
    status[has_prev & ~last_month] = "O"
    gain_g = np.round((w - w[prev_safe]) * 1000)
    need = kbm_grams(a / DAYS_PER_MONTH)
    decided = last_month & ~np.isnan(need)
    with np.errstate(invalid="ignore"):
        gained = gain_g >= need
    status[decided & gained] = "N"
    is_t = decided & ~gained
    status[is_t] = "T"
    twice = is_t & (status[prev_safe] == "T") & last_month
    status[twice] = "2T"
    out[weighed] = status
    return out
