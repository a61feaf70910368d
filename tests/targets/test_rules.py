"""The target-group rules at their boundaries (pure functions, no database)."""

import datetime as dt
import json

import pytest

from tumbuh.targets import rules

D = dt.date


def catin(**kw):
    base = {"sex": "F", "age": 25, "weight_kg": 55.0, "height_cm": 158.0, "lila_cm": 25.0, "hb_gdl": 12.5}
    return rules.catin_risk(**{**base, **kw})


def test_cutoff_file_has_a_version_and_a_source_for_every_value():
    data = json.loads(rules.CUTOFFS_PATH.read_text())
    assert data["version"]
    for group in ("catin", "pregnancy", "birth", "nifas", "remaja", "krs"):
        for name, entry in data[group].items():
            assert "value" in entry and entry.get("source"), (group, name)


def test_catin_green_when_everything_is_fine_and_keeps_the_rule_version():
    r = catin()
    assert not r.at_risk and r.reasons == () and r.version == rules.version()
    assert r.bmi == 22.0


@pytest.mark.parametrize("weight, risky", [(46.1, False), (46.0, True)])  # 158 cm: IMT 18.47 / 18.5
def test_catin_bmi_boundary(weight, risky):
    # 46.1 / 1.58^2 = 18.47 -> rounded 18.5 is not < 18.5; 46.0 -> 18.4 is.
    assert (rules.BMI_LOW in catin(weight_kg=weight).reasons) is risky


@pytest.mark.parametrize("lila, risky", [(23.5, False), (23.4, True)])
def test_catin_lila_boundary(lila, risky):
    assert (rules.LILA_LOW in catin(lila_cm=lila).reasons) is risky
    assert catin(lila_cm=lila).at_risk is risky


@pytest.mark.parametrize("hb, risky", [(11.0, False), (10.9, True)])
def test_catin_hb_boundary_is_bkkbns_11(hb, risky):
    assert (rules.HB_LOW in catin(hb_gdl=hb).reasons) is risky


def test_catin_lila_and_hb_do_not_apply_to_men():
    r = catin(sex="M", lila_cm=20.0, hb_gdl=10.0)
    assert not r.at_risk


@pytest.mark.parametrize("age, reason", [(19, rules.AGE_YOUNG), (20, None), (35, None), (36, rules.AGE_OLD)])
def test_catin_age_boundaries(age, reason):
    r = catin(age=age)
    assert r.reasons == ((reason,) if reason else ())


def test_age_years_and_months_count_completed_units():
    assert rules.age_years(D(2000, 3, 1), D(2020, 2, 29)) == 19
    assert rules.age_years(D(2000, 3, 1), D(2020, 3, 1)) == 20
    assert rules.age_months(D(2024, 1, 31), D(2024, 2, 29)) == 0
    assert rules.age_months(D(2024, 1, 15), D(2026, 1, 15)) == 24


def test_due_date_is_hpht_plus_280_days():
    assert rules.due_date(D(2026, 1, 1)) == D(2026, 10, 8)


@pytest.mark.parametrize("lila, kek", [(23.5, False), (23.49, True), (None, False)])
def test_kek(lila, kek):
    assert rules.is_kek(lila) is kek


@pytest.mark.parametrize("hb, anaemic", [(11.0, False), (10.99, True), (None, False)])
def test_anaemia_in_pregnancy(hb, anaemic):
    assert rules.is_anaemic_pregnant(hb) is anaemic


def four_t(**kw):
    base = {"mother_age": 25, "last_birth": None, "hpht": D(2026, 1, 1), "previous_children": 1}
    return rules.four_t(**{**base, **kw})


@pytest.mark.parametrize("age, flags", [(19, (rules.TOO_YOUNG,)), (20, ()), (34, ()), (35, (rules.TOO_OLD,))])
def test_four_t_age(age, flags):
    assert four_t(mother_age=age) == flags


@pytest.mark.parametrize("last, close", [(D(2024, 1, 2), True), (D(2024, 1, 1), False)])
def test_four_t_too_close_is_under_24_months(last, close):
    assert (rules.TOO_CLOSE in four_t(last_birth=last)) is close


