"""Rules 5, 10, 11 and 16: c9mo, measurements <= 0, oedema, and the implausible-value flags."""

import numpy as np
import pandas as pd
import pytest

from tumbuh.growth import anthro_zscore_row, anthro_zscores, value_for_z


def texts(series):
    """Text column values with missing as None (pandas 3 stores them in a str column as NaN)."""
    return [None if pd.isna(v) else v for v in series]


def at_z(indicator, z, sex=1, x=400):
    """A measurement whose unrounded z-score is ``z`` (so the rounded z is predictable)."""
    return float(value_for_z(indicator, sex, x, z))


FIELD = {"lhfa": "lenhei", "wfa": "weight", "hcfa": "headc", "acfa": "armc", "tsfa": "triskin",
         "ssfa": "subskin"}  # fmt: skip


@pytest.mark.parametrize(
    ("indicator", "zcol", "fcol", "z", "rounded", "flag"),
    [
        # length: |z| > 6
        ("lhfa", "zlen", "flen", 6.004, 6.0, 0),
        ("lhfa", "zlen", "flen", 6.006, 6.01, 1),
        ("lhfa", "zlen", "flen", -6.004, -6.0, 0),
        ("lhfa", "zlen", "flen", -6.006, -6.01, 1),
        # weight-for-age: z < -6 or z > 5
        ("wfa", "zwei", "fwei", 5.004, 5.0, 0),
        ("wfa", "zwei", "fwei", 5.006, 5.01, 1),
        ("wfa", "zwei", "fwei", -5.5, -5.5, 0),
        ("wfa", "zwei", "fwei", -6.004, -6.0, 0),
        ("wfa", "zwei", "fwei", -6.006, -6.01, 1),
        # the others: |z| > 5
        ("hcfa", "zhc", "fhc", 5.006, 5.01, 1),
        ("hcfa", "zhc", "fhc", -5.004, -5.0, 0),
        ("acfa", "zac", "fac", -5.006, -5.01, 1),
        ("tsfa", "zts", "fts", 5.004, 5.0, 0),
        ("ssfa", "zss", "fss", 5.006, 5.01, 1),
    ],
)
def test_flag_thresholds_apply_to_the_rounded_z(indicator, zcol, fcol, z, rounded, flag):
    fields = {"sex": 1, "age_days": 400, FIELD[indicator]: at_z(indicator, z)}
    if indicator == "lhfa":
        fields["measure"] = "l"
    res = anthro_zscore_row(**fields)
    assert res[zcol] == rounded
    assert res[fcol] == flag


def test_weight_for_length_and_bmi_flags():
    w_hi = float(value_for_z("wfl", 2, 70.0, 5.006))
    w_ok = float(value_for_z("wfl", 2, 70.0, -5.004))
    res = anthro_zscores(pd.DataFrame({"sex": 2, "lenhei": 70.0, "measure": "l",
                                       "weight": [w_hi, w_ok]}))  # fmt: skip
    assert res["zwfl"].tolist() == [5.01, -5.0]
    assert res["fwfl"].tolist() == [1, 0]
    # BMI with a 100 cm child measured standing at day 1000 (BMI = weight)
    bmi = float(value_for_z("bfa", 1, 1000, -5.006))
    res = anthro_zscore_row(sex=1, age_days=1000, weight=bmi, lenhei=100.0, measure="h")
    assert (res["zbmi"], res["fbmi"]) == (-5.01, 1)


def test_flags_are_missing_where_z_is_missing():
    res = anthro_zscore_row(sex=1, age_days=100, weight=6.0)
    assert res["zwei"] is not None and res["fwei"] == 0
    for col in ("flen", "fwfl", "fbmi", "fhc", "fac", "fts", "fss"):
        assert res[col] is None


def test_oedema_blanks_weight_scores_and_their_flags():
    base = {"sex": 1, "age_days": 400, "weight": 9.0, "lenhei": 75.0, "measure": "l",
            "armc": 14.0}  # fmt: skip
    for value in ("y", "Y", "1", 1):
        res = anthro_zscore_row(**base, oedema=value)
        for col in ("zwei", "fwei", "zwfl", "fwfl", "zbmi", "fbmi"):
            assert res[col] is None, (value, col)
        assert res["zlen"] is not None and res["zac"] is not None
        assert res["cbmi"] == pytest.approx(9.0 / 0.75**2)
    for value in ("n", "N", "2", 2, None, "x"):
        res = anthro_zscore_row(**base, oedema=value)
        assert res["zwei"] is not None and res["zwfl"] is not None and res["zbmi"] is not None


def test_measurements_at_or_below_zero_blank_age_based_scores():
    frame = pd.DataFrame({"sex": 1, "age_days": 400, "measure": "l",
                          "weight": [0.0, -1.0], "lenhei": [0.0, -5.0], "headc": [0.0, -1.0],
                          "armc": [0.0, -1.0], "triskin": [0.0, -1.0], "subskin": [0.0, -1.0]})  # fmt: skip
    res = anthro_zscores(frame)
    for col in ("zlen", "zwei", "zbmi", "zhc", "zac", "zts", "zss"):
        assert res[col].isna().all(), col


def test_c9mo_flag_for_standing_under_9_months():
    # WHO anthro test: boys, 60 cm standing at 8 and 9 months
    res = anthro_zscores(pd.DataFrame({"sex": 1, "age_months": [8, 9, 8, 8.99],
                                       "lenhei": 60.0, "measure": ["h", "h", "l", "H"]}))  # fmt: skip
    assert res["c9mo_flag"].tolist() == [1, 0, 0, 1]
    assert texts(res["cmeasure"]) == [None, "h", "l", None]
    assert res["clenhei"].tolist() == [60.0, 60.7, 60.0, 60.0]  # no +0.7 when flagged
    # lhfa boys day 244 (8 months): z = -4.81; day 274 (9 months), 60.7 cm: -5.02
    assert res["zlen"].tolist()[:2] == [-4.81, -5.02]


def test_c9mo_is_zero_without_age_or_measure():
    res = anthro_zscores(pd.DataFrame({"sex": 1, "age_months": [np.nan, 3.0],
                                       "lenhei": 60.0, "measure": ["h", None]}))  # fmt: skip
    assert res["c9mo_flag"].tolist() == [0, 0]
    assert texts(res["cmeasure"]) == ["h", None]


def test_unknown_measure_is_missing():
    res = anthro_zscore_row(sex=1, age_days=800, lenhei=90.0, measure="x")
    assert res["cmeasure"] is None and res["clenhei"] == 90.0 and res["reason"] == ""
