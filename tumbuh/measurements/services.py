"""Writing measurements: validate, save, recompute the child's series, audit. One transaction each.

Callers (the session screen, the per-child form, the importer, the demo generator, the API's
bulk upload and single create: `record_measurements`) come here; nothing else writes Measurement
rows or their derived columns.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_lib
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import AuditRow, record, record_many
from tumbuh.registry.selectors import people_for

from .derivation import (
    CONFIRM_BEFORE_SAVING,
    INPUT_COLUMNS,
    LYING_UNTIL_DAYS,
    SERIES_WARNINGS,
    compute,
    derive,
    recompute_all,
    recompute_children,
    warning_message,
)
from .models import Absence, Measurement
from .selectors import measurements_for
from .validation import Problem, input_errors

__all__ = [
    "MeasurementRejected", "NeedsConfirmation", "validate_measurement", "derive", "recompute_children", "recompute_all",
    "record_measurement", "delete_measurement", "warning_message", "record_measurements", "Item", "Result",
    "ClientKeys",
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
                % {"date": _dmy(measured_on)}, "measured_on")])
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
               summary=_("Measurement of %(name)s on %(date)s") % {"name": child.name, "date": _dmy(measured_on)},
               detail={"child_id": child.pk, "values": _jsonable(after), "source": source})
    else:
        changes = {f: [_jsonable_value(before[f]), _jsonable_value(after[f])]
                   for f in RAW_FIELDS if before[f] != after[f]}
        record(user, AuditEvent.Action.UPDATE, obj=measurement, request=request,
               summary=_("Measurement of %(name)s on %(date)s changed") % {"name": child.name, "date": _dmy(measured_on)},
               detail={"child_id": child.pk, "changes": changes, "source": source})
    return measurement


@transaction.atomic
def delete_measurement(measurement: Measurement, user=None, request=None) -> None:
    child = measurement.child
    values = {f: getattr(measurement, f) for f in RAW_FIELDS}
    record(user, AuditEvent.Action.DELETE, obj=measurement, request=request,
           summary=_("Measurement of %(name)s on %(date)s deleted") % {"name": child.name, "date": _dmy(measurement.measured_on)},
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
               region_code=child.desa_id, summary=_("%(name)s absent on %(date)s") % {"name": child.name, "date": _dmy(on)},
               detail={"child_id": child.pk, "posyandu_id": posyandu.pk, "date": on.isoformat()})
    return absence


@transaction.atomic
def clear_absence(*, child, on: dt.date, user=None, request=None) -> None:
    from .models import Absence

    for absence in Absence.objects.filter(child=child, on=on):
        record(user, AuditEvent.Action.DELETE, obj=absence, request=request, region_code=child.desa_id,
               summary=_("%(name)s no longer absent on %(date)s") % {"name": child.name, "date": _dmy(on)},
               detail={"child_id": child.pk, "date": on.isoformat()})
        absence.delete()


# --- many rows at once (the API's bulk upload, the offline outbox) -----------------------------------
#
# The same rules as record_measurement (validation.input_errors, the series warnings of
# derivation.compute, CONFIRM_BEFORE_SAVING), in another shape: a whole session's rows are checked
# in one vectorised pass and written in one transaction, and a measurement already on the same
# child and date is a *conflict* (shown to the user, never overwritten), not an update.
# Idempotency by a client-generated UUID is the caller's store (`ClientKeys`: the API keeps it in
# its own table), so this context needs no uuid column.


# validation.Problem.field (the form input) -> the bulk item's field name (the API's)
ITEM_FIELD = {
    "measured_on": "date", "weight_kg": "weight_kg", "length_cm": "height_cm", "position": "measured_lying",
    "arm_circumference_cm": "lila_cm", "head_circumference_cm": "head_cm",
}


class ClientKeys(Protocol):
    """Where a caller keeps client-generated UUIDs (the API: its `ClientKey` table)."""

    def used(self, uuids: set[uuid_lib.UUID]) -> dict[uuid_lib.UUID, int | None]:
        """uuid -> the measurement id it created (None: it created some other kind of record)."""

    def keep(self, pairs: list[tuple[uuid_lib.UUID, int]]) -> None:
        """Remember uuid -> measurement id for these new rows (same transaction)."""


@dataclass
class Item:
    """One measurement as a client sent it (already type-checked by the serializer)."""

    child: int
    date: dt.date
    uuid: uuid_lib.UUID | None = None
    weight_kg: float | None = None
    height_cm: float | None = None
    lila_cm: float | None = None
    head_cm: float | None = None
    measured_lying: bool | None = None
    oedema: bool = False
    confirm: bool = False
    device_time: dt.datetime | None = None


@dataclass
class Result:
    uuid: str | None
    status: str  # accepted | duplicate | rejected | conflict
    id: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    code: str = ""  # "needs_confirmation": tick confirm after checking the values again
    measurement: Measurement | None = None
    conflict_with: Measurement | None = None


ACCEPTED, DUPLICATE, REJECTED, CONFLICT = "accepted", "duplicate", "rejected", "conflict"


def rejected(item_uuid, errors: dict[str, list[str]], **kw) -> Result:
    return Result(uuid=item_uuid, status=REJECTED, errors=errors, **kw)


def _position(item: Item, child) -> str:
    if item.height_cm is None:
        return ""
    if item.measured_lying is None:
        # The session screen's preselected choice: lying under 24 months, standing from 24 months.
        return "l" if (item.date - child.birth_date).days < LYING_UNTIL_DAYS else "h"
    return "l" if item.measured_lying else "h"


def _problems_by_field(problems) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for problem in problems:
        name = ITEM_FIELD.get(getattr(problem, "field", None) or "", "non_field_errors")
        out.setdefault(name, []).append(str(problem))
    return out


def _series_warnings(pending: list[tuple[int, Item, object, str]]) -> dict[int, list[dict]]:
    """Warning codes of each pending item, computed over each child's saved series plus the
    pending rows (as `services._check` does for one row, for all rows at once)."""
    if not pending:
        return {}
    child_ids = sorted({child.pk for _i, _item, child, _p in pending})
    dates = {(child.pk, item.date) for _i, item, child, _p in pending}
    saved = [r for r in Measurement.objects.filter(child_id__in=child_ids).values_list(*INPUT_COLUMNS[:-2])
             if (r[1], r[2]) not in dates]
    rows = [(*r, None) for r in saved]
    for index, item, child, position in pending:
        rows.append((-1 - index, child.pk, item.date, item.weight_kg, item.height_cm, position, item.head_cm,
                     item.lila_cm, item.oedema, index))
    frame = pd.DataFrame.from_records(rows, columns=[*INPUT_COLUMNS[:-2], "item"])
    people = {child.pk: child for _i, _item, child, _p in pending}
    frame["birth_date"] = frame["child_id"].map(lambda c: people[c].birth_date)
    frame["sex"] = frame["child_id"].map(lambda c: people[c].sex)
    frame = frame.sort_values(["child_id", "measured_on"], kind="stable").reset_index(drop=True)
    derived = compute(frame[INPUT_COLUMNS], series=True)
    out = {}
    for position_in_frame, index in frame["item"].items():
        if index is not None and not pd.isna(index):
            out[int(index)] = list(derived.at[position_in_frame, "warnings"])
    return out


def record_measurements(items: list[Item | Result], *, user, scope, keys: ClientKeys | None = None,
                        device_id: str = "", origin: str = "api", request=None) -> list[Result]:
    """Create the measurements `items` describe; one Result per item, in order. An item that is
    already a Result (the caller refused its shape) is passed through. Idempotent by `Item.uuid`
