"""Writes of the interventions context: deliveries (one, or many at once), courses, foster-parent
pledges, plans, local catalogue items and agencies. Each runs in a transaction, is audited, and
refuses what the user may not do with Indonesian messages (`InputError.problems`, also raised as
`OutOfScope` — a `PermissionDenied` too — when the recipient or the item is outside the user's
reach). Every write that changes deliveries keeps the delivery totals (`totals.apply`, what plan
progress reads) and sends `signals.deliveries_changed`, inside the transaction.

The stable entry points for other contexts (the delivery-list importer, the API):

    record_delivery(user_or_scope, *, item_code, person=None, household=None, date, quantity,
                    unit=None, fund_source="", agency=None, delivered_by="", notes="",
                    course=None, pledge=None, source=DeliverySource.ENTRY, import_key="",
                    uuid=None, request=None) -> Delivery

    record_deliveries(user_or_scope, rows, *, source=DeliverySource.ENTRY, request=None,
                      audit_action="create") -> BulkResult

`rows` are dicts with the keyword arguments of `record_delivery` (person/household/agency/course/
pledge as objects or primary keys). Invalid rows are skipped and reported by index in
`BulkResult.errors` (a list of Indonesian messages each); the valid ones are written with plain
INSERTs (`insert_rows`: no model instances), one audit event and one signal; `BulkResult.uuids`
names them (`.deliveries` reads them back when needed). Idempotency of imports is the importer's: look up
`selectors.deliveries_by_import_key` first. A `uuid` already recorded (an offline device sending
twice) returns the existing delivery instead of a second one.

Validation (`_check`): the item exists in the recipient's effective catalogue and is active; for an
OPD officer the item is one of their agency's; the date is a date, not in the future, not before
the recipient's birth; a household item needs a household (taken from the person if only a
person is given), a person item a person of the item's target group on that date
(`eligibility`); the recipient is in the user's scope (an OPD officer: in their kab/kota); the
quantity is a number > 0; unit and source of funds are known values; the agency serves the
recipient's area (default: the item's responsible OPD in the recipient's kab/kota, an OPD
officer's own agency); a course or pledge belongs to the same person and item.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuidlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.models import User
from tumbuh.accounts.scoping import Scope, as_scope
from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.coordination.models import Agency, AgencyKind
from tumbuh.registry.models import Household, Person

from . import eligibility, selectors, totals
from .models import (
    CatalogueItem,
    Course,
    CourseStatus,
    Delivery,
    DeliverySource,
    FundSource,
    Kind,
    Plan,
    Pledge,
    TargetGroup,
    Unit,
)
from .signals import deliveries_changed

MAX_QUANTITY = Decimal("1000000000")


class InputError(ValueError):
    """Refused input: `problems` are Indonesian messages (bound to form fields by the views)."""

    def __init__(self, problems):
        problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class OutOfScope(InputError, PermissionDenied):
    """The recipient, item or object is outside the user's reach."""


def today() -> dt.date:
    return timezone.localdate()


def actor(user_or_scope) -> tuple[User | None, Scope]:
    """(user, scope) from either: services accept a Scope (resolved once per request) or a user."""
    scope = as_scope(user_or_scope)
    if isinstance(user_or_scope, Scope):
        user = User.objects.filter(pk=scope.user_id).first() if scope.user_id else None
    else:
        user = user_or_scope if getattr(user_or_scope, "is_authenticated", False) else None
    return user, scope


def _send(person_ids: Iterable[int], household_ids: Iterable[int], desa_codes: Iterable[str]) -> None:
    deliveries_changed.send(sender=Delivery, person_ids=sorted({p for p in person_ids if p}),
                            household_ids=sorted({h for h in household_ids if h}),
                            desa_codes=sorted({d for d in desa_codes if d}))


# --- parsing helpers (also used by the importer and forms) --------------------------------------


def parse_unit(value, default: str) -> str | None:
    if value in (None, ""):
        return default
    return _unit(str(value).strip().lower())


@lru_cache(maxsize=256)  # a bulk repeats the same few spellings row after row
def _unit(text: str) -> str | None:
    for v in Unit.values:
        if v.lower() == text:
            return v
    return None


def parse_fund_source(value) -> str | None:
    """"" for empty; a FundSource value for its code or a common spelling ("Dana Desa", "DD");
    None if unknown."""
    if value in (None, ""):
        return ""
    return _fund(str(value).strip().lower().replace(" ", ""))


@lru_cache(maxsize=256)
def _fund(text: str) -> str | None:
    aliases = {"dd": "APBDes", "danadesa": "APBDes", "apbdes": "APBDes", "apbdesa": "APBDes",
               "apbd": "APBD", "dak": "DAK", "apbn": "APBN", "csr": "CSR", "baas": "BAAS",
               "swadaya": "swadaya", "lainnya": "lainnya", "lain-lain": "lainnya"}
    if text in aliases:
        return aliases[text]
    for v in FundSource.values:
        if v.lower() == text:
            return v
    return None


