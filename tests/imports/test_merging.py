"""A near-duplicate merge loses nothing and can be undone (issue 16 item 10).

Before: "same child" moved the duplicate's measurements, import rows and target records, then
deleted it, so its deliveries, absences and a child's `mother` link went by cascade or SET_NULL.
Now everything that names the duplicate moves to the kept child, what cannot move is kept
aside, and an undo restores the duplicate under its own id with its own rows. Cadres decide
neither."""

import datetime as dt

import pytest
from django.urls import reverse

from tumbuh.accounts.models import Role, User
from tumbuh.audit.models import AuditEvent
from tumbuh.imports.models import MatchReview
from tumbuh.imports.services import ImportRefused, decide_review, import_eppgbm, undo_merge
from tumbuh.interventions.models import CatalogueItem, Delivery
from tumbuh.measurements.models import Absence, Measurement
from tumbuh.registry.models import Person

from .helpers import ugly_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(kota_user, tmp_path):
    """An import's near duplicate, given rows of other contexts before anyone reviewed it."""
    path, rows, n = ugly_file(tmp_path, "xlsx")
    batch = import_eppgbm(path, user=kota_user, region_code="64.74")
    review = MatchReview.objects.get()
    duplicate, original = review.person, review.candidate
    item = CatalogueItem.objects.filter(code="PMT-BALITA").first() or CatalogueItem.objects.first()
    delivery = Delivery.objects.create(item=item, code=item.code, person=duplicate, date=dt.date.today(),
                                       quantity=7, unit=item.unit, desa_id=duplicate.desa_id,
                                       posyandu=duplicate.posyandu)
    absence = Absence.objects.create(child=duplicate, on=dt.date.today() - dt.timedelta(days=1),
                                     posyandu=duplicate.posyandu or original.posyandu)
    younger = Person.objects.create(name="Adik Uji", sex="F", birth_date=dt.date.today() - dt.timedelta(days=30),
                                    desa_id=duplicate.desa_id, mother=duplicate)
    return {"batch": batch, "review": review, "duplicate": duplicate, "original": original, "row": n["near_duplicate"],
            "delivery": delivery, "absence": absence, "younger": younger}


def test_same_child_moves_everything_and_undo_brings_the_duplicate_back(kota_user, pair):
    dup, orig, review = pair["duplicate"], pair["original"], pair["review"]
    dup_fields = Person.objects.filter(pk=dup.pk).values().get()
    dup_measurements = sorted(Measurement.objects.filter(child=dup).values_list("pk", "measured_on", "weight_kg"))
    orig_measurements = Measurement.objects.filter(child=orig).count()
    assert dup_measurements, "the fixture's duplicate has a measurement"

    decide_review(kota_user, review, same=True)
    assert not Person.objects.filter(pk=dup.pk).exists()
    # Nothing went with it: the delivery, the absence and the younger child's mother are the kept child's.
    pair["delivery"].refresh_from_db()
    pair["younger"].refresh_from_db()
    assert pair["delivery"].person_id == orig.pk and pair["younger"].mother_id == orig.pk
    assert Absence.objects.get(pk=pair["absence"].pk).child_id == orig.pk
    assert pair["batch"].rows.get(row_number=pair["row"]).person_id == orig.pk
    # The duplicate's measurement on a date the original has is kept aside, not on the original.
    assert Measurement.objects.filter(child=orig).count() == orig_measurements
    review.refresh_from_db()
    assert review.decision == "same" and review.merge_record["kept"].get("measurements.measurement") == len(dup_measurements)
    event = AuditEvent.objects.filter(object_id=str(orig.pk), action="update").latest("pk")
    assert event.detail["moved"]["interventions.delivery"] == 1

    back = undo_merge(kota_user, review)
    assert back.pk == dup.pk
    assert Person.objects.filter(pk=dup.pk).values().get() == dup_fields  # the same row, timestamps included
    assert sorted(Measurement.objects.filter(child=dup).values_list("pk", "measured_on", "weight_kg")) == dup_measurements
    assert Measurement.objects.filter(child=orig).count() == orig_measurements
    pair["delivery"].refresh_from_db()
    pair["younger"].refresh_from_db()
    assert pair["delivery"].person_id == dup.pk and pair["younger"].mother_id == dup.pk
    assert Absence.objects.get(pk=pair["absence"].pk).child_id == dup.pk
    assert pair["batch"].rows.get(row_number=pair["row"]).person_id == dup.pk
    orig.refresh_from_db()
    assert orig.nik == Person.objects.get(pk=orig.pk).nik and (not dup.nik or orig.nik != dup.nik)
    review.refresh_from_db()
    assert review.decision == "pending" and review.person_id == dup.pk and review.merge_record == {}
    with pytest.raises(ImportRefused):
        undo_merge(kota_user, review)  # nothing left to undo
    # Open again: it can be decided anew.
    decide_review(kota_user, review, same=False)
    assert Person.objects.filter(pk__in=[dup.pk, orig.pk]).count() == 2


