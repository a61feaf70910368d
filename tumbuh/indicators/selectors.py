"""Scoped reads for the indicator pages, and the public functions other contexts call (the
semester report's Lampiran A section and scorecard: see docs/indicators.md).

Everything is read under a `Scope` (deny by default: an empty scope, an OPD officer's included,
reads nothing) and inside one region code. People are scoped by where they live now
(`scope.person_q`), households and household rows through the people in scope. Counts are done
in SQL (GROUP BY person / household with filtered COUNTs); the per-person verdicts are the pure
functions of `scorecard.py` and `ranpasti.py`.

Public:
- `scorecard(scope, region_code, period, mode="benar", with_people=False) -> Scorecard`
- `scorecard_trend(scope, region_code, period, count=4, mode="benar") -> list[TrendPoint]`
- `indicator_table(scope, region_code, period) -> list[IndicatorValue]`
- `indicator_value(scope, region_code, period, code) -> IndicatorValue`
- `outcome_report(scope, region_code, as_of) -> OutcomeReport`
- `lokus_codes(scope, year)`, `dana_desa(scope, region_code, year)`, `local_targets(scope, region_code, year)`
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from tumbuh.accounts.scoping import Scope, as_scope
from tumbuh.analytics.periods import Period
from tumbuh.measurements.models import Measurement
from tumbuh.regions.models import Region, within
from tumbuh.registry.models import JKN_MEMBERSHIP, JKN_PBI, Household, JknStatus, Person
from tumbuh.targets import rules as target_rules
from tumbuh.targets.models import AncVisit, KfVisit, KrsSnapshot, Postpartum, Pregnancy, TpkVisit

from . import ranpasti
from . import scorecard as sc
from .models import DanaDesa, LocalTarget, LokusDesa

HOUSEHOLD_CODES = ("AIR-MINUM", "JAMBAN", "JKN-PBI", "PENDAMPINGAN-TPK")
CHILD_CODES = ("IMUNISASI-DASAR", "KIE-PENGASUHAN", "JKN-PBI")


def _deliveries():
    from tumbuh.interventions.models import Delivery

    return Delivery.objects.filter(voided_at__isnull=True)


def _courses():
    from tumbuh.interventions.models import Course

    return Course.objects.all()


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier (the last day of the month when it has fewer days)."""
    import calendar

    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def _rows(qs) -> list[tuple]:
    """The rows of a values_list queryset straight from the cursor, without Django's per-row
    converters (a third of the scorecard's time on a kabupaten). Dates may come back as ISO text
    (SQLite) and booleans as 0/1: read them with `_date` / truthiness."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # an empty scope (Q(pk__in=[])): nothing to read
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date(int(value[:4]), int(value[5:7]), int(value[8:10]))


def people_q(scope: Scope, region_code: str, prefix: str = "") -> Q:
    scope = as_scope(scope)
    q = scope.person_q(prefix)
    if region_code:
        q &= within(f"{prefix}desa_id", region_code)
    return q


# --- the scorecard -------------------------------------------------------------------------------


@dataclass
class PersonRow:
    group: str
    person_id: int
    name: str
    nik: str
    desa: str
    posyandu_id: int | None
    detail: str  # trimester / delivered / age band
    statuses: dict[str, str]
    score: sc.Score
    complete: bool | None
    growth_mat: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def cells(self) -> list[tuple[str, str]]:
        """(badge class, text) per item, for the per-person table."""
        return [BADGES[s] for s in self.statuses.values()]

    @property
    def cells_html(self) -> str:
        """The row's item cells as one safe string: a desa's per-person table has ~20 cells per
        person, and rendering each through the template engine was most of the page's time."""
        return mark_safe("".join(BADGE_CELLS[s] for s in self.statuses.values()))  # noqa: S308 (fixed markup)


BADGES = {sc.Y: ("green", "Y"), sc.T: ("red", "T"), sc.TS: ("", "TS"), sc.ND: ("blue", "TAD")}
BADGE_CELLS = {s: format_html('<td><span class="badge {}">{}</span></td>', css, text) for s, (css, text) in BADGES.items()}


@dataclass
class DesaCard:
    code: str
    name: str
    kecamatan: str
    lokus: bool
    groups: dict[str, sc.GroupSummary]
    score: sc.Score
    growth_mat: dict[str, int]
    dana_desa: DanaDesa | None = None
    rank: int | None = None  # within its kecamatan
    breakdown: dict = field(default_factory=dict)  # (group, sub-group) -> people

    @property
    def percent(self):
        return self.score.percent


@dataclass
class UnitScore:
    code: str
    name: str
    score: sc.Score
    lokus: int = 0
    desa: int = 0
    rank: int | None = None


@dataclass
class Scorecard:
    region: Region | None
    region_code: str
    period: Period
    mode: str
    desa: list[DesaCard]
    groups: dict[str, sc.GroupSummary]
    score: sc.Score
    growth_mat: dict[str, int]
    kecamatan: list[UnitScore]
    people: list[PersonRow]
    breakdown: dict[tuple[str, str], int] = field(default_factory=dict)  # (group, TM1 / 6-12 bln ...) -> people
    version: str = field(default_factory=sc.version)

    def targets(self) -> dict[str, int]:
        return {g: s.people for g, s in self.groups.items()}


def _rank(units, key=lambda u: u.score.percent):
    """Highest level first; units with nothing to score are listed last, unranked."""
    scored = sorted((u for u in units if key(u) is not None), key=lambda u: -key(u))
    rank, prev = 0, None
    for i, u in enumerate(scored, 1):
        if key(u) != prev:
            rank, prev = i, key(u)
        u.rank = rank
    return scored + [u for u in units if key(u) is None]


