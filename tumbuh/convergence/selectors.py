"""Scoped reads of the gap table, completeness and not-applicable marks, and the one row builder
shared by the gap page, its xlsx and the CLI (so the three show the same rows).

Scoping: gaps, completeness and marks carry the desa and posyandu of their person (a household's:
its desa, and the posyandu of its youngest member), so `scope.person_q()` applies as to people.
An OPD programme officer (`scope.is_opd`) sees only the gaps of the items their agency is
responsible for (`agency_code`), anywhere in their kab/kota (`scope.opd_area()`).

For other contexts (the desa scorecard, RAN-PASTI indicators): `completeness_map(person_ids)`
gives {person_id: Completeness} for people the caller has already scoped, and
`completeness_for(scope)` the scoped queryset (required, received, not_applicable, complete).
"""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db.models import QuerySet
from django.utils.translation import get_language

from tumbuh.accounts.scoping import EMPTY, Scope, as_scope
from tumbuh.coordination.models import Agency
from tumbuh.interventions.models import CatalogueItem
from tumbuh.regions.models import Posyandu, Region, within
from tumbuh.registry.models import Household, Person

from . import labels
from .models import Completeness, Gap, NotApplicable, Subject

# The CLI's and the xlsx's columns, in order (the first ten are the minimum).
COLUMNS = ["nik", "name", "birth_date", "desa_code", "posyandu", "target_group", "intervention_code", "opd",
           "qualifying_reason", "since", "due_on", "desa", "address", "kk_number", "intervention", "opd_name",
           "rule_id", "rule_version", "subject", "subject_id"]


def _agency_code(scope: Scope) -> str | None:
    if not scope.is_opd:
        return None
    return Agency.objects.filter(pk=scope.agency_id).values_list("code", flat=True).first() or ""


def _scoped(model, scope: Scope) -> QuerySet:
    scope = as_scope(scope)
    if scope.is_opd:
        code = _agency_code(scope)
        if not code:
            return model.objects.none()
        return model.objects.filter(scope.opd_area().person_q(), agency_code=code)
    return model.objects.filter(scope.person_q())


def gaps_for(scope: Scope) -> QuerySet:
    return _scoped(Gap, scope)


def not_applicable_for(scope: Scope) -> QuerySet:
    return _scoped(NotApplicable, scope).filter(revoked_at__isnull=True)


def completeness_for(scope: Scope) -> QuerySet:
    """Completeness rows the scope may read (none for OPD officers: they see their items only)."""
    scope = as_scope(scope)
    if scope.is_opd:
        return Completeness.objects.none()
    return Completeness.objects.filter(scope.person_q())


def completeness_map(person_ids: Iterable[int]) -> dict[int, Completeness]:
    """{person_id: Completeness} for already-scoped people (BNBA lists, the scorecard)."""
    ids = list(person_ids)
    out: dict[int, Completeness] = {}
    for i in range(0, len(ids), 900):
        for c in Completeness.objects.filter(subject=Subject.PERSON, person_id__in=ids[i:i + 900]):
            out[c.person_id] = c
    return out


def completeness_of(person: Person | None = None, household: Household | None = None) -> Completeness | None:
    if person is not None:
        return Completeness.objects.filter(subject=Subject.PERSON, person=person).first()
    if household is not None:
        return Completeness.objects.filter(subject=Subject.HOUSEHOLD, household=household).first()
    return None


def regions_in(scope: Scope) -> QuerySet:
    """Regions the scope may filter the gap list by (an OPD officer: their kab/kota)."""
    scope = as_scope(scope)
    if scope.is_opd:
        return Region.objects.filter(scope.opd_area().region_q())
    return Region.objects.filter(scope.region_q())


def area_code(scope: Scope) -> str | None:
    """The region covering the scope's gaps ("" everything, None nothing)."""
    scope = as_scope(scope)
    if scope.is_opd:
        return scope.opd_region_code
    if scope is EMPTY or scope.is_empty:
        return None
    return scope.covering_code


