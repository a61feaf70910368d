"""Reads of the registry, always starting from the user's scope (tumbuh.accounts.scoping).

The children list must stay fast past 10,000 balita: the latest measurement per child is one
correlated subquery on the (child, measured_on) unique index, and the page's measurement rows are
then fetched in a single query.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from tumbuh.accounts.scoping import Scope, as_scope
from tumbuh.measurements.models import Measurement
from tumbuh.web.text import ascii_digits

from .models import Household, Person


def people_for(scope: Scope) -> QuerySet:
    """People the scope may see: the base of every registry read (a user is accepted too)."""
    return Person.objects.filter(as_scope(scope).person_q())


def households_for(scope: Scope) -> QuerySet:
    """Households living in the scope's area, plus any household with a member the scope may see
    (a cadre follows children, not addresses)."""
    scope = as_scope(scope)
    if scope.everything:
        return Household.objects.all()
    if scope.is_empty:
        return Household.objects.none()
    with_members = Q(pk__in=people_for(scope).filter(household__isnull=False).values("household_id"))
    return Household.objects.filter(scope.place_q() | with_members)


def measurements_for(scope: Scope) -> QuerySet:
    # Owned by the measurements context; imported here at call time because its selectors read
    # people through this module.
    from tumbuh.measurements.selectors import measurements_for as scoped

    return scoped(scope)


# Balita: under five years (WHO standards stop at 1856 days; the programme counts 0-59 months).
UNDER_FIVE_DAYS = 1826


def today() -> dt.date:
    return timezone.localdate()


def under_five_cutoff(on: dt.date | None = None) -> dt.date:
    """Children born after this date are under five on `on`."""
    return (on or today()) - dt.timedelta(days=UNDER_FIVE_DAYS)


def latest_measurement_subquery(field: str = "pk") -> Subquery:
    latest = Measurement.objects.filter(child=OuterRef("pk")).order_by("-measured_on", "-pk")
    return Subquery(latest.values(field)[:1])


def children_for(user, on: dt.date | None = None) -> QuerySet:
    """Active balita in the user's scope, each annotated with `latest_id` and `latest_on`."""
    return (
        people_for(user)
        .filter(active=True, birth_date__gt=under_five_cutoff(on), birth_date__lte=on or today())
        .annotate(
            latest_id=latest_measurement_subquery("pk"),
            latest_on=latest_measurement_subquery("measured_on"),
        )
    )


# Status filters on the latest measurement: name -> Q over Measurement. Flagged (implausible)
# z-scores never count, as in WHO anthro prevalence.
STATUS_QUERIES: dict[str, Q] = {
    "stunted": Q(length_for_age_z__lt=-2) & ~Q(length_for_age_flag=True),
    "wasted": Q(weight_for_length_z__lt=-2) & ~Q(weight_for_length_flag=True),
    "underweight": Q(weight_for_age_z__lt=-2) & ~Q(weight_for_age_flag=True),
    "2t": Q(weight_gain=Measurement.WeightGain.TWO_T),
    "bgm": Q(below_red_line=True),
}


def filter_latest_status(children: QuerySet, status: str, on: dt.date | None = None) -> QuerySet:
    """Narrow an annotated `children_for` queryset by the status of each child's latest measurement."""
    if status == "not_measured_2m":
        since = months_before(on or today(), 2)
        return children.filter(Q(latest_on__isnull=True) | Q(latest_on__lt=since))
    # Correlated on the primary key: one index seek per child, never a scan of all measurements.
    latest_matches = Measurement.objects.filter(STATUS_QUERIES[status], pk=OuterRef("latest_id"))
    return children.filter(Exists(latest_matches))


def months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last_day = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30,
                31, 31, 30, 31, 30, 31][month - 1]
    return dt.date(year, month, min(day.day, last_day))


def attach_latest(children: list) -> list:
    """Set `child.latest` (a Measurement or None) on each annotated child with one query."""
    ids = [c.latest_id for c in children if c.latest_id]
    by_id = Measurement.objects.in_bulk(ids) if ids else {}
    for child in children:
        child.latest = by_id.get(child.latest_id)
    return children


def child_list_queryset(user) -> QuerySet:
    return children_for(user).select_related("desa", "posyandu", "posyandu__desa", "mother").order_by("name", "pk")


# Sort orders of the children list: key -> (order_by fields, needs the latest HAZ annotation).
CHILD_SORTS: dict[str, tuple[tuple, bool]] = {
    "name": (("name", "pk"), False),
    "-name": (("-name", "-pk"), False),
    "age": (("birth_date", "name", "pk"), False),  # oldest first
    "-age": (("-birth_date", "name", "pk"), False),
    "desa": (("desa__name", "posyandu__name", "name", "pk"), False),
    "posyandu": (("posyandu__name", "desa__name", "name", "pk"), False),
    "last_measured": ((F("latest_on").desc(nulls_last=True), "name", "pk"), False),
    "-last_measured": ((F("latest_on").asc(nulls_first=True), "name", "pk"), False),
    "haz": ((F("latest_haz").asc(nulls_last=True), "name", "pk"), True),  # most stunted first
}


