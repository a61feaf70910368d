"""Issue 10 item 7: a delivery-list row whose recipient is only a near match (same birth date, a
very similar name) is held for review, not lost and not guessed: "same person" records the
delivery for the registered person (once, under the importer's own key, so a re-import changes
nothing), "not this person" rejects the row with the reason; scoped and decided like the EPPGBM
near duplicates. A decision can be undone (like a merge): the delivery it recorded is voided, the
row is held again, the figures are as before and the review can be decided again."""

import datetime as dt

import pytest
from django.urls import reverse

from tumbuh.accounts.models import Role
from tumbuh.audit.models import AuditEvent
from tumbuh.convergence.models import Completeness, Gap
from tumbuh.imports import testing as t
from tumbuh.imports.deliveries import import_key
from tumbuh.imports.framework import ImportRefused, run_import
from tumbuh.imports.models import ImportBatch, ImportRow, MatchReview
from tumbuh.imports.selectors import delivery_decisions_for, delivery_reviews_for
from tumbuh.imports.services import decide_delivery_review, undo_delivery_review
from tumbuh.interventions import services as iv
from tumbuh.interventions.models import Delivery, DeliveryTotal
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


def delivery_file(tmp_path, budi, name="a", quantity="1", held_day=None):
    """Row 2: Budi exactly (imported); row 3: "Budi Santosa", the same birth date (a near match)."""
    day = (dt.date.today() - dt.timedelta(days=20)).strftime("%d/%m/%Y")
    born = budi.birth_date.strftime("%d/%m/%Y")
    rows = [["", "Budi Santoso", born, "", "", "VIT-A", day, "1", "kapsul", "", "", ""],
            ["", "Budi Santosa", born, "", "", "IMUNISASI-DASAR", held_day.strftime("%d/%m/%Y") if held_day else day,
             quantity, "", "APBD", "", "posyandu"]]
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


# --- undoing a decision ---------------------------------------------------------------------------


def figures(budi, *batches) -> dict:
    """What the decision changes besides the rows: Budi's convergence gaps and completeness, the
    delivery totals plan progress reads (a total voided back to zero counts as none), the live
    deliveries, and each batch's counts."""
    for batch in batches:
        batch.refresh_from_db()
    return {
        "gaps": sorted(Gap.objects.filter(person=budi).values_list("item_code", "reason_code")),
        "completeness": list(Completeness.objects.filter(person=budi).values_list("required", "received", "complete")),
        "totals": sorted(DeliveryTotal.objects.exclude(deliveries=0).values_list("code", "quantity", "deliveries")),
        "deliveries": sorted(Delivery.objects.filter(voided_at__isnull=True).values_list("code", flat=True)),
        "batches": [(b.imported, b.merged, b.unchanged, b.rejected, b.held) for b in batches],
    }


def held_rows(*batches) -> list:
    return [tuple(b.rows.filter(row_number=3).values_list("outcome", "person_id", "object_id", "notes", "reasons")[0])
            for b in batches]


