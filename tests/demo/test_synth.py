"""The generator on its own (no database): determinism, identity numbers, growth realism."""

import datetime as dt
import functools

import numpy as np
import pandas as pd
import pytest

from tumbuh.demo.synth import Kecamatan, build_plan, identity_numbers, swap_tens_and_units
from tumbuh.registry.nik import check_nik_against, parse_nik

TODAY = dt.date(2026, 11, 23)
BONTANG = [
    Kecamatan("64.74.01", "Bontang Utara", [(f"64.74.01.100{i}", f"Kel U{i}") for i in range(1, 7)]),
    Kecamatan("64.74.02", "Bontang Selatan", [(f"64.74.02.100{i}", f"Kel S{i}") for i in range(1, 7)]),
    Kecamatan("64.74.03", "Bontang Barat", [(f"64.74.03.100{i}", f"Kel B{i}") for i in range(1, 4)]),
]


@functools.cache
def plan(children=10000, seed=42):
    return build_plan(BONTANG, children=children, seed=seed, months=24, today=TODAY)


def latest(p):
    return p.measurements.sort_values(["child", "measured_on"]).groupby("child").tail(1)


def test_same_seed_same_data_other_seed_other_data():
    a = build_plan(BONTANG, children=500, seed=7, months=24, today=TODAY)
    b = build_plan(BONTANG, children=500, seed=7, months=24, today=TODAY)
    c = build_plan(BONTANG, children=500, seed=8, months=24, today=TODAY)
    pd.testing.assert_frame_equal(a.measurements, b.measurements)
    pd.testing.assert_frame_equal(a.children, b.children)
    assert not a.children.birth_date.equals(c.children.birth_date)


def test_structure_of_the_kota():
    p = plan()
    assert len(p.children) == 10000
    assert 4 <= len(p.puskesmas) <= 8
    # Every kelurahan is served by exactly one puskesmas of its own kecamatan.
    area = p.service_area.merge(p.puskesmas, left_on="puskesmas", right_index=True)
    assert sorted(area.desa_code) == sorted(code for k in BONTANG for code, _ in k.desa)
    assert (area.desa_code.str[:8] == area.kecamatan_code).all()
    per_desa = p.posyandu.groupby("desa_code").size()
    assert per_desa.between(5, 12).all() and len(per_desa) == 15
    assert not p.posyandu.duplicated(["desa_code", "name"]).any()
    assert p.posyandu.name.str.match(r"^Posyandu [A-Z][A-Za-z ]+ \d$").all()


def test_children_are_under_five_and_measured_after_birth_up_to_today():
    p = plan()
    birth = p.children.birth_date.to_numpy()
    assert ((np.datetime64(TODAY) - birth) // np.timedelta64(1, "D") < 1826).all()
    m = p.measurements
    assert (m.age_days >= 3).all()
    assert (m.measured_on <= pd.Timestamp(TODAY)).all()
    assert set(m.child) == set(range(len(p.children)))
    assert not m.duplicated(["child", "measured_on"]).any()
    # Most children's last visit is within the last two months.
    last = latest(p).measured_on
    assert (last >= pd.Timestamp(TODAY - dt.timedelta(days=62))).mean() > 0.85
    # No child has more monthly visits than the window.
    assert m.groupby("child").size().max() <= 24


def test_attendance_is_between_75_and_85_percent():
    p = plan()
    visits = p.measurements.groupby("child").size().sum()
    assert 0.75 <= visits / p.children.eligible_sessions.sum() <= 0.85


def test_stunting_near_bontang_figure_and_uneven_across_posyandu():
    p = plan()
    last = latest(p)
    stunted = last.latent_laz < -2
    assert 0.17 <= stunted.mean() <= 0.24  # EPPGBM August 2024: 20.6%
    by_posyandu = stunted.groupby(last.posyandu).mean()
    assert by_posyandu.max() > 0.35 and by_posyandu.min() < 0.12
    hotspots = p.posyandu.hotspot.to_numpy()
    assert by_posyandu[hotspots].mean() > by_posyandu[~hotspots].mean() + 0.05
    # Stunting accumulates with age: more among 2-5 year olds than among infants.
    older = last.age_days >= 730
    assert stunted[older].mean() > stunted[last.age_days < 365].mean() + 0.05


def test_position_lying_under_two_years_with_a_few_exceptions():
    m = plan().measurements
    infants = m.age_days < 731
    wrong = (infants & (m.position == "h")) | (~infants & (m.position == "l"))
    assert 0.005 < wrong.mean() < 0.03


def test_some_posyandu_heap_lengths_on_whole_and_half_centimetres():
    p = plan()
    m = p.measurements.merge(p.posyandu[["digit_preference"]], left_on="posyandu", right_index=True)
    on_half = np.isclose((m.length_cm * 2) % 1, 0)
    assert on_half[m.digit_preference].mean() > 0.7
    assert on_half[~m.digit_preference].mean() < 0.35


def test_a_handful_of_gross_errors_and_falling_heights():
    m = plan().measurements.sort_values(["child", "measured_on"])
    assert 20 <= m.gross_error.sum() <= 200
    drop = m.groupby("child").length_cm.diff()
    same_position = m.position.eq(m.groupby("child").position.shift())
    assert ((drop < -2) & same_position).sum() >= 20


def test_identity_numbers_valid_unique_and_match_sex_and_birth():
    p = plan()
    children = p.children[p.children.nik != ""]
    assert 0.8 < len(children) / len(p.children) < 0.95  # some children have no NIK yet
    mothers = p.mothers[p.mothers.nik != ""]
    everyone = pd.concat([children.nik, mothers.nik])
    assert everyone.is_unique
    kecamatan = {k.code for k in BONTANG}
    for row in children.itertuples():
        assert parse_nik(row.nik).kecamatan_code in kecamatan
        birth = pd.Timestamp(row.birth_date).date()
        assert check_nik_against(row.nik, sex=row.sex, birth_date=birth) == []
    for row in mothers.itertuples():
        assert check_nik_against(row.nik, sex="F", birth_date=pd.Timestamp(row.birth_date).date()) == []
    assert p.households.kk_number.is_unique
    assert p.households.kk_number.str.fullmatch(r"\d{16}").all()


def test_identity_numbers_count_serials_per_prefix():
    dates = np.array(["2024-03-05", "2024-03-05", "2024-03-06"], dtype="datetime64[D]")
    numbers = identity_numbers(np.array(["647401"] * 3), dates, np.array([True, True, False]))
    assert list(numbers) == ["6474014503240001", "6474014503240002", "6474010603240001"]


@pytest.mark.parametrize(("typed", "slipped"), [(87.4, 78.4), (77.2, 67.2), (105.3, 150.3), (49.0, 94.0)])
def test_swap_tens_and_units(typed, slipped):
    assert swap_tens_and_units(np.array([typed]))[0] == pytest.approx(slipped)


def test_mothers_are_adults_at_their_childrens_birth():
    p = plan()
    merged = p.children.merge(p.mothers, left_on="mother", right_index=True, suffixes=("", "_mother"))
    age_years = (merged.birth_date - merged.birth_date_mother).dt.days / 365.25
    assert age_years.between(16.5, 50).all()
    assert (merged.desa_code == merged.desa_code_mother).all()
