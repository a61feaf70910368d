import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tumbuh.audit.models import AuditEvent
from tumbuh.imports import testing as t
from tumbuh.imports.models import ImportBatch, ImportRow, MatchReview
from tumbuh.imports.services import ImportFailed, ImportRefused, import_eppgbm
from tumbuh.measurements.models import Measurement
from tumbuh.regions.models import Posyandu
from tumbuh.registry.models import Person

from .helpers import FIRST_DATA_ROW, FORMATS, ugly_file

pytestmark = pytest.mark.django_db


def outcome(batch, number):
    return batch.rows.get(row_number=number)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_row_lands_in_exactly_one_place_in_every_format(fmt, kota_user, tmp_path):
    Posyandu.objects.create(name="Posyandu Melati", desa_id="64.74.01.1001")
    path, rows, n = ugly_file(tmp_path, fmt)
    batch = import_eppgbm(path, user=kota_user, region_code="64.74")

    assert batch.status == ImportBatch.Status.DONE
    assert batch.blank_rows == 1
    assert batch.total_rows == len(rows) - 1
    assert batch.imported + batch.merged + batch.unchanged + batch.rejected == batch.total_rows
    assert batch.rows.count() == batch.total_rows  # one ImportRow per data row
    assert batch.accounted_rows == len(rows)

    # NIK never read as a number: the text NIK is kept, the spreadsheet-rounded one is refused.
    apostrophe = outcome(batch, n["nik_apostrophe"])
    assert apostrophe.outcome == "imported"
    assert apostrophe.person.nik == rows[n["nik_apostrophe"] - FIRST_DATA_ROW[fmt]]["NIK"].lstrip("'")
    # The rounded NIK is not used; the child is still found by name + birth date + parent.
    scientific = outcome(batch, n["nik_scientific"])
    assert scientific.outcome == "imported" and any("NIK" in note for note in scientific.notes)
    first_row_of_child = rows.index(next(r for r in rows if r["Nama"] == rows[n["nik_scientific"] - FIRST_DATA_ROW[fmt]]["Nama"]
                                         and r["NIK"][:1].isdigit() and "E" not in r["NIK"]))
    assert scientific.person == outcome(batch, first_row_of_child + FIRST_DATA_ROW[fmt]).person
    assert scientific.person.nik == rows[first_row_of_child]["NIK"]

    grams = outcome(batch, n["weight_grams"])
    assert grams.measurement.weight_kg == pytest.approx(10.945)
    assert any("gram" in note for note in grams.notes)  # "diubah dari gram"
    mm = outcome(batch, n["height_mm"])
    assert mm.measurement.length_cm == pytest.approx(87.5)
    sentinel = outcome(batch, n["weight_sentinel"])
    assert sentinel.outcome == "imported" and sentinel.measurement.weight_kg is None
    assert sentinel.measurement.length_cm is not None

    text = outcome(batch, n["weight_text"])
    assert text.outcome == "rejected" and "tdk diukur" in text.reasons[0]
    assert text.cells[text.cells and 21] == "tdk diukur"  # raw cells kept for the rejects file
    assert outcome(batch, n["unknown_desa"]).outcome == "rejected"
    assert batch.unknown_places["desa"] == {"BONTANG UTARA / Antah Berantah": 1}
    assert outcome(batch, n["bad_birth_date"]).outcome == "rejected"
    assert outcome(batch, n["future_measurement"]).outcome == "rejected"
    assert outcome(batch, n["iso_dates"]).outcome == "imported"

    assert outcome(batch, n["duplicate"]).outcome == "imported"
    again = outcome(batch, n["duplicate_again"])
    assert again.outcome == "unchanged" and again.measurement_id == outcome(batch, n["duplicate"]).measurement_id

    created = Posyandu.objects.get(name="Posyandu Teratai Baru")
    assert outcome(batch, n["unknown_posyandu"]).measurement.posyandu == created
    assert any("Teratai Baru" in p for p in batch.unknown_places["posyandu_created"])
    assert Posyandu.objects.filter(name="Posyandu Melati").count() == 1  # existing one reused

    review = MatchReview.objects.get(batch=batch)
    assert review.row_number == n["near_duplicate"]
    assert review.candidate == outcome(batch, n["near_duplicate_source"]).person
    assert review.decision == "pending"

    assert Measurement.objects.filter(source="import").count() == batch.imported
    event = AuditEvent.objects.get(action="import", object_id=str(batch.pk))
    assert event.detail["imported"] == batch.imported and event.user == kota_user