def sort_children(children: QuerySet, sort: str) -> QuerySet:
    order, needs_haz = CHILD_SORTS.get(sort, CHILD_SORTS["name"])
    if needs_haz:
        children = children.annotate(latest_haz=latest_measurement_subquery("length_for_age_z"))
    return children.order_by(*order)


def status_labels(m, lang: str = "id") -> list[tuple[str, str]]:
    """(css class, label) of the latest measurement's Permenkes 2/2020 categories that need
    attention (TB/U, BB/TB, BB/U; WHO-flagged values never count), or [("", "Normal")]."""
    from tumbuh.growth.categories import LABELS

    if m is None:
        return []
    out = []
    for z, flag, category, codes in (
        (m.length_for_age_z, m.length_for_age_flag, m.length_for_age_category, ("severely_stunted", "stunted")),
        (m.weight_for_length_z, m.weight_for_length_flag, m.weight_for_length_category,
         ("severely_wasted", "wasted")),
        (m.weight_for_age_z, m.weight_for_age_flag, m.weight_for_age_category,
         ("severely_underweight", "underweight")),
    ):
        if z is None or flag:
            continue
        code = category if category in codes else (codes[0] if z < -3 else codes[1] if z < -2 else "")
        if code:
            out.append(("red" if code == codes[0] else "orange", LABELS[code][lang]))
    if m.oedema:
        out.append(("red", "Oedema" if lang == "en" else "Edema"))
    return out or [("green", LABELS["normal"][lang])]


def child_detail(user, pk: int):
    """The child (any age, so history stays reachable after five) or DoesNotExist, from scope."""
    return people_for(user).select_related(
        "desa", "desa__parent", "posyandu", "mother", "household", "household__desa"
    ).get(pk=pk)


def measurement_history(user, child) -> QuerySet:
    return measurements_for(user).filter(child=child).select_related("posyandu").order_by("measured_on", "pk")


def household_detail(user, pk: int):
    return households_for(user).select_related("desa", "desa__parent").get(pk=pk)


def household_members(user, household) -> QuerySet:
    return people_for(user).filter(household=household).select_related("mother").order_by("birth_date")


def find_person_by_nik(user, nik: str):
    return people_for(user).filter(nik=nik).first()


def find_household_by_kk(user, kk_number: str):
    return households_for(user).filter(kk_number=kk_number).first()


def search_women(user, text: str, limit: int = 10) -> QuerySet:
    """Possible mothers for the registration form's search box."""
    text = text.strip()
    if len(text) < 2:
        return people_for(user).none()
    qs = people_for(user).filter(sex="F", birth_date__lte=under_five_cutoff())
    if ascii_digits(text):
        qs = qs.filter(nik__startswith=text)
    else:
        qs = qs.filter(name__icontains=text)
    return qs.select_related("desa", "household").order_by("name")[:limit]


def home_counts(user, on: dt.date | None = None) -> dict[str, int]:
    """The home page's counts, in two queries (one pass over the children, one over two months of
    measurements). Coverage is shown for the last complete month (the month in progress would
    read "0%" on its first days) with the current month's count so far beside it; stunting is at
    each child's latest measurement whatever its date, over the children whose latest measurement
    has a valid (not WHO-flagged) TB/U z-score (docs/analytics.md, "Which figure counts what")."""
    on = on or today()
    first_of_month = on.replace(day=1)
    last_month_end = first_of_month - dt.timedelta(days=1)
    last_month_start = last_month_end.replace(day=1)
    valid = Q(latest_haz__isnull=False) & ~Q(latest_haz_flag=True)
    children = children_for(user, on).annotate(
        latest_haz=latest_measurement_subquery("length_for_age_z"),
        latest_haz_flag=latest_measurement_subquery("length_for_age_flag"),
    )
    child_counts = children.aggregate(
        children=Count("pk"),
        measured_ever=Count("pk", filter=Q(latest_id__isnull=False)),
        valid_latest=Count("pk", filter=valid),
        stunted=Count("pk", filter=valid & Q(latest_haz__lt=-2)),
    )

    def under_five_on(day: dt.date) -> Q:
        return Q(measured_on__lte=day, child__birth_date__gt=under_five_cutoff(day), child__birth_date__lte=day)

    measured = (
        measurements_for(user)
        .filter(measured_on__gte=last_month_start, measured_on__lte=on, child__active=True)
        .aggregate(
            this_month=Count("child_id", distinct=True,
                             filter=Q(measured_on__gte=first_of_month) & under_five_on(on)),
            last_month=Count("child_id", distinct=True,
                             filter=Q(measured_on__lte=last_month_end) & under_five_on(last_month_end)),
        )
    )
    return {
        **{k: int(v or 0) for k, v in child_counts.items()},
        "measured_this_month": int(measured["this_month"] or 0),
        "measured_last_month": int(measured["last_month"] or 0),
        "children_last_month": children_for(user, last_month_end).count(),
    }


def voided_for(scope) -> QuerySet:
    """People voided in the scope's area (where they lived when voided), newest first."""
    from .models import PersonVoid

    return PersonVoid.objects.filter(as_scope(scope).person_q()).select_related("desa", "voided_by", "restored_by")
