"""Writing measurements: validate, save, recompute the child's series, audit. One transaction each.

Callers (the session screen, the per-child form, the importer, the demo generator) come here;
nothing else writes Measurement rows or their derived columns.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.db import transaction
from django.utils.translation import gettext as _

from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record

from .derivation import (
    CONFIRM_BEFORE_SAVING,
    INPUT_COLUMNS,
    SERIES_WARNINGS,
    compute,
    derive,
    recompute_all,
    recompute_children,
    warning_message,
)
from .models import Measurement
from .validation import Problem, input_errors

__all__ = [
    "MeasurementRejected", "NeedsConfirmation", "validate_measurement", "derive", "recompute_children", "recompute_all",
    "record_measurement", "delete_measurement", "warning_message",
]

RAW_FIELDS = [
    "measured_on", "weight_kg", "length_cm", "position", "head_circumference_cm",
    "arm_circumference_cm", "oedema", "posyandu_id", "measurer_name", "values_confirmed",
]


class MeasurementRejected(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = list(errors)


class NeedsConfirmation(MeasurementRejected):
    """Not saved: a value is implausible (WHO flag) or far from the child's earlier ones. Saved
    once the user confirms it (`confirmed=True`), after looking again."""

    def __init__(self, warnings: list[str]):
        super().__init__(warnings)
        self.warnings = list(warnings)


def validate_measurement(
    child,
    measured_on: dt.date | None,
    weight_kg: float | None,
    length_cm: float | None,
    position: str,
    head: float | None,
    arm: float | None,
    oedema: bool,
    *,
    exclude_pk: int | None = None,
) -> tuple[list[str], list[str]]:
    """(errors, warnings) for a measurement of `child`, compared with the child's other saved
    measurements (except `exclude_pk`, the row being corrected, and any row on the same date,
    which this one replaces). Each error is a `Problem`, a str that knows its input's name."""
    errors, warnings = _check(child, measured_on, weight_kg, length_cm, position, head, arm, oedema,
                              exclude_pk=exclude_pk)
    return errors, [warning_message(w) for w in warnings]


def _check(child, measured_on, weight_kg, length_cm, position, head, arm, oedema, *, exclude_pk=None):
    """(errors, warning dicts) as validate_measurement, the warnings still as codes."""
    errors = input_errors(birth_date=child.birth_date, measured_on=measured_on, weight_kg=weight_kg,
                          length_cm=length_cm, position=position, head=head, arm=arm, sex=child.sex)
    if errors:
        return list(errors), []
    others = Measurement.objects.filter(child=child).exclude(measured_on=measured_on)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    rows = list(others.values_list(*INPUT_COLUMNS[:-2]))
    rows.append((0, child.pk, measured_on, weight_kg, length_cm, position, head, arm, oedema))
    frame = pd.DataFrame.from_records(rows, columns=INPUT_COLUMNS[:-2])
    frame["birth_date"] = child.birth_date
    frame["sex"] = child.sex
    frame = frame.sort_values("measured_on", kind="stable").reset_index(drop=True)
    new_row = frame.index[frame["id"] == 0][0]
    derived = compute(frame, series=True)
    return [], list(derived.at[new_row, "warnings"])


