"""Rule 9: beyond +/-3 SD the restricted indicators measure distance in the SD2-SD3 step."""

import numpy as np
import pandas as pd
import pytest

from tumbuh.growth import anthro_zscore_row, value_for_z, who2006
from tumbuh.growth.lms import restrict, sd_curve
from tumbuh.growth.tables import LmsTable

# WHO 2006 weight-for-age, boys, day 365: L=0.0645 M=9.646 S=0.10925.
# SDk = M (1 + L S k)^(1/L): SD3 = 13.341468, SD2 = 11.983347, SD-2 = 7.740676, SD-3 = 6.925979.
WFA_B365 = (0.0645, 9.646, 0.10925)


def test_sd_curves_match_hand_values():
    l, m, s = (np.array([v]) for v in WFA_B365)  # noqa: E741
    assert sd_curve(l, m, s, 3)[0] == pytest.approx(13.341468, abs=1e-6)
    assert sd_curve(l, m, s, 2)[0] == pytest.approx(11.983347, abs=1e-6)
    assert sd_curve(l, m, s, -2)[0] == pytest.approx(7.740676, abs=1e-6)
    assert sd_curve(l, m, s, -3)[0] == pytest.approx(6.925979, abs=1e-6)


@pytest.mark.parametrize(
    ("weight", "zwei"),
    [
        (9.646, 0.0),
        (12.0, 2.01),  # inside +/-3: plain LMS, 2.0129
        (15.0, 4.22),  # plain LMS would be 4.10; 3 + (15 - SD3)/(SD3 - SD2) = 4.2212
        (6.0, -4.14),  # plain LMS would be -4.28; -3 + (6 - SD-3)/(SD-2 - SD-3) = -4.1366
    ],
)
def test_weight_for_age_beyond_3sd(weight, zwei):
    assert anthro_zscore_row(sex=1, age_days=365, weight=weight)["zwei"] == zwei


def test_at_exactly_3sd_both_formulas_agree():
    sd3 = float(value_for_z("wfa", 1, 365, 3.0))
    assert sd3 == pytest.approx(13.341468, abs=1e-6)
    assert anthro_zscore_row(sex=1, age_days=365, weight=sd3)["zwei"] == 3.0
    sdm3 = float(value_for_z("wfa", 1, 365, -3.0))
    assert anthro_zscore_row(sex=1, age_days=365, weight=sdm3)["zwei"] == -3.0


@pytest.mark.parametrize(
    ("field", "value", "column", "expected"),
    [
        # BMI boys day 1000: L=-0.3601 M=15.6982 S=0.0788; BMI 15 -> -0.58 (inside)
        ("bmi", 15.0, "zbmi", -0.58),
        # triceps girls day 400: L=-0.1322 M=7.9093 S=0.20429; 20 mm -> restricted 4.70
        ("triskin", 20.0, "zts", 4.70),
        # subscapular boys day 1826: L=-1.0201 M=5.3629 S=0.19255; 3 mm -> restricted -3.86
        ("subskin", 3.0, "zss", -3.86),
        # arm circumference boys day 91: L=0.3933 M=13.4779 S=0.07474; 11 cm -> -2.61
        ("armc", 11.0, "zac", -2.61),
    ],
)
def test_other_restricted_indicators(field, value, column, expected):
    sex, day = {"bmi": (1, 1000), "triskin": (2, 400), "subskin": (1, 1826), "armc": (1, 91)}[field]
    fields = {"sex": sex, "age_days": day}
    if field == "bmi":
        fields.update(weight=value, lenhei=100.0, measure="h")  # 100 cm: BMI = weight
    else:
        fields[field] = value
    assert anthro_zscore_row(**fields)[column] == expected


def test_weight_for_length_beyond_3sd():
    # boys 75.35 cm, no age: L=-0.3521, M and S halfway between 75.3 and 75.4 cm
    # (M 9.574, S 0.082995); 13.5 kg -> restricted 4.01 (plain LMS would be 4.35)
    res = anthro_zscore_row(sex=1, weight=13.5, lenhei=75.35, measure="l")
    assert res["zwfl"] == 4.01


def fake_table(l_value):
    size = 3
    nan = [np.nan]
    l = np.array([l_value] * 2 * size + nan)  # noqa: E741
    m = np.array([10.0] * 2 * size + nan)
    s = np.array([0.1] * 2 * size + nan)
    return LmsTable("fake", 0, size, 0, 2, l, m, s, s * l, l_value == 1.0)


def test_length_and_head_circumference_use_the_plain_formula():
    # The WHO tables have L = 1 for both, where the two formulas coincide; a table with L != 1
    # shows which formula each indicator is wired to.
    wiring = {z: restricted for z, _, _, restricted, _ in who2006.AGE_INDICATORS}
    assert wiring == {
        "zlen": False,
        "zwei": True,
        "zbmi": True,
        "zhc": False,
        "zac": True,
        "zts": True,
        "zss": True,
    }
    table = fake_table(0.5)
    idx = np.array([0, 0])
    y = np.array([20.0, 4.0])
    plain = ((y / 10) ** 0.5 - 1) / (0.1 * 0.5)
    assert who2006.age_zscore(table, idx, y, restricted=False).tolist() == plain.tolist()
    restricted = who2006.age_zscore(table, idx, y, restricted=True)
    assert not np.allclose(restricted, plain)
    sd3, sd2 = 10 * (1 + 0.05 * 3) ** 2, 10 * (1 + 0.05 * 2) ** 2
    assert restricted[0] == pytest.approx(3 + (20 - sd3) / (sd3 - sd2))


def test_restrict_leaves_rows_inside_3sd_alone():
    z = np.array([2.99, -2.99, np.nan, 3.5])
    y = np.array([1.0, 1.0, 1.0, 12.0])
    ones = np.ones(4)
    out = restrict(z.copy(), y, ones * 0.5, ones * 10, ones * 0.1)
    assert out[:2].tolist() == [2.99, -2.99] and np.isnan(out[2]) and out[3] != 3.5


def test_zero_weight_for_length_follows_the_formula_as_who_does():
    # anthro blanks measurements <= 0 only for age-based indicators (rule 10); for weight-for-
    # length a zero weight gives (0/M)^L = Inf (L < 0), z = -Inf, then the restricted rule.
    res = anthro_zscores_one(weight=0.0, lenhei=80.0)
    sdm3 = float(value_for_z("wfl", 1, 80.0, -3.0))
    sdm2 = float(value_for_z("wfl", 1, 80.0, -2.0))
    assert res["zwfl"] == pytest.approx(round(-3 - sdm3 / (sdm2 - sdm3), 2))
    assert res["fwfl"] == 1


def anthro_zscores_one(**fields):
    frame = pd.DataFrame({"sex": [1], "measure": ["l"], **{k: [v] for k, v in fields.items()}})
    return who2006.anthro_zscores(frame).iloc[0]
