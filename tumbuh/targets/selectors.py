"""Scoped reads of the target-group registers. Every queryset starts from the user's `Scope`
(tumbuh.accounts.scoping): person-level records with `scope.person_q()` on their own desa/posyandu
columns, household-level records like households (the area's desa, plus households with a member
the scope may see), TPK teams by their desa. Never `Model.objects` in a view."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from tumbuh.accounts.scoping import Scope, as_scope
from tumbuh.registry.models import Person
from tumbuh.registry.selectors import people_for
from tumbuh.web.text import ascii_digits

from . import rules
from .models import (
    Adolescent,
    AncVisit,
    Birth,
    BreastfeedingMonth,
    CatinScreening,
    HbTest,
    KfVisit,
    KrsSnapshot,
    Postpartum,
    Pregnancy,
    TpkAssignment,
    TpkTeam,
    TpkVisit,
    TtdWeek,
)


def today() -> dt.date:
    return timezone.localdate()


OUTSIDE_LIMIT = 2000


def household_q(scope: Scope, field: str = "household") -> Q:
    """Q over a model with a household FK and a copied `desa`: the same rows `households_for` gives."""
    scope = as_scope(scope)
    if scope.everything:
        return Q()
    if scope.is_empty:
        return Q(pk__in=[])
    members = people_for(scope).filter(household__isnull=False)
    if scope.posyandu_ids:  # a cadre's scope is people, not a place
        return Q(**{f"{field}_id__in": members.values("household_id")})
    if not (scope.desa_codes or (scope.region_code or "").count(".") == 3):
        # A kecamatan or larger: the area holds nearly every row; the OR stays cheap (98 ms p95).
        return scope.place_q("desa") | Q(**{f"{field}_id__in": members.values("household_id")})
    # A desa (or a puskesmas' desa): "in the area OR with a member in scope" as one OR over a
    # subquery defeats the (period, desa, krs) index (the desa KRS register took 319 ms p95 at 50k
    # households). Members living in the area add nothing; the few whose household lies outside
    # it are listed first (a small query: the desa's people).
    outside = list(members.exclude(scope.place_q("household__desa")).values_list("household_id", flat=True)
                   .distinct()[:OUTSIDE_LIMIT + 1])
    if len(outside) > OUTSIDE_LIMIT:
        return scope.place_q("desa") | Q(**{f"{field}_id__in": members.values("household_id")})
    return scope.place_q("desa") | Q(**{f"{field}_id__in": outside}) if outside else scope.place_q("desa")


def catin_for(scope) -> QuerySet:
    return CatinScreening.objects.filter(as_scope(scope).person_q())


def pregnancies_for(scope) -> QuerySet:
    return Pregnancy.objects.filter(as_scope(scope).person_q())


# Records under a parent: the default managers hide voided rows of their own table only, so the
# parent's voiding is filtered here (a voided pregnancy's visits and births leave with it).


def anc_visits_for(scope) -> QuerySet:
    return AncVisit.objects.filter(as_scope(scope).person_q("pregnancy__"), pregnancy__voided_at__isnull=True)


def births_for(scope) -> QuerySet:
    return Birth.objects.filter(as_scope(scope).person_q("pregnancy__"), pregnancy__voided_at__isnull=True)


def kf_visits_for(scope) -> QuerySet:
    return KfVisit.objects.filter(as_scope(scope).person_q("postpartum__"), postpartum__voided_at__isnull=True)


def breastfeeding_for(scope) -> QuerySet:
    return BreastfeedingMonth.objects.filter(as_scope(scope).person_q("postpartum__"),
                                             postpartum__voided_at__isnull=True)


def hb_tests_for(scope) -> QuerySet:
    return HbTest.objects.filter(as_scope(scope).person_q("adolescent__"), adolescent__voided_at__isnull=True)


def ttd_weeks_for(scope) -> QuerySet:
    return TtdWeek.objects.filter(as_scope(scope).person_q("adolescent__"), adolescent__voided_at__isnull=True)


def postpartum_for(scope) -> QuerySet:
    return Postpartum.objects.filter(as_scope(scope).person_q())


def adolescents_for(scope) -> QuerySet:
    return Adolescent.objects.filter(as_scope(scope).person_q())


def krs_for(scope) -> QuerySet:
    return KrsSnapshot.objects.filter(household_q(scope))


def tpk_visits_for(scope) -> QuerySet:
    return TpkVisit.objects.filter(household_q(scope))


def teams_for(scope) -> QuerySet:
    return TpkTeam.objects.filter(as_scope(scope).region_q("desa_id"))


# --- registers ---------------------------------------------------------------------------------------

GROUPS = ("catin", "bumil", "nifas", "remaja", "krs")


def register(scope, group: str, *, desa: str = "", posyandu: str = "", risk: str = "",
             period: str = "", on: dt.date | None = None) -> QuerySet:
    """The rows of one register page, filtered; `risk` = "1" keeps only those at risk."""
    on = on or today()
    if group == "catin":
        qs = catin_for(scope).select_related("person", "desa", "posyandu").order_by("-screened_on", "-pk")
        if risk == "1":
            qs = qs.filter(at_risk=True)
    elif group == "bumil":
        qs = (pregnancies_for(scope).filter(outcome="").select_related("person", "desa", "posyandu")
              .order_by("due_on", "pk"))
        if risk == "1":
            qs = qs.filter(high_risk=True)
        elif risk in ("kek", "anaemia"):
            qs = qs.filter(**{risk: True})
    elif group == "nifas":
        since = rules.cut("nifas", "menyusui_months")
        start = on.replace(year=on.year - since // 12)
        qs = (postpartum_for(scope).filter(delivered_on__gt=start, delivered_on__lte=on)
              .select_related("person", "desa", "posyandu").order_by("-delivered_on", "pk"))
        if risk == "1":
            qs = qs.filter(delivered_on__gte=on - dt.timedelta(days=rules.cut("nifas", "nifas_days")))
    elif group == "remaja":
        qs = adolescents_for(scope).select_related("person", "desa", "posyandu").order_by("person__name", "pk")
        if risk == "1":
            qs = qs.filter(anaemia=True)
    elif group == "krs":
        qs = (krs_for(scope).filter(period=period or rules.semester_of(on))
              .select_related("household", "desa", "wife").order_by("desa_id", "household__head_name", "pk"))
        if risk == "1":
            qs = qs.filter(krs=True)
        elif risk == "unmet":
            qs = qs.filter(unmet_need=True)
        month_start = on.replace(day=1)
        qs = qs.annotate(visited_this_month=Exists(TpkVisit.objects.filter(
            household_id=OuterRef("household_id"), visited_on__gte=month_start, visited_on__lte=on)))
    else:
        raise KeyError(group)
    if desa:
        qs = qs.filter(desa_id=desa)
    if posyandu and group != "krs":
        qs = qs.filter(posyandu_id=posyandu) if ascii_digits(posyandu) else qs.none()
    return qs


# --- one person's timeline --------------------------------------------------------------------------


def person_detail(scope, pk: int) -> Person:
    return people_for(scope).select_related("desa", "posyandu", "household", "mother").get(pk=pk)


def timeline(scope, person: Person) -> list[dict]:
    """Every role of the person over time, oldest first: catin screenings, pregnancies (with their
    births), after-birth records, adolescent follow-up; plus her children (registry)."""
    events = []
    for s in catin_for(scope).filter(person=person):
        events.append({"on": s.screened_on, "kind": "catin", "obj": s})
    for p in pregnancies_for(scope).filter(person=person).prefetch_related("births__child"):
        events.append({"on": p.hpht, "kind": "pregnancy", "obj": p})
        for b in p.births.all():
            events.append({"on": b.born_on, "kind": "birth", "obj": b})
    for pp in postpartum_for(scope).filter(person=person):
        events.append({"on": pp.delivered_on, "kind": "postpartum", "obj": pp})
    for a in adolescents_for(scope).filter(person=person):
        events.append({"on": a.created_at.date(), "kind": "adolescent", "obj": a})
    events.sort(key=lambda e: (e["on"], e["kind"]))
    return events


def children_of(scope, person: Person) -> QuerySet:
    return people_for(scope).filter(mother=person).order_by("birth_date")


def household_timeline(scope, household) -> dict:
    return {
        "snapshots": krs_for(scope).filter(household=household).order_by("-period"),
        "visits": tpk_visits_for(scope).filter(household=household).select_related("team", "person")[:50],
        "teams": teams_for(scope).filter(assignments__household=household),
    }


def visits_per_month(scope, household, months: int = 6, on: dt.date | None = None) -> list[tuple[str, int]]:
    on = on or today()
    start = dt.date(on.year, on.month, 1)
    keys = []
    y, m = start.year, start.month
    for _ in range(months):
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    counts = dict.fromkeys(keys, 0)
    first = dt.date(int(keys[-1][:4]), int(keys[-1][5:]), 1)
    for d in tpk_visits_for(scope).filter(household=household, visited_on__gte=first).values_list("visited_on", flat=True):
        key = f"{d.year:04d}-{d.month:02d}"
        if key in counts:
            counts[key] += 1
    return list(reversed(counts.items()))


# --- counts for the dashboard and the overview (summary cells; row-level reference) ------------------


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def group_counts(scope, *, region: str = "", on: dt.date | None = None) -> dict:
    """Headline counts and rates per group for the scope (optionally narrowed to a region code),
    summed from the target-group summary cells (targets/summary.py), which every write refreshes
    in its transaction. The same numbers as `group_counts_from_rows` (tests/targets/test_summary.py)."""
    from .summary import totals

    scope = as_scope(scope)
    on = on or today()
    if scope.posyandu_ids:  # a cadre's scope is people, not a place: their registers' rows
        return group_counts_from_rows(scope, region=region, on=on)
    t = totals(scope, region=region, on=on)
    for name, value in _krs_outside(scope, region, on).items():
        t[name] += value
    return _shaped(on, rules.semester_of(on), {
        "catin": {"n": t["catin_n"], "red": t["catin_red"]},
        "ongoing": {"n": t["preg_n"], "kek": t["preg_kek"], "anaemia": t["preg_anaemia"], "high": t["preg_high"]},
        "ended": {"n": t["ended_n"], "k6": t["ended_k6"], "ttd": t["ended_ttd"]},
        "births": {"n": t["birth_n"], "weighed": t["birth_weighed"], "bblr": t["birth_bblr"],
                   "short": t["birth_short"]},
        "teens": {"n": t["teen_n"], "tested": t["teen_tested"], "anaemia": t["teen_anaemia"]},
        "nifas": t["nifas_n"],
        "krs": {"n": t["krs_n"], "krs": t["krs_krs"], "unmet": t["krs_unmet"]},
        "krs_visited": t["krs_visited"],
    })


def _krs_outside(scope: Scope, region: str, on: dt.date) -> dict[str, int]:
    """KRS snapshots the scope sees through a member although the household lies outside its
    area (`household_q`): not in the area's cells, counted from their (few) rows."""
    from tumbuh.regions.models import within

    if scope.everything or scope.is_empty or _inside_area(scope, region):
        return {}  # a region inside the area leaves out every household outside it
    members = people_for(scope).filter(household__isnull=False).values("household_id")
    qs = (KrsSnapshot.objects.filter(household_id__in=members, period=rules.semester_of(on))
          .exclude(scope.place_q("desa")))
    if region:
        qs = qs.filter(within("desa__code", region))
    visited = TpkVisit.objects.filter(household_id=OuterRef("household_id"), visited_on__gte=on.replace(day=1),
                                      visited_on__lte=on)
    out = qs.aggregate(krs_n=Count("pk"), krs_krs=Count("pk", filter=Q(krs=True)),
                       krs_unmet=Count("pk", filter=Q(unmet_need=True)))
    out["krs_visited"] = qs.filter(krs=True).filter(Exists(visited)).count() if out["krs_krs"] else 0
    return out