def lokus_codes(scope: Scope, year: int) -> set[str]:
    return set(LokusDesa.objects.filter(as_scope(scope).region_q("desa_id"), year=year).values_list("desa_id", flat=True))


def dana_desa(scope: Scope, region_code: str, year: int) -> dict[str, DanaDesa]:
    qs = DanaDesa.objects.filter(as_scope(scope).region_q("desa_id"), year=year)
    if region_code:
        qs = qs.filter(within("desa_id", region_code))
    return {d.desa_id: d for d in qs}


def local_targets(scope: Scope, region_code: str, year: int) -> dict[str, LocalTarget]:
    """The nearest local target per indicator: the region's own, else its nearest ancestor's."""
    codes = [region_code] if region_code else []
    while codes and "." in codes[-1]:
        codes.append(codes[-1].rsplit(".", 1)[0])
    rows = LocalTarget.objects.filter(region_id__in=codes, year=year)
    best: dict[str, LocalTarget] = {}
    for row in sorted(rows, key=lambda r: -len(r.region_id)):
        best.setdefault(row.indicator, row)
    return best


def jkn_column(statuses: list, checked: list, end: dt.date, counted=JKN_MEMBERSHIP) -> np.ndarray:
    """The people's recorded JKN status (registry Person.jkn_status, `checked` its date) as the
    scorecard's tri-state, int8: 1 a membership in `counted`, 0 checked and none, -1 not recorded.
    A status checked after `end` was not known by then (-1); one without a date counts whenever."""
    if not statuses:
        return np.zeros(0, dtype=np.int8)
    status = np.asarray(statuses, dtype=object)
    known = np.fromiter((c is None or _date(c) <= end for c in checked), dtype=bool, count=len(checked))
    member = np.isin(status, [str(c) for c in counted])
    return np.where(known & member, 1, np.where(known & (status == str(JknStatus.NONE)), 0, -1)).astype(np.int8)


def _household_facts(subject_households, q_start: dt.date, q_end: dt.date) -> dict[int, dict]:
    """Per household id: water / latrine (1 safe, 0 not, absent = not recorded), JKN-PBI, home
    visits in the quarter, counselling visits (to the quarter's end and ever). `subject_households`
    is a subquery of household ids (never a Python list: thousands of ids in a query are slow)."""
    out: dict[int, dict] = defaultdict(dict)
    k = target_rules.cutoffs()["krs"]
    safe_water, safe_latrine = set(k["safe_water"]["value"]), set(k["safe_latrine"]["value"])
    semester = target_rules.semester_of(q_end)
    snaps = (KrsSnapshot.objects.filter(household_id__in=subject_households, period__lte=semester)
             .order_by("household_id", "period").values_list("household_id", "water_source", "latrine"))
    for hh, water, latrine in _rows(snaps):  # the latest semester wins (ordered by period)
        row = out[hh]
        if water:
            row["water"] = int(water in safe_water)
        if latrine:
            row["latrine"] = int(latrine in safe_latrine)
    deliveries = (_deliveries().filter(household_id__in=subject_households, code__in=HOUSEHOLD_CODES,
                                       date__lte=q_end)
                  .values_list("household_id", "code")
                  .annotate(in_q=Count("pk", filter=Q(date__gte=q_start))))
    for hh, code, in_q in _rows(deliveries):
        row = out[hh]
        if code == "AIR-MINUM":
            row["water"] = 1
        elif code == "JAMBAN":
            row["latrine"] = 1
        elif code == "JKN-PBI":
            row["jkn"] = 1
        elif code == "PENDAMPINGAN-TPK":
            row["visits_q"] = row.get("visits_q", 0) + in_q
    visits = (TpkVisit.objects.filter(household_id__in=subject_households)
              .values_list("household_id")
              .annotate(in_q=Count("pk", filter=Q(visited_on__gte=q_start, visited_on__lte=q_end)),
                        counsel_end=Count("pk", filter=Q(counselling=True, visited_on__lte=q_end)),
                        counsel_all=Count("pk", filter=Q(counselling=True))))
    for hh, in_q, c_end, c_all in _rows(visits):
        row = out[hh]
        row["visits_q"] = row.get("visits_q", 0) + in_q
        row["counsel_end"], row["counsel_all"] = c_end, c_all
    return out


@dataclass
class Block:
    """One group's people as columns: who they are, and their status code per item."""

    group: str
    person_ids: list
    names: list
    niks: list
    desa: list
    posyandu: list
    detail: list
    codes: dict[str, np.ndarray]
    mat: list | None = None

    def __len__(self) -> int:
        return len(self.person_ids)


BAND_LABELS = {1: "0-5 bln", 2: "6-12 bln", 3: "13-17 bln", 4: "18-23 bln"}
# Tabel 1's sub-groups in the order the scorecard prints them: trimesters then births, age bands
# youngest first (sorted as text "13-17 bln" came before "6-12 bln").
SUBGROUP_ORDER = {label: i for i, label in enumerate(("TM1", "TM2", "TM3", "bersalin", *BAND_LABELS.values()))}


def breakdown_key(key: tuple[str, str]) -> tuple:
    """Sort key of a (group, sub-group) breakdown entry: by group, then sub-group in stage / age
    order; a sub-group this version does not know (an older cell) after the known ones, by text."""
    group, sub = key
    return group, SUBGROUP_ORDER.get(sub, len(SUBGROUP_ORDER)), sub