def parse_quantity(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        q = value
    else:
        text = str(value).strip().replace(" ", "")
        if "," in text and "." in text:  # 1.234,5
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", ".")
        try:
            q = Decimal(text)
        except InvalidOperation:
            return None
    if not q.is_finite():
        return None
    return q


# --- the validation context (prefetched once for a bulk) ---------------------------------------


@dataclass
class _Context:
    user: User | None
    scope: Scope
    opd_codes: set[str] | None  # None: not an OPD officer
    opd_agency: Agency | None
    catalogues: dict[str | None, dict[str, CatalogueItem]] = field(default_factory=dict)
    agencies: dict[tuple[str, str], Agency | None] = field(default_factory=dict)
    on: dt.date = field(default_factory=lambda: today())  # "today", read once (not once per row)

    def catalogue(self, desa_code: str) -> dict[str, CatalogueItem]:
        kab = ".".join(desa_code.split(".")[:2])
        if kab not in self.catalogues:
            self.catalogues[kab] = selectors.catalogue_for(kab)
        return self.catalogues[kab]

    def default_agency(self, item: CatalogueItem, desa_code: str) -> Agency | None:
        if self.opd_agency is not None:
            return self.opd_agency
        if not item.default_agency_code:
            return None
        kab = ".".join(desa_code.split(".")[:2])
        key = (kab, item.default_agency_code.upper())
        if key not in self.agencies:
            self.agencies[key] = (Agency.objects.filter(region_id=kab, code__iexact=item.default_agency_code)
                                  .first())
        return self.agencies[key]


def _context(user_or_scope) -> _Context:
    user, scope = actor(user_or_scope)
    if scope.is_opd:
        return _Context(user, scope, set(selectors.opd_codes(scope)), selectors.opd_agency(scope))
    return _Context(user, scope, None, None)


def validation_context(user_or_scope) -> _Context:
    """What `validate_deliveries` needs about the user (scope, an OPD officer's items and agency,
    the effective catalogues and default agencies it reads): build it once per import or request."""
    return _context(user_or_scope)


class Recipient:
    """The facts about a person (or a household: `household` None, no name) the checks read,
    without a model instance: an importer that already holds these columns passes them as they
    are. `household` is a Recipient for the person's household (pk, desa_id) or None."""

    __slots__ = ("pk", "name", "birth_date", "sex", "desa_id", "posyandu_id", "household_id", "household")

    def __init__(self, pk, *, desa_id, name="", birth_date=None, sex="", posyandu_id=None, household_id=None,
                 household=None):
        self.pk, self.name, self.birth_date, self.sex = pk, name, birth_date, sex
        self.desa_id, self.posyandu_id, self.household_id, self.household = desa_id, posyandu_id, household_id, household


def validate_deliveries(context: _Context, rows: list[dict]) -> list[tuple[dict | None, list[str]]]:
    """Check many delivery rows at once, as `record_delivery` checks one: per row (the column
    values to write, []) or (None, Indonesian problems), in row order; nothing is written.

    `rows` are dicts with `record_delivery`'s keyword arguments; `person` and `household` are
    objects (Person / Household instances, or `Recipient`s with the same attributes), `agency` an
    Agency. The scope, target groups, courses and pledges are read in a few queries for all rows.
    The caller writes the accepted values (`insert_rows`, or COPY), then keeps the totals
    (`totals.apply_values`) and calls `deliveries_written` once."""
    persons_ok, households_ok = _in_reach(context, rows)
    group_ok = _groups(context, rows)
    courses, pledges = _links(rows)
    out: list[tuple[dict | None, list[str]]] = []
    for r in rows:
        try:
            out.append(_check(context, r, persons_ok=persons_ok, households_ok=households_ok, group_ok=group_ok,
                              courses=courses, pledges=pledges))
        except InputError as exc:
            out.append((None, exc.problems))
    return out


def deliveries_written(person_ids: Iterable[int], household_ids: Iterable[int], desa_codes: Iterable[str]) -> None:
    """Tell the listeners of `signals.deliveries_changed` (once for a whole bulk write, inside its
    transaction)."""
    _send(person_ids, household_ids, desa_codes)


def serves(agency: Agency, desa_code: str) -> bool:
    """An agency serves a desa inside its region (a kota's OPD, a desa's own government)."""
    code = agency.region_id
    return desa_code == code or desa_code.startswith(code + ".")


def _as_obj(value, model, cache: dict | None = None):
    if value is None or value == "":
        return None
    if isinstance(value, model):
        return value
    if cache is not None and value in cache:
        return cache[value]
    return model.objects.filter(pk=value).first()


def _check(ctx: _Context, row: dict[str, Any], *, persons_ok: set[int], households_ok: set[int],
           group_ok: dict[str, set[int]] | None, courses: dict, pledges: dict) -> tuple[dict | None, list[str]]:
    """Validate one row; returns (the delivery's column values, []) or (None, problems). Plain
    values, not a model instance: building a million instances is most of a bulk write's time."""
    problems: list[str] = []
    code = str(row.get("item_code") or "").strip().upper()
    person: Person | None = row.get("person")
    household: Household | None = row.get("household")
    day = row.get("date")
    if person is None and household is None:
        return None, [_("A delivery needs a recipient: a person (NIK/name) or a household (KK).")]
    desa_code = (person.desa_id if person is not None else household.desa_id)
    item = ctx.catalogue(desa_code).get(code)
    if not code:
        problems.append(_("The intervention code is missing."))
    elif item is None:
        problems.append(_("Unknown intervention code %(code)s.") % {"code": code})
    elif ctx.opd_codes is not None and code not in ctx.opd_codes:
        raise OutOfScope(_("Intervention %(code)s is not one your agency is responsible for.") % {"code": code})
    if item is not None and item.is_household_item and household is None:
        if person is not None and person.household_id:
            household = person.household
        else:
            problems.append(_("%(code)s is delivered to a household: give the KK.") % {"code": code})
    if item is not None and not item.is_household_item and person is None:
        problems.append(_("%(code)s is delivered to a person: give the NIK or name.") % {"code": code})
    # Scope of the recipient(s).
    if person is not None and person.pk not in persons_ok:
        raise OutOfScope(_("%(name)s is outside your area.") % {"name": person.name})
    if household is not None and household.pk not in households_ok and not (
            person is not None and person.household_id == household.pk and person.pk in persons_ok):
        raise OutOfScope(_("This household is outside your area."))
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        problems.append(_("The date is missing or not a date."))
        day = None
    elif day > ctx.on:
        problems.append(_("The date %(date)s is in the future.") % {"date": day.strftime("%d-%m-%Y")})
    elif person is not None and day < person.birth_date:
        problems.append(_("The date is before the person's birth date."))
    if item is not None and person is not None and day is not None and not item.is_household_item:
        ok = (person.pk in group_ok.get(item.target_group, set())) if group_ok is not None else \
            eligibility.in_group(person, item.target_group, day)
        if not ok:
            problems.append(_("%(name)s is not in the target group of %(code)s (%(group)s) on that date.") % {
                "name": person.name, "code": code, "group": TargetGroup(item.target_group).label})
    quantity = parse_quantity(row.get("quantity"))
    if quantity is None:
        problems.append(_("The quantity is missing or not a number."))
    elif quantity <= 0:
        problems.append(_("The quantity must be more than 0."))
    elif quantity >= MAX_QUANTITY:
        problems.append(_("The quantity is implausibly large."))
    unit = parse_unit(row.get("unit"), item.unit if item else "")
    if unit is None:
        problems.append(_("Unknown unit %(unit)s.") % {"unit": row.get("unit")})
    fund = parse_fund_source(row.get("fund_source"))
    if fund is None:
        problems.append(_("Unknown source of funds %(fund)s.") % {"fund": row.get("fund_source")})
    agency = _as_obj(row.get("agency"), Agency)
    if row.get("agency") not in (None, "") and agency is None:
        problems.append(_("Unknown agency."))
    if agency is None and item is not None:
        agency = ctx.default_agency(item, desa_code)
    elif agency is not None and not serves(agency, desa_code):
        problems.append(_("%(agency)s does not serve this desa.") % {"agency": agency.name})
    if ctx.opd_agency is not None and agency is not None and agency.kind == AgencyKind.OPD \
            and agency.pk != ctx.opd_agency.pk:
        problems.append(_("An OPD officer records the deliveries of their own agency."))
    course = _as_obj(row.get("course"), Course, courses)
    if course is not None and (person is None or course.person_id != person.pk or course.code != code):
        problems.append(_("The course belongs to another person or intervention."))
    pledge = _as_obj(row.get("pledge"), Pledge, pledges)
    if pledge is not None and (person is None or pledge.child_id != person.pk):
        problems.append(_("The pledge is for another child."))
    if problems:
        return None, problems
    if course is None and person is not None and (item.course_days or item.course_amount):
        course = courses.get((person.pk, code, day))
    if pledge is None and code == "BAAS" and person is not None:
        pledge = pledges.get((person.pk, day))
    values = {
        "item_id": item.pk, "code": code, "person_id": person.pk if person is not None else None,
        "household_id": household.pk if household is not None else None, "date": day, "quantity": quantity,
        "unit": unit, "fund_source": fund, "agency_id": agency.pk if agency is not None else None,
        "delivered_by": str(row.get("delivered_by") or "")[:200], "notes": str(row.get("notes") or ""),
        "course_id": course.pk if course is not None else None, "pledge_id": pledge.pk if pledge is not None else None,
        "source": row.get("source") or DeliverySource.ENTRY, "import_key": str(row.get("import_key") or "")[:64],
        "desa_id": desa_code, "posyandu_id": person.posyandu_id if person is not None else None,
        "created_by_id": ctx.user.pk if ctx.user is not None else None,
        "uuid": (row["uuid"] if isinstance(row["uuid"], uuidlib.UUID) else uuidlib.UUID(str(row["uuid"])))
        if row.get("uuid") else uuidlib.uuid4(),
    }
    return values, []


def _resolve_rows(ctx: _Context, rows: list[dict]) -> None:
    """Turn primary keys into objects (in bulk) in place."""
    person_ids = {r["person"] for r in rows if isinstance(r.get("person"), int)}
    household_ids = {r["household"] for r in rows if isinstance(r.get("household"), int)}
    people = Person.objects.in_bulk(list(person_ids)) if person_ids else {}
    households = Household.objects.in_bulk(list(household_ids)) if household_ids else {}
    for r in rows:
        if isinstance(r.get("person"), int):
            r["person"] = people.get(r["person"])
            if r["person"] is None:
                r["_missing"] = True
        if isinstance(r.get("household"), int):
            r["household"] = households.get(r["household"])
            if r["household"] is None:
                r["_missing"] = True


def _in_reach(ctx: _Context, rows: list[dict]) -> tuple[set[int], set[int]]:
    pids = [r["person"].pk for r in rows if r.get("person") is not None]
    hids = [r["household"].pk for r in rows if r.get("household") is not None]
    hids += [r["person"].household_id for r in rows if r.get("person") is not None and r["person"].household_id]
    persons_ok: set[int] = set()
    households_ok: set[int] = set()
    from django.db import connection

    step = 900 if connection.vendor == "sqlite" else 20_000  # SQLite's bound-parameter limit
    pids = sorted(set(pids))
    for i in range(0, len(pids), step):
        persons_ok |= set(selectors.people_in_reach(ctx.scope).filter(pk__in=pids[i:i + step])
                          .values_list("pk", flat=True))
    hids = sorted(set(hids))
    for i in range(0, len(hids), step):
        households_ok |= set(selectors.households_in_reach(ctx.scope).filter(pk__in=hids[i:i + step])
                             .values_list("pk", flat=True))
    return persons_ok, households_ok


def _groups(ctx: _Context, rows: list[dict]) -> dict[str, set[int]]:
    by_group: dict[str, dict[int, tuple[Person, dt.date]]] = defaultdict(dict)
    pairs: dict[str, list[tuple[Person, dt.date]]] = defaultdict(list)
    for r in rows:
        p, day = r.get("person"), r.get("date")
        if p is None or not isinstance(day, dt.date):
            continue
        item = ctx.catalogue(p.desa_id).get(str(r.get("item_code") or "").strip().upper())
        if item is None or item.is_household_item:
            continue
        pairs[item.target_group].append((p, day))
        by_group[item.target_group][p.pk] = (p, day)
    out: dict[str, set[int]] = {}
    for group, items in pairs.items():
        # One person may appear on several dates: check each (person, date) pair; a person is
        # taken as in the group if every one of their dates is (the rare mixed case falls back
        # to the one-row check).
        ok: set[int] = set()
        dates: dict[int, set[dt.date]] = defaultdict(set)
        for p, day in items:
            dates[p.pk].add(day)
        single = [p for p, _d in by_group[group].values() if len(dates[p.pk]) == 1]
        ok |= eligibility.in_group_ids(group, single, {p.pk: next(iter(dates[p.pk])) for p in single})
        for p, _d in by_group[group].values():
            if len(dates[p.pk]) > 1 and all(eligibility.in_group(p, group, d) for d in dates[p.pk]):
                ok.add(p.pk)
        out[group] = ok
    return out


def _links(rows: list[dict]) -> tuple[dict, dict]:
    """Active courses and pledges of the people in the rows, keyed (person, code, date) and
    (person, date) for the deliveries that fall inside them."""
    pids = {r["person"].pk for r in rows if r.get("person") is not None}
    courses: dict = {}
    pledges: dict = {}
    if not pids:
        return courses, pledges
    by_person = defaultdict(list)
    for c in Course.objects.filter(person_id__in=pids).exclude(status=CourseStatus.STOPPED):
        courses[c.pk] = c
        by_person[c.person_id].append(c)
    pledge_by_child = defaultdict(list)
    for pl in Pledge.objects.filter(child_id__in=pids, active=True):
        pledges[pl.pk] = pl
        pledge_by_child[pl.child_id].append(pl)
    for r in rows:
        p, day = r.get("person"), r.get("date")
        if p is None or not isinstance(day, dt.date):
            continue
        code = str(r.get("item_code") or "").strip().upper()
        for c in by_person.get(p.pk, ()):
            if c.code == code and c.start <= day <= c.end:
                courses[(p.pk, code, day)] = c
        for pl in pledge_by_child.get(p.pk, ()):
            if pl.start <= day < add_months(pl.start, pl.months):
                pledges[(p.pk, day)] = pl
    return courses, pledges


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + y, m + 1, min(day.day, 28))