def _inside_area(scope: Scope, region: str) -> bool:
    if not region:
        return False
    if scope.desa_codes:
        return region in scope.desa_codes
    code = scope.region_code or ""
    return bool(code) and (region == code or region.startswith(code + "."))


def group_counts_from_rows(scope, *, region: str = "", on: dt.date | None = None) -> dict:
    """The same counts from the registers' rows (indexed queries): the definition the summary
    cells are built to, and the reference the tests compare them with."""
    from tumbuh.regions.models import within

    on = on or today()
    area = within("desa__code", region) if region else Q()
    preg = pregnancies_for(scope).filter(area)
    ongoing = preg.filter(outcome="").aggregate(
        n=Count("pk"), kek=Count("pk", filter=Q(kek=True)), anaemia=Count("pk", filter=Q(anaemia=True)),
        high=Count("pk", filter=Q(high_risk=True)))
    # K6 coverage among pregnancies that ended in a birth in the last 12 months.
    ended = preg.filter(outcome__in=["live_birth", "stillbirth"], outcome_on__gt=on - dt.timedelta(days=365),
                        outcome_on__lte=on).aggregate(n=Count("pk"), k6=Count("pk", filter=Q(k6=True)),
                                                      ttd=Count("pk", filter=Q(ttd_total__gte=rules.cut("pregnancy", "ttd_target_tablets"))))
    births = births_for(scope).filter(within("pregnancy__desa__code", region) if region else Q(),
                                      born_on__gt=on - dt.timedelta(days=365), born_on__lte=on).aggregate(
        n=Count("pk"), weighed=Count("pk", filter=Q(weight_g__isnull=False)), bblr=Count("pk", filter=Q(bblr=True)),
        short=Count("pk", filter=Q(short=True)))
    catin = catin_for(scope).filter(area, screened_on__gt=on - dt.timedelta(days=365)).aggregate(
        n=Count("pk"), red=Count("pk", filter=Q(at_risk=True)))
    teens = adolescents_for(scope).filter(area).aggregate(
        n=Count("pk"), tested=Count("pk", filter=Q(latest_hb_gdl__isnull=False)), anaemia=Count("pk", filter=Q(anaemia=True)))
    nifas = postpartum_for(scope).filter(area, delivered_on__gte=on - dt.timedelta(days=rules.cut("nifas", "nifas_days")),
                                         delivered_on__lte=on).count()
    period = rules.semester_of(on)
    month_start = on.replace(day=1)
    krs_qs = krs_for(scope).filter(area, period=period)
    visited = TpkVisit.objects.filter(household_id=OuterRef("household_id"), visited_on__gte=month_start,
                                      visited_on__lte=on)
    krs = krs_qs.aggregate(n=Count("pk"), krs=Count("pk", filter=Q(krs=True)),
                           unmet=Count("pk", filter=Q(unmet_need=True)))
    krs_visited = krs_qs.filter(krs=True).filter(Exists(visited)).count()
    return _shaped(on, period, {"catin": catin, "ongoing": ongoing, "ended": ended, "births": births,
                                "teens": teens, "nifas": nifas, "krs": krs, "krs_visited": krs_visited})