def filtered(qs: QuerySet, *, region: str = "", agency: str = "", item: str = "", group: str = "") -> QuerySet:
    if region:
        qs = qs.filter(within("desa_id", region))
    if agency:
        qs = qs.filter(agency_code=agency)
    if item:
        qs = qs.filter(item_code=item)
    if group:
        qs = qs.filter(target_group=group)
    return qs


def ordered(qs: QuerySet) -> QuerySet:
    return qs.order_by("desa_id", "posyandu_id", "subject", "person_id", "household_id", "item_code")


# --- rows ------------------------------------------------------------------------------------------

def _names() -> dict[str, str]:
    names = dict(CatalogueItem.objects.filter(region__isnull=True).values_list("code", "name"))
    names.update({k: str(v) for k, v in labels.ITEMS.items()})
    return names


def iter_gap_rows(gaps: Iterable[Gap], *, mask_nik: bool = False, chunk: int = 5000) -> Iterator[dict]:
    """`gap_rows` for a long stream of gaps (the CLI): read and built `chunk` gaps at a time, in
    the order given, the catalogue's and agencies' names read once."""
    shared: dict = {}
    it = iter(gaps)
    while True:
        part = list(islice(it, chunk))
        if not part:
            return
        yield from gap_rows(part, mask_nik=mask_nik, _shared=shared)


def gap_rows(gaps: Iterable[Gap], *, mask_nik: bool = False, _shared: dict | None = None) -> list[dict]:
    """One dict per gap with COLUMNS (plus `gap`), people and places read in bulk (works for
    stored and for freshly computed, unsaved gaps alike)."""
    from tumbuh.web.text import mask_nik as masked

    gaps = list(gaps)
    shared = {} if _shared is None else _shared
    person_ids = {g.person_id for g in gaps if g.person_id}
    child_ids = {g.reason_args.get("child") for g in gaps if g.reason_code == "child" and g.reason_args.get("child")}
    household_ids = {g.household_id for g in gaps if g.household_id}
    people = _rows_by_id(Person, _PersonRow, person_ids | child_ids)
    household_ids |= {p.household_id for p in people.values() if p.household_id}
    households = _rows_by_id(Household, _HouseholdRow, household_ids)
    # A household without a head's name is named by its oldest member.
    unnamed = [h.pk for h in households.values() if not h.head_name]
    elders: dict[int, str] = {}
    for i in range(0, len(unnamed), 900):
        for hid, name in Person.objects.filter(household_id__in=unnamed[i:i + 900]).order_by("-birth_date") \
                .values_list("household_id", "name"):
            elders[hid] = name  # the last (oldest) wins
    desas = shared.setdefault("desas", {})
    wanted = {g.desa_id for g in gaps} - desas.keys()
    if wanted:
        desas.update(Region.objects.filter(code__in=wanted).values_list("code", "name"))
    posyandu = shared.setdefault("posyandu", {})
    wanted = {g.posyandu_id for g in gaps if g.posyandu_id} - posyandu.keys()
    if wanted:
        posyandu.update(Posyandu.objects.filter(pk__in=wanted).values_list("pk", "name"))
    agencies: dict[tuple[str, str], str] = shared.setdefault("agencies", {})
    kabs = {".".join(g.desa_id.split(".")[:2]) for g in gaps} - shared.setdefault("kabs", set())
    shared["kabs"] |= kabs
    if kabs:
        for region_id, code, name in Agency.objects.filter(region_id__in=kabs).values_list("region_id", "code",
                                                                                         "name"):
            agencies[(region_id, code)] = name
    if "items" not in shared:
        shared["items"] = _names()
    items = shared["items"]
    child_names = {pid: p.name for pid, p in people.items()}
    lang = get_language()

    def reason(code, args, names):
        return labels.reason_text(code, args, names, lang=lang)
    rows = []
    for g in gaps:
        if g.subject == Subject.PERSON:
            p = people.get(g.person_id)
            hh = households.get(p.household_id) if p and p.household_id else None
            nik, name, birth = (p.nik, p.name, p.birth_date) if p else ("", "", None)
            kk = hh.kk_number if hh else ""
        else:
            hh = households.get(g.household_id)
            nik, name, birth = "", (hh.head_name or elders.get(hh.pk) or hh.kk_number) if hh else "", None
            kk = hh.kk_number if hh else ""
        address = ""
        if hh:
            address = hh.address + (f" RT {hh.rt}/RW {hh.rw}" if hh.rt or hh.rw else "")
        kab = ".".join(g.desa_id.split(".")[:2])
        rows.append({
            "nik": masked(nik) if mask_nik else nik, "name": name, "birth_date": birth, "desa_code": g.desa_id,
            "posyandu": posyandu.get(g.posyandu_id, ""), "target_group": g.target_group,
            "intervention_code": g.item_code, "opd": g.agency_code,
            "qualifying_reason": reason(g.reason_code, g.reason_args, child_names),
            "since": g.since, "due_on": g.due_on, "desa": desas.get(g.desa_id, ""), "address": address,
            "kk_number": masked(kk) if mask_nik else kk, "intervention": items.get(g.item_code, g.item_code),
            "opd_name": agencies.get((kab, g.agency_code), g.agency_code), "rule_id": g.rule_id,
            "rule_version": g.rule_version, "subject": g.subject, "subject_id": g.subject_id, "gap": g,
        })
    return rows