# --- deliveries --------------------------------------------------------------------------------


@transaction.atomic
def record_delivery(user_or_scope, *, item_code: str, person: Person | None = None,
                    household: Household | None = None, date: dt.date, quantity, unit: str | None = None,
                    fund_source: str = "", agency: Agency | None = None, delivered_by: str = "",
                    notes: str = "", course: Course | None = None, pledge: Pledge | None = None,
                    source: str = DeliverySource.ENTRY, import_key: str = "", uuid=None,
                    request=None) -> Delivery:
    """Record one delivery (see the module docstring for the rules). Raises `InputError` with
    Indonesian `problems`, or `OutOfScope` (also a PermissionDenied)."""
    ctx = _context(user_or_scope)
    if ctx.scope.is_empty and not ctx.scope.is_opd:
        raise OutOfScope(_("You may not record deliveries."))
    if uuid:
        existing = Delivery.objects.filter(uuid=uuid).first()
        if existing is not None:
            if not selectors.deliveries_for(ctx.scope).filter(pk=existing.pk).exists():
                raise OutOfScope(_("This delivery is outside your area."))
            return existing
    row = dict(item_code=item_code, person=person, household=household, date=date, quantity=quantity, unit=unit,
               fund_source=fund_source, agency=agency, delivered_by=delivered_by, notes=notes, course=course,
               pledge=pledge, source=source, import_key=import_key, uuid=uuid)
    _resolve_rows(ctx, [row])
    if row.get("_missing"):
        raise InputError(_("Unknown person or household."))
    persons_ok, households_ok = _in_reach(ctx, [row])
    courses, pledges = _links([row])
    values, problems = _check(ctx, row, persons_ok=persons_ok, households_ok=households_ok, group_ok=None,
                              courses=courses, pledges=pledges)
    if problems:
        raise InputError(problems)
    delivery = Delivery(**values)
    delivery.save()
    totals.apply([delivery])
    record(ctx.user, AuditEvent.Action.CREATE, obj=delivery, request=request,
           summary=_("delivery %(code)s recorded") % {"code": delivery.code},
           detail={"code": delivery.code, "date": delivery.date, "quantity": delivery.quantity,
                   "unit": delivery.unit, "person": delivery.person_id, "household": delivery.household_id,
                   "source": delivery.source})
    _send([delivery.person_id], [delivery.household_id], [delivery.desa_id])
    return delivery