def test_same_file_twice_changes_nothing(kota_user, tmp_path):
    path, rows, n = ugly_file(tmp_path, "csv_semicolon")
    first = import_eppgbm(path, user=kota_user, region_code="64.74")
    before = (Person.objects.count(), Measurement.objects.count(), Posyandu.objects.count(),
              MatchReview.objects.count(),
              sorted(Measurement.objects.values_list("id", "weight_kg", "length_cm", "weight_for_age_z")))
    second = import_eppgbm(path, user=kota_user, region_code="64.74")
    after = (Person.objects.count(), Measurement.objects.count(), Posyandu.objects.count(),
             MatchReview.objects.count(),
             sorted(Measurement.objects.values_list("id", "weight_kg", "length_cm", "weight_for_age_z")))
    assert before == after
    assert second.imported == 0 and second.merged == 0 and second.people_created == 0
    assert second.unchanged == first.imported + first.unchanged
    assert second.rejected == first.rejected
    assert second.file_sha256 == first.file_sha256


def test_changed_value_is_merged_and_old_value_recorded(kota_user, tmp_path):
    children = t.make_children(3)
    rows = t.make_rows(children, months=2)
    import_eppgbm(t.write_csv(tmp_path / "a.csv", rows), user=kota_user, region_code="64.74")
    changed = [dict(r) for r in rows]
    old_weight = float(changed[1]["Berat"])
    changed[1]["Berat"] = f"{old_weight + 0.4:.1f}"
    # The second file comes as xlsx with NIKs dropped: the child is found by name, birth date, parent.
    for r in changed:
        r["NIK"] = ""
    batch = import_eppgbm(t.write_xlsx(tmp_path / "b.xlsx", changed), user=kota_user, region_code="64.74")
    assert (batch.imported, batch.merged, batch.unchanged, batch.rejected) == (0, 1, len(rows) - 1, 0)
    merged = batch.rows.get(outcome="merged")
    assert merged.previous["weight_kg"] == pytest.approx(old_weight)
    assert merged.measurement.weight_kg == pytest.approx(old_weight + 0.4)
    assert merged.measurement.weight_for_age_z is not None  # recomputed after the merge
    assert Person.objects.count() == len({r["NIK"] for r in rows})


def test_a_failure_halfway_leaves_the_database_as_before(kota_user, tmp_path, monkeypatch):
    path, rows, n = ugly_file(tmp_path, "csv_semicolon", n_children=30)
    calls = {"n": 0}
    from tumbuh.imports import services

    original = services.EppgbmImporter._write

    def crash_on_second_chunk(self, entries, reviews):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(self, entries, reviews)

    monkeypatch.setattr(services.EppgbmImporter, "_write", crash_on_second_chunk)
    with pytest.raises(ImportFailed) as failure:
        import_eppgbm(path, user=kota_user, region_code="64.74", chunk_rows=20)
    assert calls["n"] == 2
    assert Person.objects.count() == 0 and Measurement.objects.count() == 0
    assert Posyandu.objects.count() == 0 and ImportRow.objects.count() == 0
    batch = failure.value.batch
    assert batch.status == "failed" and "disk full" in batch.error
    assert AuditEvent.objects.filter(action="import", object_id=str(batch.pk)).exists()


