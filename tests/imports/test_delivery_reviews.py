"""Issue 10 item 7: a delivery-list row whose recipient is only a near match (same birth date, a
very similar name) is held for review, not lost and not guessed: "same person" records the
delivery for the registered person (once, under the importer's own key, so a re-import changes
nothing), "not this person" rejects the row with the reason; scoped and decided like the EPPGBM
near duplicates."""

import datetime as dt

import pytest
from django.urls import reverse

from tumbuh.accounts.models import Role
from tumbuh.audit.models import AuditEvent
from tumbuh.imports import testing as t
from tumbuh.imports.deliveries import import_key
from tumbuh.imports.framework import ImportRefused, run_import
from tumbuh.imports.models import ImportBatch, ImportRow, MatchReview
from tumbuh.imports.selectors import delivery_reviews_for
from tumbuh.imports.services import decide_delivery_review
from tumbuh.interventions.models import Delivery
from tumbuh.regions.models import Posyandu, Region
from tumbuh.registry.models import Person
from tumbuh.registry.testing import make_user

pytestmark = pytest.mark.django_db

HEADER = ["NIK", "Nama", "Tgl Lahir", "Nama Ortu", "No KK", "Kode Intervensi", "Tanggal", "Jumlah", "Satuan",
          "Sumber Dana", "OPD", "Keterangan"]
DESA = "64.74.01.1001"


@pytest.fixture
def budi(kota_user):
    today = dt.date.today()
    desa = Region.objects.get(code=DESA)
    posyandu = Posyandu.objects.create(name="Posyandu Melati", desa=desa)
    return Person.objects.create(name="Budi Santoso", sex="M", birth_date=today - dt.timedelta(days=500), desa=desa,
                                 posyandu=posyandu)


def delivery_file(tmp_path, budi, name="a"):
    """Row 2: Budi exactly (imported); row 3: "Budi Santosa", the same birth date (a near match)."""
    day = (dt.date.today() - dt.timedelta(days=20)).strftime("%d/%m/%Y")
    born = budi.birth_date.strftime("%d/%m/%Y")
    rows = [["", "Budi Santoso", born, "", "", "VIT-A", day, "1", "kapsul", "", "", ""],
            ["", "Budi Santosa", born, "", "", "IMUNISASI-DASAR", day, "1", "", "APBD", "", "posyandu"]]
    return t.write_table(tmp_path / name, HEADER, rows)


def counted(batch: ImportBatch) -> bool:
    batch.refresh_from_db()
    return (batch.imported + batch.merged + batch.unchanged + batch.rejected + batch.held == batch.total_rows
            == batch.rows.count()
            and sorted(batch.rows.values_list("outcome", flat=True)) == sorted(
                ["imported"] * batch.imported + ["merged"] * batch.merged + ["unchanged"] * batch.unchanged
                + ["rejected"] * batch.rejected + ["held"] * batch.held))


def test_a_near_match_row_is_held_for_review_with_the_candidate_and_counts_add_up(kota_user, budi, tmp_path, client):
    path = delivery_file(tmp_path, budi)
    batch = run_import("deliveries", path, user=kota_user, region_code=DESA)
    assert (batch.imported, batch.rejected, batch.held, batch.review_count) == (1, 0, 1, 1) and counted(batch)
    held = batch.rows.get(row_number=3)
    assert held.outcome == ImportRow.Outcome.HELD and held.person is None
    review = MatchReview.objects.get()
    assert held.object_id == review.pk
    assert (review.candidate, review.person, review.decision, review.row_number) == (budi, None, "pending", 3)
    assert review.score > 80 and review.held["code"] == "IMUNISASI-DASAR" and review.held["name"] == "Budi Santosa"
    assert not Delivery.objects.filter(code="IMUNISASI-DASAR").exists()
    # the review page and the report say so, in Indonesian
    client.force_login(kota_user)
    page = client.get(reverse("imports:reviews")).content.decode()
    assert "Budi Santosa" in page and f'id="review-{review.pk}"' in page and "Penerima yang sama" in page
    report = client.get(reverse("imports:report", args=[batch.pk])).content.decode()
    assert "menunggu tinjauan" in report.lower()
    # importing the file again while the review is open: held again, no second review, nothing written
    again = run_import("deliveries", path, user=kota_user, region_code=DESA)
    assert (again.imported, again.unchanged, again.held, again.review_count) == (0, 1, 1, 0) and counted(again)
    assert MatchReview.objects.count() == 1 and again.rows.get(row_number=3).object_id == review.pk
    assert Delivery.objects.count() == 1