@pytest.mark.parametrize("para, many", [(3, False), (4, True)])
def test_four_t_too_many_is_more_than_three(para, many):
    assert (rules.TOO_MANY in four_t(previous_children=para)) is many


@pytest.mark.parametrize("weeks, tm", [(0, 1), (12, 1), (13, 2), (24, 2), (25, 3), (40, 3)])
def test_trimester_boundaries(weeks, tm):
    assert rules.trimester(weeks) == tm


def test_k6_needs_six_contacts_with_the_trimester_minimums():
    hpht = D(2026, 1, 1)
    week = lambda w: hpht + dt.timedelta(weeks=w)  # noqa: E731
    good = [week(8), week(11), week(20), week(28), week(32), week(36)]
    s = rules.anc_summary(hpht, good)
    assert s.contacts == 6 and s.k6 and s.k1 and s.k4 and s.per_trimester == {1: 2, 2: 1, 3: 3}
    # Six contacts but only one in TM1: not K6.
    assert not rules.anc_summary(hpht, [week(8), week(16), week(20), week(28), week(32), week(36)]).k6
    # Same-day duplicates (posyandu and puskesmas) count once.
    dup = rules.anc_summary(hpht, [*good[:5], good[4]])
    assert dup.contacts == 5 and not dup.k6
    assert rules.anc_summary(hpht, []).k1 is False


@pytest.mark.parametrize("tablets, ok", [(89, False), (90, True)])
def test_ttd_90(tablets, ok):
    assert rules.ttd_complete(tablets) is ok


@pytest.mark.parametrize("grams, bblr", [(2499, True), (2500, False), (None, False)])
def test_bblr(grams, bblr):
    assert rules.is_bblr(grams) is bblr


@pytest.mark.parametrize("cm, short", [(47.9, True), (48.0, False)])
def test_short_at_birth(cm, short):
    assert rules.is_short_at_birth(cm) is short


@pytest.mark.parametrize("day, kf", [(0, 1), (2, 1), (3, 2), (7, 2), (8, 3), (28, 3), (29, 4), (42, 4), (43, None), (-1, None)])
def test_kf_windows(day, kf):
    d = D(2026, 3, 1)
    assert rules.kf_number(d, d + dt.timedelta(days=day)) == kf


def test_postpartum_phase():
    d = D(2026, 1, 1)
    assert rules.postpartum_phase(d, d + dt.timedelta(days=42)) == "nifas"
    assert rules.postpartum_phase(d, d + dt.timedelta(days=43)) == "menyusui"
    assert rules.postpartum_phase(d, D(2027, 12, 31)) == "menyusui"
    assert rules.postpartum_phase(d, D(2028, 1, 1)) == "done"


def test_exclusive_breastfeeding_to_six_months():
    assert rules.exclusive_to_six({m: True for m in range(1, 7)}) is True
    assert rules.exclusive_to_six({1: True, 2: False}) is False
    assert rules.exclusive_to_six({1: True, 2: True}) is None


@pytest.mark.parametrize("hb, anaemic", [(12.0, False), (11.9, True)])
def test_adolescent_anaemia_is_under_12(hb, anaemic):
    assert rules.is_anaemic_adolescent(hb) is anaemic


@pytest.mark.parametrize("age, ok", [(11, False), (12, True), (18, True), (19, False)])
def test_adolescent_age(age, ok):
    assert rules.is_adolescent_age(age) is ok


ON = D(2026, 6, 30)
WIFE = D(1996, 1, 1)


def krs(wife=WIFE, members=(), couple=True, water="pam", latrine="own_septic", **kw):
    return rules.derive_krs(rules.KrsInput(on=ON, members=tuple(members), wife_birth_date=wife, couple=couple,
                                           water_source=water, latrine=latrine, **kw))


def child(born, **kw):
    return rules.Member(born, "M", is_child_of_wife=True, **kw)


def test_krs_target_family_without_risk_is_not_krs():
    r = krs(members=[child(D(2025, 1, 1))])
    assert r.target and r.baduta == 1 and not r.risk_factors and not r.krs