EMPTY_HH: dict = {}


def _children(scope, region_code, q_start, q_end, mode) -> Block:
    """Children under 24 months on some day of the quarter, with their facts as columns."""
    born_after = months_before(q_start, 24)
    base = Person.objects.filter(people_q(scope, region_code), active=True, birth_date__gt=born_after,
                                 birth_date__lte=q_end)
    ids = base.values("pk")
    latest = (Measurement.objects.filter(child=OuterRef("pk"), measured_on__lte=q_end)
              .order_by("-measured_on", "-pk").values("pk")[:1])
    people = _rows(base.annotate(last_m=Subquery(latest)).values_list(
        "pk", "name", "nik", "birth_date", "desa_id", "posyandu_id", "household_id", "last_m", "jkn_status",
        "jkn_checked_on"))
    counts = {c: (we, wa, lq) for c, we, wa, lq in _rows(Measurement.objects.filter(child_id__in=ids)
              .values_list("child_id")
              .annotate(we=Count("pk", filter=Q(weight_kg__isnull=False, measured_on__lte=q_end)),
                        wa=Count("pk", filter=Q(weight_kg__isnull=False)),
                        lq=Count("pk", filter=Q(length_cm__isnull=False, measured_on__gte=q_start,
                                                measured_on__lte=q_end))))}
    # The latest measurement by the quarter's end: one indexed (child, measured_on) seek per child.
    last = {m[0]: m[1:] for m in _rows(Measurement.objects.filter(
        pk__in=base.annotate(last_m=Subquery(latest)).values("last_m"))
        .values_list("pk", "measured_on", "length_for_age_z", "length_for_age_flag",
                     "weight_for_length_z", "weight_for_length_flag"))} if people else {}
    year_start, year_end = dt.date(q_end.year, 1, 1), dt.date(q_end.year, 12, 31)
    dl: dict[tuple[int, str], tuple[int, int, int]] = {}
    for pid, code, to_end, n_all, year in _rows(
            _deliveries().filter(person_id__in=ids, code__in=CHILD_CODES).values_list("person_id", "code")
            .annotate(to_end=Count("pk", filter=Q(date__lte=q_end)), n_all=Count("pk"),
                      year=Count("pk", filter=Q(date__gte=year_start, date__lte=year_end)))):
        dl[(pid, code)] = (to_end, n_all, year)
    households = _household_facts(base.exclude(household_id=None).values("household_id"), q_start, q_end)
    n = len(people)
    col = {name: np.zeros(n, dtype=np.int32) for name in sc.CHILD_COLUMNS}
    nut_known, nut_target = np.zeros(n, bool), np.zeros(n, bool)
    haz_q = [None] * n
    none3 = (0, 0, 0)
    q_months = q_end.year * 12 + q_end.month
    for i, (pid, _name, _nik, birth, _desa, _pos, hh, last_m, _jkn, _jkn_on) in enumerate(people):
        birth = _date(birth)
        col["age_months"][i] = q_months - birth.year * 12 - birth.month - (q_end.day < birth.day)
        col["weighings_to_end"][i], col["weighings_all"][i], col["lengths_in_q"][i] = counts.get(pid, none3)
        m = last.get(last_m)
        if m is not None:
            on, haz, haz_flag, whz, whz_flag = m
            on = _date(on)
            haz = None if haz_flag else haz
            whz = None if whz_flag else whz
            if haz is not None or whz is not None:
                nut_known[i] = True
                nut_target[i] = (haz is not None and haz < -2) or (whz is not None and whz < -2)
            if on >= q_start:
                haz_q[i] = haz
        h = households.get(hh, EMPTY_HH) if hh else EMPTY_HH
        imm = dl.get((pid, "IMUNISASI-DASAR"), none3)
        par = dl.get((pid, "KIE-PENGASUHAN"), none3)
        col["immunised_to_end"][i], col["immunised_all"][i] = imm[0] > 0, imm[1] > 0
        col["parenting_to_end"][i], col["parenting_year"][i] = par[0], par[2]
        col["counsel_to_end"][i], col["counsel_all"][i] = h.get("counsel_end", 0), h.get("counsel_all", 0)
        col["home_visits_in_q"][i] = h.get("visits_q", 0)
        jkn = 1 if dl.get((pid, "JKN-PBI"), none3)[0] else h.get("jkn", -1)  # JKN-PBI to the child or household
        col["water"][i], col["latrine"][i], col["jkn"][i] = h.get("water", -1), h.get("latrine", -1), jkn
    # The child's own recorded membership: 1 beats anything, a recorded "none" beats "not recorded".
    col["jkn"] = np.maximum(col["jkn"], jkn_column([p[8] for p in people], [p[9] for p in people], q_end))
    col["nut_known"], col["nut_target"] = nut_known, nut_target
    codes = sc.child_codes(col, mode)
    bands = sc.child_bands(np.minimum(col["age_months"], 23))
    return Block("anak", [p[0] for p in people], [p[1] for p in people], [p[2] for p in people],
                 [p[4] for p in people], [p[5] for p in people], [BAND_LABELS[int(b)] for b in bands], codes,
                 [sc.growth_mat(h) for h in haz_q])


