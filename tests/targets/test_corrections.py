"""Correcting and voiding entered target-group records: the edit form (phone decimals, the entry's
plausibility rules), the audit's old -> new shown on the person's page, verdicts re-derived,
counts fresh, voids with a reason leaving registers and counts, 404 and no change outside scope."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tumbuh.audit.models import AuditEvent
from tumbuh.registry.testing import make_household, make_person
from tumbuh.targets import corrections, selectors, services
from tumbuh.targets.models import (
    AncVisit,
    Birth,
    CatinScreening,
    HbTest,
    KfVisit,
    KrsSnapshot,
    Pregnancy,
    TpkTeam,
    TpkVisit,
)

TODAY = timezone.localdate()


def years_ago(n):
    return TODAY.replace(year=TODAY.year - n)


@pytest.fixture
def household(regions):
    return make_household(desa=regions["desa1"], kk_number="6474010101010077")


@pytest.fixture
def mother(regions, household):
    return make_person(name="Wulan Koreksi", sex="F", birth_date=years_ago(28), desa=regions["desa1"],
                       posyandu=regions["pos1"], household=household)


@pytest.fixture
def preg(kec1_user, mother):
    return services.register_pregnancy(kec1_user, mother, {"hpht": TODAY - dt.timedelta(weeks=20), "lila_cm": 24.0})


@pytest.fixture
def visit(kec1_user, preg):
    return services.add_anc_visit(kec1_user, preg, {"visited_on": TODAY - dt.timedelta(days=3), "place": "posyandu",
                                                    "hb_gdl": 11.5, "ttd_given": 30})


def post(client, user, name, pk, data):
    client.force_login(user)
    return client.post(reverse(f"targets:{name}", args=[pk]), data)


# --- editing -------------------------------------------------------------------------------------


def test_anc_visit_edited_on_the_phone_form_rederives_the_pregnancy_and_the_counts(client, kec1_user, preg, visit):
    assert not Pregnancy.objects.get(pk=preg.pk).anaemia
    assert selectors.group_counts(kec1_user)["bumil"]["anaemia"] == 0
    client.force_login(kec1_user)
    page = client.get(reverse("targets:edit_anc", args=[visit.pk])).content.decode()
    assert 'inputmode="decimal"' in page and 'value="11,5"' in page  # the stored 11.5, as Indonesians write it
    response = post(client, kec1_user, "edit_anc", visit.pk, {
        "visited_on": visit.visited_on.strftime("%d-%m-%Y"), "place": "puskesmas", "hb_gdl": "10,9",
        "ttd_given": "60", "weight_kg": "", "lila_cm": "", "notes": ""})
    assert response.status_code == 302 and response["Location"] == reverse("targets:pregnancy", args=[preg.pk])
    visit.refresh_from_db()
    assert (visit.hb_gdl, visit.place, visit.ttd_given) == (10.9, "puskesmas", 60)
    p = Pregnancy.objects.get(pk=preg.pk)
    assert p.anaemia and p.high_risk and p.ttd_total == 60  # anaemia < 11: 10.9 is, 11.5 was not
    assert selectors.group_counts(kec1_user)["bumil"]["anaemia"] == 1
    event = AuditEvent.objects.filter(object_type="targets.ancvisit", action="update").get()
    assert event.detail["changes"]["hb_gdl"] == [11.5, 10.9] and event.detail["person_id"] == preg.person_id
    assert event.region_code == preg.desa_id
    # The person's page shows who changed what, old -> new, in Indonesian numbers.
    page = client.get(reverse("targets:person", args=[preg.person_id])).content.decode()
    assert "Riwayat perubahan" in page and "11,5</span> → 10,9" in page and kec1_user.username in page
    assert page.index('id="changes-h"') > page.index("</title>")  # in the page, not its title


def test_an_implausible_correction_is_refused_in_indonesian_and_nothing_changes(client, kec1_user, visit):
    response = post(client, kec1_user, "edit_anc", visit.pk, {
        "visited_on": visit.visited_on.isoformat(), "place": "posyandu", "hb_gdl": "115", "ttd_given": "30"})
    assert response.status_code == 200 and "g/L" in response.content.decode()
    visit.refresh_from_db()
    assert visit.hb_gdl == 11.5
    assert not AuditEvent.objects.filter(object_type="targets.ancvisit", action="update").exists()
    # A visit moved before HPHT is refused too (the entry's rule).
    with pytest.raises(services.InputError) as exc:
        corrections.edit_record(kec1_user, "anc", visit, {"visited_on": visit.pregnancy.hpht - dt.timedelta(days=1)})
    assert "HPHT" in str(exc.value)


def test_catin_correction_at_the_lila_cut_off_flips_the_result(kec1_user, mother):
    s = services.screen_catin(kec1_user, mother, {"screened_on": TODAY, "weight_kg": 55.0, "height_cm": 158.0,
                                                  "lila_cm": 23.4, "hb_gdl": 12.0})
    assert s.at_risk and s.reasons == ["lila_low"]
    changes = corrections.edit_record(kec1_user, "catin", s, {"lila_cm": 23.5})
    s.refresh_from_db()
    assert changes == {"lila_cm": [23.4, 23.5]} and not s.at_risk and s.reasons == []
    assert corrections.edit_record(kec1_user, "catin", s, {"lila_cm": 23.5}) == {}  # no change, no write
    assert AuditEvent.objects.filter(object_type="targets.catinscreening", action="update").count() == 1


def test_pregnancy_correction_rederives_4t_and_the_ended_pregnancy_keeps_its_old_hpht(kec1_user, mother, preg):
    assert preg.four_t == []
    corrections.edit_record(kec1_user, "pregnancy", preg, {"gravida": 5, "para": 4})
    preg.refresh_from_db()
    assert preg.four_t == ["too_many"] and preg.high_risk
    # A pregnancy that ended long ago: correcting its LiLA is not blocked by "HPHT > 45 weeks ago".
    old = Pregnancy.objects.create(person=mother, desa_id=mother.desa_id, hpht=TODAY - dt.timedelta(days=700),
                                   due_on=TODAY - dt.timedelta(days=420), outcome="stillbirth",
                                   outcome_on=TODAY - dt.timedelta(days=430))
    corrections.edit_record(kec1_user, "pregnancy", old, {"lila_cm": 22.0})
    old.refresh_from_db()
    assert old.kek
    # But a live birth cannot be claimed without the baby.
    with pytest.raises(services.InputError) as exc:
        corrections.edit_record(kec1_user, "pregnancy", old, {"outcome": "live_birth"})
    assert "formulir hasil" in str(exc.value) or "outcome form" in str(exc.value)


def test_birth_weight_correction_flags_bblr_and_updates_the_child(kec1_user, preg):
    services.record_outcome(kec1_user, preg, outcome="live_birth", outcome_on=TODAY - dt.timedelta(days=2),
                            births=[{"name": "Bayi Koreksi", "sex": "M", "weight_g": 2600, "length_cm": 49.0}])
    birth = Birth.objects.get(pregnancy=preg)
    assert not birth.bblr
    corrections.edit_record(kec1_user, "birth", birth, {"weight_g": 2499})
    birth.refresh_from_db()
    birth.child.refresh_from_db()
    assert birth.bblr and birth.child.birth_weight_kg == 2.499
    assert selectors.group_counts(kec1_user)["births"]["bblr"] == 1


def test_kf_numbers_follow_a_corrected_delivery_date(kec1_user, mother):
    pp = services.start_postpartum(kec1_user, mother, {"delivered_on": TODAY - dt.timedelta(days=10)})
    kf = services.add_kf_visit(kec1_user, pp, TODAY - dt.timedelta(days=9))
    assert kf.kf_number == 1
    corrections.edit_record(kec1_user, "nifas", pp, {"delivered_on": TODAY - dt.timedelta(days=14)})
    kf.refresh_from_db()
    assert kf.kf_number == 2  # day 5: KF2 (3-7)


# --- voiding -------------------------------------------------------------------------------------


def test_a_voided_pregnancy_leaves_the_register_counts_and_krs_with_its_reason(client, kec1_user, preg, household):
    snap = services.save_krs(kec1_user, household, services.open_period(), {"water_source": "sungai"})
    assert snap.pregnant == 1 and snap.krs
    client.force_login(kec1_user)
    assert "Wulan Koreksi" in client.get(reverse("targets:register_bumil")).content.decode()
    # A reason is required.
    response = post(client, kec1_user, "void_pregnancy", preg.pk, {"reason": ""})
    assert response.status_code == 200 and Pregnancy.objects.filter(pk=preg.pk).exists()
    response = post(client, kec1_user, "void_pregnancy", preg.pk, {"reason": "Salah orang"})
    assert response.status_code == 302
    assert not Pregnancy.objects.filter(pk=preg.pk).exists()  # gone for every reader...
    kept = Pregnancy.all_objects.get(pk=preg.pk)  # ...but never deleted
    assert kept.void_reason == "Salah orang" and kept.voided_by == kec1_user
    assert "Wulan Koreksi" not in client.get(reverse("targets:register_bumil")).content.decode()
    assert selectors.group_counts(kec1_user)["bumil"]["n"] == 0
    snap.refresh_from_db()
    assert snap.pregnant == 0  # KRS re-derived without the pregnancy
    event = AuditEvent.objects.get(object_type="targets.pregnancy", action="delete")
    assert event.detail["reason"] == "Salah orang" and event.detail["values"]["hpht"] == kept.hpht.isoformat()
    page = client.get(reverse("targets:person", args=[preg.person_id])).content.decode()
    assert "Salah orang" in page
    assert client.get(reverse("targets:pregnancy", args=[preg.pk])).status_code == 404
    assert client.get(reverse("targets:edit_pregnancy", args=[preg.pk])).status_code == 404


def test_voiding_a_visit_or_a_test_rederives_the_parent(kec1_user, visit, mother):
    from tumbuh.analytics import memo

    before = memo.version()
    corrections.void_record(kec1_user, "anc", visit, "Dicatat dua kali")
    assert memo.version() > before  # memoized dashboards (analytics/memo.py) recompute
    before = memo.version()
    assert services.rederive_households([mother.household_id]) == 0 or memo.version() > before
    p = Pregnancy.objects.get(pk=visit.pregnancy_id)
    assert p.anc_contacts == 0 and p.ttd_total == 0 and AncVisit.all_objects.filter(pk=visit.pk).exists()
    teen_person = make_person(name="Remaja Koreksi", sex="F", birth_date=years_ago(15), desa=mother.desa,
                              posyandu=mother.posyandu)
    teen = services.register_adolescent(kec1_user, teen_person, {"school": "SMP 1"})
    test = services.add_hb_test(kec1_user, teen, TODAY, 10.0)
    teen.refresh_from_db()
    assert teen.anaemia
    corrections.void_record(kec1_user, "hb", test, "Salah alat")
    teen.refresh_from_db()
    assert not teen.anaemia and teen.latest_hb_gdl is None and HbTest.all_objects.filter(pk=test.pk).exists()
    with pytest.raises(PermissionDenied):  # a voided record is no longer there to void or edit (404)
        corrections.void_record(kec1_user, "hb", HbTest.all_objects.get(pk=test.pk), "Lagi")


def test_krs_correction_and_tpk_visit_void_refresh_the_household_counts(kec1_user, household, mother, regions):
    snap = services.save_krs(kec1_user, household, services.open_period(),
                             {"water_source": "pam", "latrine": "own_septic", "modern_contraception": True})
    assert snap.target and not snap.krs
    corrections.edit_record(kec1_user, "krs", snap, {"latrine": "none"})
    snap.refresh_from_db()
    assert snap.krs and "latrine" in " ".join(snap.risk_factors)
    team = TpkTeam.objects.create(name="TPK Koreksi", desa=regions["desa1"])
    v = services.add_tpk_visit(kec1_user, household, {"team": team, "visited_on": TODAY, "counselling": True})
    assert selectors.group_counts(kec1_user)["krs"]["visited"] == 1
    corrections.edit_record(kec1_user, "tpk", v, {"referral": "referred", "counselling": False})
    v.refresh_from_db()
    assert v.referral == "referred" and not v.counselling
    corrections.void_record(kec1_user, "tpk", v, "Kunjungan tidak terjadi")
    assert selectors.group_counts(kec1_user)["krs"]["visited"] == 0
    assert not TpkVisit.objects.filter(pk=v.pk).exists()
    # Entering the semester's criteria again after a void brings the snapshot back (one per semester).
    corrections.void_record(kec1_user, "krs", snap, "Salah keluarga")
    assert not KrsSnapshot.objects.filter(pk=snap.pk).exists()
    again = services.save_krs(kec1_user, household, services.open_period(), {"water_source": "pam"})
    assert again.pk == snap.pk and again.voided_at is None


def test_a_birth_voided_from_the_wrong_pregnancy_can_be_linked_again(kec1_user, preg, mother):
    services.record_outcome(kec1_user, preg, outcome="live_birth", outcome_on=TODAY - dt.timedelta(days=2),
                            births=[{"name": "Bayi Pindah", "sex": "F", "weight_g": 3000}])
    birth = Birth.objects.get(pregnancy=preg)
    corrections.void_record(kec1_user, "birth", birth, "Salah kehamilan")
    assert selectors.group_counts(kec1_user)["births"]["n"] == 0
    other = Pregnancy.objects.create(person=mother, desa_id=mother.desa_id, hpht=TODAY - dt.timedelta(days=290),
                                     due_on=TODAY - dt.timedelta(days=10))
    made = services.record_outcome(kec1_user, other, outcome="live_birth", outcome_on=TODAY - dt.timedelta(days=2),
                                   births=[{"child": birth.child, "weight_g": 3000}])
    assert made[0].pk == birth.pk and made[0].pregnancy == other and made[0].voided_at is None


# --- scope ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["pregnancy", "anc"])
def test_outsiders_get_404_and_nothing_changes(client, kec2_user, kec1_user, visit, kind):
    obj = visit.pregnancy if kind == "pregnancy" else visit
    client.force_login(kec2_user)
    assert client.get(reverse(f"targets:edit_{kind}", args=[obj.pk])).status_code == 404
    assert client.post(reverse(f"targets:edit_{kind}", args=[obj.pk]),
                       {"hpht": TODAY.isoformat(), "visited_on": TODAY.isoformat(), "place": "home",
                        "hb_gdl": "9"}).status_code == 404
    assert client.post(reverse(f"targets:void_{kind}", args=[obj.pk]), {"reason": "Iseng"}).status_code == 404
    assert not AuditEvent.objects.filter(action__in=["update", "delete"], object_type__startswith="targets.").exists()
    with pytest.raises(PermissionDenied):
        corrections.edit_record(kec2_user, kind, obj, {"notes": "x"})
    with pytest.raises(PermissionDenied):
        corrections.void_record(kec2_user, kind, obj, "Iseng")
    assert AncVisit.objects.filter(pk=visit.pk).exists() and Pregnancy.objects.filter(pk=visit.pregnancy_id).exists()


def test_a_cadre_corrects_only_her_posyandu(client, cadre1, regions, kec1_user):
    inside = make_person(name="Ibu Posyandu Satu", sex="F", birth_date=years_ago(25), desa=regions["desa1"],
                         posyandu=regions["pos1"])
    s = services.screen_catin(kec1_user, inside, {"screened_on": TODAY, "lila_cm": 25.0})
    response = post(client, cadre1, "edit_catin", s.pk, {"screened_on": TODAY.isoformat(), "lila_cm": "22,9"})
    assert response.status_code == 302
    assert CatinScreening.objects.get(pk=s.pk).at_risk


def test_every_kind_has_its_edit_and_void_pages(client, kec1_user, visit, mother, household, regions):
    """Each correctable kind: the edit page shows the form filled in, the void page the reason."""
    preg = visit.pregnancy
    pp = services.start_postpartum(kec1_user, mother, {"delivered_on": TODAY - dt.timedelta(days=10)})
    teen = services.register_adolescent(kec1_user, make_person(name="Remaja Halaman", sex="F",
                                                               birth_date=years_ago(14), desa=mother.desa), {})
    team = TpkTeam.objects.create(name="TPK Halaman", desa=regions["desa1"])
    services.record_outcome(kec1_user, preg, outcome="live_birth", outcome_on=TODAY,
                            births=[{"name": "Bayi Halaman", "sex": "M", "weight_g": 3100}])
    objects = {
        "catin": services.screen_catin(kec1_user, mother, {"screened_on": TODAY}),
        "pregnancy": preg, "anc": visit, "birth": Birth.objects.get(pregnancy=preg), "nifas": pp,
        "kf": services.add_kf_visit(kec1_user, pp, TODAY), "asi": services.set_breastfeeding(kec1_user, pp, 1, True),
        "remaja": teen, "hb": services.add_hb_test(kec1_user, teen, TODAY, 12.5),
        "ttd": services.record_ttd_week(kec1_user, teen, TODAY, True),
        "krs": services.save_krs(kec1_user, household, services.open_period(), {"water_source": "pam"}),
        "tpk": services.add_tpk_visit(kec1_user, household, {"team": team, "visited_on": TODAY, "counselling": True}),
    }
    assert set(objects) == set(corrections.KINDS)
    client.force_login(kec1_user)
    for kind, obj in objects.items():
        edit = client.get(reverse(f"targets:edit_{kind}", args=[obj.pk]))
        assert edit.status_code == 200 and 'id="edit-form"' in edit.content.decode(), kind
        assert client.get(reverse(f"targets:void_{kind}", args=[obj.pk])).status_code == 200, kind
    assert isinstance(objects["kf"], KfVisit)


def test_the_cadres_correction_shows_on_the_persons_page(client, cadre1, kec1_user, visit):
    response = post(client, cadre1, "edit_anc", visit.pk, {
        "visited_on": visit.visited_on.isoformat(), "place": "posyandu", "hb_gdl": "11,2", "ttd_given": "30"})
    assert response.status_code == 302
    page = client.get(reverse("targets:person", args=[visit.pregnancy.person_id])).content.decode()
    assert "11,5</span> → 11,2" in page and page.index("→ 11,2") > page.index("</title>")