@dataclass
class BulkResult:
    uuids: list[uuidlib.UUID] = field(default_factory=list)  # of the created deliveries, in row order
    existing: dict[int, Delivery] = field(default_factory=dict)  # row index -> already recorded (uuid)
    errors: dict[int, list[str]] = field(default_factory=dict)  # row index -> Indonesian messages
    created_index: list[int] = field(default_factory=list)  # row index of each created delivery

    @property
    def created(self) -> int:
        return len(self.uuids)

    @property
    def deliveries(self) -> list[Delivery]:
        """The created deliveries, read back in row order (only when asked: a bulk write inserts
        plain rows)."""
        found: dict = {}
        for i in range(0, len(self.uuids), 900):
            found.update({d.uuid: d for d in Delivery.objects.filter(uuid__in=self.uuids[i:i + 900])})
        return [found[u] for u in self.uuids if u in found]


@transaction.atomic
def record_deliveries(user_or_scope, rows: Iterable[dict], *, source: str = DeliverySource.ENTRY,
                      request=None, audit_action: str = AuditEvent.Action.CREATE,
                      summary: str = "") -> BulkResult:
    """Record many deliveries at once: the same checks as `record_delivery`, prefetched in a few
    queries; invalid rows are reported by index and skipped; one audit event, one signal."""
    ctx = _context(user_or_scope)
    rows = [dict(r) for r in rows]
    result = BulkResult()
    if ctx.scope.is_empty and not ctx.scope.is_opd:
        result.errors = {i: [_("You may not record deliveries.")] for i in range(len(rows))}
        return result
    for r in rows:
        r.setdefault("source", source)
    _resolve_rows(ctx, rows)
    uuids = [str(r["uuid"]) for r in rows if r.get("uuid")]
    known = {str(d.uuid): d for d in selectors.deliveries_for(ctx.scope).filter(uuid__in=uuids)} if uuids else {}
    checking: list[int] = []
    for i, r in enumerate(rows):
        if r.get("_missing"):
            result.errors[i] = [_("Unknown person or household.")]
        elif r.get("uuid") and str(r["uuid"]) in known:
            result.existing[i] = known[str(r["uuid"])]
        else:
            checking.append(i)
    new: list[dict] = []
    for i, (values, problems) in zip(checking, validate_deliveries(ctx, [rows[i] for i in checking]), strict=True):
        if problems:
            result.errors[i] = problems
            continue
        new.append(values)
        result.created_index.append(i)
    if uuids:
        taken = set()
        wanted = [v["uuid"] for v in new]
        for j in range(0, len(wanted), 900):
            taken |= set(Delivery.objects.filter(uuid__in=wanted[j:j + 900]).values_list("uuid", flat=True))
        if taken:
            keep = [(idx, v) for idx, v in zip(result.created_index, new, strict=True) if v["uuid"] not in taken]
            for idx, v in zip(result.created_index, new, strict=True):
                if v["uuid"] in taken:
                    result.errors[idx] = [_("This delivery is outside your area.")]
            result.created_index = [i for i, _v in keep]
            new = [v for _i, v in keep]
    insert_rows(new)
    result.uuids = [v["uuid"] for v in new]
    totals.apply_values(new)
    if new:
        codes = sorted({v["code"] for v in new})
        record(ctx.user, audit_action, object_type="interventions.delivery", request=request,
               region_code=_covering([v["desa_id"] for v in new]),
               summary=summary or (_("%(n)s deliveries recorded") % {"n": len(new)}),
               detail={"count": len(new), "codes": codes, "source": source, "rejected": len(result.errors)})
        _send([v["person_id"] for v in new], [v["household_id"] for v in new], [v["desa_id"] for v in new])
    return result