def _mothers(scope, region_code, q_start, q_end, mode) -> Block:
    """Pregnancies seen in the quarter (ongoing on some day of it, or ended in it) and births
    recorded without a pregnancy (a birth elsewhere) in it."""
    active = Q(hpht__lte=q_end) & (Q(outcome_on__gte=q_start) | Q(outcome_on__isnull=True, due_on__gte=q_start
                                                                  - dt.timedelta(days=42)))
    preg_qs = Pregnancy.objects.filter(people_q(scope, region_code), active)
    pregs = list(preg_qs.values_list(
        "pk", "person_id", "person__name", "person__nik", "desa_id", "posyandu_id", "household_id",
        "person__household_id", "hpht", "outcome", "outcome_on", "kek", "high_risk"))
    anc = {}
    for pg, in_q, total, tabs_end, tab_rec_q in (
            AncVisit.objects.filter(pregnancy__in=preg_qs, visited_on__lte=q_end)
            .values_list("pregnancy_id")
            .annotate(in_q=Count("pk", filter=Q(visited_on__gte=q_start)),
                      total=Count("visited_on", distinct=True),
                      tabs=Sum("ttd_given"),
                      tab_rec_q=Count("pk", filter=Q(visited_on__gte=q_start, ttd_given__gt=0)))):
        anc[pg] = (in_q, total, tabs_end or 0, tab_rec_q)
    post_q = Q(delivered_on__gte=q_start, delivered_on__lte=q_end)
    post_qs = Postpartum.objects.filter(people_q(scope, region_code), post_q)
    posts = list(post_qs.values_list("pk", "pregnancy_id", "person_id", "person__name", "person__nik", "desa_id",
                                     "posyandu_id", "person__household_id", "delivered_on"))
    women = (Person.objects.filter(pk__in=preg_qs.values("person_id")) |
             Person.objects.filter(pk__in=post_qs.values("person_id"))).values("pk")
    earliest = min((p[8] for p in pregs), default=q_start)
    ttd: dict[int, list[tuple[dt.date, float]]] = defaultdict(list)
    anc_deliveries: dict[int, list[dt.date]] = defaultdict(list)
    jkn_people = set()
    for pid, code, day, qty in (_deliveries().filter(person_id__in=women, code__in=("TTD-BUMIL", "ANC", "JKN-PBI"),
                                                     date__lte=q_end)
                                .filter(Q(code="JKN-PBI") | Q(date__gte=earliest))
                                .values_list("person_id", "code", "date", "quantity")):
        if code == "TTD-BUMIL":
            ttd[pid].append((day, float(qty)))
        elif code == "ANC":
            anc_deliveries[pid].append(day)
        else:
            jkn_people.add(pid)
    counsel = dict(TpkVisit.objects.filter(person_id__in=women, counselling=True, visited_on__gte=q_start,
                                           visited_on__lte=q_end).values_list("person_id").annotate(n=Count("pk")))
    kf = defaultdict(int)
    for pp, visited, delivered in KfVisit.objects.filter(postpartum__in=post_qs).values_list(
            "postpartum_id", "visited_on", "postpartum__delivered_on"):
        in_window = delivered <= visited <= min(delivered + dt.timedelta(days=42), q_end)
        in_quarter = q_start <= visited <= q_end
        if in_window if mode == "benar" else in_quarter:
            kf[pp] += 1
    post_by_preg = {p[1]: p for p in posts if p[1]}
    subject_households = (Person.objects.filter(pk__in=women).exclude(household_id=None).values("household_id"))
    hh_facts = _household_facts(subject_households, q_start, q_end)
    hh_facts.update(_household_facts(preg_qs.exclude(household_id=None).values("household_id"), q_start, q_end))
    rows: list[tuple] = []  # (pid, name, nik, desa, posyandu, household, detail, facts dict)
    seen_posts = set()
    for pg, pid, name, nik, desa, posyandu, hh, person_hh, hpht, outcome, outcome_on, kek, risti in pregs:
        ended = outcome_on is not None and outcome_on <= q_end
        delivered = ended and outcome in (Pregnancy.Outcome.LIVE_BIRTH, Pregnancy.Outcome.STILLBIRTH) and \
            outcome_on >= q_start
        if ended and not delivered and outcome_on < q_start:
            continue
        last_day = min(q_end, outcome_on) if outcome_on else q_end
        in_q, total, tabs, tab_rec_q = anc.get(pg, (0, 0, 0, 0))
        extra_anc = [d for d in anc_deliveries.get(pid, ()) if hpht <= d <= last_day]
        in_q += sum(1 for d in extra_anc if d >= q_start)
        total += len(extra_anc)
        delivered_tabs = [(d, q) for d, q in ttd.get(pid, ()) if hpht <= d <= last_day]
        tabs = max(tabs, int(sum(q for _d, q in delivered_tabs)))
        tab_rec_q += sum(1 for d, _q in delivered_tabs if d >= q_start)
        post = post_by_preg.get(pg)
        kf_count = 0
        if post:
            seen_posts.add(post[0])
            kf_count = kf.get(post[0], 0)
            delivered = True
        rows.append((pid, name, nik, desa, posyandu, hh or person_hh, delivered, {
            "gest_days": (last_day - hpht).days, "delivered": delivered, "kek": kek, "risti": risti,
            "anc_in_q": in_q, "anc_total": total, "ttd_records_in_q": tab_rec_q, "ttd_total": tabs,
            "counsel_in_q": counsel.get(pid, 0), "kf_count": kf_count}))
    for pp, _pg, pid, name, nik, desa, posyandu, hh, _delivered in posts:
        if pp not in seen_posts:
            rows.append((pid, name, nik, desa, posyandu, hh, True, {"gest_days": 280, "delivered": True,
                                                                    "kf_count": kf.get(pp, 0)}))
    n = len(rows)
    col = {name: np.zeros(n, dtype=np.int32) for name in sc.MOTHER_COLUMNS}
    status = {pid: (st, on) for pid, st, on in _rows(Person.objects.filter(pk__in=women).values_list(
        "pk", "jkn_status", "jkn_checked_on"))} if rows else {}
    for i, (pid, *_rest, hh, _delivered, facts) in enumerate(rows):
        for key, value in facts.items():
            col[key][i] = value
        h = hh_facts.get(hh, EMPTY_HH) if hh else EMPTY_HH
        col["water"][i], col["latrine"][i] = h.get("water", -1), h.get("latrine", -1)
        col["jkn"][i] = 1 if (h.get("jkn") or pid in jkn_people) else -1
        col["home_visits_in_q"][i] = h.get("visits_q", 0)
    # Her own recorded membership, as for the children.
    own = [status.get(r[0], ("", None)) for r in rows]
    col["jkn"] = np.maximum(col["jkn"], jkn_column([o[0] for o in own], [o[1] for o in own], q_end))
    codes = sc.mother_codes(col, mode)
    tms = sc.trimesters(col["gest_days"], mode)
    detail = ["bersalin" if r[6] else f"TM{int(t)}" for r, t in zip(rows, tms, strict=True)]
    return Block("bumil", [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows],
                 [r[4] for r in rows], detail, codes)


