"""WHO 2007 Growth Reference, 5-19 years (rules 17-21), as anthroplus computes it."""

import numpy as np
import pandas as pd
import pytest

from tumbuh.growth import anthroplus_zscores, value_for_z


def one(**fields):
    frame = pd.DataFrame({k: [v] for k, v in fields.items()})
    return anthroplus_zscores(frame).iloc[0]


def test_anthroplus_values_near_60_months():
    # anthroplus tests/testthat/test-zscores.R, "computes correct value for age ~ 60 months":
    # these need the month-60 rows and interpolation between months 60 and 61
    res = anthroplus_zscores(
        pd.DataFrame(
            {
                "sex": [2, 2],
                "age_months": [60.32, 60.911701],
                "height": [113.8, 113.6],
                "weight": [18.7, 20.5],
            }
        )
    )
    assert res["zwfa"].tolist() == [0.21, 0.79]
    assert res["zbfa"].tolist() == [-0.58, 0.42]
    assert res["zhfa"].tolist() == [0.96, 0.85]
    for col in ("fwfa", "fbfa", "fhfa"):
        assert res[col].tolist() == [0, 0]


def test_interpolation_between_months():
    # boys 100.5 months: hfa M = 129.0466 + 0.5 (129.4887 - 129.0466), S = 0.0447 + 0.5 (0.04478
    # - 0.0447); 130 cm -> (130/M - 1)/S = 0.1266
    assert one(sex=1, age_months=100.5, height=130.0)["zhfa"] == 0.13
    # at a whole month only that month's row is used (and month 229 is not needed)
    assert one(sex=2, age_months=228, height=170.0, weight=86.7)["zbfa"] == 2.06  # BMI 30.0


@pytest.mark.parametrize(
    ("age", "hfa", "wfa", "bfa"),
    [
        (59.99, False, False, False),
        (60.0, True, True, True),
        (120.0, True, True, True),
        (120.01, True, False, True),  # rule 20: weight-for-age 60..120 inclusive
        (228.0, True, False, True),
        (228.01, False, False, False),  # rule 20: height and BMI 60..228 inclusive
        (np.nan, False, False, False),
    ],
)
def test_age_limits(age, hfa, wfa, bfa):
    res = one(sex=1, age_months=age, height=140.0, weight=35.0)
    assert (pd.notna(res["zhfa"]), pd.notna(res["zwfa"]), pd.notna(res["zbfa"])) == (hfa, wfa, bfa)
    assert pd.notna(res["fhfa"]) == hfa


def test_restricted_rule_for_weight_and_bmi_only():
    # BMI boys 150 months: L=-1.7511 M=17.8704 S=0.1172; BMI 13: plain -3.63, restricted -3.54
    res = one(sex=1, age_months=150, height=100.0, weight=13.0)
    assert res["zbfa"] == -3.54
    # height: plain formula (L = 1, where both formulas agree anyway)
    h = float(value_for_z("who2007_hfa", 1, 150, -4.5))
    assert one(sex=1, age_months=150, height=h)["zhfa"] == -4.5
    # weight-for-age girls 120 months: L=-0.5958 M=31.8578 S=0.17262; 45 kg -> 1.81
    assert one(sex=2, age_months=120, weight=45.0)["zwfa"] == 1.81


def test_flags():
    frame = pd.DataFrame(
        {
            "sex": 2,
            "age_months": 100.0,
            "height": [float(value_for_z("who2007_hfa", 2, 100, z)) for z in (6.006, -6.004)],
            "weight": [float(value_for_z("who2007_wfa", 2, 100, z)) for z in (5.006, -6.006)],
        }
    )
    res = anthroplus_zscores(frame)
    assert res["zhfa"].tolist() == [6.01, -6.0]
    assert res["fhfa"].tolist() == [1, 0]
    assert res["zwfa"].tolist() == [5.01, -6.01]
    assert res["fwfa"].tolist() == [1, 1]
    bmi = float(value_for_z("who2007_bfa", 2, 100, 5.004))
    assert one(sex=2, age_months=100, weight=bmi, height=100.0)[["zbfa", "fbfa"]].tolist() == [
        5.0,
        0,
    ]


def test_oedema_blanks_weight_and_bmi():
    res = one(sex=1, age_months=100, height=130.0, weight=25.0, oedema="y")
    assert pd.isna(res["zwfa"]) and pd.isna(res["zbfa"]) and pd.isna(res["fwfa"])
    assert pd.notna(res["zhfa"])
    assert res["coedema"] == "y"
    assert one(sex=1, age_months=100, height=130.0, weight=25.0, oedema=2)["coedema"] == "n"


def test_bmi_uses_height_as_measured():
    res = one(sex=1, age_months=100, height=130.0, weight=26.0)
    assert res["cbmi"] == 26.0 / (1.3 * 1.3)


def test_age_in_days_is_a_fallback():
    by_days = one(sex=1, age_days=100.5 * 30.4375, height=130.0)
    by_months = one(sex=1, age_months=100.5, height=130.0)
    assert by_days["zhfa"] == by_months["zhfa"] == 0.13


def test_bad_rows_keep_their_place():
    res = anthroplus_zscores(
        pd.DataFrame(
            {
                "sex": ["1", "x", "2"],
                "age_months": ["100", "100", "abc"],
                "height": "130",
                "weight": "25",
            }
        )  # fmt: skip
    )
    assert res["zhfa"].notna().tolist() == [True, False, False]
    assert res["reason"].tolist()[0] == ""
    assert "sex" in res["reason"].tolist()[1]
    assert "age_months" in res["reason"].tolist()[2]
    assert pd.isna(res["cbmi"].tolist()[1])