def test_undoing_same_person_voids_the_delivery_and_the_review_can_be_decided_again(kota_user, budi, tmp_path, client):
    path = delivery_file(tmp_path, budi)
    first = run_import("deliveries", path, user=kota_user, region_code=DESA)
    second = run_import("deliveries", path, user=kota_user, region_code=DESA)  # held again, same review
    review = MatchReview.objects.get()
    before, rows_before = figures(budi, first, second), held_rows(first, second)
    assert ("IMUNISASI-DASAR", "age_months") in before["gaps"] and before["batches"] == [(1, 0, 0, 0, 1), (0, 0, 1, 0, 1)]
    decide_delivery_review(kota_user, review, same=True)
    delivery = Delivery.objects.get(code="IMUNISASI-DASAR")
    decided = figures(budi, first, second)
    assert ("IMUNISASI-DASAR", "age_months") not in decided["gaps"]  # the decision closed the gap
    assert decided["completeness"] != before["completeness"] and decided["totals"] != before["totals"]

    client.force_login(kota_user)
    page = client.get(reverse("imports:reviews")).content.decode()
    url = reverse("imports:undo_delivery_review", args=[review.pk])
    assert "Baris penerimaan yang baru diputuskan" in page and url in page and "Batalkan keputusan" in page
    assert client.get(url).status_code == 405  # POST only
    response = client.post(url, follow=True)
    assert "Keputusan dibatalkan" in response.content.decode()

    # the delivery is voided (it stays on record, counting for nothing), the figures are as before
    delivery.refresh_from_db()
    assert delivery.voided_at is not None and delivery.voided_by == kota_user and "dibatalkan" in delivery.void_reason
    assert figures(budi, first, second) == before and held_rows(first, second) == rows_before and counted(first)
    review.refresh_from_db()
    assert (review.decision, review.decided_by, review.decided_at) == ("pending", None, None)
    assert "decision" not in review.held and list(delivery_reviews_for(kota_user)) == [review]
    event = AuditEvent.objects.filter(action="update", object_id=str(budi.pk), detail__delivery=delivery.pk).latest("pk")
    assert "dibatalkan" in event.summary and event.detail["rows"] == [[first.pk, 3, "imported"], [second.pk, 3, "unchanged"]]
    assert AuditEvent.objects.filter(object_type="interventions.delivery", object_id=str(delivery.pk),
                                     summary__contains="dibatalkan").exists()  # the void, by the context

    # a second undo is refused: by the page (nothing listed to undo) and by the service
    assert client.post(url).status_code == 404
    with pytest.raises(ImportRefused):
        undo_delivery_review(kota_user, review)

    # decided again: a new delivery, the rows and the figures as after the first decision
    decide_delivery_review(kota_user, review, same=True)
    again = Delivery.objects.get(code="IMUNISASI-DASAR", voided_at__isnull=True)
    assert again.pk != delivery.pk and figures(budi, first, second) == decided
    assert first.rows.get(row_number=3).object_id == again.pk and counted(first) and counted(second)


def test_undoing_not_this_person_holds_the_row_again_and_a_reimport_holds_it_too(kota_user, budi, tmp_path):
    path = delivery_file(tmp_path, budi)
    batch = run_import("deliveries", path, user=kota_user, region_code=DESA)
    review = MatchReview.objects.get()
    before, rows_before = figures(budi, batch), held_rows(batch)
    decide_delivery_review(kota_user, review, same=False)
    assert figures(budi, batch)["batches"] == [(1, 0, 0, 1, 0)]
    assert list(delivery_decisions_for(kota_user)) == [review]
    undo_delivery_review(kota_user, review)
    assert figures(budi, batch) == before and held_rows(batch) == rows_before and counted(batch)
    assert review.decision == "pending" and "decision" not in review.held
    again = run_import("deliveries", path, user=kota_user, region_code=DESA)  # no longer rejected: held
    assert (again.held, again.rejected, again.review_count) == (1, 0, 0) and MatchReview.objects.count() == 1
    assert again.rows.get(row_number=3).object_id == review.pk and counted(again)


def test_undoing_a_same_person_the_context_refused_holds_the_row_again(kota_user, budi, tmp_path):
    # delivered before Budi was born: held (the file's checks pass), refused once it is Budi's
    path = delivery_file(tmp_path, budi, held_day=budi.birth_date - dt.timedelta(days=3))
    batch = run_import("deliveries", path, user=kota_user, region_code=DESA)
    review = MatchReview.objects.get()
    before, rows_before = figures(budi, batch), held_rows(batch)
    decide_delivery_review(kota_user, review, same=True)
    assert figures(budi, batch)["batches"] == [(1, 0, 0, 1, 0)] and batch.rows.get(row_number=3).reasons
    assert not Delivery.objects.filter(code="IMUNISASI-DASAR").exists()
    undo_delivery_review(kota_user, review)
    assert figures(budi, batch) == before and held_rows(batch) == rows_before and review.decision == "pending"


