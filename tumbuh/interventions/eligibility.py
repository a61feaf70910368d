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


# --- the distribution day's lists ------------------------------------------------------------------

RECENT_DAYS = 90  # "latest measurement in the last 90 days"

# Item code -> the rule of who is on its distribution list (besides being in the target group).
# Children's rules read the child's latest valid measurement of the last RECENT_DAYS days.
MEASUREMENT_RULES = {
    # PMT lokal: gizi kurang / BB kurang / stunted, or not gaining twice (2T), or below the red line.
    "PMT-BALITA": "undernourished",
    "TATA-LAKSANA-GIZI-BURUK": "severe",
    "RUMAH-SINGGAH-GIZI": "severe",
    "RUJUKAN": "refer",
}
# Household items: the KRS snapshot of the semester, with the risk factor the item addresses.
HOUSEHOLD_RULES = {"AIR-MINUM": rules.WATER_UNSAFE, "JAMBAN": rules.LATRINE_UNSAFE}
AGE_MONTHS = {"VIT-A": (6, 59), "IMUNISASI-DASAR": (0, 23)}


def _z(m, z: str, flag: str) -> float | None:
    value = getattr(m, z)
    return None if value is None or getattr(m, flag) else value


def measurement_reasons(m, rule: str) -> list[str]:
    """Why a measurement puts a child on a list (labels as on the cards: BB/TB, BB/U, TB/U, 2T,
    BGM); [] = not on it."""
    whz = _z(m, "weight_for_length_z", "weight_for_length_flag")
    waz = _z(m, "weight_for_age_z", "weight_for_age_flag")
    haz = _z(m, "length_for_age_z", "length_for_age_flag")
    out = []
    if rule == "undernourished":
        if whz is not None and whz < -2:
            out.append("BB/TB < -2")
        if waz is not None and waz < -2:
            out.append("BB/U < -2")
        if haz is not None and haz < -2:
            out.append("TB/U < -2")
        if m.weight_gain == "2T":
            out.append("2T")
        if m.below_red_line:
            out.append("BGM")
    elif rule == "severe":
        if whz is not None and whz < -3:
            out.append("BB/TB < -3")
        if m.oedema:
            out.append("oedema")
    elif rule == "refer":
        if whz is not None and whz < -3:
            out.append("BB/TB < -3")
        if haz is not None and haz < -3:
            out.append("TB/U < -3")
        if m.weight_gain == "2T":
            out.append("2T")
        if m.below_red_line:
            out.append("BGM")
    return out


MEASUREMENT_FIELDS = ("child_id", "measured_on", "weight_kg", "oedema", "weight_for_length_z", "weight_for_length_flag",
                      "weight_for_age_z", "weight_for_age_flag", "length_for_age_z", "length_for_age_flag",
                      "weight_gain", "below_red_line")


def latest_recent(child_ids: list[int], on: dt.date) -> dict:
    """child id -> the latest measurement of the last RECENT_DAYS days up to `on` (the fields the
    rules read, as attributes: no model instances, so a kota's children take a fraction of a second)."""
    from types import SimpleNamespace

    from tumbuh.measurements.models import Measurement

    latest: dict[int, object] = {}
    for i in range(0, len(child_ids), 900):
        rows = (Measurement.objects.filter(child_id__in=child_ids[i:i + 900], measured_on__lte=on,
                                           measured_on__gte=on - dt.timedelta(days=RECENT_DAYS))
                .order_by("child_id", "-measured_on", "-pk").values(*MEASUREMENT_FIELDS))
        for row in rows:
            if row["child_id"] not in latest:
                latest[row["child_id"]] = SimpleNamespace(**row)
    return latest


def candidate_ids(people_qs, item, on: dt.date, *, latest: dict | None = None) -> dict[int, list[str]]:
    """person id -> reasons, for the people of `people_qs` on the list of `item` on `on`. Ids and
    values only (no model instances): a kota's children in a fraction of a second. `latest` may
    carry `latest_recent` already read for these people (the OPD landing counts several items)."""
    qs = people_qs.filter(active=True).filter(group_q(item.target_group, on))
    if item.code in AGE_MONTHS:
        lo, hi = AGE_MONTHS[item.code]
        qs = qs.filter(birth_date__lte=_months_before(on, lo), birth_date__gt=_months_before(on, hi + 1))
    ids = list(qs.values_list("pk", flat=True))
    rule = MEASUREMENT_RULES.get(item.code)
    if rule:
        if latest is None:
            latest = latest_recent(ids, on)
        out = {}
        for pk in ids:
            m = latest.get(pk)
            reasons = measurement_reasons(m, rule) if m is not None else []
            if reasons:
                out[pk] = reasons
        return out
    if item.code == "PMT-BUMIL":
        kek = set(Pregnancy.objects.filter(person_id__in=qs.values("pk"), kek=True, outcome="")
                  .values_list("person_id", flat=True))
        return {pk: ["KEK"] for pk in ids if pk in kek}
    return {pk: [] for pk in ids}


def candidates(people_qs, item, on: dt.date, *, limit: int | None = None,
               found: dict | None = None) -> list[tuple[object, list[str]]]:
    """(person, reasons) of the people of `people_qs` on the list of `item` on `on`, by name
    (the first `limit` when given; `found` = candidate_ids already computed)."""
    found = candidate_ids(people_qs, item, on) if found is None else found
    ids = list(found)
    if limit is not None and len(ids) > limit:  # the first `limit` by name, from names only
        named = []
        for i in range(0, len(ids), 900):
            named += list(people_qs.model.objects.filter(pk__in=ids[i:i + 900]).values_list("name", "pk"))
        ids = [pk for _n, pk in sorted(named)[:limit]]
    rows = []
    for i in range(0, len(ids), 900):
        rows += list(people_qs.filter(pk__in=ids[i:i + 900]).select_related("desa", "posyandu", "mother", "household"))
    rows.sort(key=lambda p: (p.name, p.pk))
    return [(p, found[p.pk]) for p in rows]


def household_candidates(households_qs, item, on: dt.date) -> list[tuple[object, list[str]]]:
    from tumbuh.targets.models import KrsSnapshot

    snaps = KrsSnapshot.objects.filter(household__in=households_qs, period=rules.semester_of(on))
    factor = HOUSEHOLD_RULES.get(item.code)
    out = []
    for s in snaps.select_related("household", "desa").order_by("household__head_name", "pk"):
        if factor:
            if factor in (s.risk_factors or []):
                out.append((s.household, [factor_label(factor)]))
        elif s.krs:
            out.append((s.household, ["KRS"]))
    return out


def factor_label(code: str) -> str:
    from django.utils.translation import gettext as _

    return {rules.WATER_UNSAFE: _("unsafe water"), rules.LATRINE_UNSAFE: _("unsafe latrine")}.get(code, code)


def _months_before(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 - months, 12)
    return dt.date(day.year + y, m + 1, min(day.day, 28))
