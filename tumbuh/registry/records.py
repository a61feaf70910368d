"""What deleting a person would take with them, kept so it can be put back: the one piece a merge
of a near duplicate (imports.merging) and a void (registry.services.void_person) share.

Django deletes a person's rows of every context by cascade (their measurements, deliveries,
target-group records...) and clears the links that point to them (a child's `mother`, an import
row's `person`). `keep_for_delete` collects both the way Django's admin lists a delete (so a
context added later is covered without a list here): the rows as Django's XML serializer writes
them (the JSON one cuts microseconds), the cleared links as (model, column, [[pk, old value]]).
`put_back` saves the rows raw (same ids and timestamps) and sets the links again where they are
still empty.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.apps import apps
from django.contrib.admin.utils import NestedObjects
from django.core import serializers
from django.db import router, transaction

from .models import Person

# Rows derived from the others and recomputed after a merge, void or restore (the convergence
# context's gaps): neither kept nor moved nor restored.
DERIVED_LABELS = frozenset({"convergence.gap", "convergence.completeness"})


def person_relations():
    """(model, foreign key) of every row of any context that names a person."""
    for rel in Person._meta.get_fields(include_hidden=True):
        if rel.is_relation and rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one):
            yield rel.related_model, rel.field


def keep_for_delete(person: Person, *, skip: Iterable[str] = ()) -> dict:
    """{"snapshot", "kept", "links"} for deleting `person` now; labels in `skip` (derived rows that
    are recomputed instead) are left out."""
    skip = set(skip)
    collector = NestedObjects(using=router.db_for_write(Person))
    collector.collect([person])
    collector.sort()
    kept = [obj for model in reversed(list(collector.data)) if model._meta.label_lower not in skip
            for obj in collector.data[model]]
    kept.sort(key=lambda obj: not isinstance(obj, Person))  # the person first, as a restore needs it
    deleted = {(obj._meta.label_lower, obj.pk) for obj in kept}
    links = []
    for (field, _value), groups in collector.field_updates.items():
        model = field.model
        label = model._meta.label_lower
        if label in skip:
            continue
        pks: set = set()
        for group in groups:
            pks |= set(group.values_list("pk", flat=True)) if hasattr(group, "values_list") else {o.pk for o in group}
        rows = [[pk, old] for pk, old in model._base_manager.filter(pk__in=pks).values_list("pk", field.attname)
                if old is not None and (label, pk) not in deleted]
        if rows:
            links.append([label, field.attname, rows])
    return {"snapshot": serializers.serialize("xml", kept),
            "kept": dict(Counter(obj._meta.label_lower for obj in kept)), "links": links}


def put_back(record: dict) -> Person:
    """Save the kept rows again (raises IntegrityError when one no longer fits, e.g. its NIK is
    used again; the caller's transaction then keeps nothing) and set the cleared links again."""
    restored = list(serializers.deserialize("xml", record["snapshot"]))
    person = restored[0].object
    with transaction.atomic():
        for obj in restored:
            obj.save()  # raw: the stored values and ids, timestamps included
        for label, attname, rows in record.get("links", []):
            model = apps.get_model(label)
            for pk, old in rows:
                model._base_manager.filter(pk=pk, **{f"{attname}__isnull": True}).update(**{attname: old})
    return person
