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
from tumbuh.web.text import ascii_digits

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
    from tumbuh.regions.models import within

    return within(field, code)


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


# --- page reads --------------------------------------------------------------------------------------


def delivery_list(scope, *, desa: str = "", posyandu: str = "", code: str = "", agency: str = "",
                  fund: str = "", date_from: dt.date | None = None, date_to: dt.date | None = None,
                  voided: bool = False) -> QuerySet:
    qs = deliveries_for(scope) if voided else active_deliveries_for(scope)
    scope = as_scope(scope)
    if not desa and scope.region_code and scope.region_code.count(".") == 3:
        # A desa team: the same rows, but an equality the (desa, date) index serves for the order
        # and the page (the region prefix alone is an OR the planner cannot order by).
        desa = scope.region_code
    if desa:
        region = scope.region_code
        if (not scope.everything and not scope.is_opd and region and not scope.desa_codes and not scope.posyandu_ids
                and (desa == region or desa.startswith(region + "."))):
            # A desa inside a region-placed scope: `desa = X` already implies the scope's
            # "desa = R or inside R", and without that OR PostgreSQL's planner estimates the rows
            # right and walks the (desa, date, voided_at) index in order (with it: a bitmap scan
            # of the desa's 25,000 rows and a sort, 325 ms at 1M deliveries).
            qs = (Delivery.objects.all() if voided else Delivery.objects.filter(voided_at__isnull=True))
        qs = qs.filter(desa_id=desa)
    if posyandu:
        qs = qs.filter(posyandu_id=posyandu) if ascii_digits(str(posyandu)) else qs.none()
    if code:
        qs = qs.filter(code=code)
    if agency:
        qs = qs.filter(agency_id=agency) if ascii_digits(str(agency)) else qs.none()
    if fund:
        qs = qs.filter(fund_source=fund)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs.select_related("person", "household", "agency", "desa", "posyandu").order_by("-date", "-pk")


def person_deliveries(scope, person) -> QuerySet:
    return (deliveries_for(scope).filter(person=person).select_related("agency", "course", "pledge")
            .order_by("-date", "-pk"))


def household_deliveries(scope, household) -> QuerySet:
    """Deliveries to the household (by address) and to its members (by name)."""
    return (active_deliveries_for(scope).filter(Q(household=household) | Q(person__household=household))
            .select_related("agency", "person").order_by("-date", "-pk"))


def person_timeline(scope, person) -> dict:
    """For the child page: deliveries (newest first) with their item names, courses, pledges."""
    names = {c: i.name for c, i in catalogue_for(person.desa_id[:5]).items()}
    deliveries = list(person_deliveries(scope, person).filter(voided_at__isnull=True)[:200])
    for d in deliveries:
        d.item_name = names.get(d.code, d.code)
    return {"deliveries": deliveries,
            "courses": list(courses_for(scope).filter(person=person).order_by("-start")),
            "pledges": list(pledges_for(scope).filter(child=person).select_related("sponsor"))}


def course_spans(scope, person) -> list[tuple[dt.date, dt.date, str]]:
    """(start, end, label) of the person's courses, for the growth chart's shaded spans: a running
    course up to today, a stopped one to its last delivery (or its start)."""
    spans = []
    for c in courses_for(scope).filter(person=person).order_by("start"):
        end = c.end
        if c.status == "berhenti":
            last = Delivery.objects.filter(course=c, voided_at__isnull=True).order_by("-date").values_list(
                "date", flat=True).first()
            end = last or c.start
        spans.append((c.start, min(end, today()) if c.status == "berjalan" else end, c.code))
    return spans


