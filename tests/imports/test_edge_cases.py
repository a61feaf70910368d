"""Files the importer had never seen (issue 8 items 9-11, issue 16 items 3 and 16): UTF-16 text,
empty and header-only files, NIKs with letters, very long names, tall children, posyandu names
that are not names, control characters, 20,000 columns, a cadre's upload."""

import csv
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from tumbuh.accounts.models import Role
from tumbuh.imports import testing as t
from tumbuh.imports.columns import EPPGBM_HEADER
from tumbuh.imports.models import ImportBatch
from tumbuh.imports.services import ImportFailed, ImportRefused, import_eppgbm
from tumbuh.measurements.models import Measurement
from tumbuh.regions.models import Posyandu
from tumbuh.registry.models import Person

pytestmark = pytest.mark.django_db


def rows_for(n_children=3, months=2):
    return t.make_rows(t.make_children(n_children), months=months)


def write_text(path, rows, *, delimiter=";", encoding="utf-8", header=EPPGBM_HEADER):
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column, "") for column in EPPGBM_HEADER])
    return path


def one_row(**changes):
    row = rows_for(1, 1)[0]
    row.update(changes)
    return row


@pytest.mark.parametrize("delimiter", [";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_text_as_excel_saves_it_is_read(kota_user, tmp_path, delimiter, encoding):
    rows = rows_for()
    rows[0]["Nama"] = "Ñoño Çahyani"  # not ASCII, read back as written
    path = write_text(tmp_path / "unicode.txt", rows, delimiter=delimiter, encoding=encoding)
    assert path.read_bytes().startswith(b"\xff\xfe") == (encoding == "utf-16")
    batch = import_eppgbm(path, user=kota_user, region_code="64.74")
    assert batch.status == "done" and batch.total_rows == len(rows)
    assert batch.imported == len(rows) and batch.rejected == 0
    assert Person.objects.filter(name="Ñoño Çahyani").exists()


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\n\r\n  \n"])
def test_an_empty_file_says_it_is_empty(kota_user, tmp_path, content):
    path = tmp_path / "kosong.csv"
    path.write_bytes(content)
    with translation.override("en"), pytest.raises(ImportFailed) as failed:
        import_eppgbm(path, user=kota_user, region_code="64.74")
    assert str(failed.value) == "The file is empty."
    with translation.override("id"), pytest.raises(ImportFailed) as failed:
        import_eppgbm(path, user=kota_user, region_code="64.74")
    assert "kosong" in str(failed.value)


def test_a_header_only_file_warns(client, kota_user, tmp_path):
    path = write_text(tmp_path / "header.csv", [])
    client.force_login(kota_user)
    with path.open("rb") as handle:
        response = client.post(reverse("imports:upload"), {"file": handle, "region": "64.74"}, follow=True)
    batch = ImportBatch.objects.get()
    assert batch.status == "done" and batch.total_rows == 0
    page = response.content.decode()
    assert 'id="import-warning"' in page and "tidak ada baris data" in page.replace(",", "")
    assert batch.warnings  # the command prints them too


def test_a_nik_with_letters_is_not_called_rounded(kota_user, tmp_path):
    path = write_text(tmp_path / "nik.csv", [one_row(NIK="64740115O6ABCDEF"), one_row(NIK="6.47401E+15", Nama="Budi Lain")])
    with translation.override("en"):
        batch = import_eppgbm(path, user=kota_user, region_code="64.74")
    letters, rounded = batch.rows.order_by("row_number")
    assert letters.outcome == "imported" and rounded.outcome == "imported"
    assert any("digits only" in note and "64740115O6ABCDEF" in note for note in letters.notes), letters.notes
    assert not any("rounded" in note for note in letters.notes)
    assert any("rounded" in note for note in rounded.notes)


def test_unicode_digits_in_a_nik_are_not_digits(kota_user, tmp_path):
    full_width = "６４７４０１１５０６２３０００１"
    path = write_text(tmp_path / "nik.csv", [one_row(NIK=full_width)])
    with translation.override("en"):
        batch = import_eppgbm(path, user=kota_user, region_code="64.74")
    row = batch.rows.get()
    assert row.person.nik == "" and any("digits only" in note for note in row.notes)


def test_a_long_name_is_never_cut_silently(kota_user, tmp_path):
    long_name = ("Muhammad Rizki Ramadhan Pratama Saputra " * 6)[:200].strip()
    path = write_text(tmp_path / "long.csv", [one_row(Nama=long_name), one_row(Nama="Siti Aman", **{"Nama Ortu": "x" * 130})])
    with translation.override("en"):
        batch = import_eppgbm(path, user=kota_user, region_code="64.74")
    name_row, parent_row = batch.rows.order_by("row_number")
    assert name_row.outcome == "rejected" and f"{len(long_name)} characters" in name_row.reasons[0]
    assert parent_row.outcome == "rejected" and "130 characters" in parent_row.reasons[0]
    assert name_row.cells[1] == long_name  # kept whole in the rejected-rows file
    assert not Person.objects.filter(name__startswith="Muhammad Rizki").exists()


def test_a_long_address_is_cut_with_a_note_and_a_long_rt_left_empty_with_one(kota_user, tmp_path):
    path = write_text(tmp_path / "addr.csv", [one_row(Alamat="Jl. " + "Panjang " * 40, RT="00012")])
    with translation.override("en"):
        batch = import_eppgbm(path, user=kota_user, region_code="64.74")
    row = batch.rows.get()
    assert row.outcome == "imported"
    assert any("only its first 255" in note for note in row.notes)
    assert any("RT '00012'" in note for note in row.notes)
    household = row.person.household
    assert len(household.address) == 255 and household.rt == ""


def tall_child_row(height: str, **extra):
    born = dt.date(2020, 8, 1)
    return one_row(**{"JK": "L", "Tgl Lahir": born.strftime("%d/%m/%Y"), "Tanggal Pengukuran": "15/06/2025",
                      "Tinggi": height, "Cara Ukur": "Berdiri", "Berat": "25", "NIK": ""}, **extra)


def test_height_limit_follows_who_flags_not_a_fixed_130_cm(kota_user, tmp_path):
    # a boy of 58 months: 134 cm is about +5.4 SD (WHO keeps it), 140 cm is beyond +6 SD (flagged)
    rows = [tall_child_row("134"), tall_child_row("140", Nama="Anak Tinggi Sekali")]
    path = write_text(tmp_path / "tall.csv", rows)
    with translation.override("en"):
        batch = import_eppgbm(path, user=kota_user, region_code="64.74")
    kept, flagged = batch.rows.order_by("row_number")
    assert kept.outcome == "imported", kept.reasons
    assert kept.measurement.length_cm == pytest.approx(134.0)
    assert 5 < kept.measurement.length_for_age_z < 6 and not kept.measurement.length_for_age_flag
    assert flagged.outcome == "rejected"
    assert "WHO flags" in flagged.reasons[0] and "+6" in flagged.reasons[0]
    # physically impossible values keep their fixed limits (a unit slip)
    assert Measurement.objects.count() == 1


@pytest.mark.parametrize("name", ["inf", "NaN", "0000-00-00", "<script>x</script>", "12", "1e5",
                                  "Posyandu " + "Mawar " * 25])
def test_a_posyandu_that_is_not_a_name_is_not_created(kota_user, tmp_path, name):
    path = write_text(tmp_path / "pos.csv", [one_row(Posyandu=name)])
    before = Posyandu.objects.count()
    batch = import_eppgbm(path, user=kota_user, region_code="64.74")
    row = batch.rows.get()
    assert row.outcome == "rejected" and "Posyandu" in row.reasons[0]
    assert Posyandu.objects.count() == before
    assert batch.unknown_places["posyandu_created"] == []


def test_two_long_posyandu_names_alike_in_their_first_120_characters(kota_user, tmp_path):
    """Before: both were cut to 120 characters and created: a raw UNIQUE constraint failure."""
    stem = "Posyandu Melati " * 8
    rows = [one_row(Posyandu=stem + "Satu"), one_row(Posyandu=stem + "Dua", Nama="Dewi Dua")]
    batch = import_eppgbm(write_text(tmp_path / "pos.csv", rows), user=kota_user, region_code="64.74")
    assert batch.status == "done" and batch.rejected == 2
    assert all("Posyandu" in r.reasons[0] for r in batch.rows.all())


def test_a_cadre_cannot_import_and_gets_a_reason_not_a_constraint_error(client, regions, tmp_path, django_user_model):
    mine = Posyandu.objects.create(name="Posyandu Melati", desa_id="64.74.01.1001")
    Posyandu.objects.create(name="Posyandu Mawar", desa_id="64.74.01.1001")
    cadre = django_user_model.objects.create_user("kader", password="x-pass-12345", role=Role.CADRE, posyandu=mine)
    path = write_text(tmp_path / "cadre.csv", [one_row(Posyandu="Posyandu Mawar", **{"Desa/Kel": "Bontang Kuala"})])
    with pytest.raises(ImportRefused):
        import_eppgbm(path, user=cadre, region_code="64.74.01.1001")
    client.force_login(cadre)
    with path.open("rb") as handle:
        response = client.post(reverse("imports:upload"), {"file": handle, "region": "64.74.01.1001"})
    assert response.status_code == 200 and "kader" in response.content.decode().lower()
    assert ImportBatch.objects.count() == 0


def test_an_existing_posyandu_outside_the_users_posyandu_list_is_reused(kota_user, tmp_path):
    existing = Posyandu.objects.create(name="Posyandu Mawar", desa_id="64.74.01.1001")
    path = write_text(tmp_path / "p.csv", [one_row(Posyandu="POSYANDU  MAWAR", **{"Desa/Kel": "Bontang Kuala"})])
    batch = import_eppgbm(path, user=kota_user, region_code="64.74")
    assert batch.rows.get().measurement.posyandu == existing
    assert Posyandu.objects.count() == 1


def test_control_characters_are_removed_on_the_way_in(kota_user, tmp_path):
    rows = [one_row(Nama="\x02Siti\x04 Aminah\x1f", Alamat="Jl.\x00 Mawar")]
    path = write_text(tmp_path / "ctl.csv", rows)
    batch = import_eppgbm(path, user=kota_user, region_code="64.74")
    row = batch.rows.get()
    assert row.outcome == "imported"
    assert row.person.name == "Siti Aminah" and row.person.household.address == "Jl. Mawar"


def test_control_characters_in_an_xlsx_are_removed(kota_user, tmp_path):
    path = t.write_xlsx(tmp_path / "ctl.xlsx", [one_row(Nama="Budi\x7f Santoso\x85")])
    batch = import_eppgbm(path, user=kota_user, region_code="64.74")
    assert batch.rows.get().person.name == "Budi Santoso"


def test_a_20000_column_file_is_refused_with_a_reason(client, kota_user, tmp_path):
    header = EPPGBM_HEADER + [f"Extra {i}" for i in range(20_000)]
    path = write_text(tmp_path / "wide.csv", [one_row(Berat="tdk diukur")], header=header)
    with translation.override("en"), pytest.raises(ImportFailed) as failed:
        import_eppgbm(path, user=kota_user, region_code="64.74")
    assert "20038 columns" in str(failed.value)
    # trailing empty header cells (a spreadsheet's used range) do not count
    trailing = write_text(tmp_path / "trailing.csv", [one_row(Berat="tdk diukur")], header=EPPGBM_HEADER + [""] * 20_000)
    batch = import_eppgbm(trailing, user=kota_user, region_code="64.74")
    assert batch.rejected == 1 and len(batch.header) == len(EPPGBM_HEADER)
    client.force_login(kota_user)
    response = client.get(reverse("imports:rejected", args=[batch.pk]))
    assert response.status_code == 200


def test_web_uploads_have_a_size_limit(client, kota_user, tmp_path, settings):
    settings.TUMBUH_MAX_UPLOAD_MB = 1
    rows = rows_for(60, 12)
    path = write_text(tmp_path / "big.csv", rows * 8)
    assert path.stat().st_size > 1024 * 1024
    client.force_login(kota_user)
    with path.open("rb") as handle:
        response = client.post(reverse("imports:upload"), {"file": handle, "region": "64.74"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "dibatasi 1 MB" in page
    assert ImportBatch.objects.count() == 0
