"""Keeps `ScorecardCell` fresh: every write that can change a desa's scorecard deletes that desa's
cells inside the writer's transaction (a rolled-back write rolls the deletion back); the next read
recomputes them. Listens to the project's bulk signals (measurements_changed, people_changed,
interventions' deliveries_changed) and to the row saves/deletes of the models the scorecard reads
(target-group records, measurements, deliveries, courses, people). Writers that bypass the ORM
(raw SQL, QuerySet.update) must call `invalidate(...)` or `tumbuh indicators refresh`."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import post_delete, post_save

from tumbuh.regions.models import within


def invalidate(desa_codes=(), region_code: str | None = None) -> None:
    from .models import ScorecardCell

    codes = {c for c in desa_codes if c}
    if region_code is not None:
        qs = ScorecardCell.objects.all() if region_code == "" else ScorecardCell.objects.filter(
            within("desa_id", region_code))
        qs.delete()
    if codes:
        ScorecardCell.objects.filter(desa_id__in=codes).delete()


def _desa_of(instance) -> set[str]:
    out = set()
    for attr in ("desa_id",):
        if getattr(instance, attr, None):
            out.add(getattr(instance, attr))
    for rel in ("pregnancy", "postpartum", "adolescent", "child", "household", "person"):
        try:
            obj = getattr(instance, f"{rel}_id", None) and getattr(instance, rel, None)
        except ObjectDoesNotExist:  # the parent went first in a cascade delete
            obj = None
        if obj is not None and getattr(obj, "desa_id", None):
            out.add(obj.desa_id)
    return out


def _row_changed(sender, instance, **kwargs):
    invalidate(_desa_of(instance))


def _people_changed(sender, desa_codes=(), region_code=None, child_ids=None, **kwargs):
    from tumbuh.registry.models import Person

    codes = set(desa_codes or ())
    if child_ids:
        codes |= set(Person.objects.filter(pk__in=list(child_ids)).values_list("desa_id", flat=True))
    invalidate(codes, region_code if (region_code is not None and not codes and not child_ids) else None)


def _measurements_changed(sender, child_ids=None, region_code=None, **kwargs):
    from tumbuh.registry.models import Person

    if child_ids is None:
        invalidate(region_code=region_code or "")
        return
    invalidate(set(Person.objects.filter(pk__in=list(child_ids)).values_list("desa_id", flat=True)))


def _deliveries_changed(sender, desa_codes=(), person_ids=(), household_ids=(), **kwargs):
    from tumbuh.registry.models import Household, Person

    codes = set(desa_codes or ())
    if person_ids:
        codes |= set(Person.objects.filter(pk__in=list(person_ids)).values_list("desa_id", flat=True))
    if household_ids:
        codes |= set(Household.objects.filter(pk__in=list(household_ids)).values_list("desa_id", flat=True))
    invalidate(codes)


def connect() -> None:
    from tumbuh.interventions import models as interventions
    from tumbuh.measurements.models import Measurement
    from tumbuh.measurements.signals import measurements_changed
    from tumbuh.registry.models import Household, Person
    from tumbuh.registry.signals import people_changed
    from tumbuh.targets import models as targets

    for model in (Person, Household, Measurement, targets.Pregnancy, targets.AncVisit, targets.Postpartum,
                  targets.KfVisit, targets.TpkVisit, targets.KrsSnapshot, interventions.Delivery,
                  interventions.Course):
        post_save.connect(_row_changed, sender=model, dispatch_uid=f"indicators-{model._meta.label}-save")
        post_delete.connect(_row_changed, sender=model, dispatch_uid=f"indicators-{model._meta.label}-delete")
    measurements_changed.connect(_measurements_changed, dispatch_uid="indicators-measurements")
    people_changed.connect(_people_changed, dispatch_uid="indicators-people")
    try:
        from tumbuh.interventions.signals import deliveries_changed
    except ImportError:  # before the interventions services land: row signals only
        return
    deliveries_changed.connect(_deliveries_changed, dispatch_uid="indicators-deliveries")
