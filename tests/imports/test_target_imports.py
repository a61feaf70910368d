"""`tumbuh import krs|catin|bumil`: declarations over the one framework writing the target-group
registers through tumbuh.targets.services; ugly rows rejected with reasons, nothing lost, a
re-import unchanged."""

import datetime as dt

import pytest

from tumbuh.imports import testing as t
from tumbuh.imports.framework import run_import
from tumbuh.imports.models import MatchReview
from tumbuh.registry.models import Household, Person
from tumbuh.registry.testing import nik_for
from tumbuh.targets.models import AncVisit, CatinScreening, KrsSnapshot, Pregnancy

pytestmark = pytest.mark.django_db


def accounted(batch, rows):
    assert batch.status == "done"
    assert batch.total_rows + batch.blank_rows == len(rows) and batch.rows.count() == batch.total_rows
    assert batch.imported + batch.merged + batch.unchanged + batch.rejected == batch.total_rows
    return {r.row_number: r for r in batch.rows.all()}


def test_catin_screenings(kota_user, tmp_path):
    today = dt.date.today()
    born = today.replace(year=today.year - 24)
    known = Person.objects.create(name="Putri Lestari", sex="F", birth_date=born, desa_id="64.74.01.1001",
                                  nik=nik_for(born, "F"))
    d = (today - dt.timedelta(days=10)).strftime("%d/%m/%Y")
    later = (today + dt.timedelta(days=120)).strftime("%d/%m/%Y")
    header = ["NIK", "Nama", "Tgl Lahir", "JK", "Kecamatan", "Desa/Kelurahan", "Tanggal Skrining",
              "Rencana Tanggal Menikah", "KUA", "Berat Badan", "Tinggi Badan", "LiLA", "Kadar Hb", "Merokok"]
    rows = [
        [known.nik, known.name, born.strftime("%d/%m/%Y"), "P", "Bontang Utara", "Bontang Kuala", d, later,
         "KUA Bontang Utara", "44,5", "158", "22,0", "10,5", "Tidak"],  # red: LiLA and Hb
        ["", "Agus Saputra", "03/04/1999", "L", "Bontang Utara", "Guntung", d, later, "", "60", "170", "", "", "Ya"],
        ["", "Putri Lestary", born.strftime("%d/%m/%Y"), "P", "Bontang Utara", "Guntung", d, "", "", "50", "160",
         "25", "12,5", ""],  # a near match of the known catin: created, and put on review
        ["", "Tanpa Desa", "03/04/1999", "L", "Bontang Utara", "Antah Berantah", d, "", "", "60", "170", "", "", ""],
        ["", "Hb Salah", "03/04/1999", "P", "Bontang Utara", "Guntung", d, "", "", "60", "170", "", "115", ""],
        ["", "Tanggal Salah", "03/04/1999", "P", "Bontang Utara", "Guntung", "31/02/2025", "", "", "60", "170", "",
         "", ""],
        [""] * 14,
    ]
    path = t.write_table(tmp_path / "elsimil", header, rows, "xlsx")
    batch = run_import("catin", path, user=kota_user, region_code="64.74")
    row = accounted(batch, rows)
    screening = CatinScreening.objects.get(pk=row[2].object_id)
    assert screening.person == known and screening.at_risk and screening.kua == "KUA Bontang Utara"
    assert CatinScreening.objects.get(pk=row[3].object_id).smoking
    assert batch.people_created == 2 and MatchReview.objects.get(batch=batch).candidate == known
    assert row[5].outcome == "rejected" and "Antah Berantah" in " ".join(row[5].reasons)
    assert row[6].outcome == "rejected" and "g/L" in " ".join(row[6].reasons)  # the targets service's message
    assert row[7].outcome == "rejected"
    again = run_import("catin", path, user=kota_user, region_code="64.74")
    assert (again.imported, again.unchanged, again.rejected) == (0, batch.imported, batch.rejected)
    assert CatinScreening.objects.count() == batch.imported and again.people_created == 0


