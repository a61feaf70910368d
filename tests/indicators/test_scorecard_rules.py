"""The scorecard's per-person rules at their boundaries, in both modes (pure functions)."""

from __future__ import annotations

import pytest

from tumbuh.indicators import scorecard as sc
from tumbuh.indicators.scorecard import ND, TS, ChildFacts, MotherFacts, T, Y


def mother(**kw) -> MotherFacts:
    base = {"gest_days": 20 * 7, "water": True, "latrine": True, "jkn": True}
    return MotherFacts(**{**base, **kw})


@pytest.mark.parametrize("weeks, tm", [(0, 1), (12, 1), (13, 2), (24, 2), (25, 3), (40, 3)])
def test_trimester_by_completed_weeks(weeks, tm):
    assert sc.trimester(weeks * 7 + 6, "benar") == tm


@pytest.mark.parametrize("days, tm", [(91, 1), (121, 1), (122, 2), (213, 2), (214, 3)])
def test_trimester_opensid_by_completed_months(days, tm):
    # OpenSID: usia_kehamilan in months, <= 3 TM1, <= 6 TM2, else TM3 (121 days = 3.98 months)
    assert sc.trimester(days, "opensid") == tm


def test_anc_tm3_needs_four_contacts_as_the_label_says():
    tm3 = 32 * 7  # TM3 in both counts (OpenSID: month 7 and later)
    assert sc.mother_items(mother(gest_days=tm3, anc_in_q=2, anc_total=3), "benar")["anc"] == T
    assert sc.mother_items(mother(gest_days=tm3, anc_in_q=0, anc_total=4), "benar")["anc"] == Y
    # OpenSID: two records in the quarter are enough, whatever the total
    assert sc.mother_items(mother(gest_days=tm3, anc_in_q=2, anc_total=2), "opensid")["anc"] == Y
    assert sc.mother_items(mother(gest_days=tm3, anc_in_q=1, anc_total=6), "opensid")["anc"] == T


def test_anc_tm1_2_one_visit_in_the_quarter():
    for mode in sc.MODES:
        assert sc.mother_items(mother(gest_days=10 * 7, anc_in_q=1), mode)["anc"] == Y
        assert sc.mother_items(mother(gest_days=10 * 7, anc_in_q=0, anc_total=3), mode)["anc"] == T


def test_fe_90_tablets_by_the_third_trimester():
    tm3 = 32 * 7
    assert sc.mother_items(mother(gest_days=tm3, ttd_records_in_q=2, ttd_total=89), "benar")["ttd"] == T
    assert sc.mother_items(mother(gest_days=tm3, ttd_records_in_q=0, ttd_total=90), "benar")["ttd"] == Y
    assert sc.mother_items(mother(gest_days=tm3, ttd_records_in_q=1, ttd_total=30), "opensid")["ttd"] == Y
    assert sc.mother_items(mother(gest_days=tm3, ttd_records_in_q=0, ttd_total=120), "opensid")["ttd"] == T


def test_counselling_tm3_twice():
    assert sc.mother_items(mother(gest_days=26 * 7, counsel_in_q=1))["konseling"] == T
    assert sc.mother_items(mother(gest_days=26 * 7, counsel_in_q=2))["konseling"] == Y
    assert sc.mother_items(mother(gest_days=24 * 7, counsel_in_q=1))["konseling"] == Y


def test_home_visit_non_kek_mother_is_ts_not_t():
    plain = mother(kek=False, risti=False, home_visits_in_q=0)
    assert sc.mother_items(plain, "benar")["kunjungan_rumah"] == TS
    assert sc.mother_items(plain, "opensid")["kunjungan_rumah"] == T  # OpenSID's defect, reproduced
    for mode in sc.MODES:
        assert sc.mother_items(mother(kek=True, home_visits_in_q=0), mode)["kunjungan_rumah"] == T
        assert sc.mother_items(mother(risti=True, home_visits_in_q=1), mode)["kunjungan_rumah"] == Y


def test_delivered_mother_only_nifas_and_household_items():
    items = sc.mother_items(mother(delivered=True, kf_count=2))
    assert items == {"anc": TS, "ttd": TS, "konseling": TS, "nifas": T, "kunjungan_rumah": TS,
                     "air": Y, "jamban": Y, "jkn": Y}
    assert sc.mother_items(mother(delivered=True, kf_count=3))["nifas"] == Y
    assert sc.mother_items(mother(delivered=False))["nifas"] == TS


def test_unrecorded_household_is_no_data_not_t():
    m = mother(water=None, latrine=False, jkn=None)
    assert [sc.mother_items(m, "benar")[k] for k in ("air", "jamban", "jkn")] == [ND, T, ND]
    assert [sc.mother_items(m, "opensid")[k] for k in ("air", "jamban", "jkn")] == [T, T, T]


