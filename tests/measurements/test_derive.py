"""derive(): every derived field from the growth engine, for children whose z-scores we set by
construction with the engine's own inverse (value_for_z)."""

import datetime as dt

import pytest

from tumbuh import growth
from tumbuh.measurements.models import Measurement
from tumbuh.measurements.services import derive


def at_z(indicator, sex, x, z):
    return float(growth.value_for_z(indicator, sex, x, z))


@pytest.fixture
def boy(make_child):
    return make_child("Budi", sex="M", age_days=400)


def unsaved(child, days_after_birth, **values):
    return Measurement(child=child, desa_id=child.desa_id,
                       measured_on=child.birth_date + dt.timedelta(days=days_after_birth), **values)


def test_stunted_boy_of_normal_weight_for_length(boy):
    length = round(at_z("lhfa", 1, 400, -2.5), 1)
    weight = round(at_z("wfl", 1, length, 0.0), 2)
    m = unsaved(boy, 400, weight_kg=weight, length_cm=length, position="l")
    derive([m])
    assert m.age_days == 400
    assert m.length_adjusted_cm == pytest.approx(length)
    assert m.bmi == pytest.approx(weight / (length / 100) ** 2)
    assert m.length_for_age_z == pytest.approx(-2.5, abs=0.02)
    assert m.weight_for_length_z == pytest.approx(0.0, abs=0.02)
    assert m.length_for_age_category == "stunted"
    assert m.weight_for_length_category == "normal"
    assert m.length_for_age_flag is False and m.weight_for_age_flag is False
    assert m.position_flag is False
    assert m.is_stunted
    assert m.warnings == []


def test_severe_categories_and_red_line(boy):
    length = round(at_z("lhfa", 1, 400, -3.4), 1)
    weight = round(at_z("wfa", 1, 400, -3.5), 2)
    m = unsaved(boy, 400, weight_kg=weight, length_cm=length, position="l")
    derive([m])
    assert m.length_for_age_category == "severely_stunted"
    assert m.weight_for_age_category == "severely_underweight"
    assert m.below_red_line is True


def test_head_and_arm_circumference(boy):
    head = round(at_z("hcfa", 1, 400, 1.0), 1)
    arm = round(at_z("acfa", 1, 400, -1.0), 1)
    m = unsaved(boy, 400, weight_kg=9.5, head_circumference_cm=head, arm_circumference_cm=arm)
    derive([m])
    assert m.head_circumference_for_age_z == pytest.approx(1.0, abs=0.03)
    assert m.arm_circumference_for_age_z == pytest.approx(-1.0, abs=0.03)
    assert m.length_for_age_z is None and m.length_for_age_category == ""


def test_lying_after_24_months_subtracts_and_warns(make_child):
    girl = make_child("Sari", sex="F", age_days=900)
    m = unsaved(girl, 900, weight_kg=11.5, length_cm=86.0, position="l")
    derive([m])
    assert m.length_adjusted_cm == pytest.approx(85.3)
    assert [w["code"] for w in m.warnings] == ["lying_after_24m"]
    assert "0,7 cm" in m.warning_texts[0] or "0.7 cm" in m.warning_texts[0]


def test_standing_before_9_months_sets_position_flag(make_child):
    baby = make_child("Bayi", sex="F", age_days=150)
    m = unsaved(baby, 150, weight_kg=6.2, length_cm=62.0, position="h")
    derive([m])
    assert m.position_flag is True
    assert [w["code"] for w in m.warnings] == ["standing_before_9m"]


def test_implausible_z_is_flagged_warned_and_not_categorised(boy):
    m = unsaved(boy, 400, weight_kg=3.0, length_cm=75.0, position="l")
    derive([m])
    assert m.weight_for_age_flag is True
    assert m.weight_for_age_z < -6
    assert m.weight_for_age_category == ""
    assert any(w["code"] == "implausible" and w["indicator"] == "BB/U" for w in m.warnings)


def test_oedema_blanks_weight_z_but_counts_as_severe(boy):
    m = unsaved(boy, 400, weight_kg=9.0, length_cm=75.0, position="l", oedema=True)
    derive([m])
    assert m.weight_for_age_z is None and m.weight_for_length_z is None
    assert m.length_for_age_z is not None
    # WHO anthro_prevalence counts oedema below -3 SD for the weight indices.
    assert m.weight_for_length_category == "severely_wasted"
    assert m.weight_for_age_category == "severely_underweight"


def test_derive_many_rows_in_one_call_keeps_series_warnings(boy, make_child):
    girl = make_child("Sari", sex="F", age_days=700)
    kept = {"code": "length_decrease", "previous_cm": 80.0, "drop_cm": 2.0, "previous_on": "2026-01-01"}
    rows = [unsaved(boy, 200, weight_kg=8.0, length_cm=68.0, position="l", warnings=[kept]),
            unsaved(girl, 650, weight_kg=10.0, length_cm=80.0, position="l")]
    derive(rows)
    assert rows[0].age_days == 200 and rows[1].age_days == 650
    assert rows[0].warnings == [kept]
    assert rows[1].weight_for_age_z is not None