def test_pregnancies_with_their_anc_visits(kota_user, tmp_path):
    today = dt.date.today()
    born = today.replace(year=today.year - 28)
    mother = Person.objects.create(name="Siti Rahma", sex="F", birth_date=born, desa_id="64.74.01.1002",
                                   nik=nik_for(born, "F"))
    hpht = today - dt.timedelta(days=150)
    header = ["NIK Ibu", "Nama Ibu", "Tanggal Lahir", "Desa", "HPHT", "Gravida", "Para", "Abortus", "LiLA", "Hb",
              "K1", "K2", "K3"]
    k1, k2 = hpht + dt.timedelta(days=60), hpht + dt.timedelta(days=100)
    rows = [
        [mother.nik, mother.name, born.strftime("%d/%m/%Y"), "Guntung", hpht.strftime("%d/%m/%Y"), "2", "1", "0",
         "22,5", "10,2", k1.strftime("%d/%m/%Y"), k2.strftime("%d/%m/%Y"), ""],
        ["", "Dewi Kartika", "12/12/1996", "Bontang Kuala", hpht.strftime("%d/%m/%Y"), "1", "0", "0", "26", "12",
         "", "", ""],
        ["", "HPHT Kosong", "12/12/1996", "Bontang Kuala", "", "1", "0", "0", "", "", "", "", ""],
        ["", "Para Salah", "12/12/1996", "Bontang Kuala", hpht.strftime("%d/%m/%Y"), "1", "1", "0", "", "", "", "", ""],
    ]
    path = t.write_table(tmp_path / "kohort", header, rows)
    batch = run_import("bumil", path, user=kota_user, region_code="64.74")
    row = accounted(batch, rows)
    pregnancy = Pregnancy.objects.get(pk=row[2].object_id)
    assert pregnancy.person == mother and pregnancy.kek and pregnancy.anc_contacts == 2
    assert Person.objects.get(name="Dewi Kartika").sex == "F"
    assert row[4].outcome == "rejected" and "HPHT" in " ".join(row[4].reasons)
    assert row[5].outcome == "rejected" and "Para" in " ".join(row[5].reasons)
    # the same file again: unchanged; with a third visit: merged (the visit added)
    again = run_import("bumil", path, user=kota_user, region_code="64.74")
    assert (again.imported, again.merged, again.unchanged) == (0, 0, 2)
    rows[0][12] = (hpht + dt.timedelta(days=140)).strftime("%d/%m/%Y")
    third = run_import("bumil", t.write_table(tmp_path / "kohort2", header, rows), user=kota_user,
                       region_code="64.74")
    assert (third.imported, third.merged, third.unchanged) == (0, 1, 1)
    assert AncVisit.objects.filter(pregnancy=pregnancy).count() == 3 and Pregnancy.objects.count() == 2


def test_krs_families(kota_user, tmp_path):
    known = Household.objects.create(desa_id="64.74.01.1001", kk_number="6474010101990001", head_name="Hasan")
    header = ["No KK", "Nama Kepala Keluarga", "Kecamatan", "Desa/Kelurahan", "Periode", "Sumber Air Minum",
              "Fasilitas BAB", "Rumah Layak Huni", "Tahapan KS", "PUS", "KB Modern"]
    rows = [
        [known.kk_number, "Hasan", "Bontang Utara", "Bontang Kuala", "2026-S1", "Sumur tak terlindungi",
         "Jamban bersama", "Tidak", "Pra Sejahtera", "Ya", "Tidak"],
        ["6474010101990002", "Baru", "Bontang Utara", "Guntung", "Semester 1 2026", "Air isi ulang",
         "Milik sendiri dengan septic tank", "Ya", "KS II", "Ya", "Ya"],
        ["6474010101990003", "Air Aneh", "Bontang Utara", "Guntung", "2026-S1", "Air ajaib", "", "", "", "", ""],
        ["12345", "KK Pendek", "Bontang Utara", "Guntung", "2026-S1", "", "", "", "", "", ""],
        ["6474010101990004", "Tanpa Periode", "Bontang Utara", "Guntung", "", "", "", "", "", "", ""],
    ]
    path = t.write_table(tmp_path / "krs", header, rows, "html_xls")
    batch = run_import("krs", path, user=kota_user, region_code="64.74")
    row = accounted(batch, rows)
    snap = KrsSnapshot.objects.get(pk=row[3].object_id)
    assert (snap.household, snap.period, snap.water_source, snap.latrine) == (known, "2026-S1",
                                                                               "sumur_tak_terlindungi", "shared")
    assert snap.house_livable is False and snap.welfare == "pra_s" and snap.modern_contraception is False
    created = KrsSnapshot.objects.get(pk=row[4].object_id)
    assert created.household.kk_number == "6474010101990002" and created.latrine == "own_septic"
    assert "Air ajaib" in " ".join(row[5].reasons) and row[6].outcome == "rejected"
    assert "semester" in " ".join(row[7].reasons).lower()
    again = run_import("krs", path, user=kota_user, region_code="64.74")
    assert (again.imported, again.merged, again.unchanged) == (0, 0, 2)
    rows[0][5] = "PDAM"
    changed = run_import("krs", t.write_table(tmp_path / "krs2", header, rows), user=kota_user, region_code="64.74")
    assert (changed.merged, changed.unchanged) == (1, 1)
    snap.refresh_from_db()
    assert snap.water_source == "pam" and changed.rows.get(row_number=2).previous == {
        "water_source": "sumur_tak_terlindungi"}