def _shaped(on: dt.date, period: str, c: dict) -> dict:
    catin, ongoing, ended, births, teens, krs = (c[k] for k in ("catin", "ongoing", "ended", "births", "teens", "krs"))
    krs_visited, nifas = c["krs_visited"], c["nifas"]
    return {
        "on": on, "period": period,
        "catin": {**catin, "red_pct": _pct(catin["red"], catin["n"])},
        "bumil": {**ongoing, "kek_pct": _pct(ongoing["kek"], ongoing["n"]),
                  "anaemia_pct": _pct(ongoing["anaemia"], ongoing["n"]),
                  "ended": ended["n"], "k6": ended["k6"], "k6_pct": _pct(ended["k6"], ended["n"]),
                  "ttd90_pct": _pct(ended["ttd"], ended["n"])},
        "births": {**births, "bblr_pct": _pct(births["bblr"], births["weighed"])},
        "nifas": {"n": nifas},
        "remaja": {**teens, "anaemia_pct": _pct(teens["anaemia"], teens["tested"])},
        "krs": {**krs, "visited": krs_visited, "visited_pct": _pct(krs_visited, krs["krs"])},
    }


def assigned_households(scope, team: TpkTeam) -> QuerySet:
    from tumbuh.registry.selectors import households_for

    return TpkAssignment.objects.filter(team=team, household__in=households_for(scope))


def unassigned_households(scope, team: TpkTeam, on: dt.date) -> list:
    """Households of the team's desa the scope may see and no active team accompanies, KRS of the
    current semester first (the families TPK is for), then by head of family; at most 300."""
    from tumbuh.registry.selectors import households_for

    from . import rules

    taken = TpkAssignment.objects.filter(team__active=True).values("household_id")
    krs = KrsSnapshot.objects.filter(household=OuterRef("pk"), period=rules.semester_of(on), krs=True)
    return list(households_for(scope).filter(desa_id=team.desa_id).exclude(pk__in=taken)
                .annotate(is_krs=Exists(krs)).order_by("-is_krs", "head_name", "pk")[:300])


def team_rows(scope, on: dt.date) -> QuerySet:
    """TPK teams in the scope's area, with families assigned and visits this month."""
    month_start = on.replace(day=1)
    return (teams_for(scope).select_related("desa")
            .annotate(families=Count("assignments", distinct=True),
                      visits_this_month=Count("visits", filter=Q(visits__visited_on__gte=month_start,
                                                                  visits__visited_on__lte=on), distinct=True))
            .order_by("desa_id", "name"))
