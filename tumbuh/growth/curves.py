"""Measurement <-> z-score for one indicator at a time: SD curves for growth charts, synthetic
children, and the round-trip tests.

Indicators and their x:

* ``"lhfa"``, ``"wfa"``, ``"bfa"``, ``"hcfa"``, ``"acfa"``, ``"tsfa"``, ``"ssfa"`` (WHO 2006):
  age in days (0..1856; 91..1856 for arm circumference and skinfolds), rounded half up;
* ``"wfl"`` (45..110 cm) and ``"wfh"`` (65..120 cm): length/height in cm, interpolated
  between tenths as WHO does (rule 13);
* ``"who2007_hfa"``, ``"who2007_bfa"`` (60..228 months) and ``"who2007_wfa"`` (60..120): age
  in months, interpolated between whole months (rule 17).

Outside a table, or for a sex other than 1/2, the result is NaN. These functions apply no
other WHO validity rule (age < 60 months, oedema...): use ``anthro_zscores`` for that.
"""

from __future__ import annotations

import numpy as np

from .lms import restrict, value_at_z
from .tables import who2006_age_table, who2006_length_table, who2007_table
from .who2006 import round_half_up_days

AGE_INDICATORS = ("lhfa", "wfa", "bfa", "hcfa", "acfa", "tsfa", "ssfa")
LENGTH_INDICATORS = ("wfl", "wfh")
WHO2007_INDICATORS = ("who2007_hfa", "who2007_wfa", "who2007_bfa")
INDICATORS = AGE_INDICATORS + LENGTH_INDICATORS + WHO2007_INDICATORS
# Rule 9 / 19: every indicator but length/height and head circumference.
RESTRICTED = frozenset(INDICATORS) - {"lhfa", "hcfa", "who2007_hfa"}


def lms_at(indicator: str, sex, x) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """L, M, S of ``indicator`` for each (sex, x), NaN where there is none."""
    if indicator not in INDICATORS:
        raise ValueError(f"unknown indicator {indicator!r}; use one of {', '.join(INDICATORS)}")
    sex, x = np.broadcast_arrays(np.asarray(sex), np.asarray(x, dtype=np.float64))
    with np.errstate(invalid="ignore"):
        sex = np.where(np.isin(sex, (1, 2)), sex, 0).astype(np.int64)
    if indicator in AGE_INDICATORS:
        table = who2006_age_table(indicator)
        day = round_half_up_days(x)
        ok = ~np.isnan(day)
        idx = table.flat_index(sex, np.where(ok, day, -1).astype(np.int64), ok)
        return table.l[idx], table.m[idx], table.s[idx]
    if indicator in LENGTH_INDICATORS:
        table = who2006_length_table(indicator)
        with np.errstate(invalid="ignore"):
            x10 = x * 10
            k = np.trunc(x10)
            k_up = np.trunc(x10 + 1)
            diff = (x - k / 10) / 0.1
    else:
        table = who2007_table(indicator.removeprefix("who2007_"))
        with np.errstate(invalid="ignore"):
            k = np.trunc(x)
            k_up = np.trunc(x + 1)
            diff = x - k
    ok = ~np.isnan(x)
    idx = table.flat_index(sex, np.where(ok, k, -1).astype(np.int64), ok)
    idx_up = table.flat_index(sex, np.where(ok, k_up, -1).astype(np.int64), ok)
    interpolate = diff > 0
    out = []
    for name in "lms":
        values = getattr(table, name)
        low, up = values[idx], values[idx_up]
        with np.errstate(invalid="ignore"):
            out.append(np.where(interpolate, low + diff * (up - low), low))
    return out[0], out[1], out[2]


def value_for_z(indicator: str, sex, x, z) -> np.ndarray:
    """The measurement at z-score ``z`` (inverse LMS), vectorised and broadcast.

    ``sex`` is 1 (male) or 2 (female). Beyond +/-3 SD the restricted indicators use the same
    linear SD2-SD3 extension as the z-score (rule 9), so ``z_for_value`` gives ``z`` back.
    """
    l, m, s = lms_at(indicator, sex, x)  # noqa: E741
    return value_at_z(z, l, m, s, restricted=indicator in RESTRICTED)


def z_for_value(indicator: str, sex, x, y) -> np.ndarray:
    """The unrounded z-score of measurement ``y`` (rules 8-9), with no validity rules applied."""
    y, sex, x = np.broadcast_arrays(np.asarray(y, dtype=np.float64), np.asarray(sex), np.asarray(x))
    shape = y.shape
    l, m, s = (a.ravel() for a in lms_at(indicator, sex.ravel(), x.ravel()))  # noqa: E741
    y = y.ravel()
    with np.errstate(all="ignore"):
        z = (np.power(y / m, l) - 1) / (s * l)
    if indicator in RESTRICTED:
        restrict(z, y, l, m, s)
    return z.reshape(shape)
