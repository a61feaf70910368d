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
    "MeasurementRejected", "validate_measurement", "derive", "recompute_children", "recompute_all",
    "record_measurement", "delete_measurement", "warning_message",
]

RAW_FIELDS = [
    "measured_on", "weight_kg", "length_cm", "position", "head_circumference_cm",
    "arm_circumference_cm", "oedema", "posyandu_id", "measurer_name",
]


class MeasurementRejected(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = list(errors)


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
    errors = input_errors(birth_date=child.birth_date, measured_on=measured_on, weight_kg=weight_kg,
                          length_cm=length_cm, position=position, head=head, arm=arm)
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
    return [], [warning_message(w) for w in derived.at[new_row, "warnings"]]


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
) -> Measurement:
    """Create the child's measurement for `measured_on`, or update the one already there (one a
    day), or correct `instance` (which may move to another date). Raises MeasurementRejected.
    Returns the saved row with every derived field and warning filled in."""
    position = position or ""
    if length_cm is None and not position:
        position = ""
    errors, _warnings = validate_measurement(
        child, measured_on, weight_kg, length_cm, position, head_circumference_cm,
        arm_circumference_cm, oedema, exclude_pk=instance.pk if instance else None)
    if errors:
        raise MeasurementRejected(errors)

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