through `keys`. Only children in `scope` (active) are written.

    Retried when a concurrent writer took a uuid or a (child, date) between the checks and the
    insert, so the second attempt answers duplicate/conflict for those."""
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _record(items, user=user, scope=scope, keys=keys, device_id=device_id, origin=origin,
                                   request=request)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _record(items, *, user, scope, keys, device_id, origin, request) -> list[Result]:
    results: list[Result | None] = [i if isinstance(i, Result) else None for i in items]
    todo = [(n, i) for n, i in enumerate(items) if not isinstance(i, Result)]

    # 1. uuids already used: the stored record is the answer (a duplicate), if the user may see it.
    uuids = {i.uuid for _n, i in todo if i.uuid is not None}
    used = keys.used(uuids) if uuids and keys is not None else {}
    stored_ids = [pk for pk in used.values() if pk is not None]
    visible = {m.pk: m for m in measurements_for(scope).filter(pk__in=stored_ids)} if stored_ids else {}
    # 2. the children, in scope and active, in one query
    child_ids = {i.child for _n, i in todo}
    children = {c.pk: c for c in people_for(scope).filter(pk__in=child_ids, active=True)
                .only("id", "name", "sex", "birth_date", "desa_id", "posyandu_id")}
    # 3. what is already on those children's dates
    existing = {(m.child_id, m.measured_on): m for m in measurements_for(scope).filter(
        child_id__in=list(children), measured_on__in={i.date for _n, i in todo})}

    seen_uuid: dict[uuid_lib.UUID, int] = {}
    seen_day: dict[tuple[int, dt.date], int] = {}
    pending: list[tuple[int, Item, object, str]] = []
    for n, item in todo:
        key = str(item.uuid) if item.uuid else None
        if item.uuid is not None and item.uuid in used:
            found = visible.get(used[item.uuid]) if used[item.uuid] is not None else None
            if found is None:
                results[n] = rejected(key, {"uuid": [_("This uuid was already used for another record")]})
            else:
                results[n] = Result(uuid=key, status=DUPLICATE, id=found.pk, measurement=found)
            continue
        if item.uuid is not None and item.uuid in seen_uuid:
            results[n] = Result(uuid=key, status=DUPLICATE)  # filled in from the first one below
            continue
        child = children.get(item.child)
        if child is None:
            results[n] = rejected(key, {"child": [_("Child not found in your area (or no longer active)")]})
            continue
        if (child.pk, item.date) in existing:
            results[n] = Result(uuid=key, status=CONFLICT, conflict_with=existing[(child.pk, item.date)])
            continue
        if (child.pk, item.date) in seen_day:
            results[n] = Result(uuid=key, status=CONFLICT)  # another item of this request, filled in below
            continue
        position = _position(item, child)
        errors = input_errors(birth_date=child.birth_date, measured_on=item.date, weight_kg=item.weight_kg,
                              length_cm=item.height_cm, position=position, head=item.head_cm, arm=item.lila_cm,
                              sex=child.sex)
        if errors:
            results[n] = rejected(key, _problems_by_field(errors))
            continue
        if item.uuid is not None:
            seen_uuid[item.uuid] = n
        seen_day[(child.pk, item.date)] = n
        pending.append((n, item, child, position))

    # 4. warnings over each child's series; what needs the confirmation tick is not saved without
    # it. Dropping a refused row can change its neighbours' warnings, so repeat until stable.
    while True:
        warned = _series_warnings(pending)
        doubtful = {n for n, item, _c, _p in pending if not item.confirm
                    and any(w.get("code") in CONFIRM_BEFORE_SAVING for w in warned[n])}
        if not doubtful:
            break
        for n, item, _c, _p in pending:
            if n in doubtful:
                texts = [warning_message(w) for w in warned[n] if w.get("code") in CONFIRM_BEFORE_SAVING]
                results[n] = rejected(str(item.uuid) if item.uuid else None, {"confirm": texts},
                                      warnings=[warning_message(w) for w in warned[n]], code="needs_confirmation")
        pending = [p for p in pending if p[0] not in doubtful]

    # 5. write: raw rows, row-level derivation, one insert; the series once per child.
    rows = []
    for _n, item, child, position in pending:
        m = Measurement(child=child, measured_on=item.date, weight_kg=item.weight_kg, length_cm=item.height_cm,
                        position=position, head_circumference_cm=item.head_cm, arm_circumference_cm=item.lila_cm,
                        oedema=bool(item.oedema), values_confirmed=bool(item.confirm), posyandu_id=child.posyandu_id,
                        desa_id=child.desa_id, source=Measurement.Source.ENTRY,
                        measured_by=user if getattr(user, "is_authenticated", False) else None)
        rows.append(m)
    # Raw rows in one insert; recompute_children then fills every derived field over each child's
    # whole series in the same transaction (the importer's path, docs/measurements.md).
    Measurement.objects.bulk_create(rows)
    if keys is not None:
        keys.keep([(item.uuid, m.pk) for (_n, item, _c, _p), m in zip(pending, rows, strict=True)
                   if item.uuid is not None])
    if pending:
        days = {(child.pk, item.date) for _n, item, child, _p in pending}
        absent = [a.pk for a in Absence.objects.filter(child_id__in={c for c, _d in days},
                                                       on__in={d for _c, d in days}) if (a.child_id, a.on) in days]
        Absence.objects.filter(pk__in=absent).delete()  # they came after all
        recompute_children({child.pk for _n, _i, child, _p in pending})
    saved = {m.pk: m for m in Measurement.objects.filter(pk__in=[m.pk for m in rows])}
    events = []
    for (n, item, child, _p), m in zip(pending, rows, strict=True):
        m = saved[m.pk]
        results[n] = Result(uuid=str(item.uuid) if item.uuid else None, status=ACCEPTED, id=m.pk,
                            warnings=m.warning_texts, measurement=m)
        detail = {"child_id": child.pk, "source": m.source, "origin": origin,
                  "values": {"measured_on": m.measured_on.isoformat(), "weight_kg": m.weight_kg,
                             "length_cm": m.length_cm, "position": m.position, "arm_circumference_cm":
                             m.arm_circumference_cm, "head_circumference_cm": m.head_circumference_cm,
                             "oedema": m.oedema, "values_confirmed": m.values_confirmed}}
        if item.uuid is not None:
            detail["uuid"] = str(item.uuid)
        if device_id:
            detail["device_id"] = device_id[:120]
        if item.device_time is not None:
            detail["device_time"] = item.device_time.isoformat()
        events.append(AuditRow(obj=m, summary=_("Measurement of %(name)s on %(date)s (%(origin)s)") % {"name": child.name, "date": _dmy(m.measured_on), "origin": origin},
                               detail=detail))
    record_many(user, AuditEvent.Action.CREATE, events, request=request)  # one insert

    # 6. answers that point at another item of this request
    for n, item in todo:
        result = results[n]
        if result.status == DUPLICATE and result.measurement is None:
            first = results[seen_uuid[item.uuid]]
            result.id, result.measurement = first.id, first.measurement
            if first.status != ACCEPTED:  # the first one with this uuid was refused: so is this
                results[n] = Result(uuid=result.uuid, status=first.status, errors=first.errors,
                                    warnings=first.warnings, code=first.code, conflict_with=first.conflict_with)
        elif result.status == CONFLICT and result.conflict_with is None:
            first = results[seen_day[(item.child, item.date)]]
            if first.status == ACCEPTED:
                result.conflict_with = first.measurement
            else:  # the other item was refused: this one never met a conflict; say so plainly
                results[n] = rejected(result.uuid, {"date": [
                    _("Another row of this upload measures the same child on the same date")]})
    return results


def _dmy(day) -> str:
    """A date as messages and audit summaries write it: 05-11-2026."""
    return day.strftime("%d-%m-%Y")