INSERT_COLUMNS = ("uuid", "item_id", "code", "person_id", "household_id", "date", "quantity", "unit", "fund_source",
                  "agency_id", "delivered_by", "notes", "course_id", "pledge_id", "source", "import_key", "desa_id",
                  "posyandu_id", "created_by_id", "created_at", "updated_at", "void_reason")


def insert_rows(rows: list[dict], *, batch: int = 5000) -> None:
    """Plain INSERTs of many deliveries' column values (one executemany per batch): no model
    instances, no per-row SQL compilation. Callers have validated the rows (`_check`)."""
    if not rows:
        return
    from django.db import connection

    native_uuid = connection.features.has_native_uuid_field
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = (f"INSERT INTO {Delivery._meta.db_table} ({', '.join(INSERT_COLUMNS)}) "
           f"VALUES ({', '.join(['%s'] * len(INSERT_COLUMNS))})")
    with connection.cursor() as cur:
        for i in range(0, len(rows), batch):
            cur.executemany(sql, [
                (v["uuid"] if native_uuid else v["uuid"].hex, v["item_id"], v["code"], v["person_id"],
                 v["household_id"], v["date"], v["quantity"], v["unit"], v["fund_source"], v["agency_id"],
                 v["delivered_by"], v["notes"], v["course_id"], v["pledge_id"], v["source"], v["import_key"],
                 v["desa_id"], v["posyandu_id"], v["created_by_id"], now, now, "")
                for v in rows[i:i + batch]])


def _covering(codes: list[str]) -> str:
    from tumbuh.accounts.scoping import common_region

    codes = sorted(set(codes))
    return common_region(codes) if codes else ""


@transaction.atomic
def void_delivery(user_or_scope, delivery: Delivery, reason: str, *, request=None) -> Delivery:
    user, scope = actor(user_or_scope)
    if not selectors.deliveries_for(scope).filter(pk=delivery.pk).exists():
        raise OutOfScope(_("This delivery is outside your area."))
    reason = (reason or "").strip()
    if not reason:
        raise InputError(_("Give the reason the delivery is voided."))
    if delivery.voided_at:
        return delivery
    delivery.voided_at, delivery.voided_by, delivery.void_reason = timezone.now(), user, reason[:200]
    delivery.save(update_fields=["voided_at", "voided_by", "void_reason", "updated_at"])
    totals.apply([delivery], sign=-1)
    record(user, AuditEvent.Action.UPDATE, obj=delivery, request=request,
           summary=_("delivery %(code)s voided") % {"code": delivery.code}, detail={"reason": reason})
    _send([delivery.person_id], [delivery.household_id], [delivery.desa_id])
    return delivery