def test_undo_is_refused_to_another_desa_and_to_a_cadre(kota_user, desa_user, budi, tmp_path, client):
    run_import("deliveries", delivery_file(tmp_path, budi), user=kota_user, region_code=DESA)
    review = MatchReview.objects.get()
    decide_delivery_review(kota_user, review, same=True)
    url = reverse("imports:undo_delivery_review", args=[review.pk])
    cadre = make_user("kader", Role.CADRE, posyandu=budi.posyandu)
    assert list(delivery_decisions_for(desa_user)) == []  # another desa's user does not see it
    for user in (desa_user, cadre):
        with pytest.raises(ImportRefused):
            undo_delivery_review(user, review)
        client.force_login(user)
        page = client.get(reverse("imports:reviews")).content.decode()
        assert url not in page  # neither lists it with a button (a cadre sees the list, without one)
        response = client.post(url, follow=True)
        assert response.status_code == (404 if user == desa_user else 200)
        if user == cadre:
            assert "puskesmas" in response.content.decode()  # the refusal, in Indonesian
    review.refresh_from_db()
    assert review.decision == "same" and Delivery.objects.get(code="IMUNISASI-DASAR").voided_at is None
    assert ImportRow.objects.get(row_number=3).outcome == "imported"


def test_undo_is_refused_once_someone_else_voided_the_delivery(kota_user, budi, tmp_path, client):
    run_import("deliveries", delivery_file(tmp_path, budi), user=kota_user, region_code=DESA)
    review = MatchReview.objects.get()
    decide_delivery_review(kota_user, review, same=True)
    delivery = Delivery.objects.get(code="IMUNISASI-DASAR")
    other = make_user("pkm_loktuan", Role.DESA, region=Region.objects.get(code=DESA))
    iv.void_delivery(other, delivery, "salah catat")
    client.force_login(kota_user)
    response = client.post(reverse("imports:undo_delivery_review", args=[review.pk]), follow=True)
    assert "tidak dapat dibatalkan" in response.content.decode()
    review.refresh_from_db()
    assert review.decision == "same" and ImportRow.objects.filter(outcome="held").count() == 0


def test_undo_is_refused_once_a_reimport_replaced_the_delivery(kota_user, budi, tmp_path):
    run_import("deliveries", delivery_file(tmp_path, budi), user=kota_user, region_code=DESA)
    review = MatchReview.objects.get()
    decide_delivery_review(kota_user, review, same=True)
    # the file again with another quantity: the row is Budi's now, its delivery replaced (voided,
    # a new one recorded), which an undo would otherwise leave behind for a row held again
    changed = run_import("deliveries", delivery_file(tmp_path, budi, name="b", quantity="2"), user=kota_user,
                         region_code=DESA)
    assert changed.merged == 1
    with pytest.raises(ImportRefused, match="tidak dapat dibatalkan"):
        undo_delivery_review(kota_user, review)
    assert Delivery.objects.get(code="IMUNISASI-DASAR", voided_at__isnull=True).quantity == 2


def test_a_second_decision_sent_from_a_page_loaded_before_the_first_is_refused(kota_user, budi, tmp_path):
    """Two team members open the same held row; each sends a decision. The second acts on the
    review as their page loaded it (still pending): it must see the first decision (the review is
    locked and read again) and be refused, not record a second delivery nor move the counts twice."""
    batch = run_import("deliveries", delivery_file(tmp_path, budi), user=kota_user, region_code=DESA)
    mine, theirs = MatchReview.objects.get(), MatchReview.objects.get()
    decide_delivery_review(kota_user, mine, same=True)
    assert theirs.decision == "pending"  # the stale copy
    with pytest.raises(ImportRefused):
        decide_delivery_review(kota_user, theirs, same=False)
    assert theirs.decision == "same"
    assert Delivery.objects.filter(code="IMUNISASI-DASAR").count() == 1 and counted(batch)
    assert batch.rows.get(row_number=3).outcome == "imported"
    # and an undo sent twice from the same page: the second finds the review open, and is refused
    stale = MatchReview.objects.get()
    undo_delivery_review(kota_user, mine)
    with pytest.raises(ImportRefused):
        undo_delivery_review(kota_user, stale)
    assert counted(batch) and batch.held == 1