def child(**kw) -> ChildFacts:
    base = {"age_months": 9, "water": True, "latrine": True, "jkn": True, "nutrition": frozenset()}
    return ChildFacts(**{**base, **kw})


@pytest.mark.parametrize("age, band", [(0, 1), (5, 1), (6, 2), (12, 2), (13, 3), (17, 3), (18, 4), (23, 4)])
def test_age_bands(age, band):
    assert sc.child_band(age) == band


def test_under_six_months_only_home_visit_height_and_household():
    items = sc.child_items(child(age_months=5, lengths_in_q=1, nutrition=frozenset({"S"}), home_visits_in_q=2))
    assert items["imunisasi"] == items["penimbangan"] == items["konseling_ibu"] == items["pengasuhan"] == TS
    assert items["kunjungan_rumah"] == Y and items["ukur_tinggi"] == Y


@pytest.mark.parametrize("age, need", [(6, 5), (12, 5), (13, 8), (17, 8), (18, 15), (23, 15)])
def test_weighing_thresholds_per_band(age, need):
    assert sc.child_items(child(age_months=age, weighings_to_end=need - 1))["penimbangan"] == T
    assert sc.child_items(child(age_months=age, weighings_to_end=need))["penimbangan"] == Y
    assert sc.child_items(child(age_months=age, counsel_to_end=need))["konseling_ibu"] == Y
    assert sc.child_items(child(age_months=age, counsel_to_end=need - 1))["konseling_ibu"] == T


def test_counts_after_the_quarter_count_only_in_opensid_mode():
    f = child(age_months=8, weighings_to_end=4, weighings_all=5, immunised_to_end=False, immunised_all=True,
              parenting_to_end=4, parenting_year=5)
    benar, opensid = sc.child_items(f, "benar"), sc.child_items(f, "opensid")
    assert (benar["penimbangan"], benar["imunisasi"], benar["pengasuhan"]) == (T, T, T)
    assert (opensid["penimbangan"], opensid["imunisasi"], opensid["pengasuhan"]) == (Y, Y, Y)


def test_child_home_visits_only_for_gk_gb_s():
    normal = child(nutrition=frozenset(), home_visits_in_q=0)
    assert sc.child_items(normal, "benar")["kunjungan_rumah"] == TS
    assert sc.child_items(normal, "opensid")["kunjungan_rumah"] == T
    for tag in ("GK", "GB", "S"):
        assert sc.child_items(child(nutrition=frozenset({tag}), home_visits_in_q=1))["kunjungan_rumah"] == T
        assert sc.child_items(child(nutrition=frozenset({tag}), home_visits_in_q=2))["kunjungan_rumah"] == Y
    assert sc.child_items(child(nutrition=None))["kunjungan_rumah"] == ND


def test_no_source_items_are_no_data_in_both_modes():
    for mode in sc.MODES:
        assert sc.child_items(child(), mode)["akta"] == ND
    assert sc.paud_items() == {"paud": ND}
    assert not sc.has_source("akta") and not sc.has_source("paud") and sc.has_source("anc")


def test_nineteen_items():
    assert sum(len(sc.group_items(g)) for g in ("bumil", "anak", "paud")) == 19


@pytest.mark.parametrize("haz, mat", [(None, "TD"), (-2.01, "M"), (-2.0, "K"), (-1.01, "K"), (-1.0, "H"), (1.5, "H")])
def test_growth_mat(haz, mat):
    assert sc.growth_mat(haz) == mat


def test_person_score_and_pooled_level():
    a = {"x": Y, "y": T, "z": TS, "w": ND}
    assert sc.person_score(a).received == 1 and sc.person_score(a).expected == 2
    assert sc.complete_package(a) is False and sc.complete_package({"x": Y, "z": TS}) is True
    assert sc.complete_package({"z": TS}) is None
    rows = [sc.mother_items(mother(delivered=True, kf_count=3)),  # 4 applicable, 4 Y
            sc.mother_items(mother(gest_days=10 * 7, water=False))]  # 7 applicable (TS nifas, TS home visit)
    s = sc.summarise("bumil", rows)
    assert s.people == 2 and s.complete == 1
    anc = next(i for i in s.items if i.item == "anc")
    assert anc.counts == {Y: 0, T: 1, TS: 1, ND: 0} and anc.percent == 0.0
    # pooled: Y over every applicable item of everyone (OpenSID's tingkat konvergensi)
    assert (s.score.received, s.score.expected) == (4 + 2, 4 + 6)