def test_a_catin_found_to_be_someone_known_keeps_her_screening(kota_user, tmp_path):
    from tumbuh.imports.services import decide_review

    today = dt.date.today()
    born = today.replace(year=today.year - 24)
    known = Person.objects.create(name="Putri Lestari", sex="F", birth_date=born, desa_id="64.74.01.1001")
    header = ["Nama", "Tgl Lahir", "JK", "Desa/Kel", "Tanggal Skrining", "BB", "TB"]
    rows = [["Putri Lestary", born.strftime("%d/%m/%Y"), "P", "Guntung",
             (today - dt.timedelta(days=3)).strftime("%d/%m/%Y"), "50", "160"]]
    batch = run_import("catin", t.write_table(tmp_path / "c", header, rows), user=kota_user, region_code="64.74")
    review = MatchReview.objects.get(batch=batch)
    decide_review(kota_user, review, same=True)
    screening = CatinScreening.objects.get()
    assert screening.person == known and not Person.objects.filter(name="Putri Lestary").exists()
    assert batch.rows.get().person == known


def test_a_record_voided_in_tumbuh_is_not_brought_back_by_a_re_import(kota_user, tmp_path):
    """A screening and a KRS snapshot a user voided: re-importing the same file rejects those rows
    with the void's reason (nothing lost, nothing silently re-created); the other rows unchanged."""
    from tumbuh.targets import corrections

    today = dt.date.today()
    d = (today - dt.timedelta(days=5)).strftime("%d/%m/%Y")
    header = ["Nama", "Tgl Lahir", "JK", "Desa/Kel", "Tanggal Skrining", "BB", "TB"]
    rows = [["Rina Batal", "03/04/1999", "P", "Guntung", d, "50", "160"],
            ["Sari Tetap", "04/05/1998", "P", "Guntung", d, "52", "158"]]
    path = t.write_table(tmp_path / "c", header, rows)
    first = run_import("catin", path, user=kota_user, region_code="64.74")
    assert first.imported == 2
    voided = CatinScreening.objects.get(person__name="Rina Batal")
    corrections.void_record(kota_user, "catin", voided, "Bukan catin")
    again = run_import("catin", path, user=kota_user, region_code="64.74")
    row = accounted(again, rows)
    assert (again.imported, again.unchanged, again.rejected) == (0, 1, 1)
    assert row[2].outcome == "rejected" and "Bukan catin" in " ".join(row[2].reasons)
    assert CatinScreening.all_objects.count() == 2 and not CatinScreening.objects.filter(pk=voided.pk).exists()

    header = ["No KK", "Nama Kepala Keluarga", "Desa/Kelurahan", "Periode", "Sumber Air Minum"]
    krs_rows = [["6474010101990011", "Batal", "Guntung", "2026-S1", "PDAM"]]
    krs_path = t.write_table(tmp_path / "k", header, krs_rows)
    assert run_import("krs", krs_path, user=kota_user, region_code="64.74").imported == 1
    corrections.void_record(kota_user, "krs", KrsSnapshot.objects.get(), "Keluarga pindah")
    krs_again = run_import("krs", krs_path, user=kota_user, region_code="64.74")
    assert krs_again.rejected == 1 and "Keluarga pindah" in " ".join(krs_again.rows.get().reasons)
    assert KrsSnapshot.all_objects.count() == 1


@pytest.mark.parametrize("source", ["deliveries", "krs", "catin", "bumil"])
def test_every_source_has_its_upload_page_in_indonesian(source, client, kota_user):
    from django.urls import reverse

    client.force_login(kota_user)
    page = client.get(reverse("imports:upload_source", args=[source])).content.decode()
    assert "Kolom yang dibaca" in page and "wajib" in page and f"tumbuh import {source}" in page
    for english in ("Columns read", "required)", "Upload the file as it is", "Recent imports"):
        assert english not in page
    assert client.get(reverse("imports:upload_source", args=["nothing"])).status_code == 404