def _paud_counts(scope, region_code, q_end) -> dict[str, int]:
    """Children 2-6 years (24-83 completed months) at the quarter's end, per desa."""
    qs = Person.objects.filter(people_q(scope, region_code), active=True,
                               birth_date__gt=months_before(q_end, 84), birth_date__lte=months_before(q_end, 24))
    return dict(qs.values_list("desa_id").annotate(n=Count("pk")))


def _live(scope: Scope, region_code: str, period: Period, mode: str, with_people: bool):
    """Computed from the records: (cards without lokus / Dana Desa, people blocks)."""
    q_start, q_end = period.start, period.end
    blocks = [_mothers(scope, region_code, q_start, q_end, mode), _children(scope, region_code, q_start, q_end, mode)]
    paud = _paud_counts(scope, region_code, q_end)
    desa_q = Region.objects.filter(scope.region_q("code"), level=Region.Level.DESA)
    if region_code:
        desa_q = desa_q.filter(within("code", region_code))
    names = dict(desa_q.values_list("code", "name"))
    codes = sorted(set(names) | set(paud) | {d for b in blocks for d in b.desa})
    index = {c: i for i, c in enumerate(codes)}
    tallies = {}
    mats = np.zeros((len(codes), 4), dtype=int)
    breakdown: list[Counter] = [Counter() for _ in codes]
    for b in blocks:
        unit = np.fromiter((index[d] for d in b.desa), dtype=np.int64, count=len(b))
        tallies[b.group] = sc.tally(b.group, b.codes, unit, len(codes))
        if b.mat is not None:
            mat_code = np.fromiter((MAT_INDEX[m] for m in b.mat), dtype=np.int64, count=len(b))
            mats += np.bincount(unit * 4 + mat_code, minlength=len(codes) * 4).reshape(len(codes), 4)
        for u, d in zip(unit.tolist(), b.detail, strict=True):
            breakdown[u][(b.group, d)] += 1
    paud_n = np.array([paud.get(c, 0) for c in codes], dtype=np.int64)
    tallies["paud"] = sc.tally("paud", {"paud": np.full(int(paud_n.sum()), 3, np.int8)},
                               np.repeat(np.arange(len(codes)), paud_n), len(codes))
    cards = []
    for i, code in enumerate(codes):
        groups = {g: tallies[g][i] for g in GROUPS}
        cards.append(DesaCard(code, names.get(code, code), code.rsplit(".", 1)[0], False, groups,
                              sc.overall(groups.values()), dict(zip(MATS, mats[i].tolist(), strict=True)),
                              breakdown=dict(breakdown[i])))
    return cards, (_person_rows(blocks) if with_people else [])


GROUPS = ("bumil", "anak", "paud")


def _cell_data(card: DesaCard) -> dict:
    return {"groups": {g: {"people": s.people, "complete": s.complete,
                           "items": {c.item: [c.counts[k] for k in sc.STATUSES] for c in s.items}}
                       for g, s in card.groups.items()},
            "mat": card.growth_mat, "breakdown": [[g, d, n] for (g, d), n in card.breakdown.items()]}


def _card_from_cell(code: str, name: str, data: dict) -> DesaCard:
    groups = {}
    for g in GROUPS:
        raw = data["groups"][g]
        items = [sc.ItemCount(i, dict(zip(sc.STATUSES, raw["items"][i], strict=True))) for i in sc.group_items(g)]
        score = sc.Score(sum(c.counts[sc.Y] for c in items), sum(c.expected for c in items))
        groups[g] = sc.GroupSummary(g, raw["people"], items, score, raw["complete"])
    return DesaCard(code, name, code.rsplit(".", 1)[0], False, groups, sc.overall(groups.values()), data["mat"],
                    breakdown={(g, d): n for g, d, n in data["breakdown"]})


SYSTEM = Scope(everything=True)


