"""Rule 15: z-scores are rounded as R's round(x, 2) (R >= 4.0.0), not as Python or numpy round."""

import numpy as np
import pytest

from tumbuh.growth import anthro_zscore_row
from tumbuh.growth.lms import round_r


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (1.234, 1.23),
        (1.236, 1.24),
        (-1.236, -1.24),
        (0.125, 0.12),  # exact binary tie, floor(12.5) = 12 even: down
        (0.375, 0.38),  # exact tie, floor(37.5) = 37 odd: up
        (-0.125, -0.12),
        (2.675, 2.67),  # the double is 2.67499999...: nearer to 2.67
        (3.0, 3.0),
    ],
)
def test_ordinary_values(x, expected):
    assert round_r(np.array([x]))[0] == expected


@pytest.mark.parametrize(
    ("x", "r_result", "python_result"),
    [
        # 0.005 is stored as 0.005000000000000000104; R's differences 0.01 - x and x - 0 are
        # the same double, a tie, and floor(0.5) = 0 is even: R gives 0, Python 0.01.
        (0.005, 0.0, 0.01),
        # 0.155 (0.15499999999999999889): 0.16 - x == x - 0.15 in doubles, floor(15.5) odd: up
        (0.155, 0.16, 0.15),
        (0.065, 0.06, 0.07),
        (-0.155, -0.16, -0.15),
    ],
)
def test_r_and_python_differ_within_an_ulp_of_a_tie(x, r_result, python_result):
    assert round(x, 2) == python_result
    assert round_r(np.array([x]))[0] == r_result


def test_other_digits_follow_the_same_rule():
    # 0.15 and 0.35 are stored just below the tie (down); 0.25 is an exact tie, floor 2 even
    # (down); 0.45 is stored just above the tie but 0.5 - x and x - 0.4 are the same double,
    # a tie, and floor(4.5) = 4 is even (down, where Python's round gives 0.5)
    assert round_r(np.array([0.15, 0.25, 0.35, 0.45]), 1).tolist() == [0.1, 0.2, 0.3, 0.4]
    assert round(0.45, 1) == 0.5
    assert round_r(np.array([2.5, 3.5, -2.5]), 0).tolist() == [2.0, 4.0, -2.0]


def test_negative_zero_becomes_zero_and_missing_stays_missing():
    out = round_r(np.array([-0.001, np.nan, np.inf, -np.inf]))
    assert out[0] == 0.0 and not np.signbit(out[0])
    assert np.isnan(out[1])
    assert out[2] == np.inf and out[3] == -np.inf


def test_results_are_rounded_in_the_api():
    # boys day 44, 50 cm lying: (50/56.4833 - 1)/0.03492 = -3.28702 (WHO anthro test value)
    res = anthro_zscore_row(sex=1, age_days=44, lenhei=50, measure="l")
    assert res["zlen"] == -3.29