def test_file_without_eppgbm_header_is_refused_whole(kota_user, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("nama;umur\nBudi;3\n")
    with pytest.raises(ImportFailed, match="Tgl Lahir"):
        import_eppgbm(path, user=kota_user, region_code="64.74")
    assert Person.objects.count() == 0


def test_binary_garbage_is_refused_with_a_reason(kota_user, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ImportFailed):
        import_eppgbm(path, user=kota_user, region_code="64.74")
    assert ImportBatch.objects.get().status == "failed"


def test_region_outside_the_users_scope_is_refused(desa_user, tmp_path):
    path, _rows, _n = ugly_file(tmp_path, "csv_semicolon")
    with pytest.raises(ImportRefused):
        import_eppgbm(path, user=desa_user, region_code="64.74")
    assert ImportBatch.objects.count() == 0


def test_rows_of_other_desa_are_rejected_when_importing_into_one_desa(desa_user, tmp_path):
    path, rows, _n = ugly_file(tmp_path, "csv_comma")
    batch = import_eppgbm(path, user=desa_user, region_code="64.74.01.1002")
    guntung = sum(1 for r in rows if r["Desa/Kel"] == "Guntung")
    assert batch.imported + batch.unchanged == guntung
    assert set(Person.objects.values_list("desa_id", flat=True)) == {"64.74.01.1002"}
    assert batch.imported + batch.merged + batch.unchanged + batch.rejected == batch.total_rows


def test_nik_registered_outside_the_region_is_rejected_not_duplicated(desa_user, regions, tmp_path):
    children = t.make_children(4)
    rows = [r for r in t.make_rows(children, months=1)]
    for r in rows:
        r["Desa/Kel"], r["Kec"] = "Guntung", "BONTANG UTARA"
    other = rows[0]
    Person.objects.create(nik=other["NIK"], name="Someone Else", sex="M", birth_date="2022-01-01",
                          desa_id="64.74.02.1001")
    batch = import_eppgbm(t.write_csv(tmp_path / "a.csv", rows), user=desa_user, region_code="64.74.01.1002")
    row = batch.rows.get(row_number=2)
    assert row.outcome == "rejected" and "di luar 64.74.01.1002" in row.reasons[0]
    assert Person.objects.filter(nik=other["NIK"]).count() == 1


def test_eppgbm_zscores_are_compared_with_ours(kota_user, tmp_path):
    children = t.make_children(30)
    rows = t.make_rows(children, months=2)
    shifted = t.add_eppgbm_zscores(rows, offset_every=5, offset=0.3)
    batch = import_eppgbm(t.write_csv(tmp_path / "z.csv", rows), user=kota_user, region_code="64.74")
    wfa, hfa, wfh = batch.zscore_summary["indicators"]
    assert wfa["label"] == "BB/U"
    assert wfa["compared"] == len(rows) and wfa["differ"] == shifted
    assert wfa["max_abs"] == pytest.approx(0.3, abs=0.011)
    assert hfa["differ"] == 0 and wfh["differ"] == 0 and hfa["compared"] > 0
    assert len(batch.zscore_summary["largest"]) == min(shifted, 20)
    assert all(item["indicator"] == "BB/U" for item in batch.zscore_summary["largest"])


def test_no_query_per_row(kota_user, tmp_path):
    def count(n_children):
        rows = t.make_rows(t.make_children(n_children, seed=n_children), months=2)
        path = t.write_csv(tmp_path / f"q{n_children}.csv", rows)
        with CaptureQueriesContext(connection) as ctx:
            import_eppgbm(path, user=kota_user, region_code="64.74", chunk_rows=100_000)
        # the derived-column recompute is one executemany, logged once per row: not ours
        ours = [q for q in ctx.captured_queries if not q["sql"].startswith('UPDATE "measurements_measurement"')]
        return len(ours), len(rows)

    (small, small_rows), (large, large_rows) = count(20), count(200)
    # only multi-row INSERT batches grow with the file (tens of rows each), never one per row
    assert (large - small) < (large_rows - small_rows) / 10