def _cached_cards(scope: Scope, region_code: str, period: Period, mode: str) -> list[DesaCard]:
    """Every desa of the region the (region-shaped) scope reaches, from ScorecardCell; the desa
    without a current cell are computed (under the system scope: a cell is a whole desa) and
    stored."""
    from .models import ScorecardCell

    desa_q = Region.objects.filter(scope.region_q("code"), level=Region.Level.DESA)
    if region_code:
        desa_q = desa_q.filter(within("code", region_code))
    names = dict(desa_q.values_list("code", "name"))
    version = sc.version()
    cells = ScorecardCell.objects.filter(scope.region_q("desa_id"), period_key=period.key, mode=mode, version=version)
    if region_code:
        cells = cells.filter(within("desa_id", region_code))
    found = {c.desa_id: c.data for c in cells}
    missing = sorted(set(names) - set(found))
    if missing:
        if len(missing) <= 3:
            computed = [card for code in missing for card in _live(SYSTEM, code, period, mode, False)[0]]
        else:
            computed = [c for c in _live(SYSTEM, region_code, period, mode, False)[0] if c.code in names]
        ScorecardCell.objects.bulk_create(
            [ScorecardCell(desa_id=c.code, period_key=period.key, mode=mode, version=version, data=_cell_data(c))
             for c in computed],
            update_conflicts=True, unique_fields=["desa", "period_key", "mode"], update_fields=["version", "data"])
        for c in computed:
            found[c.code] = _cell_data(c)
    return [_card_from_cell(code, names[code], found[code]) for code in sorted(names) if code in found]


def scorecard(scope: Scope, region_code: str, period: Period, mode: str = "benar", *,
              with_people: bool = False) -> Scorecard:
    """The scorecard of every desa in `region_code` the scope reaches, for one quarter (any
    period works: its first and last day bound the counts; the scorecard is defined per quarter).
    Region-shaped scopes read the maintained per-desa cells (ScorecardCell); names
    (`with_people`) and a cadre's posyandu are computed from the records."""
    scope = as_scope(scope)
    if with_people or scope.is_cadre or scope.is_empty:
        cards, people = _live(scope, region_code, period, mode, with_people)
    else:
        cards, people = _cached_cards(scope, region_code, period, mode), []
    lokus = lokus_codes(scope, period.year)
    money = dana_desa(scope, region_code, period.year)
    for c in cards:
        c.lokus, c.dana_desa = c.code in lokus, money.get(c.code)
    for _kec, units in _by(cards, lambda c: c.kecamatan).items():
        _rank(units)
    all_groups = {g: sc.merge(g, [c.groups[g] for c in cards]) for g in GROUPS}
    kec_names = dict(Region.objects.filter(code__in={c.kecamatan for c in cards}).values_list("code", "name"))
    kecamatan = []
    for kec, units in _by(cards, lambda c: c.kecamatan).items():
        score = sc.Score()
        for u in units:
            score = score + u.score
        kecamatan.append(UnitScore(kec, kec_names.get(kec, kec), score, sum(u.lokus for u in units), len(units)))
    region = Region.objects.filter(code=region_code).first() if region_code else None
    breakdown: Counter = Counter()
    mat: Counter = Counter(dict.fromkeys(MATS, 0))
    for c in cards:
        breakdown.update(c.breakdown)
        mat.update(c.growth_mat)
    return Scorecard(region, region_code, period, mode, cards, all_groups, sc.overall(all_groups.values()),
                     {k: mat[k] for k in MATS}, _rank(kecamatan), people,
                     dict(sorted(breakdown.items(), key=lambda kv: breakdown_key(kv[0]))))


MATS = ("TD", "M", "K", "H")
MAT_INDEX = {m: i for i, m in enumerate(MATS)}


def _person_rows(blocks: list[Block]) -> list[PersonRow]:
    rows = []
    for b in blocks:
        items = list(b.codes)
        stack = np.stack([b.codes[i] for i in items], axis=1) if len(b) else np.zeros((0, len(items)), np.int8)
        for j in range(len(b)):
            statuses = {item: sc.STATUSES[int(stack[j, k])] for k, item in enumerate(items)}
            rows.append(PersonRow(b.group, b.person_ids[j], b.names[j], b.niks[j], b.desa[j], b.posyandu[j],
                                  b.detail[j], statuses, sc.person_score(statuses), sc.complete_package(statuses),
                                  b.mat[j] if b.mat is not None else ""))
    return sorted(rows, key=lambda r: (r.group, r.desa, r.name))


def _by(items, key):
    out = defaultdict(list)
    for i in items:
        out[key(i)].append(i)
    return out



@dataclass
class TrendPoint:
    period: Period
    score: sc.Score
    people: int


def scorecard_trend(scope: Scope, region_code: str, period: Period, count: int = 4,
                    mode: str = "benar") -> list[TrendPoint]:
    out = []
    for p in period.history(count):
        card = scorecard(scope, region_code, p, mode)
        out.append(TrendPoint(p, card.score, sum(g.people for k, g in card.groups.items() if k != "paud")))
    return out


# --- RAN-PASTI indicators -------------------------------------------------------------------------


def indicator_table(scope: Scope, region_code: str, period: Period) -> list[ranpasti.IndicatorValue]:
    scope = as_scope(scope)
    facts = ranpasti_facts(scope, region_code, period)
    local = local_targets(scope, region_code, period.year)
    return [ranpasti.evaluate(d, facts, local.get(d["code"])) for d in ranpasti.definitions()]


