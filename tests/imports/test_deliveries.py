"""`tumbuh import deliveries`: an OPD's delivery list, every row accounted for, idempotent."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from tumbuh.audit.models import AuditEvent
from tumbuh.imports import testing as t
from tumbuh.imports.framework import run_import
from tumbuh.imports.models import ImportBatch, MatchReview
from tumbuh.interventions.models import Delivery

pytestmark = pytest.mark.django_db

HEADER = ["NIK", "Nama", "Tgl Lahir", "Nama Ortu", "No KK", "Kode Intervensi", "Tanggal", "Jumlah", "Satuan",
          "Sumber Dana", "OPD", "Keterangan"]
MESSY = [" nik ", "NAMA", "Tgl. Lahir", "Nama Orang Tua", "No. KK", "kode intervensi", "TANGGAL", "Jumlah",
         "satuan", "Sumber  Dana", "opd", "Ket"]


def ugly_rows(p):
    """One row per case; returns (rows, row number by case name)."""
    d = (p["today"] - dt.timedelta(days=20)).strftime("%d/%m/%Y")
    child, far, older = p["child"], p["far"], p["older"]
    born = child.birth_date.strftime("%d/%m/%Y")
    future = (p["today"] + dt.timedelta(days=5)).strftime("%d/%m/%Y")
    cases = {
        "by_nik": [child.nik, child.name, born, "", "", "PMT-BALITA", d, "30", "hari", "APBD", "DINKES", "tahap 1"],
        "by_name": ["", "BUDI  SANTOSO", born, "Siti Aminah", "", "vit-a", d, "1", "kapsul", "", "Dinas Kesehatan", ""],
        "household": ["", "", "", "", "6474010101010001", "AIR-MINUM", d, "1", "unit", "Dana Desa", "PUPR", ""],
        "unknown_code": [child.nik, child.name, born, "", "", "PMT-XYZ", d, "1", "", "", "", ""],
        "unknown_person": ["", "Tidak Ada Orangnya", born, "", "", "VIT-A", d, "1", "", "", "", ""],
        "future": [child.nik, child.name, born, "", "", "VIT-A", future, "1", "", "", "", ""],
        "outside": [far.nik, far.name, born, "", "", "VIT-A", d, "1", "", "", "", ""],
        "near": ["", "Budi Santosa", born, "", "", "IMUNISASI-DASAR", d, "1", "", "", "", ""],
        "bad_quantity": [child.nik, child.name, born, "", "", "IMUNISASI-DASAR", d, "dua", "", "", "", ""],
        "month_name_date": [child.nik, child.name, born, "", "", "RUJUKAN",
                            (p["today"] - dt.timedelta(days=40)).strftime("%d-%m-%Y"), "1", "", "", "", ""],
        "blank": [""] * 12,
        "repeat": [child.nik, child.name, born, "", "", "PMT-BALITA", d, "30", "hari", "APBD", "DINKES", "tahap 1"],
        "conflict": [child.nik, child.name, born, "", "", "PMT-BALITA", d, "45", "hari", "APBD", "DINKES", "tahap 1"],
        "unknown_opd": [child.nik, child.name, born, "", "", "KIE-PENGASUHAN", d, "1", "", "", "Dinas Antah", ""],
        "unknown_unit": [child.nik, child.name, born, "", "", "TATA-LAKSANA-GIZI-BURUK", d, "1", "bungkus", "", "", ""],
        "not_in_group": [older.nik, older.name, "", "", "", "PMT-BALITA", d, "30", "hari", "", "", ""],
        "household_no_kk": [child.nik, child.name, born, "", "", "JAMBAN", d, "1", "", "", "", ""],
        "rounded_nik": ["6.47401E+15", "Budi Santoso", born, "", "", "RUJUKAN", d, "1", "", "", "", ""],
        "comma_quantity": ["", "Budi Santoso", born, "Siti Aminah", "", "PMT-BALITA", d, "1,5", "", "", "", ""],
    }
    return list(cases.values()), {name: 2 + i for i, name in enumerate(cases)}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "html_xls"])
def test_every_delivery_row_lands_in_one_place_and_a_reimport_changes_nothing(fmt, kota_user, place, tmp_path):
    rows, n = ugly_rows(place)
    if fmt == "html_xls":
        n = {k: v + 1 for k, v in n.items()}  # the title row
    path = t.write_table(tmp_path / "pmt", MESSY if fmt == "csv" else HEADER, rows, fmt)
    batch = run_import("deliveries", path, user=kota_user, region_code="64.74")
    assert batch.status == "done" and batch.source == "deliveries"
    assert batch.blank_rows == 1 and batch.total_rows == len(rows) - 1 == batch.rows.count()
    assert batch.imported + batch.merged + batch.unchanged + batch.rejected + batch.held == batch.total_rows
    assert batch.held == 1 and batch.accounted_rows == len(rows)
    row = {r.row_number: r for r in batch.rows.all()}

    def reasons(name):
        assert row[n[name]].outcome == "rejected", (name, row[n[name]].outcome)
        return " ".join(row[n[name]].reasons)

    first = Delivery.objects.get(pk=row[n["by_nik"]].object_id)
    assert (first.person, first.code, first.quantity, first.unit, first.fund_source, first.agency) == (
        place["child"], "PMT-BALITA", 30, "hari", "APBD", place["dinkes"])
    assert first.source == "import" and first.import_key and first.notes == "tahap 1"
    by_name = Delivery.objects.get(pk=row[n["by_name"]].object_id)
    assert by_name.person == place["no_nik"] and by_name.code == "VIT-A"
    home = Delivery.objects.get(pk=row[n["household"]].object_id)
    assert home.household == place["household"] and home.person is None and home.fund_source == "APBDes"
    assert "PMT-XYZ" in reasons("unknown_code") and "tidak dikenal" in reasons("unknown_code")
    assert "tidak ditemukan" in reasons("unknown_person")
    assert "masa depan" in reasons("future")
    assert "di luar" in reasons("outside")
    near = row[n["near"]]  # held for review, naming the near match (tests/imports/test_delivery_reviews.py)
    assert near.outcome == "held" and MatchReview.objects.get(pk=near.object_id).candidate == place["no_nik"]
    assert "dua" in reasons("bad_quantity")
    assert row[n["month_name_date"]].outcome == "imported"
    assert row[n["repeat"]].outcome == "unchanged" and row[n["repeat"]].object_id == first.pk
    assert str(n["by_nik"]) in reasons("conflict")
    assert "Dinas Antah" in reasons("unknown_opd")
    assert "bungkus" in reasons("unknown_unit")
    assert "sasaran" in reasons("not_in_group")
    assert "KK" in reasons("household_no_kk")
    rounded = row[n["rounded_nik"]]
    assert rounded.outcome == "imported" and rounded.notes and rounded.person == place["no_nik"]
    assert float(Delivery.objects.get(pk=row[n["comma_quantity"]].object_id).quantity) == 1.5
    assert Delivery.objects.count() == batch.imported
    assert AuditEvent.objects.filter(action="import", object_id=str(batch.pk)).exists()

    again = run_import("deliveries", path, user=kota_user, region_code="64.74")
    assert (again.imported, again.merged) == (0, 0)
    assert again.unchanged == batch.imported + batch.unchanged and again.rejected == batch.rejected
    assert again.held == 1 and again.review_count == 0 and MatchReview.objects.count() == 1
    assert Delivery.objects.count() == batch.imported


def test_a_changed_quantity_is_merged_and_the_old_delivery_voided(kota_user, place, tmp_path):
    rows, n = ugly_rows(place)
    good = [rows[0], rows[1]]
    run_import("deliveries", t.write_table(tmp_path / "a", HEADER, good), user=kota_user, region_code="64.74")
    changed = [list(rows[0]), rows[1]]
    changed[0][7] = "56"
    batch = run_import("deliveries", t.write_table(tmp_path / "b", HEADER, changed), user=kota_user,
                       region_code="64.74")
    assert (batch.imported, batch.merged, batch.unchanged) == (0, 1, 1)
    merged = batch.rows.get(row_number=2)
    assert merged.previous == {"quantity": "30.00"}
    live = Delivery.objects.filter(voided_at__isnull=True, code="PMT-BALITA").get()
    assert live.quantity == 56 and live.pk == merged.object_id
    old = Delivery.objects.exclude(pk=live.pk).get(code="PMT-BALITA")
    assert old.voided_at and str(batch.pk) in old.void_reason


def test_imported_deliveries_count_in_plan_progress_and_a_merge_moves_the_total(kota_user, place, tmp_path):
    """The importer keeps the delivery totals plan progress reads (it writes with COPY, not
    through record_deliveries), and a merged row replaces the old quantity, not adds to it."""
    from tumbuh.interventions import totals
    from tumbuh.interventions.models import DeliveryTotal

    rows, _n = ugly_rows(place)
    run_import("deliveries", t.write_table(tmp_path / "a", HEADER, [rows[0]]), user=kota_user, region_code="64.74")
    key = {"agency": place["dinkes"], "code": "PMT-BALITA", "desa_id": "64.74.01.1001", "year": place["today"].year}
    if (place["today"] - dt.timedelta(days=20)).year != place["today"].year:
        key["year"] -= 1
    assert DeliveryTotal.objects.get(**key).quantity == 30
    changed = list(rows[0])
    changed[7] = "56"
    run_import("deliveries", t.write_table(tmp_path / "b", HEADER, [changed]), user=kota_user, region_code="64.74")
    kept = DeliveryTotal.objects.get(**key)
    assert (kept.quantity, kept.deliveries) == (56, 1)
    totals.rebuild("64.74")  # what the maintained row must equal
    assert DeliveryTotal.objects.get(**key).quantity == 56


def test_a_file_without_the_required_columns_imports_nothing(kota_user, place, tmp_path):
    path = t.write_table(tmp_path / "x", ["Nama", "Tanggal", "Satuan", "OPD"], [["A", "01/01/2025", "paket", "X"]])
    with pytest.raises(Exception, match="Kode Intervensi"):
        run_import("deliveries", path, user=kota_user, region_code="64.74")
    assert ImportBatch.objects.get().status == "failed" and Delivery.objects.count() == 0


def test_the_command_imports_deliveries(kota_user, place, tmp_path, capsys):
    rows, _n = ugly_rows(place)
    path = t.write_table(tmp_path / "cmd", HEADER, rows[:3])
    call_command("import", "deliveries", str(path), "--region", "64.74", "--user", kota_user.username,
                 "--no-progress")
    assert "3 imported" in capsys.readouterr().out and Delivery.objects.count() == 3


def test_the_web_upload_imports_deliveries(client, kota_user, place, tmp_path):
    rows, _n = ugly_rows(place)
    path = t.write_table(tmp_path / "web", HEADER, rows[:4])
    client.force_login(kota_user)
    assert client.get(reverse("imports:upload_source", args=["deliveries"])).status_code == 200
    with path.open("rb") as handle:
        response = client.post(reverse("imports:upload_source", args=["deliveries"]),
                               {"file": handle, "region": "64.74"}, follow=True)
    batch = ImportBatch.objects.get()
    assert batch.status == "done" and (batch.imported, batch.rejected) == (3, 1)
    page = response.content.decode()
    assert "PMT-XYZ" in page