def progress(scope, year: int, *, agency: str = "", desa: str = "") -> list[dict]:
    """Plans of a year with delivered = the sum of active deliveries of the plan's agency, item and
    desa in that year (read from the maintained `DeliveryTotal` rows of exactly the plans' keys:
    the plans are scoped, so are their totals); percent = delivered / planned."""
    from .models import DeliveryTotal

    plans = plans_for(scope).filter(year=year).select_related("agency", "desa")
    if agency:
        plans = plans.filter(agency_id=agency) if ascii_digits(str(agency)) else plans.none()
    if desa:
        plans = plans.filter(desa_id=desa)
    plans = list(plans.order_by("agency__code", "code", "desa_id"))
    if not plans:
        return []
    found = DeliveryTotal.objects.filter(year=year, agency_id__in={p.agency_id for p in plans},
                                         code__in={p.code for p in plans})
    found = found.filter(desa_id=desa) if desa else found.filter(desa_id__in={p.desa_id for p in plans})
    sums = {(t.agency_id, t.code, t.desa_id): t.quantity for t in found}
    rows = []
    for p in plans:
        got = sums.get((p.agency_id, p.code, p.desa_id)) or 0
        rows.append({"plan": p, "delivered": got,
                     "percent": round(float(100 * got / p.planned_quantity), 1) if p.planned_quantity else None})
    return rows


def progress_by(rows: list[dict], key: str) -> list[dict]:
    """Roll progress rows up per agency ("agency") or per desa ("desa"), per item."""
    out: dict[tuple, dict] = {}
    for r in rows:
        p = r["plan"]
        group = p.agency if key == "agency" else p.desa
        k = (group.pk, p.code)
        acc = out.setdefault(k, {"group": group, "code": p.code, "planned": 0, "delivered": 0, "desa_count": 0})
        acc["planned"] += p.planned_quantity
        acc["delivered"] += r["delivered"]
        acc["desa_count"] += 1
    for acc in out.values():
        acc["percent"] = round(float(100 * acc["delivered"] / acc["planned"]), 1) if acc["planned"] else None
    return sorted(out.values(), key=lambda a: (str(a["group"]), a["code"]))


def distribution_rows(scope, item, *, on: dt.date, posyandu=None, desa: str = "") -> list[dict]:
    """The distribution day's list: the eligible people (or households) of one item at a posyandu
    or in a desa, each with what they already received of it on that date."""
    from . import eligibility

    if item.is_household_item:
        households = households_in_reach(scope)
        if posyandu is not None:
            households = households.filter(members__posyandu=posyandu).distinct()
        elif desa:
            households = households.filter(desa_id=desa)
        else:
            return []
        found = eligibility.household_candidates(households, item, on)
        done = {d.household_id: d for d in active_deliveries_for(scope).filter(
            code=item.code, date=on, household_id__in=[h.pk for h, _r in found])}
        return [{"household": h, "reasons": r, "delivery": done.get(h.pk)} for h, r in found]
    people = people_in_reach(scope)
    if posyandu is not None:
        people = people.filter(posyandu=posyandu)
    elif desa:
        people = people.filter(desa_id=desa)
    else:
        return []
    found = eligibility.candidates(people, item, on)
    ids = [p.pk for p, _r in found]
    done: dict[int, Delivery] = {}
    last: dict[int, dt.date] = {}
    for d in active_deliveries_for(scope).filter(code=item.code, person_id__in=ids, date__lte=on).order_by("date"):
        if d.date == on:
            done[d.person_id] = d
        else:
            last[d.person_id] = d.date
    return [{"person": p, "reasons": r, "delivery": done.get(p.pk), "last": last.get(p.pk)} for p, r in found]


def target_counts(scope, on: dt.date) -> list[dict]:
    """The OPD officer's landing: per item of their agency, how many people/households in their
    kab/kota are on its list today, how many had it in the last 30 days. Counted from ids (the
    measurements read once for all items)."""
    from . import eligibility

    catalogue = catalogue_for(scope.opd_region_code if as_scope(scope).is_opd else catalogue_region(scope))
    codes = opd_codes(scope)
    people = people_in_reach(scope)
    latest = None
    if any(c in eligibility.MEASUREMENT_RULES for c in codes):
        from tumbuh.registry.selectors import under_five_cutoff

        under5 = list(people.filter(birth_date__gt=under_five_cutoff(on)).values_list("pk", flat=True))
        latest = eligibility.latest_recent(under5, on)
    since = on - dt.timedelta(days=30)
    reached: dict[str, set] = {}
    for code, pid, hid in (active_deliveries_for(scope).filter(date__gte=since, date__lte=on, code__in=codes)
                           .values_list("code", "person_id", "household_id").distinct()):
        reached.setdefault(code, set()).add(hid if catalogue[code].is_household_item else pid)
    out = []
    for code in codes:
        item = catalogue[code]
        if item.is_household_item:
            found = {h.pk for h, _r in eligibility.household_candidates(households_in_reach(scope), item, on)}
        else:
            found = set(eligibility.candidate_ids(people, item, on, latest=latest))
        out.append({"item": item, "eligible": len(found), "reached": len(found & reached.get(code, set()))})
    return out