# --- courses -----------------------------------------------------------------------------------


def eligibility_snapshot(person: Person, on: dt.date) -> dict:
    """Why a child qualified: the latest measurement up to `on` (z-scores, flags, its date)."""
    from tumbuh.measurements.models import Measurement

    m = Measurement.objects.filter(child=person, measured_on__lte=on).order_by("-measured_on").first()
    if m is None:
        return {}
    return {"measurement": m.pk, "measured_on": m.measured_on.isoformat(), "weight_kg": m.weight_kg,
            "waz": m.weight_for_age_z, "haz": m.length_for_age_z, "whz": m.weight_for_length_z,
            "weight_gain": m.weight_gain, "bgm": m.below_red_line, "source": "measurement"}


@transaction.atomic
def start_course(user_or_scope, *, item_code: str, person: Person, start: dt.date, days: int | None = None,
                 planned_amount=None, agency: Agency | None = None, notes: str = "", request=None) -> Course:
    user, scope = actor(user_or_scope)
    ctx = _context(user_or_scope)
    code = (item_code or "").strip().upper()
    if ctx.opd_codes is not None and code not in ctx.opd_codes:
        raise OutOfScope(_("Intervention %(code)s is not one your agency is responsible for.") % {"code": code})
    if not selectors.people_in_reach(scope).filter(pk=person.pk).exists() or (scope.is_empty and not scope.is_opd):
        raise OutOfScope(_("%(name)s is outside your area.") % {"name": person.name})
    item = ctx.catalogue(person.desa_id).get(code)
    problems = []
    if item is None:
        raise InputError(_("Unknown intervention code %(code)s.") % {"code": code})
    if not (item.course_days or item.course_amount):
        problems.append(_("%(code)s is not given as a course.") % {"code": code})
    if not isinstance(start, dt.date):
        problems.append(_("The date is missing or not a date."))
    elif start > today():
        problems.append(_("The start date is in the future."))
    elif not eligibility.in_group(person, item.target_group, start):
        problems.append(_("%(name)s is not in the target group of %(code)s (%(group)s) on that date.") % {
            "name": person.name, "code": code, "group": TargetGroup(item.target_group).label})
    days = int(days or (item.course_days[0] if item.course_days else 0) or 90)
    if days < 1 or days > 366:
        problems.append(_("A course lasts 1 to 366 days."))
    amount = parse_quantity(planned_amount) if planned_amount not in (None, "") else \
        (item.course_amount if item.course_amount else Decimal(days))
    if amount is None or amount <= 0:
        problems.append(_("The planned amount must be more than 0."))
    if isinstance(start, dt.date) and Course.objects.filter(
            person=person, code=code, status=CourseStatus.ACTIVE, start__lte=start + dt.timedelta(days=days - 1),
            end__gte=start).exists():
        problems.append(_("%(name)s already has a running %(code)s course in that period.") % {
            "name": person.name, "code": code})
    if problems:
        raise InputError(problems)
    course = Course.objects.create(
        item=item, code=code, person=person, agency=agency or ctx.default_agency(item, person.desa_id),
        start=start, end=start + dt.timedelta(days=days - 1), planned_amount=amount, unit=item.unit,
        eligibility=eligibility_snapshot(person, start), notes=notes, desa_id=person.desa_id,
        posyandu_id=person.posyandu_id, created_by=user)
    # Deliveries already recorded in the window belong to it.
    Delivery.objects.filter(person=person, code=code, course__isnull=True, date__gte=course.start,
                            date__lte=course.end, voided_at__isnull=True).update(course=course)
    record(user, AuditEvent.Action.CREATE, obj=course, request=request,
           summary=_("course %(code)s started") % {"code": code},
           detail={"start": start, "days": days, "planned": amount})
    _send([person.pk], [], [person.desa_id])
    return course


@transaction.atomic
def close_course(user_or_scope, course: Course, *, status: str, exit_reason: str = "", request=None) -> Course:
    user, scope = actor(user_or_scope)
    if not selectors.courses_for(scope).filter(pk=course.pk).exists():
        raise OutOfScope(_("This course is outside your area."))
    if status not in (CourseStatus.COMPLETED, CourseStatus.STOPPED, CourseStatus.ACTIVE):
        raise InputError(_("Unknown status."))
    if status == CourseStatus.STOPPED and not exit_reason.strip():
        raise InputError(_("Give the reason the course stopped."))
    course.status, course.exit_reason = status, exit_reason.strip()[:200]
    course.save(update_fields=["status", "exit_reason", "updated_at"])
    record(user, AuditEvent.Action.UPDATE, obj=course, request=request,
           summary=_("course %(code)s: %(status)s") % {"code": course.code, "status": course.get_status_display()})
    _send([course.person_id], [], [course.desa_id])
    return course


BASELINE_BEFORE_DAYS = 30  # a measurement up to a month before the start is the baseline
BASELINE_AFTER_DAYS = 14  # ... or, failing that, one in the first two weeks
END_AFTER_DAYS = 30  # the closing measurement: the last one up to a month after the end