def indicator_value(scope: Scope, region_code: str, period: Period, code: str) -> ranpasti.IndicatorValue:
    scope = as_scope(scope)
    definition = ranpasti.definition(code)
    facts = ranpasti_facts(scope, region_code, period, only=code)
    return ranpasti.evaluate(definition, facts, local_targets(scope, region_code, period.year).get(code))


def ranpasti_facts(scope: Scope, region_code: str, period: Period, only: str | None = None) -> ranpasti.Facts:
    """The rows the indicator functions count, read under the scope. `only` reads just what one
    indicator needs (the commitment metrics)."""
    from tumbuh.targets.models import (
        Adolescent,
        BreastfeedingMonth,
        CatinScreening,
        HbTest,
        TtdWeek,
    )

    start, end = period.start, period.end
    need = ranpasti.needs(only)
    f = ranpasti.Facts(start=start, end=end)
    pq = people_q(scope, region_code)
    if "pregnancies" in need:
        qs = Pregnancy.objects.filter(pq, hpht__lte=end).filter(
            Q(outcome_on__gte=start) | Q(outcome_on__isnull=True, due_on__gte=start - dt.timedelta(days=42)))
        f.pregnancies = [ranpasti.PregnancyRow(*r) for r in qs.values_list(
            "person_id", "hpht", "outcome", "outcome_on", "kek", "ttd_total")]
        ids = qs.values("person_id")
        f.person_deliveries.update(_delivery_dates(ids, ("PMT-BUMIL", "TTD-BUMIL"), end))
        for pid, code, day in _rows(_courses().filter(person_id__in=ids, code="PMT-BUMIL", start__lte=end)
                                    .values_list("person_id", "code", "start")):
            f.person_deliveries[(pid, code)].append((_date(day), 0.0))
        # Tablets from ANC visits up to the period's end (the stored ttd_total counts every visit).
        tabs = dict(AncVisit.objects.filter(pregnancy__in=qs, visited_on__lte=end).values_list("pregnancy__person_id")
                    .annotate(t=Sum("ttd_given")))
        f.pregnancies = [p._replace(ttd_anc=int(tabs.get(p.person_id) or 0)) for p in f.pregnancies]
    if "adolescents" in need:
        teens = Adolescent.objects.filter(pq, person__birth_date__gt=months_before(end, 19 * 12),
                                          person__birth_date__lte=months_before(end, 12 * 12))
        ids = list(teens.values_list("pk", "person_id"))
        taken = set(TtdWeek.objects.filter(adolescent__in=teens, taken=True, week_start__gte=start - dt.timedelta(days=6),
                                           week_start__lte=end).values_list("adolescent_id", flat=True))
        tested = set(HbTest.objects.filter(adolescent__in=teens, tested_on__gte=start, tested_on__lte=end)
                     .values_list("adolescent_id", flat=True))
        delivered = set(_deliveries().filter(person_id__in=[p for _a, p in ids], code="TTD-REMAJA", date__gte=start,
                                             date__lte=end).values_list("person_id", flat=True))
        f.adolescents = [ranpasti.AdolescentRow(pid, a in taken or pid in delivered, a in tested) for a, pid in ids]
    if "postpartum" in need:
        posts = Postpartum.objects.filter(pq, delivered_on__gte=months_before(start, 6) - dt.timedelta(days=1),
                                          delivered_on__lte=end)
        bf = defaultdict(dict)
        for pp, month, exclusive in BreastfeedingMonth.objects.filter(postpartum__in=posts).values_list(
                "postpartum_id", "month", "exclusive"):
            bf[pp][month] = bf[pp].get(month, True) and exclusive
        kb_people = set(_deliveries().filter(person_id__in=posts.values("person_id"), code="KB-PASCASALIN",
                                             date__lte=end).values_list("person_id", flat=True))
        f.postpartum = [ranpasti.PostpartumRow(pid, delivered, kb, pid in kb_people, bf.get(pp, {}))
                        for pp, pid, delivered, kb in posts.values_list("pk", "person_id", "delivered_on", "kb_method")]
    if "children" in need:
        kids = Person.objects.filter(pq, active=True, birth_date__gt=months_before(end, 60) - dt.timedelta(days=1),
                                     birth_date__lte=end)
        in_period = Measurement.objects.filter(child__in=kids, measured_on__gte=start, measured_on__lte=end)
        f.registered = kids.count()
        f.measured = in_period.aggregate(n=Count("child_id", distinct=True))["n"]
        # Only the children with a low BB/TB or LiLA in the period matter to the two nutrition
        # indicators: their measurements of the period, not the whole kabupaten's.
        sick = sorted({r[0] for r in _rows(in_period.filter(
            Q(weight_for_length_z__lt=-2, weight_for_length_flag=False) | Q(arm_circumference_cm__lt=11.5))
            .values_list("child_id"))})  # a few percent of the children: a list beats a nested subquery
        f.measurements = [ranpasti.MeasurementRow(c, _date(d), a, z, fl, mu) for c, d, a, z, fl, mu in _rows(
            in_period.filter(child_id__in=sick).order_by("child_id", "measured_on")
            .values_list("child_id", "measured_on", "age_days", "weight_for_length_z", "weight_for_length_flag",
                         "arm_circumference_cm"))]
        f.person_deliveries.update(_delivery_dates(sick, ("PMT-BALITA", "TATA-LAKSANA-GIZI-BURUK",
                                                          "RUMAH-SINGGAH-GIZI"), end + dt.timedelta(days=14)))
        for pid, code, day in _rows(_courses().filter(person_id__in=sick, code="PMT-BALITA", start__lte=end)
                                    .values_list("person_id", "code", "start")):
            f.person_deliveries[(pid, code)].append((_date(day), 0.0))
        yearlings = kids.filter(birth_date__gte=months_before(start, 12), birth_date__lte=months_before(end, 12))
        f.children = [(pid, _date(born)) for pid, born in _rows(yearlings.values_list("pk", "birth_date"))]
        f.person_deliveries.update(_delivery_dates(yearlings.values("pk"), ("IMUNISASI-DASAR",), end))
    if "catin" in need:
        f.catin = list(CatinScreening.objects.filter(pq, planned_marriage_on__gte=start, planned_marriage_on__lte=end)
                       .values_list("person_id", "screened_on", "planned_marriage_on"))
    if "households" in need:
        from tumbuh.targets.selectors import household_q

        semester = target_rules.semester_of(end)
        # Region teams: the snapshots placed in their area (indexed); a cadre: households with a
        # member of their posyandu (targets' household rule).
        place = household_q(scope) if scope.is_cadre else scope.place_q("desa")
        snaps = KrsSnapshot.objects.filter(place, period=semester)
        if region_code:
            snaps = snaps.filter(within("desa_id", region_code))
        f.households = [ranpasti.HouseholdRow(*r) for r in snaps.values_list(
            "household_id", "water_source", "latrine", "krs", "pus", "unmet_need")]
        hh_ids = snaps.values("household_id")
        f.household_deliveries = defaultdict(list)
        for hh, code, day in _rows(_deliveries().filter(household_id__in=hh_ids, code__in=(
                "AIR-MINUM", "JAMBAN", "PENDAMPINGAN-TPK"), date__lte=end).values_list("household_id", "code")
                .annotate(last=Max("date"))):
            f.household_deliveries[(hh, code)].append(_date(day))  # the latest is all the rules need
        f.tpk_visited = set(TpkVisit.objects.filter(household_id__in=hh_ids, visited_on__gte=start,
                                                    visited_on__lte=end).values_list("household_id", flat=True))
        k = target_rules.cutoffs()["krs"]
        f.safe_water, f.safe_latrine = set(k["safe_water"]["value"]), set(k["safe_latrine"]["value"])
    if "counts" in need:
        place = scope.place_q("desa")  # deliveries carry the household's desa
        if region_code:
            place &= within("desa_id", region_code)
        for code in ("JKN-PBI", "BANSOS-PKH", "BANSOS-BPNT"):
            since = dt.date(1900, 1, 1) if code == "JKN-PBI" else start
            delivered = _deliveries().filter(place, household__isnull=False, code=code, date__gte=since, date__lte=end)
            if code != "JKN-PBI":
                f.household_counts[code] = delivered.aggregate(n=Count("household_id", distinct=True))["n"]
                continue
            # PBI JKN: families with a JKN-PBI delivery, or with a member whose recorded status is
            # PBI (APBN or APBD) checked by the period's end; one count per family (a union in SQL).
            # Mandiri and PPU members are JKN but not PBI: not counted here.
            pbi = Person.objects.filter(pq, household__isnull=False, jkn_status__in=JKN_PBI).filter(
                Q(jkn_checked_on__isnull=True) | Q(jkn_checked_on__lte=end))
            f.household_counts[code] = Household.objects.filter(
                Q(pk__in=delivered.values("household_id")) | Q(pk__in=pbi.values("household_id"))).count()
    return f


