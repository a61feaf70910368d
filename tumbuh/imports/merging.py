"""Merging a near duplicate into the child already in Tumbuh, and undoing the merge (issue 16
item 10: "a near-duplicate merge keeps the merged record restorable").

A merge used to move the duplicate's measurements, import rows and target-group records, then
delete it; everything else that named it went with it by cascade (deliveries, BAAS pledges,
courses, case reviews, absences, a mother's births and breastfeeding months) or lost the link
(her children's `mother`). Now:

- every row of any context that names the duplicate through a foreign key moves to the kept
  child (found from the model metadata, so a context added later is covered without editing a
  list), except: measurements on a date the kept child already has (the kept child's record wins,
  as before), a row a database constraint refuses to move (e.g. a second adolescent record), and
  the convergence context's derived gap rows (recomputed afterwards for the kept child);
- what could not move and the duplicate's own row (the rows a delete would remove, collected as
  Django's admin lists them) are serialized with Django's XML serializer (the JSON one cuts
  microseconds) into `MatchReview.merge_record`, with the list of what moved, and only then is
  the duplicate deleted: nothing is lost by cascade;
- `undo_merge` puts the duplicate back under its own id, moves back every row that moved (those
  still naming the kept child), gives back a copied NIK or JKN status, and opens the review
  again.

The duplicate's own fields are not merged, with two exceptions that say who the child is and what
it is entitled to: a NIK the kept child lacks, and a JKN membership status (registry
`Person.jkn_status`) when the kept child has none or the duplicate's was checked later.
"""

from __future__ import annotations

from django.apps import apps
from django.core import serializers
from django.db import IntegrityError, transaction

from tumbuh.measurements.models import Measurement
from tumbuh.registry.models import Person
from tumbuh.registry.records import DERIVED_LABELS, keep_for_delete, person_relations, put_back

from .models import MatchReview

# Derived from the other rows and recomputed for the people concerned: neither moved nor kept.
DERIVED = DERIVED_LABELS


class MergeRefused(Exception):
    """An undo that cannot be done (already undone, or the rows it would restore are gone)."""


def _place_follows() -> set[str]:
    """Target-group records carry the person's desa and posyandu (scoped by them): moved to the
    kept child, they take its place, and an undo gives back their own."""
    from tumbuh.targets.services import PERSON_RECORDS

    return {m._meta.label_lower for m in PERSON_RECORDS}


def merge(person: Person, candidate: Person) -> dict:
    """Move what names `person` to `candidate`, keep the rest restorable, delete `person`.
    Returns the record `undo` needs (stored by the caller on the review)."""
    from tumbuh.targets.models import Adolescent

    follows = _place_follows()
    taken = set(Measurement.objects.filter(child=candidate).values_list("measured_on", flat=True))
    has_adolescent = Adolescent.objects.filter(person=candidate).exists()
    moved: list[list] = []
    counts: dict[str, int] = {}
    for model, field in person_relations():
        label = model._meta.label_lower
        if label in DERIVED or (model is MatchReview and field.name == "person"):
            continue  # derived rows are recomputed; the reviews naming it are pointed back on undo
        if model is Adolescent and has_adolescent:
            continue  # one adolescent record per person: the kept child's stays, this one is kept aside
        rows = model._base_manager.filter(**{field.name: person})
        if model is Measurement:
            rows = rows.exclude(measured_on__in=taken)
        place = ["desa_id", "posyandu_id"] if label in follows else []
        for row in rows.values("pk", *place):
            update = {field.attname: candidate.pk}
            if place:
                update.update(desa_id=candidate.desa_id, posyandu_id=candidate.posyandu_id)
            try:
                with transaction.atomic():
                    model._base_manager.filter(pk=row["pk"]).update(**update)
            except IntegrityError:
                continue  # a constraint keeps it with the duplicate: it is kept in the snapshot below
            moved.append([label, row["pk"], field.attname, {k: row[k] for k in place}])
            counts[label] = counts.get(label, 0) + 1
    reviews = list(MatchReview.objects.filter(person=person).values_list("pk", flat=True))
    # What deleting the duplicate would remove now: its own row, whatever could not move, and
    # the links the delete clears (registry.records, shared with a void).
    kept = keep_for_delete(person, skip=DERIVED)
    record = {
        "person": person.pk, "person_name": person.name, "candidate": candidate.pk, "moved": moved, "reviews": reviews,
        **kept, "counts": counts, "nik_copied": "", "jkn_copied": None,
    }
    nik, jkn = person.nik, _jkn_of(person)
    person.delete()  # only what is in the snapshot (and derived rows) goes
    if nik and not candidate.nik:
        candidate.nik = nik
        candidate.save(update_fields=["nik", "updated_at"])
        record["nik_copied"] = nik
    if _newer_jkn(jkn, _jkn_of(candidate)):
        record["jkn_copied"] = {"before": _jkn_of(candidate), "after": jkn}
        _set_jkn(candidate, jkn)
    _refresh_target_cells({person.desa_id, candidate.desa_id})
    return record


def _jkn_of(person: Person) -> list:
    """[status, ISO check date or ""]: JSON-storable in the merge record."""
    return [person.jkn_status, person.jkn_checked_on.isoformat() if person.jkn_checked_on else ""]


def _set_jkn(person: Person, jkn: list) -> None:
    from datetime import date

    person.jkn_status, person.jkn_checked_on = jkn[0], date.fromisoformat(jkn[1]) if jkn[1] else None
    person.save(update_fields=["jkn_status", "jkn_checked_on", "updated_at"])


def _newer_jkn(duplicate: list, kept: list) -> bool:
    """The duplicate's status replaces the kept child's when the kept child has none, or when both
    were checked on a date and the duplicate's check is the later one (what was confirmed last)."""
    if not duplicate[0]:
        return False
    if not kept[0]:
        return True
    return bool(duplicate[1] and kept[1] and duplicate[1] > kept[1])


def _refresh_target_cells(desas) -> None:
    """Target-group records moved by `.update()` (no post_save): rebuild their desa's summary cells."""
    from tumbuh.targets.summary import refresh_target_summaries

    refresh_target_summaries(desa_codes={d for d in desas if d})


def undo(record: dict, candidate: Person) -> Person:
    """Put the merged child back as it was (same id), with what moved from it."""
    person = next(serializers.deserialize("xml", record["snapshot"])).object
    if not isinstance(person, Person) or Person.objects.filter(pk=person.pk).exists():
        raise MergeRefused("the merged child is already back")
    if record.get("nik_copied") and candidate.nik == record["nik_copied"]:
        candidate.nik = ""
        candidate.save(update_fields=["nik", "updated_at"])
    copied = record.get("jkn_copied")
    if copied and _jkn_of(candidate) == copied["after"]:  # not changed by hand since the merge
        _set_jkn(candidate, copied["before"])
    try:
        person = put_back(record)
    except IntegrityError as exc:  # e.g. its posyandu was deleted since, or its NIK is used again
        raise MergeRefused(str(exc)) from exc
    for label, pk, attname, place in record["moved"]:
        model = apps.get_model(label)
        model._base_manager.filter(pk=pk, **{attname: candidate.pk}).update(**{attname: person.pk, **place})
    MatchReview.objects.filter(pk__in=record["reviews"]).update(person_id=person.pk)
    _refresh_target_cells({person.desa_id, candidate.desa_id}
                          | {place.get("desa_id") for _label, _pk, _attname, place in record["moved"]})
    return person
