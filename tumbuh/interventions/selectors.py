"""Scoped reads of the interventions context. Every queryset starts from the user's `Scope`
(tumbuh.accounts.scoping):

- deliveries, courses and pledges carry their own `desa`/`posyandu` (copied from the recipient),
  so they are scoped with `scope.person_q()` like people; a cadre (whose scope is people, not a
  place) also sees the household deliveries of the households of their children;
- plans are placed by a desa: `scope.place_q("desa")`;
- an **OPD programme officer** (`scope.is_opd`) sees nothing through those builders (their scope
  has no region). Here, and only here, their rows are first restricted to the catalogue items
  their agency is responsible for in their kab/kota (`opd_codes`, the *effective* catalogue:
  local overrides of the responsible agency apply), and then `scope.opd_area()` places them.

The catalogue itself is not personal data: `catalogue_for(region)` resolves the national rows and
the local rows of the region's province and kab/kota (nearest wins).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from tumbuh.accounts.scoping import EMPTY, Scope, as_scope
from tumbuh.coordination.models import Agency
from tumbuh.regions.models import Region
from tumbuh.registry.selectors import households_for, people_for

from .models import CatalogueItem, Course, Delivery, Plan, Pledge


def today() -> dt.date:
    return timezone.localdate()


# --- the catalogue -----------------------------------------------------------------------------------


def ancestors(code: str | None) -> list[str]:
    """"64.74.01.1001" -> ["64", "64.74", "64.74.01", "64.74.01.1001"]."""
    if not code:
        return []
    parts = code.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def catalogue_for(region, *, include_inactive: bool = False) -> dict[str, CatalogueItem]:
    """The effective catalogue of a region (a Region, a code, or None for the national one):
    code -> item, where a local row placed at the region's province or kab/kota replaces the
    national row of the same code (the nearest wins: a kab/kota's row beats its province's). A
    local row marked inactive hides the item in that region."""
    code = region.code if isinstance(region, Region) else region
    rows = CatalogueItem.objects.filter(Q(region__isnull=True) | Q(region_id__in=ancestors(code)))
    best: dict[str, CatalogueItem] = {}
    for item in rows:
        depth = len(item.region_id.split(".")) if item.region_id else 0
        held = best.get(item.code)
        if held is None or depth > (len(held.region_id.split(".")) if held.region_id else 0):
            best[item.code] = item
    if not include_inactive:
        best = {c: i for c, i in best.items() if i.active}
    return dict(sorted(best.items()))


def catalogue_region(scope) -> str | None:
    """The kab/kota (or province) whose catalogue a user works with: the kab/kota covering their
    scope (an OPD officer's kab/kota), or the province for a province team; None = national."""
    scope = as_scope(scope)
    if scope.is_opd:
        return scope.opd_region_code
    code = scope.covering_code
    if not code:
        return None
    return ".".join(code.split(".")[:2])


def item_for(scope_or_region, code: str) -> CatalogueItem | None:
    region = scope_or_region if isinstance(scope_or_region, str | Region) or scope_or_region is None \
        else catalogue_region(scope_or_region)
    return catalogue_for(region).get(code)


def opd_agency(scope) -> Agency | None:
    scope = as_scope(scope)
    if not scope.is_opd:
        return None
    return Agency.objects.filter(pk=scope.agency_id).first()


def opd_codes(scope) -> list[str]:
    """The catalogue codes an OPD officer's agency is responsible for in their kab/kota (the
    effective catalogue, local overrides applied); [] for everyone else."""
    scope = as_scope(scope)
    agency = opd_agency(scope)
    if agency is None:
        return []
    return [c for c, item in catalogue_for(scope.opd_region_code).items()
            if item.default_agency_code and item.default_agency_code.upper() == agency.code.upper()]


def local_items_for(scope) -> QuerySet:
    """Local catalogue rows a user may see (placed in or above their area)."""
    scope = as_scope(scope)
    if scope.everything:
        return CatalogueItem.objects.filter(region__isnull=False)
    region = catalogue_region(scope)
    if not region:
        return CatalogueItem.objects.none()
    return CatalogueItem.objects.filter(Q(region_id__in=ancestors(region)) | within_q("region_id", region))


def within_q(field: str, code: str) -> Q:
    return Q(**{field: code}) | Q(**{f"{field}__startswith": code + "."})


def catalogue_items_for(scope) -> QuerySet:
    """Catalogue rows (national and local) whose ids may appear in a user's URLs: national rows
    for anyone with a scope, local rows in or above their area; an OPD officer only their
    agency's items (and no local rows of other agencies)."""
    scope = as_scope(scope)
    if scope.is_opd:
        codes = opd_codes(scope)
        return CatalogueItem.objects.filter(code__in=codes).filter(
            Q(region__isnull=True) | Q(region_id__in=ancestors(scope.opd_region_code)))
    if scope.is_empty:
        return CatalogueItem.objects.none()
    return CatalogueItem.objects.filter(Q(region__isnull=True) | Q(pk__in=local_items_for(scope).values("pk")))


# --- agencies --------------------------------------------------------------------------------------


def agencies_for(scope) -> QuerySet:
    """Agencies and partners serving the user's area: placed at a region in or above it (a kota's
    OPD serves a desa team of that kota) or inside it. An OPD officer sees their own agency."""
    scope = as_scope(scope)
    if scope.everything:
        return Agency.objects.all()
    if scope.is_opd:
        return Agency.objects.filter(pk=scope.agency_id)
    code = scope.covering_code
    if not code:
        return Agency.objects.none()
    return Agency.objects.filter(Q(region_id__in=ancestors(code)) | within_q("region_id", code))


# --- deliveries, courses, pledges, plans ----------------------------------------------------------


def _person_rows(scope: Scope, model, *, household_field: str | None = None) -> QuerySet:
    scope = as_scope(scope)
    if scope.is_opd:
        codes = opd_codes(scope)
        if model is Pledge:
            rows = model.objects.filter(pk__in=[]) if "BAAS" not in codes else model.objects.all()
        else:
            rows = model.objects.filter(code__in=codes)
        return rows.filter(scope.opd_area().person_q())
    q = scope.person_q()
    if household_field and scope.is_cadre:
        # A cadre's scope is people: they also see what was delivered to their children's homes.
        q |= Q(**{f"{household_field}__in": households_for(scope).values("pk")})
    return model.objects.filter(q)


def deliveries_for(scope) -> QuerySet:
    return _person_rows(scope, Delivery, household_field="household")


def active_deliveries_for(scope) -> QuerySet:
    return deliveries_for(scope).filter(voided_at__isnull=True)


def courses_for(scope) -> QuerySet:
    return _person_rows(scope, Course)


def pledges_for(scope) -> QuerySet:
    return _person_rows(scope, Pledge)


def plans_for(scope) -> QuerySet:
    scope = as_scope(scope)
    if scope.is_opd:
        return Plan.objects.filter(code__in=opd_codes(scope)).filter(scope.opd_area().place_q("desa"))
    return Plan.objects.filter(scope.place_q("desa"))


def recipients_scope(scope) -> Scope:
    """The scope whose people/households a user may deliver to: their own, or for an OPD officer
    the kab/kota (the item check is separate: `opd_codes`)."""
    scope = as_scope(scope)
    return scope.opd_area() if scope.is_opd else scope


def people_in_reach(scope) -> QuerySet:
    return people_for(recipients_scope(scope))


def households_in_reach(scope) -> QuerySet:
    return households_for(recipients_scope(scope))


def deliveries_by_import_key(scope, keys: Iterable[str]) -> dict[str, Delivery]:
    """Existing (not voided) deliveries by import key, for an importer's idempotency."""
    keys = [k for k in keys if k]
    if not keys:
        return {}
    found: dict[str, Delivery] = {}
    for i in range(0, len(keys), 900):
        for d in deliveries_for(scope).filter(import_key__in=keys[i:i + 900], voided_at__isnull=True):
            found[d.import_key] = d
    return found


__all__ = [
    "EMPTY", "active_deliveries_for", "agencies_for", "catalogue_for", "catalogue_items_for", "courses_for",
    "deliveries_by_import_key", "deliveries_for", "item_for", "opd_codes", "plans_for", "pledges_for",
]