def test_a_copied_nik_goes_back_with_the_duplicate(kota_user, pair):
    dup, orig, review = pair["duplicate"], pair["original"], pair["review"]
    Person.objects.filter(pk=orig.pk).update(nik="")
    Person.objects.filter(pk=dup.pk).update(nik="6474014101240099")
    review.refresh_from_db()
    decide_review(kota_user, review, same=True)
    orig.refresh_from_db()
    assert orig.nik == "6474014101240099"  # the kept child had none: it takes the duplicate's
    undo_merge(kota_user, review)
    orig.refresh_from_db()
    assert orig.nik == "" and Person.objects.get(pk=dup.pk).nik == "6474014101240099"


def test_the_page_lists_merges_with_an_undo_and_cadres_decide_neither(client, kota_user, pair):
    review, dup = pair["review"], pair["duplicate"]
    cadre = User.objects.create_user("kader_uji", password="x-pass-12345", role=Role.CADRE, posyandu=dup.posyandu)
    client.force_login(cadre)
    page = client.get(reverse("imports:reviews")).content.decode()
    assert 'value="same"' not in page  # no decision buttons for a cadre
    with pytest.raises(ImportRefused):
        decide_review(cadre, review, same=True)
    client.post(reverse("imports:decide", args=[review.pk]), {"decision": "same"})
    assert Person.objects.filter(pk=dup.pk).exists()

    client.force_login(kota_user)
    client.post(reverse("imports:decide", args=[review.pk]), {"decision": "same"})
    page = client.get(reverse("imports:reviews")).content.decode()
    body = page[page.index("<body"):]  # the list is on the page, not in the <title> (it once was)
    assert "Baru digabungkan" in body and reverse("imports:undo_merge", args=[review.pk]) in body
    assert page.count("Baru digabungkan") == 1
    assert dup.name in page  # the merged child's name, from the undo record (its row is gone)
    client.force_login(cadre)
    client.post(reverse("imports:undo_merge", args=[review.pk]))
    assert not Person.objects.filter(pk=dup.pk).exists()  # a cadre cannot undo either
    client.force_login(kota_user)
    response = client.post(reverse("imports:undo_merge", args=[review.pk]), follow=True)
    assert "Penggabungan dibatalkan" in response.content.decode()
    assert Person.objects.filter(pk=dup.pk).exists()


def test_a_jkn_status_follows_the_later_check_and_goes_back_on_undo(kota_user, pair):
    """The kept child had an older check (no membership); the duplicate a later one (PBI): the kept
    child takes the later one, and an undo gives each its own again."""
    dup, orig, review = pair["duplicate"], pair["original"], pair["review"]
    today = dt.date.today()
    Person.objects.filter(pk=orig.pk).update(jkn_status="none", jkn_checked_on=today - dt.timedelta(days=90))
    Person.objects.filter(pk=dup.pk).update(jkn_status="pbi_apbn", jkn_checked_on=today - dt.timedelta(days=10))
    review.refresh_from_db()
    decide_review(kota_user, review, same=True)
    orig.refresh_from_db()
    assert (orig.jkn_status, orig.jkn_checked_on) == ("pbi_apbn", today - dt.timedelta(days=10))
    undo_merge(kota_user, review)
    orig.refresh_from_db()
    back = Person.objects.get(pk=dup.pk)
    assert (orig.jkn_status, orig.jkn_checked_on) == ("none", today - dt.timedelta(days=90))
    assert (back.jkn_status, back.jkn_checked_on) == ("pbi_apbn", today - dt.timedelta(days=10))


def test_an_older_jkn_check_of_the_duplicate_does_not_replace_the_kept_childs(kota_user, pair):
    dup, orig, review = pair["duplicate"], pair["original"], pair["review"]
    today = dt.date.today()
    Person.objects.filter(pk=orig.pk).update(jkn_status="none", jkn_checked_on=today - dt.timedelta(days=5))
    Person.objects.filter(pk=dup.pk).update(jkn_status="pbi_apbn", jkn_checked_on=today - dt.timedelta(days=50))
    review.refresh_from_db()
    decide_review(kota_user, review, same=True)
    orig.refresh_from_db()
    assert (orig.jkn_status, orig.jkn_checked_on) == ("none", today - dt.timedelta(days=5))


def test_a_decision_from_a_page_loaded_before_another_one_is_refused(kota_user, pair):
    """The review as a second page loaded it (still pending) is read again under a lock: the merge
    already made is seen, nothing is merged twice, and a stale undo finds it undone."""
    review = pair["review"]
    stale = MatchReview.objects.get(pk=review.pk)
    decide_review(kota_user, review, same=True)
    with pytest.raises(ImportRefused):
        decide_review(kota_user, stale, same=False)
    assert stale.decision == "same" and Person.objects.filter(pk=pair["original"].pk).exists()
    stale_undo = MatchReview.objects.get(pk=review.pk)
    undo_merge(kota_user, review)
    with pytest.raises(ImportRefused):
        undo_merge(kota_user, stale_undo)
    assert Person.objects.filter(pk__in=[pair["duplicate"].pk, pair["original"].pk]).count() == 2
