"""Permenkes 2/2020 categories: band edges exactly as the regulation's table (domain.md 2.3)."""

import numpy as np
import pytest

from tumbuh.growth import categories as c

NAN = float("nan")


@pytest.mark.parametrize(
    ("z", "code"),
    [
        (-3.01, "severely_underweight"),
        (-3.0, "underweight"),  # "-3 to < -2" includes -3
        (-2.01, "underweight"),
        (-2.0, "normal"),  # "-2 to +1" includes both ends
        (1.0, "normal"),
        (1.01, "risk_of_overweight"),  # "> +1"
        (NAN, ""),
    ],
)
def test_weight_for_age(z, code):
    assert c.weight_for_age_category([z]).tolist() == [code]


@pytest.mark.parametrize(
    ("z", "code"),
    [
        (-3.01, "severely_stunted"),
        (-3.0, "stunted"),
        (-2.01, "stunted"),
        (-2.0, "normal"),
        (3.0, "normal"),
        (3.01, "tall"),
        (NAN, ""),
    ],
)
def test_length_for_age(z, code):
    assert c.length_for_age_category([z]).tolist() == [code]


WFL_CASES = [
    (-3.01, "severely_wasted"),
    (-3.0, "wasted"),
    (-2.01, "wasted"),
    (-2.0, "normal"),
    (1.0, "normal"),
    (1.01, "possible_risk_of_overweight"),
    (2.0, "possible_risk_of_overweight"),  # "> +1 to +2" includes +2
    (2.01, "overweight"),
    (3.0, "overweight"),
    (3.01, "obese"),
    (NAN, ""),
]


@pytest.mark.parametrize(("z", "code"), WFL_CASES)
def test_weight_for_length(z, code):
    assert c.weight_for_length_category([z]).tolist() == [code]


@pytest.mark.parametrize(("z", "code"), WFL_CASES)
def test_bmi_for_age_under_60_months_uses_the_same_six_bands(z, code):
    assert c.bmi_for_age_category([z], [59.99]).tolist() == [code]


@pytest.mark.parametrize(
    ("z", "code"),
    [
        (-3.01, "severely_thin"),
        (-3.0, "thin"),
        (-2.01, "thin"),
        (-2.0, "normal"),
        (1.0, "normal"),
        (1.01, "overweight"),
        (2.0, "overweight"),
        (2.01, "obese"),  # 5-18 y: "> +2" is obese
        (NAN, ""),
    ],
)
def test_bmi_for_age_from_60_months(z, code):
    assert c.bmi_for_age_category([z], [60]).tolist() == [code]


def test_bmi_for_age_needs_the_age_and_broadcasts():
    out = c.bmi_for_age_category(np.array([2.5, 2.5, 2.5]), np.array([30, 120, np.nan]))
    assert out.tolist() == ["overweight", "obese", ""]
    assert c.bmi_for_age_category([2.5, 0.0], 70).tolist() == ["obese", "normal"]


def test_vectorised_over_arrays():
    z = np.array([-4, -2.5, 0, 1.5, NAN])
    assert c.weight_for_age_category(z).tolist() == [
        "severely_underweight",
        "underweight",
        "normal",
        "risk_of_overweight",
        "",
    ]


def every_code():
    z = np.array([-4, -2.5, 0, 1.5, 2.5, 3.5])
    codes = set()
    codes |= set(c.weight_for_age_category(z))
    codes |= set(c.length_for_age_category(z))
    codes |= set(c.weight_for_length_category(z))
    codes |= set(c.bmi_for_age_category(z, 100))
    return codes


def test_every_code_has_labels_and_a_severity():
    codes = every_code()
    assert codes == set(c.LABELS) == set(c.SEVERITY)
    assert all(set(v) == {"id", "en"} for v in c.LABELS.values())
    assert set(c.SEVERITY.values()) <= {"red", "orange", "yellow", "green", "blue"}


def test_official_labels():
    assert c.LABELS["severely_wasted"] == {"id": "Gizi buruk", "en": "Severely wasted"}
    assert c.LABELS["severely_stunted"]["id"] == "Sangat pendek"
    assert c.LABELS["stunted"] == {"id": "Pendek", "en": "Stunted"}
    assert c.label("bb_u", "normal") == "Berat badan normal"
    assert c.label("pb_u", "normal") == "Normal"
    assert c.label("bb_pb", "normal") == "Gizi baik"
    assert c.label("imt_u_5_18", "obese") == "Obesitas"
    assert c.label("imt_u", "possible_risk_of_overweight") == "Berisiko gizi lebih"
    assert c.label("bb_u", "") == ""
    assert c.SEVERITY["severely_wasted"] == "red" and c.SEVERITY["normal"] == "green"
