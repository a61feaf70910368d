import io
import re
from collections import Counter

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tumbuh.audit.models import AuditEvent
from tumbuh.imports import testing as t
from tumbuh.imports.models import ImportBatch, MatchReview
from tumbuh.imports.services import import_eppgbm
from tumbuh.measurements.models import Measurement
from tumbuh.registry.models import Person

from .helpers import ugly_file

pytestmark = pytest.mark.django_db


def test_upload_imports_and_shows_a_report_that_adds_up(client, kota_user, tmp_path):
    path, rows, n = ugly_file(tmp_path, "html_xls")
    client.force_login(kota_user)
    assert client.get(reverse("imports:upload")).status_code == 200
    with path.open("rb") as handle:
        response = client.post(reverse("imports:upload"), {"file": handle, "region": "64.74"})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:report", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert batch.file_name == path.name
    # The report's own sum, read from the page, against the file we wrote (not the batch's fields).
    m = re.search(r"(\d+) diimpor \+ (\d+) digabung \+ (\d+) tidak berubah \+ (\d+) ditolak = (\d+) baris"
                  r" \(dan (\d+) baris kosong", page)
    assert m, page
    imported, merged, unchanged, rejected, total, blank = map(int, m.groups())
    blank_in_file = sum(1 for row in rows if not any(v.strip() for v in row.values()))
    assert blank_in_file == blank == 1
    assert imported + merged + unchanged + rejected == len(rows) - blank_in_file
    assert total == len(rows) - blank_in_file
    # Each row of the file has exactly one recorded outcome, and the page shows those counts.
    outcomes = Counter(batch.rows.values_list("outcome", flat=True))
    assert (outcomes["imported"], outcomes["merged"], outcomes["unchanged"], outcomes["rejected"]) == (
        imported, merged, unchanged, rejected)
    # What the ugly rows must come to: the unreadable ones rejected, the duplicate rows not imported twice.
    assert rejected >= 3 and unchanged + merged >= 1 and imported >= 20
    assert "Antah Berantah" in page and "tdk diukur" in page
    assert AuditEvent.objects.filter(action="import", object_id=str(batch.pk)).exists()


def test_rejected_rows_download_in_the_original_layout_with_reasons(client, kota_user, tmp_path):
    path, rows, n = ugly_file(tmp_path, "csv_semicolon")
    batch = import_eppgbm(path, user=kota_user, region_code="64.74")
    client.force_login(kota_user)
    response = client.get(reverse("imports:rejected", args=[batch.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    assert header[:len(t.EPPGBM_HEADER)] == t.EPPGBM_HEADER
    assert header[len(t.EPPGBM_HEADER)] == "Alasan ditolak"
    assert len(values) - 1 == batch.rejected
    nik_column = header.index("NIK")
    for row in values[1:]:
        assert isinstance(row[nik_column], str | None)  # NIK stays text
        assert row[len(t.EPPGBM_HEADER)]  # every row says why
    assert AuditEvent.objects.filter(action="export", object_id=str(batch.pk)).exists()

    # Fixed and uploaded again, the rows go in and nothing else moves.
    fixed_path = tmp_path / "fixed.csv"
    fixed = [dict(zip(t.EPPGBM_HEADER, [c or "" for c in row[:len(t.EPPGBM_HEADER)]], strict=True)) for row in values[1:]]
    for row in fixed:
        if row["Berat"] == "tdk diukur":
            row["Berat"] = "9,8"
    t.write_csv(fixed_path, fixed, comma_decimals=False)
    again = import_eppgbm(fixed_path, user=kota_user, region_code="64.74")
    assert again.imported == 1 and again.rejected == batch.rejected - 1


def test_other_regions_cannot_see_a_batch(client, kota_user, desa_user, tmp_path):
    path, _rows, _n = ugly_file(tmp_path, "csv_comma")
    batch = import_eppgbm(path, user=kota_user, region_code="64.74")
    client.force_login(desa_user)
    assert client.get(reverse("imports:report", args=[batch.pk])).status_code == 404
    assert client.get(reverse("imports:rejected", args=[batch.pk])).status_code == 404
    people, measurements = Person.objects.count(), Measurement.objects.count()
    with path.open("rb") as handle:
        response = client.post(reverse("imports:upload"), {"file": handle, "region": "64.74"})
    assert response.status_code == 200
    # Refused with the reason, on the form, and nothing of the file stored.
    assert "Wilayah 64.74 tidak berada di wilayah Anda." in response.content.decode()
    assert ImportBatch.objects.count() == 1 and ImportBatch.objects.get() == batch
    assert (Person.objects.count(), Measurement.objects.count()) == (people, measurements)
    assert not AuditEvent.objects.filter(action="import", user=desa_user).exists()


def test_review_same_child_merges_the_records(client, kota_user, tmp_path):
    path, rows, n = ugly_file(tmp_path, "xlsx")
    batch = import_eppgbm(path, user=kota_user, region_code="64.74")
    review = MatchReview.objects.get()
    duplicate, original = review.person, review.candidate
    client.force_login(kota_user)
    page = client.get(reverse("imports:reviews")).content.decode()
    assert duplicate.name in page and original.name in page
    before = Measurement.objects.filter(child=original).count()
    response = client.post(reverse("imports:decide", args=[review.pk]), {"decision": "same"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert not Person.objects.filter(pk=duplicate.pk).exists()
    # the duplicate's one measurement is on a date the original already has: the original's is kept
    assert Measurement.objects.filter(child=original).count() == before
    review.refresh_from_db()
    assert review.decision == "same" and review.decided_by == kota_user
    assert batch.rows.get(row_number=n["near_duplicate"]).person == original


def test_review_different_children_keeps_both(client, kota_user, tmp_path):
    path, rows, n = ugly_file(tmp_path, "csv_comma")
    import_eppgbm(path, user=kota_user, region_code="64.74")
    review = MatchReview.objects.get()
    client.force_login(kota_user)
    client.post(reverse("imports:decide", args=[review.pk]), {"decision": "different"})
    review.refresh_from_db()
    assert review.decision == "different"
    assert Person.objects.filter(pk__in=[review.person_id, review.candidate_id]).count() == 2


def test_export_is_the_eppgbm_layout_scoped_to_the_user(client, kota_user, desa_user, tmp_path):
    path, rows, n = ugly_file(tmp_path, "csv_semicolon")
    batch = import_eppgbm(path, user=kota_user, region_code="64.74")
    client.force_login(desa_user)
    response = client.get(reverse("imports:export"), {"download": "1"})
    assert response.status_code == 200 and response.streaming  # streamed while the rows are read
    values = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert list(values[0]) == t.EPPGBM_HEADER
    guntung = Measurement.objects.filter(child__desa_id="64.74.01.1002").count()
    assert len(values) - 1 == guntung > 0
    assert {row[11] for row in values[1:]} == {"GUNTUNG"}
    assert AuditEvent.objects.filter(action="export", user=desa_user).exists()

    # What we export reads back in: the same file re-imported changes nothing.
    client.force_login(kota_user)
    everything = client.get(reverse("imports:export"), {"download": "1", "region": "64.74"})
    out = tmp_path / "export.xlsx"
    out.write_bytes(b"".join(everything.streaming_content))
    again = import_eppgbm(out, user=kota_user, region_code="64.74")
    assert again.rejected == 0 and again.imported == 0 and again.merged == 0
    assert again.unchanged == batch.imported


def test_export_refuses_a_region_outside_scope(client, desa_user):
    client.force_login(desa_user)
    response = client.get(reverse("imports:export"), {"download": "1", "region": "64.74"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