def _delivery_dates(person_ids, codes, end) -> dict:
    """(person, code) -> [(date, quantity)]; `person_ids` a subquery or a list."""
    out: dict[tuple[int, str], list] = defaultdict(list)
    if isinstance(person_ids, list | set | tuple) and not person_ids:
        return out
    for pid, code, day, qty in _rows(_deliveries().filter(person_id__in=person_ids, code__in=codes, date__lte=end)
                                     .values_list("person_id", "code", "date", "quantity")):
        out[(pid, code)].append((_date(day), float(qty)))
    return out


# --- outcome beside coverage ---------------------------------------------------------------------


def outcome_report(scope: Scope, region_code: str, as_of: dt.date):
    from . import outcomes

    scope = as_scope(scope)
    base_from, base_to = months_before(as_of, 7), months_before(as_of, 5)
    follow_from = months_before(as_of, 2)
    kids = Person.objects.filter(people_q(scope, region_code), birth_date__gt=months_before(as_of, 66))
    rows = list(Measurement.objects.filter(child__in=kids, measured_on__gte=base_from, measured_on__lte=as_of)
                .order_by("child_id", "measured_on")
                .values_list("child_id", "measured_on", "age_days", "length_for_age_z", "length_for_age_flag",
                             "weight_for_length_z", "weight_for_length_flag", "weight_for_age_z",
                             "weight_for_age_flag"))
    ids = sorted({r[0] for r in rows})
    pmt = defaultdict(list)
    for pid, day in _deliveries().filter(person_id__in=ids, code="PMT-BALITA", date__gte=base_from - dt.timedelta(days=30),
                                         date__lte=as_of).values_list("person_id", "date"):
        pmt[pid].append(day)
    for pid, day in _courses().filter(person_id__in=ids, code="PMT-BALITA", start__lte=as_of,
                                      end__gte=base_from).values_list("person_id", "start"):
        pmt[pid].append(day)
    completeness = outcomes.convergence_completeness(ids, as_of)
    return outcomes.report([outcomes.MeasurementRow(*r) for r in rows], base_from, base_to, follow_from, as_of,
                           pmt, completeness)