def course_outcome(course: Course, *, on: dt.date | None = None) -> dict:
    """Delivered amount, and the growth over the course from the measurements: baseline = the
    latest measurement in the 30 days before the start (else the first in its first 14 days),
    closing = the latest after the baseline up to 30 days after the end (or today for a running
    course); weight gain (kg, g/day), and the change of WAZ, WHZ and HAZ."""
    from tumbuh.measurements.models import Measurement

    on = on or today()
    delivered = Delivery.objects.filter(course=course, voided_at__isnull=True).aggregate(s=Sum("quantity"))["s"] \
        or Decimal(0)
    rows = list(Measurement.objects.filter(
        child_id=course.person_id, measured_on__gte=course.start - dt.timedelta(days=BASELINE_BEFORE_DAYS),
        measured_on__lte=min(course.end + dt.timedelta(days=END_AFTER_DAYS), on)).order_by("measured_on"))
    before = [m for m in rows if m.measured_on <= course.start]
    baseline = before[-1] if before else next(
        (m for m in rows if m.measured_on <= course.start + dt.timedelta(days=BASELINE_AFTER_DAYS)), None)
    closing = None
    if baseline is not None:
        later = [m for m in rows if m.measured_on > baseline.measured_on]
        closing = later[-1] if later else None
    out = {"delivered": delivered, "planned": course.planned_amount,
           "percent": round(float(100 * delivered / course.planned_amount), 0) if course.planned_amount else None,
           "baseline": baseline, "closing": closing, "weight_gain_kg": None, "grams_per_day": None,
           "days": None, "dwaz": None, "dwhz": None, "dhaz": None}
    if baseline is not None and closing is not None:
        days = (closing.measured_on - baseline.measured_on).days
        out["days"] = days
        if baseline.weight_kg is not None and closing.weight_kg is not None:
            gain = closing.weight_kg - baseline.weight_kg
            out["weight_gain_kg"] = round(gain, 2)
            out["grams_per_day"] = round(1000 * gain / days, 1) if days else None
        for key, attr in (("dwaz", "weight_for_age_z"), ("dwhz", "weight_for_length_z"),
                          ("dhaz", "length_for_age_z")):
            a, b = getattr(baseline, attr), getattr(closing, attr)
            if a is not None and b is not None:
                out[key] = round(b - a, 2)
    return out


# --- BAAS pledges ------------------------------------------------------------------------------


@transaction.atomic
def create_pledge(user_or_scope, *, sponsor: Agency, child: Person, amount_per_month, months: int,
                  start: dt.date, notes: str = "", request=None) -> Pledge:
    user, scope = actor(user_or_scope)
    ctx = _context(user_or_scope)
    if ctx.opd_codes is not None and "BAAS" not in ctx.opd_codes:
        raise OutOfScope(_("Intervention %(code)s is not one your agency is responsible for.") % {"code": "BAAS"})
    if (scope.is_empty and not scope.is_opd) or not selectors.people_in_reach(scope).filter(pk=child.pk).exists():
        raise OutOfScope(_("%(name)s is outside your area.") % {"name": child.name})
    problems = []
    if sponsor.kind not in (AgencyKind.FOSTER_PARENT, AgencyKind.COMPANY, AgencyKind.PARTNER, AgencyKind.OPD):
        problems.append(_("The sponsor must be a foster parent, a company or a partner."))
    if not serves(sponsor, child.desa_id):
        problems.append(_("%(agency)s does not serve this desa.") % {"agency": sponsor.name})
    amount = parse_quantity(amount_per_month)
    if amount is None or amount <= 0:
        problems.append(_("The amount per month must be more than 0."))
    if not months or int(months) < 1 or int(months) > 60:
        problems.append(_("A pledge lasts 1 to 60 months."))
    if not isinstance(start, dt.date):
        problems.append(_("The date is missing or not a date."))
    elif not eligibility.in_group(child, TargetGroup.CHILD, start):
        problems.append(_("%(name)s is not a child under five on that date.") % {"name": child.name})
    if problems:
        raise InputError(problems)
    pledge = Pledge.objects.create(sponsor=sponsor, child=child, amount_per_month=amount, months=int(months),
                                   start=start, notes=notes, desa_id=child.desa_id, posyandu_id=child.posyandu_id,
                                   created_by=user)
    record(user, AuditEvent.Action.CREATE, obj=pledge, request=request,
           summary=_("foster-parent pledge by %(sponsor)s") % {"sponsor": sponsor.name},
           detail={"amount_per_month": amount, "months": months, "start": start})
    return pledge


# --- plans -------------------------------------------------------------------------------------


def may_plan(scope: Scope, agency: Agency, desa_code: str) -> bool:
    """Kab/kota and province teams plan for the agencies serving their area; an OPD officer for
    their own agency; administrators anything."""
    if scope.everything:
        return True
    if scope.is_opd:
        return agency.pk == scope.agency_id and desa_code.startswith(scope.opd_region_code + ".")
    if scope.role not in ("kabupaten", "provinsi") or not scope.region_code:
        return False
    return desa_code.startswith(scope.region_code + ".") and serves(agency, desa_code)


@transaction.atomic
def save_plan(user_or_scope, *, agency: Agency, code: str, desa_code: str, year: int, planned_quantity,
              budget=None, request=None) -> Plan:
    user, scope = actor(user_or_scope)
    code = (code or "").strip().upper()
    if not may_plan(scope, agency, desa_code):
        raise OutOfScope(_("You may not plan for this agency or desa."))
    if scope.is_opd and code not in selectors.opd_codes(scope):
        raise OutOfScope(_("Intervention %(code)s is not one your agency is responsible for.") % {"code": code})
    problems = []
    if code not in selectors.catalogue_for(desa_code):
        problems.append(_("Unknown intervention code %(code)s.") % {"code": code})
    quantity = parse_quantity(planned_quantity)
    if quantity is None or quantity < 0:
        problems.append(_("The planned quantity must be 0 or more."))
    if not (2000 <= int(year) <= today().year + 5):
        problems.append(_("Implausible year."))
    budget_value = parse_quantity(budget) if budget not in (None, "") else None
    if budget not in (None, "") and (budget_value is None or budget_value < 0):
        problems.append(_("The budget must be a number of rupiah."))
    if problems:
        raise InputError(problems)
    plan, created = Plan.objects.update_or_create(
        agency=agency, code=code, desa_id=desa_code, year=int(year),
        defaults={"planned_quantity": quantity, "budget": budget_value, "updated_by": user})
    record(user, AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, object_type="interventions.plan",
           object_id=plan.pk, region_code=desa_code, request=request,
           summary=_("plan %(code)s %(year)s saved") % {"code": code, "year": year},
           detail={"agency": agency.code, "planned": quantity, "budget": budget_value})
    return plan