@transaction.atomic
def record_measurement(
    *,
    child,
    measured_on: dt.date,
    weight_kg: float | None = None,
    length_cm: float | None = None,
    position: str = "",
    head_circumference_cm: float | None = None,
    arm_circumference_cm: float | None = None,
    oedema: bool = False,
    posyandu=None,
    user=None,
    measurer_name: str = "",
    source: str = Measurement.Source.ENTRY,
    request=None,
    instance: Measurement | None = None,
    confirmed: bool = False,
    ask_confirmation: bool = False,
) -> Measurement:
    """Create the child's measurement for `measured_on`, or update the one already there (one a
    day), or correct `instance` (which may move to another date). Raises MeasurementRejected.
    Returns the saved row with every derived field and warning filled in.

    `confirmed`: the user confirmed values that were warned about (kept in prevalence).
    `ask_confirmation` (entry screens): raise NeedsConfirmation instead of saving an implausible
    or far-off value that is not `confirmed`."""
    position = position or ""
    if length_cm is None and not position:
        position = ""
    errors, warnings = _check(
        child, measured_on, weight_kg, length_cm, position, head_circumference_cm,
        arm_circumference_cm, oedema, exclude_pk=instance.pk if instance else None)
    if errors:
        raise MeasurementRejected(errors)
    if ask_confirmation and not confirmed:
        doubtful = [warning_message(w) for w in warnings if w.get("code") in CONFIRM_BEFORE_SAVING]
        if doubtful:
            raise NeedsConfirmation(doubtful)

    same_day = Measurement.objects.select_for_update().filter(child=child, measured_on=measured_on)
    if instance is not None:
        if instance.child_id != child.pk:
            raise MeasurementRejected([_("This measurement belongs to another child")])
        if same_day.exclude(pk=instance.pk).exists():
            raise MeasurementRejected([Problem(
                _("This child already has a measurement on %(date)s: correct that one instead")
                % {"date": measured_on.isoformat()}, "measured_on")])
        measurement = Measurement.objects.select_for_update().get(pk=instance.pk)
    else:
        measurement = same_day.first()

    before = {f: getattr(measurement, f) for f in RAW_FIELDS} if measurement else None
    created = measurement is None
    if created:
        measurement = Measurement(child=child, source=source)
    measurement.measured_on = measured_on
    measurement.weight_kg = weight_kg
    measurement.length_cm = length_cm
    measurement.position = position
    measurement.head_circumference_cm = head_circumference_cm
    measurement.arm_circumference_cm = arm_circumference_cm
    measurement.oedema = bool(oedema)
    measurement.values_confirmed = bool(confirmed)
    if posyandu is not None:
        measurement.posyandu = posyandu
    elif created:
        measurement.posyandu_id = child.posyandu_id
    if measurer_name or created:
        measurement.measurer_name = measurer_name
    if user is not None and getattr(user, "is_authenticated", False):
        measurement.measured_by = user
    measurement.desa_id = child.desa_id
    measurement.warnings = [w for w in (measurement.warnings or []) if w.get("code") not in SERIES_WARNINGS]
    derive([measurement])
    measurement.save()
    from .models import Absence

    Absence.objects.filter(child=child, on=measured_on).delete()  # came after all
    # Later rows' N/T/2T and series warnings depend on this one.
    recompute_children([child.pk])
    measurement.refresh_from_db()

    after = {f: getattr(measurement, f) for f in RAW_FIELDS}
    if created:
        record(user, AuditEvent.Action.CREATE, obj=measurement, request=request,
               summary=f"Measurement of {child.name} on {measured_on.isoformat()}",
               detail={"child_id": child.pk, "values": _jsonable(after), "source": source})
    else:
        changes = {f: [_jsonable_value(before[f]), _jsonable_value(after[f])]
                   for f in RAW_FIELDS if before[f] != after[f]}
        record(user, AuditEvent.Action.UPDATE, obj=measurement, request=request,
               summary=f"Measurement of {child.name} on {measured_on.isoformat()} changed",
               detail={"child_id": child.pk, "changes": changes, "source": source})
    return measurement


@transaction.atomic
def delete_measurement(measurement: Measurement, user=None, request=None) -> None:
    child = measurement.child
    values = {f: getattr(measurement, f) for f in RAW_FIELDS}
    record(user, AuditEvent.Action.DELETE, obj=measurement, request=request,
           summary=f"Measurement of {child.name} on {measurement.measured_on.isoformat()} deleted",
           detail={"child_id": child.pk, "values": _jsonable(values)})
    measurement.delete()
    recompute_children([child.pk])


def _jsonable_value(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _jsonable(values: dict) -> dict:
    return {k: _jsonable_value(v) for k, v in values.items()}


class AbsenceRefused(ValueError):
    pass


@transaction.atomic
def mark_absent(*, child, posyandu, on: dt.date, user=None, request=None):
    """Record that `child` did not come to the posyandu session of `on` ("tidak hadir")."""
    from .models import Absence

    if Measurement.objects.filter(child=child, measured_on=on).exists():
        raise AbsenceRefused(_("This child already has a measurement on this date: correct or delete it instead"))
    absence, created = Absence.objects.get_or_create(
        child=child, on=on, defaults={"posyandu": posyandu, "recorded_by": user if getattr(user, "is_authenticated", False) else None})
    if created:
        record(user, AuditEvent.Action.CREATE, obj=absence, request=request,
               region_code=child.desa_id, summary=f"{child.name} absent on {on.isoformat()}",
               detail={"child_id": child.pk, "posyandu_id": posyandu.pk, "date": on.isoformat()})
    return absence


@transaction.atomic
def clear_absence(*, child, on: dt.date, user=None, request=None) -> None:
    from .models import Absence

    for absence in Absence.objects.filter(child=child, on=on):
        record(user, AuditEvent.Action.DELETE, obj=absence, request=request, region_code=child.desa_id,
               summary=f"{child.name} no longer absent on {on.isoformat()}",
               detail={"child_id": child.pk, "date": on.isoformat()})
        absence.delete()
