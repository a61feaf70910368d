"""Rules 12-14: which weight-for-length/height table, 0.1 cm interpolation, valid ranges."""

import numpy as np
import pandas as pd
import pytest

from tumbuh.growth import anthro_zscore_row, anthro_zscores
from tumbuh.growth.lms import lms_z, restrict, round_r
from tumbuh.growth.tables import who2006_length_table


def zwfl(**fields):
    return anthro_zscore_row(**fields)["zwfl"]


def test_interpolates_between_tenths():
    # boys 75.35 cm: diff = 0.5 between 75.3 (M 9.5639 S 0.08299) and 75.4 (M 9.5841 S 0.083)
    # 9.5 kg -> -0.0936
    assert zwfl(sex=1, weight=9.5, lenhei=75.35, measure="l") == -0.09


def test_exact_tenth_uses_that_row():
    # girls 45.0 cm: L=-0.3833 M=2.4607 -> z = 0 exactly
    assert zwfl(sex=2, weight=2.4607, lenhei=45.0, measure="l") == 0.0


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # length table 45..110 cm inclusive (girls, age 100 days)
        ({"sex": 2, "age_days": 100, "lenhei": 44.99, "weight": 2.5, "measure": "l"}, None),
        ({"sex": 2, "age_days": 100, "lenhei": 45.0, "weight": 2.4607, "measure": "l"}, 0.0),
        # 110 cm: M=18.3324 S=0.09401, 18 kg -> -0.1953
        ({"sex": 2, "age_days": 700, "lenhei": 110.0, "weight": 18.0, "measure": "l"}, -0.2),
        ({"sex": 2, "age_days": 700, "lenhei": 110.01, "weight": 18.0, "measure": "l"}, None),
        # height table 65..120 cm inclusive (girls, age 800 days)
        ({"sex": 2, "age_days": 800, "lenhei": 64.99, "weight": 7.0, "measure": "h"}, None),
        # 65 cm: M=7.2402 S=0.09113, 7 kg -> -0.3726
        ({"sex": 2, "age_days": 800, "lenhei": 65.0, "weight": 7.0, "measure": "h"}, -0.37),
        # 120 cm: M=22.8173 S=0.09828, 25 kg -> 0.9135
        ({"sex": 2, "age_days": 1500, "lenhei": 120.0, "weight": 25.0, "measure": "h"}, 0.91),
        ({"sex": 2, "age_days": 1500, "lenhei": 120.01, "weight": 25.0, "measure": "h"}, None),
    ],
)
def test_valid_ranges(fields, expected):
    assert zwfl(**fields) == expected


def test_table_follows_age_not_measure():
    # day 730 -> length table even if measured standing (then 80 + 0.7 = 80.7 cm);
    # day 731 -> height table even if measured lying (80 - 0.7 = 79.3 cm)
    young = anthro_zscore_row(sex=1, age_days=730, weight=10, lenhei=80, measure="h")
    old = anthro_zscore_row(sex=1, age_days=731, weight=10, lenhei=80, measure="l")
    length = who2006_length_table("wfl")
    height = who2006_length_table("wfh")

    def expected(table, cm):
        k = round(cm * 10) - table.first
        lo, hi = k, k + 1
        diff = (cm - (round(cm * 10) // 1) / 10) / 0.1
        m = table.m[lo] + diff * (table.m[hi] - table.m[lo])
        s = table.s[lo] + diff * (table.s[hi] - table.s[lo])
        return round(float(((10 / m) ** table.l[lo] - 1) / (s * table.l[lo])), 2)

    assert young["zwfl"] == expected(length, 80.7)
    assert old["zwfl"] == expected(height, 79.3)


@pytest.mark.parametrize(
    ("lenhei", "measure", "expected"),
    [
        # no age, no measure: < 87 cm length table, >= 87 cm height table (rule 12)
        (86.9, None, 0.03),  # wfl boys 86.9: M=11.9668 S=0.08114, 12 kg -> 0.0341
        (87.0, None, -0.17),  # wfh boys 87.0: M=12.1645 S=0.0809 -> -0.1687 (wfl: 0.0086)
        # no age, measure given: the measure decides
        (87.0, "l", 0.01),  # wfl boys 87.0: M=11.9916 S=0.08111 -> 0.0086
        (80.0, "h", -0.68),  # wfh boys 80.0: M=10.5781 S=0.08298, 10 kg -> -0.6840
        (80.0, None, -0.53),  # wfl boys 80.0: M=10.4475 S=0.08308, 10 kg -> -0.5310
    ],
)
def test_no_age_uses_measure_then_87_cm(lenhei, measure, expected):
    weight = 12.0 if lenhei > 85 else 10.0
    assert zwfl(sex=1, weight=weight, lenhei=lenhei, measure=measure) == expected


def test_no_age_and_height_table_below_65_is_missing():
    assert zwfl(sex=1, weight=7.0, lenhei=60.0, measure="h") is None
    assert zwfl(sex=1, weight=7.0, lenhei=60.0, measure="l") is not None


def test_upper_row_is_trunc_of_len10_plus_one_even_across_a_binade():
    # Rule 13 literally: for 51.199999999999996 (the double just below 51.2), len*10 =
    # 511.99999999999994 and len*10 + 1 rounds to 513.0, so WHO interpolates from 51.1
    # towards 51.3 (not 51.2) with diff ~ 1.
    cm = float(np.nextafter(51.2, 0))
    assert np.trunc(cm * 10) == 511 and np.trunc(cm * 10 + 1) == 513
    table = who2006_length_table("wfl")
    lo, up = 511 - table.first, 513 - table.first
    diff = (cm - 51.1) / 0.1
    lms = [getattr(table, k)[lo] + diff * (getattr(table, k)[up] - getattr(table, k)[lo])
           for k in "lms"]  # fmt: skip
    y = np.array([3.0])
    z = lms_z(y, *(np.array([v]) for v in lms))
    z = restrict(z, y, *(np.array([v]) for v in lms))
    assert zwfl(sex=1, weight=3.0, lenhei=cm, measure="l") == round_r(z)[0]
    # ... which differs from interpolating towards 51.2 (M 3.5812): the quirk is observable
    naive = ((3.0 / 3.5812) ** -0.3521 - 1) / (0.08819 * -0.3521)
    assert round_r(z)[0] != round(naive, 2)


def test_oedema_and_age_limits():
    frame = pd.DataFrame(
        {
            "sex": 1,
            "weight": 10.0,
            "lenhei": 80.0,
            "measure": "l",
            "oedema": ["y", "n", "n", "n"],
            "age_months": [20, 20, 59.99, 60],
        }
    )
    res = anthro_zscores(frame)
    assert np.isnan(res.loc[0, "zwfl"]) and pd.isna(res.loc[0, "fwfl"])
    assert res.loc[1:2, "zwfl"].notna().all()
    assert np.isnan(res.loc[3, "zwfl"])
