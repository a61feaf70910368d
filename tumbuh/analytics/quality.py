"""Data-quality checks per posyandu or region, after WHO/UNICEF (2019) "Recommendations for data
collection, analysis and reporting on anthropometric indicators" and nipnTK. Pure pandas/numpy.

Input: every measurement in the period (not only the latest per child), with columns child_id,
measured_on, birth_date, weight_kg, length_cm, haz/waz/whz (+ _flag).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# SMART's reading of the digit preference score.
DPS_CLASSES = ((8, "excellent"), (12, "good"), (20, "acceptable"), (float("inf"), "problematic"))
HEIGHT_DROP_CM = 1.0  # beyond the 0.7 cm lying/standing difference and ordinary error


def digit_preference_score(values, decimals: int = 1) -> float:
    """nipnTK's digitPreference: 100 * sqrt(chi2 / (n * (k - 1))) over the last recorded digit,
    0 when every digit is equally common, 100 when all values end in the same digit."""
    v = pd.Series(values, dtype=float).dropna().to_numpy()
    if len(v) == 0:
        return float("nan")
    digits = np.rint(np.abs(v) * 10**decimals).astype(np.int64) % 10
    observed = np.bincount(digits, minlength=10).astype(float)
    expected = len(v) / 10
    chi2 = ((observed - expected) ** 2 / expected).sum()
    return float(100 * np.sqrt(chi2 / (len(v) * 9)))


def dps_class(score: float) -> str:
    if np.isnan(score):
        return ""
    return next(label for limit, label in DPS_CLASSES if score < limit)


def height_decreases(frame: pd.DataFrame, tolerance_cm: float = HEIGHT_DROP_CM) -> pd.Series:
    """True for each measurement whose length/height is more than `tolerance_cm` below the same
    child's previous measurement."""
    m = frame[["child_id", "measured_on", "length_cm"]].dropna().sort_values(["child_id", "measured_on"])
    drop = m.groupby("child_id")["length_cm"].diff() < -tolerance_cm
    return drop.reindex(frame.index, fill_value=False)


def _sd(z: pd.Series, flag: pd.Series) -> float:
    v = z[~flag].dropna()
    return float(v.std(ddof=1)) if len(v) > 1 else float("nan")


def quality_table(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """One row per `key` value with the checks and a 0-100 score (100 = no problem found)."""
    f = frame.copy()
    f["height_down"] = height_decreases(f)
    f["any_flag"] = f[["haz_flag", "waz_flag", "whz_flag"]].any(axis=1)
    born = pd.to_datetime(f["birth_date"])
    f["born_heaped"] = born.dt.day.isin([1, 15])
    rows = []
    for value, g in f.groupby(key, observed=True, sort=True):
        n = len(g)
        row = {
            key: value,
            "measurements": n,
            "children": int(g["child_id"].nunique()),
            "flagged_pct": 100 * g["any_flag"].mean(),
            "sd_haz": _sd(g["haz"], g["haz_flag"]),
            "sd_waz": _sd(g["waz"], g["waz_flag"]),
            "sd_whz": _sd(g["whz"], g["whz_flag"]),
            "dps_weight": digit_preference_score(g["weight_kg"]),
            "dps_height": digit_preference_score(g["length_cm"]),
            # Birth dates on the 1st or 15th: ~6.6% expected; far more means guessed ages.
            "birthday_heaping_pct": 100 * g.drop_duplicates("child_id")["born_heaped"].mean(),
            "missing_weight_pct": 100 * g["weight_kg"].isna().mean(),
            "missing_height_pct": 100 * g["length_cm"].isna().mean(),
            "height_down": int(g["height_down"].sum()),
            "height_down_pct": 100 * g["height_down"].mean(),
        }
        row["score"] = quality_score(row)
        rows.append(row)
    cols = [key, "measurements", "children", "flagged_pct", "sd_haz", "sd_waz", "sd_whz", "dps_weight",
            "dps_height", "birthday_heaping_pct", "missing_weight_pct", "missing_height_pct",
            "height_down", "height_down_pct", "score"]
    return pd.DataFrame(rows, columns=cols)


def _penalty(value: float, free: float, per_unit: float, cap: float) -> float:
    if value is None or np.isnan(value):
        return 0.0
    return float(min(cap, max(0.0, value - free) * per_unit))


def quality_score(row: dict) -> float:
    """A triage score, not a standard: 100 minus capped penalties for each check, so the team
    sees which posyandu to re-measure first. Thresholds follow WHO/UNICEF 2019 (flags under 1%,
    SD of z-scores 0.8-1.2) and SMART (DPS under 12 is good)."""
    sd_off = np.nanmax([abs(row["sd_haz"] - 1) if not np.isnan(row["sd_haz"]) else np.nan,
                        abs(row["sd_whz"] - 1) if not np.isnan(row["sd_whz"]) else np.nan] + [0.0])
    penalty = (
        _penalty(row["flagged_pct"], 1.0, 3.0, 25)
        + _penalty(sd_off, 0.2, 50.0, 20)
        + _penalty(row["dps_weight"], 12.0, 1.0, 15)
        + _penalty(row["dps_height"], 12.0, 1.0, 15)
        + _penalty(row["birthday_heaping_pct"], 10.0, 0.5, 5)
        + _penalty(max(row["missing_weight_pct"], row["missing_height_pct"]), 5.0, 0.5, 10)
        + _penalty(row["height_down_pct"], 0.5, 4.0, 10)
    )
    return round(max(0.0, 100.0 - penalty), 1)
