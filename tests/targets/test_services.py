"""Writes: derived verdicts stored with their rule version, pregnancy -> birth linking, KRS
re-derivation when members change, records following a person who moves, scope refusals."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tumbuh.audit.models import AuditEvent
from tumbuh.registry import services as registry_services
from tumbuh.registry.models import Person
from tumbuh.registry.testing import Role, make_household, make_person, make_user
from tumbuh.targets import rules, selectors, services
from tumbuh.targets.models import KrsSnapshot, Postpartum, Pregnancy

TODAY = timezone.localdate()


def years_ago(n, days=0):
    return TODAY.replace(year=TODAY.year - n) - dt.timedelta(days=days)


@pytest.fixture
def admin(db):
    return make_user("admin_t", Role.ADMIN)


@pytest.fixture
def family(regions):
    hh = make_household(desa=regions["desa1"], kk_number="6474010101010001")
    mother = make_person(name="Siti Contoh", sex="F", birth_date=years_ago(27), desa=regions["desa1"],
                         posyandu=regions["pos1"], household=hh)
    return hh, mother


def test_catin_screening_stores_result_reasons_and_rule_version(kec1_user, family):
    _, woman = family
    s = services.screen_catin(kec1_user, woman, {"screened_on": TODAY, "weight_kg": 44.0, "height_cm": 158.0,
                                                 "lila_cm": 23.0, "hb_gdl": 12.0})
    assert s.at_risk and s.reasons == ["bmi_low", "lila_low"] and s.rule_version == rules.version()
    assert s.bmi == 17.6 and s.age_years == 27 and s.desa_id == woman.desa_id
    assert AuditEvent.objects.filter(action="create", object_type="targets.catinscreening").exists()


def test_implausible_values_are_refused_with_indonesian_messages_and_nothing_saved(kec1_user, family):
    _, woman = family
    with pytest.raises(services.InputError) as exc:
        services.screen_catin(kec1_user, woman, {"screened_on": TODAY, "weight_kg": 55000.0, "hb_gdl": 115.0})
    text = str(exc.value)
    assert "gram" in text.lower() or "55" in text
    fields = {p.field for p in exc.value.problems}
    assert {"weight_kg", "hb_gdl"} <= fields
    assert not selectors.catin_for(kec1_user).exists()


def test_scope_refuses_a_person_outside(kec2_user, family):
    _, woman = family
    with pytest.raises(PermissionDenied):
        services.register_pregnancy(kec2_user, woman, {"hpht": TODAY - dt.timedelta(weeks=10)})
    assert not Pregnancy.objects.exists()


def test_pregnancy_four_t_kek_anaemia_visits_k6_and_ttd(kec1_user, regions):
    hh = make_household(desa=regions["desa1"])
    mother = make_person(name="Ani Muda", sex="F", birth_date=years_ago(19, days=-200), desa=regions["desa1"],
                         posyandu=regions["pos1"], household=hh)
    hpht = TODAY - dt.timedelta(weeks=37)
    p = services.register_pregnancy(kec1_user, mother, {"hpht": hpht, "gravida": 2, "para": 1,
                                                        "last_birth_on": hpht - dt.timedelta(days=400), "lila_cm": 22.0})
    assert p.due_on == hpht + dt.timedelta(days=280)
    assert set(p.four_t) == {"too_young", "too_close"} and p.kek and p.high_risk and not p.anaemia
    for week, hb in [(8, None), (11, 10.5), (20, None), (28, None), (32, None), (36, 11.2)]:
        services.add_anc_visit(kec1_user, p, {"visited_on": hpht + dt.timedelta(weeks=week), "place": "posyandu",
                                              "hb_gdl": hb, "ttd_given": 15})
        p.refresh_from_db()
        if week == 11:
            assert p.anaemia
    assert p.anc_contacts == 6 and p.k6 and p.ttd_total == 90 and not p.anaemia  # latest Hb 11.2


def test_anc_visit_before_hpht_is_refused(kec1_user, family):
    _, mother = family
    p = services.register_pregnancy(kec1_user, mother, {"hpht": TODAY - dt.timedelta(weeks=10)})
    with pytest.raises(services.InputError):
        services.add_anc_visit(kec1_user, p, {"visited_on": TODAY - dt.timedelta(weeks=12)})
    assert p.visits.count() == 0


def test_live_birth_creates_the_child_linked_to_mother_and_household_with_flags(kec1_user, family):
    hh, mother = family
    p = services.register_pregnancy(kec1_user, mother, {"hpht": TODAY - dt.timedelta(weeks=39)})
    born = TODAY - dt.timedelta(days=3)
    births = services.record_outcome(kec1_user, p, outcome="live_birth", outcome_on=born,
                                     births=[{"name": "Bayi Ny Siti", "sex": "F", "weight_g": 2450, "length_cm": 47.5}])
    (b,) = births
    child = Person.objects.get(pk=b.child_id)
    assert child.mother == mother and child.household == hh and child.birth_date == born
    assert child.birth_weight_kg == 2.45 and child.birth_length_cm == 47.5 and child.posyandu_id == mother.posyandu_id
    assert b.bblr and b.short
    pp = Postpartum.objects.get(pregnancy=p)
    assert pp.delivered_on == born
    assert services.add_kf_visit(kec1_user, pp, TODAY).kf_number == 2
    # The mother's timeline: pregnancy -> birth -> after birth; her children list has the baby.
    kinds = [e["kind"] for e in selectors.timeline(kec1_user, mother)]
    assert kinds == ["pregnancy", "birth", "postpartum"]
    assert list(selectors.children_of(kec1_user, mother)) == [child]


def test_live_birth_links_an_existing_child(kec1_user, family, regions):
    hh, mother = family
    p = services.register_pregnancy(kec1_user, mother, {"hpht": TODAY - dt.timedelta(weeks=40)})
    baby = make_person(name="Bayi Terdaftar", sex="M", birth_date=TODAY - dt.timedelta(days=1),
                       desa=regions["desa1"], household=hh)
    services.record_outcome(kec1_user, p, outcome="live_birth", outcome_on=TODAY - dt.timedelta(days=1),
                            births=[{"child": baby, "weight_g": 3100, "length_cm": 49.0}])
    baby.refresh_from_db()
    assert baby.mother == mother and baby.birth_weight_kg == 3.1 and not baby.birth_record.bblr


def test_birth_weight_typed_in_kg_is_refused_with_the_fix(kec1_user, family):
    _, mother = family
    p = services.register_pregnancy(kec1_user, mother, {"hpht": TODAY - dt.timedelta(weeks=39)})
    with pytest.raises(services.InputError) as exc:
        services.record_outcome(kec1_user, p, outcome="live_birth", outcome_on=TODAY,
                                births=[{"name": "Bayi", "sex": "M", "weight_g": 3.2}])
    assert "3200" in str(exc.value) or "3.200" in str(exc.value)
    p.refresh_from_db()
    assert p.outcome == "" and not Person.objects.filter(name="Bayi").exists()


def test_krs_snapshot_stores_every_criterion_and_is_rederived_when_members_change(kec1_user, family, regions):
    hh, mother = family
    period = rules.semester_of(TODAY)
    snap = services.save_krs(kec1_user, hh, period, {"water_source": "pam", "latrine": "own_septic",
                                                     "modern_contraception": False, "welfare": "ks1"})
    assert snap.pus and snap.target and not snap.krs and snap.unmet_need and snap.wife == mother
    assert snap.rule_version == rules.version() and snap.welfare == "ks1"
    # A new pregnancy: unmet need ends; a baby born with a close spacing makes the family KRS.
    make_person(name="Kakak", sex="M", birth_date=TODAY - dt.timedelta(days=500), desa=regions["desa1"],
                household=hh, mother=mother)
    services.register_pregnancy(kec1_user, mother, {"hpht": TODAY - dt.timedelta(weeks=8), "gravida": 2, "para": 1})
    snap.refresh_from_db()
    assert snap.pregnant == 1 and not snap.unmet_need and snap.baduta == 1
    child = registry_services.create_person(kec1_user, {
        "name": "Adik", "sex": "F", "birth_date": TODAY - dt.timedelta(days=10), "desa": regions["desa1"],
        "household": hh, "mother": mother})
    snap.refresh_from_db()
    assert snap.children == 2 and "spacing_close" in snap.risk_factors and snap.krs
    # The member is edited away (moved out): re-derived again.
    registry_services.update_person(kec1_user, child, {"household": None})
    snap.refresh_from_db()
    assert snap.children == 1 and not snap.krs


def test_krs_rederive_as_a_baby_ages_out_of_baduta(kec1_user, family, regions):
    hh, mother = family
    make_person(name="Balita", sex="M", birth_date=dt.date(2024, 1, 15), desa=regions["desa1"], household=hh,
                mother=mother)
    snap = services.save_krs(kec1_user, hh, "2026-S1", {"water_source": "sungai", "latrine": "own_septic",
                                                        "couple": False})
    services.rederive([snap], on=dt.date(2026, 1, 14))
    snap.refresh_from_db()
    assert snap.baduta == 1 and snap.balita == 0 and snap.krs
    services.rederive([snap], on=dt.date(2026, 1, 15))
    snap.refresh_from_db()
    assert snap.baduta == 0 and snap.balita == 1 and snap.krs


def test_bad_semester_and_unknown_water_code_are_refused(kec1_user, family):
    hh, _ = family
    for period, crit in [("2026-3", {}), ("2026-S2", {"water_source": "kolam"})]:
        with pytest.raises(services.InputError):
            services.save_krs(kec1_user, hh, period, crit)
    assert not KrsSnapshot.objects.exists()


def test_records_follow_a_person_who_moves(kec1_user, kec2_user, admin, family, regions):
    _, mother = family
    p = services.register_pregnancy(kec1_user, mother, {"hpht": TODAY - dt.timedelta(weeks=10)})
    registry_services.update_person(admin, mother, {"desa": regions["desa2"], "posyandu": regions["pos2"]})
    p.refresh_from_db()
    assert p.desa_id == regions["desa2"].code and p.posyandu_id == regions["pos2"].pk
    assert not selectors.pregnancies_for(kec1_user).exists()
    assert selectors.pregnancies_for(kec2_user).get() == p


def test_cadre_sees_only_their_posyandu(regions, family, kec1_user):
    _, mother = family
    services.register_pregnancy(kec1_user, mother, {"hpht": TODAY - dt.timedelta(weeks=10)})
    cadre1 = make_user("c1", Role.CADRE, posyandu=regions["pos1"])
    cadre2 = make_user("c2", Role.CADRE, posyandu=regions["pos2"])
    assert selectors.register(cadre1, "bumil").count() == 1
    assert selectors.register(cadre2, "bumil").count() == 0


def test_adolescent_hb_and_weekly_ttd(kec1_user, regions):
    girl = make_person(name="Remaja", sex="F", birth_date=years_ago(15), desa=regions["desa1"])
    teen = services.register_adolescent(kec1_user, girl, {"school": "SMPN 1 Bontang", "grade": "8"})
    services.add_hb_test(kec1_user, teen, TODAY - dt.timedelta(days=30), 12.5)
    services.add_hb_test(kec1_user, teen, TODAY, 11.8)
    teen.refresh_from_db()
    assert teen.anaemia and teen.latest_hb_gdl == 11.8
    services.record_ttd_week(kec1_user, teen, TODAY, True)
    services.record_ttd_week(kec1_user, teen, TODAY, True)  # same week: one row
    assert teen.ttd_weeks.count() == 1
    old = make_person(name="Dewasa", sex="F", birth_date=years_ago(25), desa=regions["desa1"])
    with pytest.raises(services.InputError):
        services.register_adolescent(kec1_user, old, {})


def test_tpk_visit_and_counts(kec1_user, family, regions):
    from tumbuh.targets.models import TpkTeam

    hh, mother = family
    team = TpkTeam.objects.create(name="TPK Bontang Kuala 1", desa=regions["desa1"], bidan="Bd. Rina")
    services.assign_household(kec1_user, team, hh, TODAY)
    services.save_krs(kec1_user, hh, rules.semester_of(TODAY), {"water_source": "sungai", "latrine": "none"})
    counts = selectors.group_counts(kec1_user)
    assert counts["krs"]["krs"] == 1 and counts["krs"]["visited"] == 0
    with pytest.raises(services.InputError):
        services.add_tpk_visit(kec1_user, hh, {"team": team, "visited_on": TODAY})  # no activity ticked
    services.add_tpk_visit(kec1_user, hh, {"team": team, "visited_on": TODAY, "counselling": True, "person": mother})
    counts = selectors.group_counts(kec1_user)
    assert counts["krs"]["visited"] == 1 and counts["krs"]["visited_pct"] == 100.0
    assert selectors.visits_per_month(kec1_user, hh)[-1][1] == 1