# --- the catalogue and agencies ----------------------------------------------------------------

LOCAL_FIELDS = ("name", "kind", "target_group", "unit", "default_agency_code", "indicator", "course_days",
                "course_amount", "description", "active")


def may_edit_catalogue(scope: Scope, region_code: str) -> bool:
    """A kab/kota or province team edits its own region's catalogue; administrators any."""
    if scope.everything:
        return True
    return scope.role in ("kabupaten", "provinsi") and scope.region_code == region_code


@transaction.atomic
def save_local_item(user_or_scope, *, region_code: str, code: str, request=None, **values) -> CatalogueItem:
    """Add a local programme, or override a national item's responsible agency / course length /
    other fields for one kab/kota or province (a row of the same code placed at the region)."""
    user, scope = actor(user_or_scope)
    if not may_edit_catalogue(scope, region_code) or region_code.count(".") > 1:
        raise OutOfScope(_("Only the kab/kota or province team edits its catalogue."))
    code = (code or "").strip().upper()
    problems = []
    if not code or len(code) > 40 or not all(ch.isalnum() or ch == "-" for ch in code):
        problems.append(_("The code uses letters, digits and hyphens (at most 40)."))
    base = CatalogueItem.objects.filter(code=code, region__isnull=True).first()
    row = CatalogueItem.objects.filter(code=code, region_id=region_code).first()
    start = row or base
    data = {f: getattr(start, f) for f in LOCAL_FIELDS} if start else {"active": True, "course_days": []}
    data.update({k: v for k, v in values.items() if k in LOCAL_FIELDS})
    if not data.get("name"):
        problems.append(_("The name is required."))
    if data.get("kind") not in Kind.values:
        problems.append(_("Choose specific or sensitive."))
    if data.get("target_group") not in TargetGroup.values:
        problems.append(_("Choose the target group."))
    if data.get("unit") not in Unit.values:
        problems.append(_("Choose the unit."))
    days = data.get("course_days") or []
    if any((not isinstance(d, int)) or d < 1 or d > 366 for d in days):
        problems.append(_("Course lengths are whole days from 1 to 366."))
    if problems:
        raise InputError(problems)
    data["default_agency_code"] = (data.get("default_agency_code") or "").strip().upper()
    if row is None:
        row = CatalogueItem(code=code, region_id=region_code, source=(base.source if base else ""),
                            version="lokal")
    for k, v in data.items():
        setattr(row, k, v)
    row.updated_by = user
    row.save()
    record(user, AuditEvent.Action.UPDATE if start is row else AuditEvent.Action.CREATE, object_type="interventions.catalogueitem",
           object_id=row.pk, region_code=region_code, request=request,
           summary=_("catalogue item %(code)s saved for %(region)s") % {"code": code, "region": region_code},
           detail={k: data[k] for k in ("default_agency_code", "course_days", "active") if k in data})
    return row


def may_edit_agencies(scope: Scope, region_code: str) -> bool:
    if scope.everything:
        return True
    return scope.role in ("kabupaten", "provinsi") and bool(scope.region_code) and (
        region_code == scope.region_code or region_code.startswith(scope.region_code + "."))


@transaction.atomic
def save_agency(user_or_scope, *, region_code: str, code: str, name: str, kind: str,
                agency: Agency | None = None, request=None) -> Agency:
    user, scope = actor(user_or_scope)
    if not may_edit_agencies(scope, region_code) or (agency is not None and not may_edit_agencies(scope, agency.region_id)):
        raise OutOfScope(_("Only the kab/kota or province team edits its agencies and partners."))
    code = (code or "").strip().upper()
    problems = []
    if not code or len(code) > 30:
        problems.append(_("The code is required (at most 30 characters)."))
    if not (name or "").strip():
        problems.append(_("The name is required."))
    if kind not in AgencyKind.values:
        problems.append(_("Choose the kind."))
    clash = Agency.objects.filter(region_id=region_code, code=code)
    if agency is not None:
        clash = clash.exclude(pk=agency.pk)
    if code and clash.exists():
        problems.append(_("The code %(code)s is already used in this region.") % {"code": code})
    if problems:
        raise InputError(problems)
    created = agency is None
    agency = agency or Agency(region_id=region_code)
    agency.code, agency.name, agency.kind = code, name.strip()[:200], kind
    agency.save()
    record(user, AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, object_type="coordination.agency",
           object_id=agency.pk, region_code=agency.region_id, request=request,
           summary=_("agency %(code)s saved") % {"code": code}, detail={"kind": kind})
    return agency


__all__ = [
    "BulkResult", "InputError", "OutOfScope", "Recipient", "close_course", "course_outcome", "create_pledge",
    "parse_fund_source", "parse_quantity", "parse_unit", "record_deliveries", "record_delivery", "save_agency",
    "save_local_item", "save_plan", "start_course", "validate_deliveries", "validation_context", "void_delivery",
    "deliveries_written",
]
