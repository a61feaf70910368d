"""Reading the rules' inputs (`rules.Inputs`) from the database: for an area (a region code, all
its people and households) or for some people and households (a refresh after a write).

Each table is read with one query of plain values, restricted to the subjects' ids or the area;
deliveries as one MAX(date) per (subject, item) plus the rows of the items whose amounts count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd
from django.db.models import Max, Q

from tumbuh.interventions.models import Course, Delivery
from tumbuh.measurements.models import Measurement
from tumbuh.regions.models import within
from tumbuh.registry.models import Household, Person
from tumbuh.targets.models import (
    Adolescent,
    AncVisit,
    CatinScreening,
    KrsSnapshot,
    Pregnancy,
    TpkVisit,
    TtdWeek,
)

from . import rules as R

CHUNK = 900  # ids per IN (...) list (SQLite's parameter limit is far above; keeps plans simple)
ROW_CODES = ("TTD-BUMIL", "TTD-REMAJA", "ANC")
ROWS_DAYS = 300  # a pregnancy's length: the TTD/ANC rows that can count
# In the order of rules.PEOPLE_COLUMNS (the JKN status feeds the windows' `membership`).
PEOPLE_FIELDS = ["id", "birth_date", "sex", "household_id", "desa_id", "posyandu_id", "active", "jkn_status",
                 "jkn_checked_on"]


def _chunks(ids: list) -> Iterable[list]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def _values(qs, fields: list[str], id_field: str | None = None, ids=None) -> list[tuple]:
    """Rows of `qs` whose `id_field` is in `ids`: a list (read in chunks) or a subquery (an area:
    one query with IN (SELECT ...))."""
    if id_field is None:
        return list(qs.values_list(*fields))
    if hasattr(ids, "query"):
        return list(qs.filter(**{f"{id_field}__in": ids}).values_list(*fields))
    out: list[tuple] = []
    for part in _chunks(ids or []):
        out += list(qs.filter(**{f"{id_field}__in": part}).values_list(*fields))
    return out


def _df(rows: list[tuple], columns: dict[str, str], dates=()) -> pd.DataFrame:
    if not rows:
        return R._frame(columns)
    df = pd.DataFrame(rows, columns=list(columns))
    for c in dates:
        df[c] = pd.to_datetime(df[c])
    return df


def load_inputs(as_of: dt.date, *, region_code: str | None = None, person_ids: Iterable[int] = (),
                household_ids: Iterable[int] = ()) -> R.Inputs:
    """Everything the rules read for `region_code` (everyone placed in it) or for the given people
    and households (plus every member of their households, which the household rules look at)."""
    if region_code is not None:
        person_q = within("desa_id", region_code) if region_code else Q()
        people_rows = list(Person.objects.filter(person_q).values_list(*PEOPLE_FIELDS))
        hh_q = within("desa_id", region_code) if region_code else Q()
        hh_ids = set(Household.objects.filter(hh_q).values_list("id", flat=True))
        subject_people = subject_households = None
    else:
        person_ids, household_ids = set(person_ids), set(household_ids)
        own = list(Person.objects.filter(pk__in=list(person_ids)).values_list("household_id", flat=True)) \
            if person_ids else []
        hh_ids = {h for h in own if h} | household_ids
        people_rows = _values(Person.objects.all(), PEOPLE_FIELDS, "id", sorted(person_ids))
        seen = {r[0] for r in people_rows}
        people_rows += [r for r in _values(Person.objects.all(), PEOPLE_FIELDS, "household_id", sorted(hh_ids))
                        if r[0] not in seen]
        subject_people, subject_households = frozenset(person_ids), frozenset(hh_ids)
    people = _df(people_rows, R.PEOPLE_COLUMNS, dates=["birth_date", "jkn_checked_on"])
    pids = sorted(people["person_id"].astype(int).tolist())
    hids = sorted(hh_ids)
    area_people = area_households = None
    if region_code is not None:  # one query per table with IN (SELECT ...) instead of id chunks
        area_people = Person.objects.filter(person_q).values("id")
        area_households = Household.objects.filter(hh_q).values("id")
    on = as_of
    # Children only (under five on as_of) have measurements that count.
    young = people[people["birth_date"] > pd.Timestamp(as_of - dt.timedelta(days=62 * 31))]
    kid_ids = sorted(young["person_id"].astype(int).tolist())
    lookback = on - dt.timedelta(days=120)
    m_rows = _values(Measurement.objects.filter(measured_on__gte=lookback, measured_on__lte=on),
                     ["child_id", "measured_on", "length_for_age_z", "weight_for_age_z", "weight_for_length_z",
                      "length_for_age_flag", "weight_for_age_flag", "weight_for_length_flag", "weight_gain",
                      "below_red_line", "arm_circumference_cm", "oedema"], "child_id",
                     kid_ids if area_people is None else Person.objects.filter(
                         person_q, birth_date__gt=as_of - dt.timedelta(days=62 * 31)).values("id"))
    measurements = _df(m_rows, R.MEASUREMENT_COLUMNS, dates=["measured_on"])
    for c in ("haz_flag", "waz_flag", "whz_flag"):
        measurements[c] = measurements[c].fillna(False).astype(bool)
    first_rows = []
    stunted = Measurement.objects.filter(measured_on__lte=on, length_for_age_z__lt=-2).exclude(
        length_for_age_flag=True)
    for part in (_chunks(kid_ids) if area_people is None else [area_people]):
        first_rows += [(pid, "haz", -2.0, d) for pid, d in stunted.filter(child_id__in=part)
                       .values("child_id").annotate(first=_min("measured_on")).values_list("child_id", "first")]
    first = _df(first_rows, R.FIRST_COLUMNS, dates=["first_on"])

    live = Delivery.objects.filter(voided_at__isnull=True, date__lte=on)
    latest_rows = []
    for part in (_chunks(pids) if area_people is None else [area_people]):
        latest_rows += [(R.PERSON, pid, code, d) for pid, code, d in live.filter(person_id__in=part)
                        .values("person_id", "code").annotate(latest=Max("date")).values_list("person_id", "code",
                                                                                               "latest")]
    for part in (_chunks(hids) if area_households is None else [area_households]):
        latest_rows += [(R.HOUSEHOLD, hid, code, d) for hid, code, d in live.filter(household_id__in=part)
                        .values("household_id", "code").annotate(latest=Max("date"))
                        .values_list("household_id", "code", "latest")]
    latest = _df(latest_rows, R.LATEST_COLUMNS, dates=["latest"])
    row_rows = [(R.PERSON, pid, code, d, float(q)) for pid, code, d, q in _values(
        live.filter(code__in=ROW_CODES, date__gte=on - dt.timedelta(days=ROWS_DAYS), person__isnull=False),
        ["person_id", "code", "date", "quantity"], "person_id", _or(area_people, pids))]
    rows = _df(row_rows, R.ROWS_COLUMNS, dates=["date"])
    course_rows = _values(Course.objects.filter(start__lte=on, end__gte=on - dt.timedelta(days=400)),
                          ["person_id", "code", "start", "end"], "person_id", _or(area_people, pids))
    courses = _df(course_rows, R.COURSE_COLUMNS, dates=["start", "end"])

    women = sorted(people.loc[people["sex"] == "F", "person_id"].astype(int).tolist())
    preg_rows = _values(Pregnancy.objects.filter(hpht__lte=on, due_on__gte=on - dt.timedelta(days=30)),
                        ["id", "person_id", "hpht", "due_on", "kek", "outcome", "outcome_on"], "person_id", women)
    pregnancies = _df(preg_rows, R.PREGNANCY_COLUMNS, dates=["hpht", "due_on", "outcome_on"])
    anc_rows = _values(AncVisit.objects.filter(visited_on__lte=on), ["pregnancy_id", "visited_on", "ttd_given"],
                       "pregnancy_id", sorted(pregnancies["pregnancy_id"].astype(int).tolist()))
    anc = _df(anc_rows, R.ANC_COLUMNS, dates=["visited_on"])
    catin_rows = [(pid, s, m, "hb_low" in (reasons or [])) for pid, s, m, reasons in _values(
        CatinScreening.objects.filter(screened_on__lte=on), ["person_id", "screened_on", "planned_marriage_on",
                                                             "reasons"], "person_id", _or(area_people, pids))]
    catin = _df(catin_rows, R.CATIN_COLUMNS, dates=["screened_on", "planned_marriage_on"])
    teen_rows = _values(Adolescent.objects.all(), ["id", "person_id"], "person_id", women)
    adolescents = _df(teen_rows, R.ADOLESCENT_COLUMNS)
    week_rows = _values(TtdWeek.objects.filter(week_start__gte=on - dt.timedelta(weeks=6), week_start__lte=on),
                        ["adolescent_id", "week_start", "taken"], "adolescent_id",
                        sorted(adolescents["adolescent_id"].astype(int).tolist()))
    ttd_weeks = _df(week_rows, R.TTD_WEEK_COLUMNS, dates=["week_start"])
    krs_rows = _values(KrsSnapshot.objects.all(), ["household_id", "period", "krs", "water_source", "latrine"],
                       "household_id", _or(area_households, hids))
    krs = _df(krs_rows, R.KRS_COLUMNS)
    tpk_rows = _values(TpkVisit.objects.filter(visited_on__gte=on - dt.timedelta(days=62), visited_on__lte=on),
                       ["household_id", "visited_on"], "household_id", _or(area_households, hids))
    tpk = _df(tpk_rows, R.TPK_COLUMNS, dates=["visited_on"])
    hh_rows = _values(Household.objects.all(), ["id", "desa_id"], "id", _or(area_households, hids))
    households = _df(hh_rows, R.HOUSEHOLD_COLUMNS)
    return R.Inputs(people=people, measurements=measurements, first=first, latest=latest, rows=rows,
                    courses=courses, pregnancies=pregnancies, anc=anc, catin=catin, adolescents=adolescents,
                    ttd_weeks=ttd_weeks, krs=krs, tpk=tpk, households=households,
                    person_ids=subject_people, household_ids=subject_households)


def _min(field):
    from django.db.models import Min

    return Min(field)


def _or(subquery, ids):
    """The area's subquery when reading an area, else the id list (never `or`: a queryset's truth
    value runs it)."""
    return subquery if subquery is not None else ids
