"""Who belongs to a catalogue item's target group, from the registers (never typed again).

- `balita`: aged 0-59 completed months on the date (registry birth date);
- `bumil`: a pregnancy (tumbuh.targets) with HPHT on or before the date, not ended before it, and
  the date no later than 30 days after the HPL;
- `nifas`: a birth (targets `Postpartum`) in the 42 days before the date (nifas);
- `catin`: a catin screening in the year up to the date;
- `remaja`: a girl aged 12-18 on the date (targets cut-off), or followed as a remaja;
- `keluarga`: a household, not a person.

`in_group_ids` answers for many people at once (one query per group) so bulk writes and imports
stay fast. The stricter eligibility of the distribution day (e.g. PMT-BALITA only for children
whose latest measurement is underweight, wasted, stunted, 2T or BGM) is `distribution_candidates`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from tumbuh.targets import rules
from tumbuh.targets.models import Adolescent, CatinScreening, Postpartum, Pregnancy

from .models import TargetGroup

PREGNANCY_GRACE_DAYS = 30
CATIN_VALID_DAYS = 365


def age_months(birth: dt.date, on: dt.date) -> int:
    return rules.age_months(birth, on)


def _remaja_range() -> tuple[int, int]:
    lo, hi = rules.cut("remaja", "age_range_years")
    return int(lo), int(hi)


def in_group_ids(group: str, people: Iterable, on_for: dict[int, dt.date] | dt.date) -> set[int]:
    """The ids among `people` (Person objects) in `group` on their date (`on_for`: one date for
    all, or person id -> date)."""
    people = list(people)
    if not people:
        return set()

    def day(p) -> dt.date:
        return on_for if isinstance(on_for, dt.date) else on_for[p.pk]

    ids = [p.pk for p in people]
    byid = {p.pk: p for p in people}
    if group == TargetGroup.CHILD:
        return {p.pk for p in people if p.birth_date <= day(p) and age_months(p.birth_date, day(p)) < 60}
    if group == TargetGroup.ADOLESCENT:
        lo, hi = _remaja_range()
        followed = set(Adolescent.objects.filter(person_id__in=ids).values_list("person_id", flat=True))
        return {p.pk for p in people
                if p.pk in followed or (p.sex == "F" and lo <= rules.age_years(p.birth_date, day(p)) <= hi)}
    out: set[int] = set()
    if group == TargetGroup.PREGNANT:
        for pid, hpht, due, ended in Pregnancy.objects.filter(person_id__in=ids).values_list(
                "person_id", "hpht", "due_on", "outcome_on"):
            d = day(byid[pid])
            if hpht <= d <= (ended or due + dt.timedelta(days=PREGNANCY_GRACE_DAYS)):
                out.add(pid)
        return out
    if group == TargetGroup.POSTPARTUM:
        days = rules.cut("nifas", "nifas_days")
        for pid, born in Postpartum.objects.filter(person_id__in=ids).values_list("person_id", "delivered_on"):
            d = day(byid[pid])
            if born <= d <= born + dt.timedelta(days=days):
                out.add(pid)
        return out
    if group == TargetGroup.CATIN:
        for pid, screened in CatinScreening.objects.filter(person_id__in=ids).values_list("person_id", "screened_on"):
            d = day(byid[pid])
            if d - dt.timedelta(days=CATIN_VALID_DAYS) <= screened <= d:
                out.add(pid)
        return out
    return set()


def in_group(person, group: str, on: dt.date) -> bool:
    return person.pk in in_group_ids(group, [person], on)


def group_q(group: str, on: dt.date) -> Q:
    """Q over Person: the people of a target group on a date (for lists)."""
    if group == TargetGroup.CHILD:
        from tumbuh.registry.selectors import under_five_cutoff

        return Q(birth_date__gt=under_five_cutoff(on), birth_date__lte=on)
    if group == TargetGroup.ADOLESCENT:
        lo, hi = _remaja_range()
        oldest = dt.date(on.year - hi - 1, on.month, min(on.day, 28)) + dt.timedelta(days=1)
        youngest = dt.date(on.year - lo, on.month, min(on.day, 28))
        followed = Adolescent.objects.values("person_id")
        return Q(pk__in=followed) | Q(sex="F", birth_date__gte=oldest, birth_date__lte=youngest)
    if group == TargetGroup.PREGNANT:
        preg = Pregnancy.objects.filter(hpht__lte=on).filter(
            Q(outcome_on__gte=on) | Q(outcome_on__isnull=True, due_on__gte=on - dt.timedelta(days=PREGNANCY_GRACE_DAYS)))
        return Q(pk__in=preg.values("person_id"))
    if group == TargetGroup.POSTPARTUM:
        days = rules.cut("nifas", "nifas_days")
        pp = Postpartum.objects.filter(delivered_on__lte=on, delivered_on__gte=on - dt.timedelta(days=days))
        return Q(pk__in=pp.values("person_id"))
    if group == TargetGroup.CATIN:
        cs = CatinScreening.objects.filter(screened_on__lte=on, screened_on__gte=on - dt.timedelta(days=CATIN_VALID_DAYS))
        return Q(pk__in=cs.values("person_id"))
    return Q(pk__in=[])