def test_same_person_records_one_delivery_for_the_candidate_and_a_reimport_changes_nothing(
        kota_user, budi, tmp_path, client):
    path = delivery_file(tmp_path, budi)
    first = run_import("deliveries", path, user=kota_user, region_code=DESA)
    second = run_import("deliveries", path, user=kota_user, region_code=DESA)  # before the decision
    review = MatchReview.objects.get()
    client.force_login(kota_user)
    response = client.post(reverse("imports:decide", args=[review.pk]), {"decision": "same"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Pemberian dicatat" in response.content.decode()
    review.refresh_from_db()
    assert review.decision == "same" and review.decided_by == kota_user
    delivery = Delivery.objects.get(code="IMUNISASI-DASAR")
    assert (delivery.person, delivery.source, delivery.fund_source, delivery.notes) == (budi, "import", "APBD", "posyandu")
    assert delivery.import_key == import_key(budi.pk, None, "IMUNISASI-DASAR", delivery.date)
    # both files' held rows have their outcome now, and their batches' counts still add up
    row1, row2 = first.rows.get(row_number=3), second.rows.get(row_number=3)
    assert (row1.outcome, row1.person, row1.object_id) == ("imported", budi, delivery.pk)
    assert (row2.outcome, row2.object_id) == ("unchanged", delivery.pk)
    assert counted(first) and counted(second) and first.held == second.held == 0 and first.imported == 2
    assert AuditEvent.objects.filter(action="update", object_id=str(budi.pk),
                                     detail__delivery=delivery.pk).exists()
    # the file again: nothing new, nothing held, no second review
    third = run_import("deliveries", path, user=kota_user, region_code=DESA)
    assert (third.imported, third.merged, third.unchanged, third.held, third.rejected) == (0, 0, 2, 0, 0)
    assert third.rows.get(row_number=3).object_id == delivery.pk and counted(third)
    assert Delivery.objects.filter(code="IMUNISASI-DASAR").count() == 1 and MatchReview.objects.count() == 1
    # deciding again is refused
    with pytest.raises(ImportRefused):
        decide_delivery_review(kota_user, review, same=True)


def test_not_this_person_rejects_the_row_with_a_reason_and_records_nothing(kota_user, budi, tmp_path):
    path = delivery_file(tmp_path, budi)
    batch = run_import("deliveries", path, user=kota_user, region_code=DESA)
    review = MatchReview.objects.get()
    decide_delivery_review(kota_user, review, same=False)
    assert review.decision == "different"
    row = batch.rows.get(row_number=3)
    assert row.outcome == "rejected" and row.object_id is None
    assert "bukan" in " ".join(row.reasons) and "Budi Santoso" in " ".join(row.reasons)
    assert counted(batch) and (batch.held, batch.rejected) == (0, 1)
    assert not Delivery.objects.filter(code="IMUNISASI-DASAR").exists()
    again = run_import("deliveries", path, user=kota_user, region_code=DESA)  # rejected again, not re-proposed
    assert (again.rejected, again.held, again.review_count) == (1, 0, 0) and counted(again)
    assert "bukan" in " ".join(again.rows.get(row_number=3).reasons) and MatchReview.objects.count() == 1


def test_a_desa_user_outside_the_scope_can_neither_see_nor_decide(kota_user, desa_user, budi, tmp_path, client):
    run_import("deliveries", delivery_file(tmp_path, budi), user=kota_user, region_code=DESA)
    review = MatchReview.objects.get()
    inside = make_user("desa_loktuan", Role.DESA, region=Region.objects.get(code=DESA))
    assert list(delivery_reviews_for(inside)) == [review] and list(delivery_reviews_for(kota_user)) == [review]
    assert list(delivery_reviews_for(desa_user)) == []  # another desa
    client.force_login(desa_user)
    assert f'id="review-{review.pk}"' not in client.get(reverse("imports:reviews")).content.decode()
    assert client.post(reverse("imports:decide", args=[review.pk]), {"decision": "same"}).status_code == 404
    review.refresh_from_db()
    assert review.decision == "pending" and not Delivery.objects.filter(code="IMUNISASI-DASAR").exists()


def test_a_cadre_cannot_decide(kota_user, budi, tmp_path, client):
    run_import("deliveries", delivery_file(tmp_path, budi), user=kota_user, region_code=DESA)
    review = MatchReview.objects.get()
    cadre = make_user("kader", Role.CADRE, posyandu=budi.posyandu)
    with pytest.raises(ImportRefused):
        decide_delivery_review(cadre, review, same=True)
    client.force_login(cadre)
    client.post(reverse("imports:decide", args=[review.pk]), {"decision": "same"})
    review.refresh_from_db()
    assert review.decision == "pending" and not Delivery.objects.filter(code="IMUNISASI-DASAR").exists()
    assert ImportRow.objects.get(row_number=3).outcome == "held"
