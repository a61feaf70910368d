"""Nutritional status categories of Permenkes No. 2 Tahun 2020 (Standar Antropometri Anak).

Every function takes z-scores (any array-like) and returns a numpy array of stable string
codes, ``""`` where z (or the age it needs) is missing. Cut-offs, from the regulation's table
(domain.md 2.3): "< -3" is z < -3; "-3 to < -2" is -3 <= z < -2; "-2 to +1" is -2 <= z <= +1;
"> +1 to +2" is +1 < z <= +2; "> +3" is z > +3.

``LABELS`` gives each code an Indonesian label and the WHO English name. The code ``normal`` is
shared by all indices and the regulation words it differently per index ("Berat badan normal",
"Normal", "Gizi baik"), so ``LABELS["normal"]`` is the generic word and ``INDEX_LABELS`` /
``label(index, code)`` give the exact wording of each index.
"""

from __future__ import annotations

import numpy as np

LABELS: dict[str, dict[str, str]] = {
    # BB/U (weight-for-age)
    "severely_underweight": {"id": "Berat badan sangat kurang", "en": "Severely underweight"},
    "underweight": {"id": "Berat badan kurang", "en": "Underweight"},
    "risk_of_overweight": {"id": "Risiko berat badan lebih", "en": "Risk of overweight"},
    # PB/U, TB/U (length/height-for-age)
    "severely_stunted": {"id": "Sangat pendek", "en": "Severely stunted"},
    "stunted": {"id": "Pendek", "en": "Stunted"},
    "tall": {"id": "Tinggi", "en": "Tall"},
    # BB/PB, BB/TB and IMT/U 0-60 months
    "severely_wasted": {"id": "Gizi buruk", "en": "Severely wasted"},
    "wasted": {"id": "Gizi kurang", "en": "Wasted"},
    "possible_risk_of_overweight": {
        "id": "Berisiko gizi lebih",
        "en": "Possible risk of overweight",
    },
    "overweight": {"id": "Gizi lebih", "en": "Overweight"},
    "obese": {"id": "Obesitas", "en": "Obese"},
    # IMT/U 5-18 years
    "severely_thin": {"id": "Gizi buruk", "en": "Severely thin"},
    "thin": {"id": "Gizi kurang", "en": "Thin"},
    # every index
    "normal": {"id": "Normal", "en": "Normal"},
}

# The regulation's wording per index (id) with the WHO term (en).
INDEX_LABELS: dict[str, dict[str, dict[str, str]]] = {
    "bb_u": {
        "severely_underweight": LABELS["severely_underweight"],
        "underweight": LABELS["underweight"],
        "normal": {"id": "Berat badan normal", "en": "Normal"},
        "risk_of_overweight": LABELS["risk_of_overweight"],
    },
    "pb_u": {
        "severely_stunted": LABELS["severely_stunted"],
        "stunted": LABELS["stunted"],
        "normal": {"id": "Normal", "en": "Normal"},
        "tall": LABELS["tall"],
    },
    "bb_pb": {
        "severely_wasted": LABELS["severely_wasted"],
        "wasted": LABELS["wasted"],
        "normal": {"id": "Gizi baik", "en": "Normal"},
        "possible_risk_of_overweight": LABELS["possible_risk_of_overweight"],
        "overweight": LABELS["overweight"],
        "obese": LABELS["obese"],
    },
    "imt_u_5_18": {
        "severely_thin": LABELS["severely_thin"],
        "thin": LABELS["thin"],
        "normal": {"id": "Gizi baik", "en": "Normal"},
        "overweight": LABELS["overweight"],
        "obese": LABELS["obese"],
    },
}
INDEX_LABELS["imt_u"] = INDEX_LABELS["bb_pb"]  # IMT/U 0-60 months uses the BB/PB bands

SEVERITY: dict[str, str] = {
    "severely_underweight": "red",
    "severely_stunted": "red",
    "severely_wasted": "red",
    "severely_thin": "red",
    "obese": "red",
    "underweight": "orange",
    "stunted": "orange",
    "wasted": "orange",
    "thin": "orange",
    "overweight": "orange",
    "risk_of_overweight": "yellow",
    "possible_risk_of_overweight": "yellow",
    "normal": "green",
    "tall": "blue",
}


def label(index: str, code: str, lang: str = "id") -> str:
    """The regulation's label of ``code`` in ``index`` ("bb_u", "pb_u", "bb_pb", "imt_u",
    "imt_u_5_18"); ``""`` for the empty code."""
    if not code:
        return ""
    return INDEX_LABELS[index][code][lang]


def _bands(z, edges: list[tuple[str, float, bool]], top: str) -> np.ndarray:
    """``edges``: (code, bound, inclusive) in increasing order; a z goes to the first code whose
    bound it is below (or equal to, when inclusive); above every bound it is ``top``."""
    z = np.asarray(z, dtype=np.float64)
    conditions = []
    for _, bound, inclusive in edges:
        conditions.append(z <= bound if inclusive else z < bound)
    codes = [code for code, _, _ in edges]
    with np.errstate(invalid="ignore"):
        out = np.select(conditions, codes, default=top).astype(object)
    out[np.isnan(z)] = ""
    return out


def weight_for_age_category(z) -> np.ndarray:
    """BB/U 0-60 months."""
    return _bands(
        z,
        [("severely_underweight", -3, False), ("underweight", -2, False), ("normal", 1, True)],
        "risk_of_overweight",
    )


def length_for_age_category(z) -> np.ndarray:
    """PB/U or TB/U 0-60 months."""
    return _bands(
        z,
        [("severely_stunted", -3, False), ("stunted", -2, False), ("normal", 3, True)],
        "tall",
    )


_WFL_EDGES = [
    ("severely_wasted", -3, False),
    ("wasted", -2, False),
    ("normal", 1, True),
    ("possible_risk_of_overweight", 2, True),
    ("overweight", 3, True),
]
_BMI_5_18_EDGES = [
    ("severely_thin", -3, False),
    ("thin", -2, False),
    ("normal", 1, True),
    ("overweight", 2, True),
]


def weight_for_length_category(z) -> np.ndarray:
    """BB/PB or BB/TB 0-60 months."""
    return _bands(z, _WFL_EDGES, "obese")


def bmi_for_age_category(z, age_months) -> np.ndarray:
    """IMT/U: below 60 months the six BB/PB bands; from 60 months the 5-18 year bands.

    ``""`` where z or the age is missing.
    """
    z = np.asarray(z, dtype=np.float64)
    age = np.broadcast_to(np.asarray(age_months, dtype=np.float64), z.shape)
    young = _bands(z, _WFL_EDGES, "obese")
    old = _bands(z, _BMI_5_18_EDGES, "obese")
    with np.errstate(invalid="ignore"):
        out = np.where(age < 60, young, old).astype(object)
    out[np.isnan(age)] = ""
    return out
