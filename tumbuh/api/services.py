"""Writes of the API: tokens (create, revoke) and measurements sent by clients, idempotent by a
client-generated UUID (`ClientKey`).

The measurement rules are not repeated here: every item goes through the measurements context's
own validation (`validation.input_errors`), its derivation (`derivation.compute` for the warnings
that compare a row with the child's series, `derive` and `recompute_children` for the stored
values) and its confirmation rule (`CONFIRM_BEFORE_SAVING`), exactly as `record_measurement` does
for the session screen. What differs is only the shape: a whole session's rows are checked in one
vectorised pass and written in one transaction, so 1,000 rows take well under two seconds, and a
measurement already on the same child and date is a *conflict* (shown to the user, never
overwritten), not an update.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid as uuid_lib
from dataclasses import dataclass, field

import pandas as pd
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.measurements.derivation import (
    CONFIRM_BEFORE_SAVING,
    INPUT_COLUMNS,
    LYING_UNTIL_DAYS,
    compute,
    recompute_children,
    warning_message,
)
from tumbuh.measurements.models import Absence, Measurement
from tumbuh.measurements.selectors import measurements_for
from tumbuh.measurements.validation import input_errors
from tumbuh.registry.selectors import people_for

from .models import ApiToken, ClientKey

MEASUREMENT_LABEL = "measurements.measurement"
TOKEN_PREFIX = "tmb_"

# validation.Problem.field (the form input) -> the API's field name
API_FIELD = {
    "measured_on": "date", "weight_kg": "weight_kg", "length_cm": "height_cm", "position": "measured_lying",
    "arm_circumference_cm": "lila_cm", "head_circumference_cm": "head_cm",
}


# --- tokens ------------------------------------------------------------------------------------


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(user, name: str, request=None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns (token row, the key), the key never to be shown again."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip()[:80] or _("API token"), prefix=key[:12],
                                    key_hash=hash_key(key))
    record(user, AuditEvent.Action.CREATE, obj=token, request=request,
           summary=_("API token %(prefix)s… created") % {"prefix": token.prefix},
           detail={"name": token.name, "prefix": token.prefix})
    return token, key


def revoke_token(token: ApiToken, user, request=None) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(user, AuditEvent.Action.DELETE, obj=token, request=request,
           summary=_("Token %(prefix)s… revoked") % {"prefix": token.prefix},
           detail={"name": token.name, "prefix": token.prefix})


REFUSALS = {"unknown": gettext_lazy("unknown token"), "revoked": gettext_lazy("revoked token"),
            "malformed": gettext_lazy("malformed header"), "inactive user": gettext_lazy("inactive account")}


def token_refused(request, key: str, why: str) -> None:
    """A request with a token that does not authenticate: recorded (the prefix only)."""
    record(None, AuditEvent.Action.DENIED, object_type="api.apitoken", request=request,
           summary=(_("API token refused: %(why)s") % {"why": REFUSALS.get(why, why)})[:255],
           detail={"reason": f"api token {why}", "prefix": key[:12], "path": getattr(request, "path", "")[:200]})


# --- measurements --------------------------------------------------------------------------------


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
        name = API_FIELD.get(getattr(problem, "field", None) or "", "non_field_errors")
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


def record_measurements(items: list[Item | Result], *, user, scope, device_id: str = "", origin: str = "api",
                        request=None) -> list[Result]:
    """Create the measurements `items` describe; one Result per item, in order. An item that is
    already a Result (the serializer refused it) is passed through. Idempotent by `Item.uuid`.

    Retried when a concurrent writer took a uuid or a (child, date) between the checks and the
    insert, so the second attempt answers duplicate/conflict for those."""
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _record(items, user=user, scope=scope, device_id=device_id, origin=origin, request=request)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _record(items, *, user, scope, device_id, origin, request) -> list[Result]:
    results: list[Result | None] = [i if isinstance(i, Result) else None for i in items]
    todo = [(n, i) for n, i in enumerate(items) if not isinstance(i, Result)]

    # 1. uuids already used: the stored record is the answer (a duplicate), if the user may see it.
    uuids = {i.uuid for _n, i in todo if i.uuid is not None}
    keys = {k.uuid: k for k in ClientKey.objects.filter(uuid__in=uuids)} if uuids else {}
    stored_ids = [int(k.object_pk) for k in keys.values() if k.model == MEASUREMENT_LABEL]
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
        if item.uuid is not None and item.uuid in keys:
            stored = keys[item.uuid]
            found = visible.get(int(stored.object_pk)) if stored.model == MEASUREMENT_LABEL else None
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
                              length_cm=item.height_cm, position=position, head=item.head_cm, arm=item.lila_cm)
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
    ClientKey.objects.bulk_create([
        ClientKey(uuid=item.uuid, model=MEASUREMENT_LABEL, object_pk=str(m.pk), user=user, device_id=device_id[:120])
        for (_n, item, _c, _p), m in zip(pending, rows, strict=True) if item.uuid is not None])
    if pending:
        days = {(child.pk, item.date) for _n, item, child, _p in pending}
        absent = [a.pk for a in Absence.objects.filter(child_id__in={c for c, _d in days},
                                                       on__in={d for _c, d in days}) if (a.child_id, a.on) in days]
        Absence.objects.filter(pk__in=absent).delete()  # they came after all
        recompute_children({child.pk for _n, _i, child, _p in pending})
    saved = {m.pk: m for m in Measurement.objects.filter(pk__in=[m.pk for m in rows])}
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
        record(user, AuditEvent.Action.CREATE, obj=m, request=request,
               summary=f"Measurement of {child.name} on {m.measured_on.isoformat()} ({origin})", detail=detail)

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
