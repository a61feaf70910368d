"""Writes to the registry: each one in a transaction and each one audited.

Scope is enforced before we get here (forms draw their choices from the user's scope); these
functions also refuse a desa, posyandu or mother outside it, so a crafted POST cannot slip past.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.scoping import scope_for
from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.regions.selectors import posyandu_for, regions_for
from tumbuh.registry.selectors import households_for, people_for

from .models import Household, Person, PersonVoid
from .records import DERIVED_LABELS, keep_for_delete, put_back
from .signals import people_changed

PERSON_FIELDS = [
    "nik", "name", "sex", "birth_date", "birth_weight_kg", "birth_length_cm",
    "desa", "posyandu", "household", "mother", "father", "active", "inactive_reason", "jkn_status", "jkn_checked_on",
]
HOUSEHOLD_FIELDS = ["kk_number", "head_name", "address", "rt", "rw", "desa"]


@dataclass
class Registration:
    child: Person
    mother: Person | None = None
    household: Household | None = None
    created: list[str] = field(default_factory=list)


def _check_scope(user, *, desa=None, posyandu=None, people=(), household=None) -> None:
    if desa is not None and not regions_for(user).filter(pk=desa.pk).exists():
        raise PermissionDenied("desa outside the user's scope")
    if posyandu is not None and not posyandu_for(user).filter(pk=posyandu.pk).exists():
        raise PermissionDenied("posyandu outside the user's scope")
    for person in people:
        if person is not None and person.pk and not people_for(user).filter(pk=person.pk).exists():
            raise PermissionDenied("person outside the user's scope")
    if household is not None and household.pk and not households_for(user).filter(pk=household.pk).exists():
        # A household nobody in scope belongs to yet may still be joined if it lies in an allowed desa.
        if not regions_for(user).filter(pk=household.desa_id).exists():
            raise PermissionDenied("household outside the user's scope")


def _audit_dict(obj, fields: list[str]) -> dict[str, Any]:
    data = model_to_dict(obj, fields=fields)
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


def _masked(values: dict[str, Any]) -> dict[str, Any]:
    # The audit log is readable by region teams; it records that a NIK changed, not the NIK itself.
    return {k: (("…" + str(v)[-4:]) if k in {"nik", "kk_number"} and v else v) for k, v in values.items()}


def _masked_changes(changes: dict[str, list]) -> dict[str, list]:
    """{field: [old, new]} with NIK/KK numbers masked on both sides."""
    olds = _masked({k: v[0] for k, v in changes.items()})
    news = _masked({k: v[1] for k, v in changes.items()})
    return {k: [olds[k], news[k]] for k in changes}


def create_household(user, data: dict[str, Any], *, request=None) -> Household:
    household = Household(**data)
    _check_scope(user, desa=household.desa)
    household.full_clean()
    household.save()
    record(user, AuditEvent.Action.CREATE, obj=household, summary=f"household {household}",
           detail=_masked(_audit_dict(household, HOUSEHOLD_FIELDS)), request=request)
    return household


def update_household(user, household: Household, data: dict[str, Any], *, request=None) -> Household:
    _check_scope(user, household=household)
    # From the database: a bound ModelForm has already written the new values onto `household`.
    before = _audit_dict(Household.objects.get(pk=household.pk), HOUSEHOLD_FIELDS)
    for name, value in data.items():
        setattr(household, name, value)
    _check_scope(user, desa=household.desa)
    household.full_clean()
    household.save()
    after = _audit_dict(household, HOUSEHOLD_FIELDS)
    changed = {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}
    record(user, AuditEvent.Action.UPDATE, obj=household, summary=f"household {household}",
           detail={"changed": _masked({k: v[1] for k, v in changed.items()}), "fields": sorted(changed),
                   "changes": _masked_changes(changed)},
           request=request)
    return household


def create_person(user, data: dict[str, Any], *, request=None, nik_warnings: list[str] | None = None) -> Person:
    person = Person(**data)
    person.created_by = user if getattr(user, "is_authenticated", False) else None
    _check_scope(user, desa=person.desa, posyandu=person.posyandu,
                 people=(person.mother, person.father), household=person.household)
    person.full_clean()
    person.save()
    people_changed.send(sender=Person, child_ids=[person.pk], desa_codes=[person.desa_id])
    detail = _masked(_audit_dict(person, PERSON_FIELDS))
    if nik_warnings:
        detail["nik_warnings"] = [str(w) for w in nik_warnings]
    record(user, AuditEvent.Action.CREATE, obj=person, summary=f"person {person.pk}", detail=detail,
           request=request)
    return person


@transaction.atomic
def update_person(user, person: Person, data: dict[str, Any], *, request=None,
                  nik_warnings: list[str] | None = None) -> Person:
    # Atomic: the gaps, summaries and scorecard cells the signal below refreshes commit (or roll
    # back) with the edit, e.g. a JKN membership closing the household's convergence gap.
    _check_scope(user, people=(person,))
    before = _audit_dict(Person.objects.get(pk=person.pk), PERSON_FIELDS)  # see update_household
    for name, value in data.items():
        setattr(person, name, value)
    _check_scope(user, desa=person.desa, posyandu=person.posyandu,
                 people=(person.mother, person.father), household=person.household)
    person.full_clean()
    person.save()
    # Both desa: a child who moved leaves the old desa's cells and joins the new one's.
    people_changed.send(sender=Person, child_ids=[person.pk], desa_codes=[before["desa"], person.desa_id])
    if before["household"] and before["household"] != person.household_id:
        # The signal's refresh reaches the person's household now; the one they left has lost a
        # member its household gaps may have come from (or whose JKN closed one).
        from tumbuh.convergence.services import refresh_subjects

        refresh_subjects(household_ids=[before["household"]])
    after = _audit_dict(person, PERSON_FIELDS)
    changed = sorted(k for k in after if before.get(k) != after[k])
    # Old -> new for the history panel of the child page (issue 16 item 10); NIKs masked.
    detail = {"fields": changed, "changed": _masked({k: after[k] for k in changed}),
              "changes": _masked_changes({k: [before.get(k), after[k]] for k in changed})}
    if nik_warnings:
        detail["nik_warnings"] = [str(w) for w in nik_warnings]
    record(user, AuditEvent.Action.UPDATE, obj=person, summary=f"person {person.pk}", detail=detail,
           request=request)
    return person


@transaction.atomic
def register_child(
    user,
    child_data: dict[str, Any],
    *,
    mother: Person | None = None,
    new_mother_data: dict[str, Any] | None = None,
    household: Household | None = None,
    new_household_data: dict[str, Any] | None = None,
    nik_warnings: list[str] | None = None,
    request=None,
) -> Registration:
    """A child with, optionally, their mother (existing or new) and household (existing or new).

    A new household lies in the child's desa; a new mother joins the child's household and, so
    the posyandu's cadres can see her, the child's posyandu. Everything is rolled back together.
    """
    result = Registration(child=None)  # type: ignore[arg-type]
    if new_household_data is not None:
        household = create_household(user, {"desa": child_data["desa"], **new_household_data}, request=request)
        result.created.append("household")
    elif household is None and mother is not None:
        household = mother.household
    if new_mother_data is not None:
        mother = create_person(user, {
            "sex": Person.Sex.FEMALE, "desa": child_data["desa"], "posyandu": child_data.get("posyandu"),
            "household": household, **new_mother_data,
        }, request=request)
        result.created.append("mother")
    child = create_person(user, {**child_data, "mother": mother, "household": household},
                          request=request, nik_warnings=nik_warnings)
    result.created.append("child")
    result.child, result.mother, result.household = child, mother, household
    return result


# --- NIK/KK already registered: say only what the user may know (issue 16, item 4) ------------
# A NIK or KK number is unique across the whole instance, so refusing a duplicate necessarily
# tells that the number exists somewhere. The refusal names nothing outside the user's scope,
# is audited (`nik_conflict`), and after TUMBUH_NIK_CONFLICT_LIMIT refusals in an hour every
# NIK/KK entry of that user is refused alike, so it cannot be used to sweep numbers.


def identity_conflict(user, *, kind: str, number: str, exclude_pk=None, request=None) -> str | None:
    """The error to show when `number` (a NIK, kind "nik", or a KK number, kind "kk") cannot be
    used because it is registered already, or None when it is free."""
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone
    from django.utils.translation import gettext as _

    authenticated = user is not None and getattr(user, "is_authenticated", False)
    limit = getattr(settings, "TUMBUH_NIK_CONFLICT_LIMIT", 20)
    if authenticated:
        recent = AuditEvent.objects.filter(
            user=user, action=AuditEvent.Action.NIK_CONFLICT,
            at__gte=timezone.now() - dt.timedelta(hours=1),
        ).count()
        if recent >= limit:
            return _("Too many NIK or KK numbers that cannot be used were entered in the last hour. "
                     "Try again later, or ask the puskesmas or the kabupaten/kota TPPS.")
    if kind == "nik":
        everywhere, visible = Person.objects.filter(nik=number), people_for(user) if authenticated else None
        field_name = "nik"
    else:
        everywhere, visible = Household.objects.filter(kk_number=number), households_for(user) if authenticated else None
        field_name = "kk_number"
    everywhere = everywhere.exclude(pk=exclude_pk) if exclude_pk else everywhere
    existing = everywhere.values_list("pk", flat=True).first()
    if existing is None:
        return None
    in_scope = visible is not None and visible.filter(**{field_name: number}).filter(pk=existing).exists()
    if authenticated:
        record(
            user, AuditEvent.Action.NIK_CONFLICT,
            object_type="registry.person" if kind == "nik" else "registry.household",
            object_id=existing if in_scope else "",
            summary=f"{kind.upper()} …{number[-4:]}", detail={"kind": kind, "in_scope": in_scope},
            request=request,
        )
    if in_scope:
        if kind == "nik":
            return _("A person with this NIK is already registered in your area.")
        return _("A household with this KK number is already registered in your area.")
    if kind == "nik":
        return _("This NIK cannot be used here. If it is correct, ask the puskesmas or the "
                 "kabupaten/kota TPPS to check where it is registered.")
    return _("This KK number cannot be used here. If it is correct, ask the puskesmas or the "
             "kabupaten/kota TPPS to check where it is registered.")


# -- voiding a person entered by mistake (issue 16 item 10) ----------------------------------------

class VoidRefused(Exception):
    """A void or restore this user may not do, or that cannot be done; the message is for them."""


def _may_void(user) -> None:
    # Voiding takes a person out of every list and count: the puskesmas, desa/kecamatan or
    # kab/kota team decides, as for merges; a cadre asks them.
    if scope_for(user).is_cadre:
        raise VoidRefused(_("People are voided by the puskesmas, desa/kecamatan or kabupaten/kota team."))


def _after_people_left_or_came(person_id: int, desa: str, record: dict, household_id: int | None) -> None:
    """The summaries, scorecards and gaps of the place and of the people whose links the void
    cleared or the restore set again (a mother's children), as after any registry write."""
    from tumbuh.convergence.services import refresh_subjects

    linked = [pk for label, _attname, rows in record.get("links", []) if label == "registry.person" for pk, _old in rows]
    people_changed.send(sender=Person, child_ids=[person_id, *linked], desa_codes=[desa])
    if household_id:
        refresh_subjects(household_ids=[household_id])


@transaction.atomic
def void_person(user, person: Person, *, reason: str, note: str = "", request=None) -> PersonVoid:
    """Take a person entered by mistake out of the register, keeping everything restorable."""
    _may_void(user)
    _check_scope(user, people=(person,))
    if reason not in PersonVoid.Reason.values:
        raise VoidRefused(_("Choose why this person is voided."))
    note = (note or "").strip()[:300]
    if reason == PersonVoid.Reason.OTHER and not note:
        raise VoidRefused(_("Write the reason when it is \"other\"."))
    person = Person.objects.select_for_update().get(pk=person.pk)
    kept = keep_for_delete(person, skip=DERIVED_LABELS)
    void = PersonVoid.objects.create(
        person_id=person.pk, name=person.name, birth_date=person.birth_date, desa_id=person.desa_id,
        posyandu_id=person.posyandu_id, reason=reason, note=note,
        voided_by=user if getattr(user, "is_authenticated", False) else None, record=kept)
    household_id, desa = person.household_id, person.desa_id
    from tumbuh.targets.summary import deferred

    with deferred():  # the desa's target-group cells rebuilt once, not once per record deleted
        person.delete()  # only what is in the record (and derived rows) goes
    _after_people_left_or_came(void.person_id, desa, kept, household_id)
    # After delete() the instance has no pk: name the person explicitly.
    record(user, AuditEvent.Action.DELETE, object_type="registry.person", object_id=void.person_id,
           region_code=desa, request=request,
           summary=_("Person voided (%(reason)s)") % {"reason": void.get_reason_display()},
           detail={"person": void.person_id, "reason": reason, "note": note, "void": void.pk,
                   "kept": kept["kept"], "links": sum(len(rows) for _l, _a, rows in kept["links"])})
    return void


@transaction.atomic
def restore_person(user, void: PersonVoid, *, request=None) -> Person:
    """Put a voided person back with every row the void kept, under the same ids."""
    from django.db import IntegrityError

    from tumbuh.measurements.derivation import recompute_children

    _may_void(user)
    void = PersonVoid.objects.select_for_update().get(pk=void.pk)
    if void.restored_at is not None or Person.objects.filter(pk=void.person_id).exists():
        raise VoidRefused(_("This person is already back in the register."))
    if not regions_for(user).filter(pk=void.desa_id).exists():
        raise PermissionDenied("voided person outside the user's scope")
    from tumbuh.targets.services import rederive_households
    from tumbuh.targets.summary import deferred

    try:
        with transaction.atomic(), deferred():
            person = put_back(void.record)
            # Raw saves send no "person saved" work: the household's KRS is derived again with
            # its member back (as the void derived it without them).
            rederive_households([person.household_id])
    except IntegrityError as exc:
        raise VoidRefused(_("This person cannot be restored: a NIK or a record they had is used again "
                            "(%(error)s).") % {"error": str(exc)[:120]}) from exc
    void.restored_at = timezone.now()
    void.restored_by = user if getattr(user, "is_authenticated", False) else None
    void.save(update_fields=["restored_at", "restored_by"])
    recompute_children([person.pk], notify=False)
    _after_people_left_or_came(person.pk, person.desa_id, void.record, person.household_id)
    record(user, AuditEvent.Action.CREATE, obj=person, request=request,
           summary=_("Voided person restored"), detail={"person": person.pk, "void": void.pk})
    return person