_PersonRow = namedtuple("_PersonRow", "pk nik name birth_date household_id")
_HouseholdRow = namedtuple("_HouseholdRow", "pk kk_number head_name address rt rw")


def _rows_by_id(model, row, ids) -> dict:
    """{id: row} of plain values (no model instances: the CLI reads tens of thousands)."""
    ids = sorted(i for i in ids if i)
    out = {}
    fields = ["id" if f == "pk" else f for f in row._fields]
    for i in range(0, len(ids), 900):
        for values in model.objects.filter(pk__in=ids[i:i + 900]).values_list(*fields):
            out[values[0]] = row(*values)
    return out


class StoredGap:
    """A stored gap's values, read without a model instance (the CLI's stream): what `gap_rows` reads."""

    __slots__ = ("pk", "subject", "person_id", "household_id", "desa_id", "posyandu_id", "rule_id", "rule_version",
                 "item_code", "agency_code", "target_group", "reason_code", "reason_args", "since", "due_on")
    FIELDS = ("id",) + __slots__[1:]

    def __init__(self, values):
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)

    @property
    def subject_id(self) -> int:
        return self.person_id if self.subject == Subject.PERSON else self.household_id


def stored_gaps(qs: QuerySet, chunk: int = 5000) -> Iterator[StoredGap]:
    """The gaps of `qs` in its order as `StoredGap`s, streamed from the database."""
    for values in qs.values_list(*StoredGap.FIELDS).iterator(chunk_size=chunk):
        yield StoredGap(values)


def sort_key(row: dict) -> tuple:
    return (row["desa_code"], row["posyandu"], row["subject"], row["subject_id"], row["intervention_code"])


def overdue(row: dict, on: dt.date) -> bool:
    return row["due_on"] < on


def package_column(person_ids: Iterable[int]) -> list[str]:
    """A "complete package" column for lists of already-scoped people (BNBA page and xlsx):
    "ya · 4/4", "tidak · 2/5", "" where no rule applies, in the order given."""
    from django.utils.translation import gettext as _

    ids = [int(i) for i in person_ids]
    comps = completeness_map(ids)
    out = []
    for pid in ids:
        c = comps.get(pid)
        out.append("" if c is None or not c.required else
                   f"{_('yes') if c.complete else _('no')} · {c.received}/{c.required}")
    return out
