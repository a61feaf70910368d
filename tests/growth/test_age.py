"""Rules 2-6: age rounding, months, the 60-month limit, the 0.7 cm correction at day 731."""

import numpy as np
import pandas as pd
import pytest

from tumbuh.growth import anthro_zscore_row, anthro_zscores
from tumbuh.growth.who2006 import ages, round_half_up_days


@pytest.mark.parametrize(
    ("days", "rounded"),
    [(0, 0), (0.49, 0), (0.5, 1), (730.4999999, 730), (730.5, 731), (731.2, 731), (1856.5, 1857)],
)
def test_days_round_half_up(days, rounded):
    assert round_half_up_days(np.array([days]))[0] == rounded


def test_months_are_multiplied_by_30_4375_then_rounded():
    day, months = ages(np.array([np.nan, np.nan]), np.array([24.0, 1.0]))
    assert day.tolist() == [731, 30]  # 24 * 30.4375 = 730.5 -> 731; 30.4375 -> 30
    assert months.tolist() == [24.0, 1.0]  # rule 3: months stay unrounded


def test_days_give_unrounded_months_and_negative_age_is_missing():
    day, months = ages(np.array([45.6, -1.0]), np.array([np.nan, 3.0]))
    assert day[0] == 46 and months[0] == 45.6 / 30.4375
    assert np.isnan(day[1]) and np.isnan(months[1])  # negative days win and mean "missing"


def test_age_days_win_over_age_months_per_row():
    frame = pd.DataFrame(
        {
            "sex": [2, 2],
            "age_days": [731, np.nan],
            "age_months": [1.0, 24.0],
            "lenhei": [77.5, 77.5],
        }
    )
    assert anthro_zscores(frame)["zlen"].tolist() == [-2.55, -2.55]


def test_24_months_uses_the_height_table():
    # WHO anthro test: girl, 24 months = day 731 (height), 77.5 cm: lhfa day 731 M=85.7299
    # S=0.03764, (77.5/85.7299 - 1)/0.03764 = -2.5504
    res = anthro_zscore_row(sex=2, age_months=24, lenhei=77.5)
    assert res["zlen"] == -2.55
    assert res["clenhei"] == 77.5  # no measure given: no correction


@pytest.mark.parametrize(
    ("age_days", "measure", "clenhei", "zlen"),
    [
        # boys, 87 cm. day 730: lhfa M=87.8018 S=0.03479; day 731: M=87.1303 S=0.03508
        (730, "h", 87.7, -0.03),  # standing before 731: +0.7 -> (87.7/87.8018-1)/0.03479
        (730, "l", 87.0, -0.26),
        (730.49, "h", 87.7, -0.03),  # rounds to 730
        (730.5, "l", 86.3, -0.27),  # rounds to 731: lying from 731: -0.7
        (731, "l", 86.3, -0.27),
        (731, "h", 87.0, -0.04),
    ],
)
def test_length_height_correction_at_day_731(age_days, measure, clenhei, zlen):
    res = anthro_zscore_row(sex=1, age_days=age_days, lenhei=87, measure=measure)
    assert res["clenhei"] == pytest.approx(clenhei, abs=1e-12)
    assert res["zlen"] == zlen


def test_correction_examples_from_who_anthro_tests():
    res = anthro_zscores(
        pd.DataFrame(
            {"sex": 1, "age_days": [730, 800, 730, 800], "lenhei": 100.0, "measure": list("hhll")}
        )
    )
    assert res["clenhei"].tolist() == [100 + 0.7, 100, 100, 100 - 0.7]


def test_only_under_60_months():
    # WHO anthro test: 59.9, 60 and 60.1 months; only the first gets z-scores
    res = anthro_zscores(
        pd.DataFrame(
            {
                "sex": 1,
                "age_months": [59.9, 60, 60.1],
                "lenhei": 80.0,
                "weight": 20.0,
                "armc": 5.0,
                "triskin": 3.0,
                "subskin": 5.0,
                "headc": 5.0,
                "measure": "h",
            }
        )
    )
    zcols = ["zlen", "zwei", "zwfl", "zbmi", "zhc", "zac", "zts", "zss"]
    assert res.loc[0, zcols].notna().all()
    assert res.loc[1:, zcols].isna().all().all()
    fcols = [c.replace("z", "f", 1) for c in zcols]
    assert res.loc[1:, fcols].isna().all().all()


def test_60_month_limit_is_on_unrounded_months():
    res = anthro_zscores(
        pd.DataFrame({"sex": 1, "age_days": [1826.0, 1826.25], "weight": [18.3352, 18.3352]})
    )
    # day 1826 = 59.992 months: computed (wfa boys day 1826 M=18.3352 -> z=0);
    # 1826.25 days = exactly 60.0 months (also day 1826 after rounding): not computed
    assert res["zwei"].tolist()[0] == 0.0
    assert np.isnan(res["zwei"].tolist()[1])


def test_missing_age_blanks_age_based_scores_but_not_weight_for_length():
    res = anthro_zscore_row(sex=1, weight=10, lenhei=80, measure="l", headc=45, armc=15)
    for col in ("zlen", "zwei", "zbmi", "zhc", "zac"):
        assert res[col] is None
    # wfl boys 80.0 cm: L=-0.3521 M=10.4475 S=0.08308 -> -0.531
    assert res["zwfl"] == -0.53
    assert res["cbmi"] == pytest.approx(10 / 0.8**2)


def test_negative_age_is_treated_as_missing():
    neg = anthro_zscore_row(sex=1, age_days=-5, weight=10, lenhei=80, measure="l")
    none = anthro_zscore_row(sex=1, weight=10, lenhei=80, measure="l")
    assert neg == none
    assert neg["reason"] == ""