@pytest.mark.parametrize("water, unsafe", [("pam", False), ("sumur_terlindungi", False), ("isi_ulang", False),
                                           ("sumur_tak_terlindungi", True), ("sungai", True)])
def test_krs_water(water, unsafe):
    r = krs(water=water)
    assert (rules.WATER_UNSAFE in r.risk_factors) is unsafe and r.krs is unsafe


@pytest.mark.parametrize("latrine, unsafe", [("own_septic", False), ("own_no_septic", True), ("shared", True), ("none", True)])
def test_krs_latrine(latrine, unsafe):
    assert (rules.LATRINE_UNSAFE in krs(latrine=latrine).risk_factors) is unsafe


@pytest.mark.parametrize("born, flag", [
    (D(2006, 7, 1), rules.WIFE_YOUNG),  # 19 on 30-06-2026
    (D(2006, 6, 30), None),  # 20
    (D(1991, 7, 1), None),  # 34
    (D(1991, 6, 30), rules.WIFE_OLD),  # 35
    (D(1986, 6, 30), rules.WIFE_OLD),  # 40
    (D(1985, 6, 30), None),  # 41: not 4T, still PUS
])
def test_krs_wife_age_4t(born, flag):
    r = krs(wife=born)
    assert r.risk_factors == ((flag,) if flag else ())
    assert r.pus


def test_krs_wife_50_is_not_pus_and_a_family_without_target_is_never_krs():
    r = krs(wife=D(1976, 1, 1), water="sungai")
    assert not r.pus and not r.target and not r.krs and rules.WATER_UNSAFE in r.risk_factors


def test_krs_spacing_and_number_of_children():
    close = krs(members=[child(D(2024, 7, 1)), child(D(2022, 7, 2))])
    assert close.youngest_spacing_months == 23 and rules.SPACING_CLOSE in close.risk_factors and close.krs
    apart = krs(members=[child(D(2024, 7, 2)), child(D(2022, 7, 2))])
    assert rules.SPACING_CLOSE not in apart.risk_factors
    three = krs(members=[child(D(2020, 1, 1)), child(D(2016, 1, 1)), child(D(2012, 1, 1))])
    four = krs(members=[child(D(2020, 1, 1)), child(D(2016, 1, 1)), child(D(2012, 1, 1)), child(D(2008, 1, 1))])
    assert rules.CHILDREN_MANY not in three.risk_factors and rules.CHILDREN_MANY in four.risk_factors


def test_krs_baduta_balita_boundaries_and_ageing_out():
    # 23 months on 30-06-2026: baduta; 24 months: balita; 60 months: neither.
    assert krs(members=[child(D(2024, 7, 1))]).baduta == 1
    r = krs(members=[child(D(2024, 6, 30))])
    assert r.baduta == 0 and r.balita == 1
    assert krs(members=[child(D(2021, 6, 30))], couple=False).target is False


def test_krs_pregnant_member_makes_a_target_family_even_without_a_couple():
    r = krs(wife=None, couple=False, members=[rules.Member(D(2000, 1, 1), "F", pregnant=True)], water="sungai")
    assert r.target and r.pregnant == 1 and r.krs


def test_unmet_need_is_stored_but_not_a_krs_criterion():
    r = krs(modern_contraception=False)
    assert r.unmet_need and not r.krs
    assert not krs(modern_contraception=True).unmet_need
    assert not krs(modern_contraception=None).unmet_need
    pregnant = krs(modern_contraception=False, members=[rules.Member(D(1996, 1, 1), "F", pregnant=True)])
    assert not pregnant.unmet_need


def test_krs_missing_criteria_are_reported_not_guessed():
    r = krs(water="", latrine="")
    assert r.missing == ("water_source", "latrine") and not r.risk_factors


def test_semesters():
    assert rules.semester_of(D(2026, 6, 30)) == "2026-S1"
    assert rules.semester_of(D(2026, 7, 1)) == "2026-S2"
    assert rules.semester_bounds("2026-S2") == (D(2026, 7, 1), D(2026, 12, 31))