TARGET_LIST_LIMIT = 500


def target_list(scope, item, on: dt.date, *, desa: str = "") -> tuple[list[dict], int]:
    """An OPD officer's target list of one item (the first TARGET_LIST_LIMIT by name) with the
    last delivery of it, and how many are on it in all."""
    from . import eligibility

    if item.is_household_item:
        households = households_in_reach(scope)
        if desa:
            households = households.filter(desa_id=desa)
        found = eligibility.household_candidates(households, item, on)
        last = dict(active_deliveries_for(scope).filter(code=item.code, household_id__in=[h.pk for h, _ in found])
                    .values_list("household_id").annotate(m=models_max("date")).order_by())
        return [{"household": h, "reasons": r, "last": last.get(h.pk)} for h, r in found[:TARGET_LIST_LIMIT]], len(found)
    people = people_in_reach(scope)
    if desa:
        people = people.filter(desa_id=desa)
    ids = eligibility.candidate_ids(people, item, on)
    total = len(ids)
    found = eligibility.candidates(people, item, on, limit=TARGET_LIST_LIMIT, found=ids)
    last = dict(active_deliveries_for(scope).filter(code=item.code, person_id__in=[p.pk for p, _ in found])
                .values_list("person_id").annotate(m=models_max("date")).order_by())
    return [{"person": p, "reasons": r, "last": last.get(p.pk)} for p, r in found], total


def models_max(field_name: str):
    from django.db.models import Max

    return Max(field_name)


def pledge_summary(pledge, *, on: dt.date | None = None) -> dict:
    """Deliveries against a pledge and the child's growth during it (first and latest valid
    measurement from the pledge's start)."""
    from django.db.models import Count, Sum

    from tumbuh.measurements.models import Measurement

    on = on or today()
    agg = Delivery.objects.filter(pledge=pledge, voided_at__isnull=True).aggregate(n=Count("pk"), s=Sum("quantity"))
    ms = list(Measurement.objects.filter(child_id=pledge.child_id, measured_on__gte=pledge.start - dt.timedelta(days=30),
                                         measured_on__lte=on).order_by("measured_on"))
    before = [m for m in ms if m.measured_on <= pledge.start]
    first = before[-1] if before else (ms[0] if ms else None)
    last = ms[-1] if ms and ms[-1] is not first else None
    promised = pledge.amount_per_month * pledge.months
    out = {"deliveries": agg["n"] or 0, "delivered": agg["s"] or 0, "promised": promised,
           "percent": round(float(100 * (agg["s"] or 0) / promised), 0) if promised else None,
           "first": first, "last": last, "gain_kg": None, "dhaz": None, "dwaz": None}
    if first and last:
        if first.weight_kg is not None and last.weight_kg is not None:
            out["gain_kg"] = round(last.weight_kg - first.weight_kg, 2)
        for key, attr in (("dhaz", "length_for_age_z"), ("dwaz", "weight_for_age_z")):
            a, b = getattr(first, attr), getattr(last, attr)
            if a is not None and b is not None:
                out[key] = round(b - a, 2)
    return out


def sponsor_aggregates(scope, sponsor) -> dict:
    """What a foster parent could be shown: counts and sums only, no names."""
    import statistics

    pledges = list(pledges_for(scope).filter(sponsor=sponsor))
    summaries = [pledge_summary(p) for p in pledges]
    gains = [s["gain_kg"] for s in summaries if s["gain_kg"] is not None]
    dhaz = [s["dhaz"] for s in summaries if s["dhaz"] is not None]
    return {"children": len({p.child_id for p in pledges}), "pledges": len(pledges),
            "active": sum(1 for p in pledges if p.active),
            "promised": sum((s["promised"] for s in summaries), 0),
            "delivered": sum((s["delivered"] for s in summaries), 0),
            "with_growth": len(gains),
            "median_gain_kg": round(statistics.median(gains), 2) if gains else None,
            "improved_haz": sum(1 for d in dhaz if d > 0), "n_haz": len(dhaz)}
