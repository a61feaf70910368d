"""Writes to the target-group registers: each in a transaction, each audited, each refusing a
person or household outside the user's scope (PermissionDenied), each refusing implausible values
with Indonesian messages (`InputError`) before anything is saved. Derived verdicts are recomputed
here, in the writer's transaction, so every read after a write is fresh."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.scoping import scope_for
from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.regions.models import Region
from tumbuh.regions.selectors import regions_for
from tumbuh.registry import services as registry_services
from tumbuh.registry.models import Household, Person
from tumbuh.registry.selectors import households_for, people_for

from . import rules, validation
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


class InputError(ValueError):
    """Implausible or missing input: `problems` are Indonesian messages bound to form fields."""

    def __init__(self, problems):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = list(problems)


def today() -> dt.date:
    return timezone.localdate()


UNVOID = {"voided_at": None, "voided_by": None, "void_reason": ""}


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


def _check_person(user, person: Person) -> None:
    if not people_for(user).filter(pk=person.pk).exists():
        raise PermissionDenied("person outside the user's scope")


def _check_household(user, household: Household) -> None:
    if not households_for(user).filter(pk=household.pk).exists():
        raise PermissionDenied("household outside the user's scope")


def _raise_if(problems) -> None:
    if problems:
        raise InputError(problems)


def _audit(user, action, obj, summary, detail=None, request=None):
    record(user, action, obj=obj, summary=summary, detail=detail or {}, request=request)


def _placed(person: Person) -> dict[str, Any]:
    return {"person": person, "desa_id": person.desa_id, "posyandu_id": person.posyandu_id}


# --- catin -----------------------------------------------------------------------------------------

CATIN_FIELDS = ["screened_on", "planned_marriage_on", "kua", "partner_name", "weight_kg", "height_cm",
                "lila_cm", "hb_gdl", "waist_cm", "smoking", "ttd90_started_on", "notes"]


def apply_catin_rule(screening: CatinScreening, person: Person) -> None:
    result = rules.catin_risk(
        sex=person.sex, age=rules.age_years(person.birth_date, screening.screened_on),
        weight_kg=screening.weight_kg, height_cm=screening.height_cm, lila_cm=screening.lila_cm,
        hb_gdl=screening.hb_gdl,
    )
    screening.bmi, screening.age_years = result.bmi, result.age
    screening.at_risk, screening.reasons, screening.rule_version = result.at_risk, list(result.reasons), result.version


@transaction.atomic
def screen_catin(user, person: Person, data: dict[str, Any], *, request=None) -> CatinScreening:
    _check_person(user, person)
    _raise_if(validation.catin_problems(data, today()))
    screening = CatinScreening(**_placed(person), **{k: data.get(k) for k in CATIN_FIELDS if k in data},
                               created_by=_user(user))
    screening.smoking = bool(data.get("smoking"))
    screening.kua = data.get("kua") or ""
    screening.partner_name = data.get("partner_name") or ""
    screening.notes = data.get("notes") or ""
    apply_catin_rule(screening, person)
    screening.save()
    _audit(user, AuditEvent.Action.CREATE, screening, _("catin screening of person %(a)s") % {"a": person.pk},
           {"at_risk": screening.at_risk, "reasons": screening.reasons, "rule_version": screening.rule_version},
           request)
    return screening


# --- pregnancy ---------------------------------------------------------------------------------

PREGNANCY_FIELDS = ["hpht", "gravida", "para", "abortus", "last_birth_on", "height_cm", "weight_before_kg",
                    "lila_cm", "hb_gdl", "notes"]


def refresh_pregnancy(pregnancy: Pregnancy, mother: Person | None = None) -> None:
    """Recompute every derived field of a pregnancy from its own fields and its visits."""
    mother = mother or pregnancy.person
    visits = list(pregnancy.visits.all()) if pregnancy.pk else []
    pregnancy.due_on = rules.due_date(pregnancy.hpht)
    pregnancy.mother_age = rules.age_years(mother.birth_date, pregnancy.hpht)
    latest_lila = next((v.lila_cm for v in reversed(visits) if v.lila_cm is not None), None)
    latest_hb = next((v.hb_gdl for v in reversed(visits) if v.hb_gdl is not None), None)
    # KEK is judged on the first LiLA (the registration's, else the first visit's); anaemia on the latest Hb.
    first_lila = pregnancy.lila_cm if pregnancy.lila_cm is not None else next(
        (v.lila_cm for v in visits if v.lila_cm is not None), latest_lila)
    pregnancy.kek = rules.is_kek(first_lila)
    pregnancy.anaemia = rules.is_anaemic_pregnant(latest_hb if latest_hb is not None else pregnancy.hb_gdl)
    pregnancy.four_t = list(rules.four_t(mother_age=pregnancy.mother_age, last_birth=pregnancy.last_birth_on,
                                         hpht=pregnancy.hpht, previous_children=pregnancy.para))
    summary = rules.anc_summary(pregnancy.hpht, [v.visited_on for v in visits])
    pregnancy.anc_contacts, pregnancy.k6 = summary.contacts, summary.k6
    pregnancy.ttd_total = sum(v.ttd_given for v in visits)
    pregnancy.latest_weight_kg = next((v.weight_kg for v in reversed(visits) if v.weight_kg is not None), None)
    pregnancy.high_risk = bool(pregnancy.kek or pregnancy.anaemia or pregnancy.four_t)
    pregnancy.rule_version = rules.version()


@transaction.atomic
def register_pregnancy(user, person: Person, data: dict[str, Any], *, request=None) -> Pregnancy:
    _check_person(user, person)
    problems = []
    if person.sex != Person.Sex.FEMALE:
        problems.append(validation.Problem("Hanya perempuan yang dapat didaftarkan sebagai ibu hamil", None))
    problems += validation.pregnancy_problems(data, person.birth_date, today())
    if data.get("hpht") and Pregnancy.objects.filter(person=person, outcome="", hpht__gt=data["hpht"] - dt.timedelta(days=300)).exists():
        problems.append(validation.Problem("Ibu ini sudah memiliki kehamilan yang sedang berjalan", "hpht"))
    _raise_if(problems)
    pregnancy = Pregnancy(**_placed(person), household_id=person.household_id, created_by=_user(user),
                          **{k: data[k] for k in PREGNANCY_FIELDS if data.get(k) is not None})
    refresh_pregnancy(pregnancy, person)
    pregnancy.save()
    _audit(user, AuditEvent.Action.CREATE, pregnancy, _("pregnancy of person %(a)s") % {"a": person.pk},
           {"hpht": pregnancy.hpht, "four_t": pregnancy.four_t, "kek": pregnancy.kek}, request)
    rederive_households([person.household_id])
    return pregnancy


@transaction.atomic
def add_anc_visit(user, pregnancy: Pregnancy, data: dict[str, Any], *, request=None) -> AncVisit:
    _check_person(user, pregnancy.person)
    _raise_if(validation.visit_problems(data, pregnancy.hpht, today(), pregnancy.outcome_on))
    weeks = rules.gestational_weeks(pregnancy.hpht, data["visited_on"])
    visit = AncVisit.objects.create(
        pregnancy=pregnancy, visited_on=data["visited_on"], place=data.get("place") or AncVisit.Place.POSYANDU,
        gestational_weeks=weeks, trimester=rules.trimester(weeks), weight_kg=data.get("weight_kg"),
        lila_cm=data.get("lila_cm"), hb_gdl=data.get("hb_gdl"), ttd_given=data.get("ttd_given") or 0,
        notes=data.get("notes") or "", created_by=_user(user),
    )
    refresh_pregnancy(pregnancy)
    pregnancy.save()
    _audit(user, AuditEvent.Action.CREATE, pregnancy, _("ANC visit %(a)s of pregnancy %(b)s") % {"a": visit.pk, "b": pregnancy.pk},
           {"visited_on": visit.visited_on, "contacts": pregnancy.anc_contacts, "k6": pregnancy.k6}, request)
    return visit


@transaction.atomic
def record_outcome(user, pregnancy: Pregnancy, *, outcome: str, outcome_on: dt.date,
                   births: list[dict[str, Any]] = (), request=None) -> list[Birth]:
    """End a pregnancy. A live birth links each baby: an existing Person (`child`) or a new one
    registered in the registry (name, sex), with birth weight/length, BBLR and short flags. A
    live birth or a stillbirth opens the mother's after-birth (nifas) record."""
    mother = pregnancy.person
    _check_person(user, mother)
    problems = _date_problems_outcome(pregnancy, outcome, outcome_on, births)
    _raise_if(problems)
    pregnancy.outcome, pregnancy.outcome_on = outcome, outcome_on
    pregnancy.save()
    made = []
    for baby in (births if outcome == Pregnancy.Outcome.LIVE_BIRTH else ()):
        weight_g, length_cm = baby.get("weight_g"), baby.get("length_cm")
        child = baby.get("child")
        if child is None:
            child = registry_services.create_person(user, {
                "name": baby["name"], "sex": baby["sex"], "birth_date": outcome_on, "nik": baby.get("nik", ""),
                "birth_weight_kg": weight_g / 1000 if weight_g else None, "birth_length_cm": length_cm,
                "desa": mother.desa, "posyandu": mother.posyandu, "household": mother.household, "mother": mother,
            }, request=request)
        else:
            _check_person(user, child)
            child.mother = child.mother or mother
            if weight_g:
                child.birth_weight_kg = weight_g / 1000
            if length_cm:
                child.birth_length_cm = length_cm
            child.save(update_fields=["mother", "birth_weight_kg", "birth_length_cm", "updated_at"])
        # A child's birth voided before (linked to the wrong pregnancy) is re-linked, not duplicated.
        birth, _new = Birth.all_objects.update_or_create(child=child, defaults={
            "pregnancy": pregnancy, "born_on": outcome_on, "weight_g": weight_g, "length_cm": length_cm,
            "bblr": rules.is_bblr(weight_g), "short": rules.is_short_at_birth(length_cm),
            "rule_version": rules.version(), **UNVOID})
        made.append(birth)
    if outcome in (Pregnancy.Outcome.LIVE_BIRTH, Pregnancy.Outcome.STILLBIRTH):
        Postpartum.all_objects.get_or_create(pregnancy=pregnancy, defaults={
            **_placed(mother), "delivered_on": outcome_on, "created_by": _user(user), "rule_version": rules.version()})
    _audit(user, AuditEvent.Action.UPDATE, pregnancy, _("outcome of pregnancy %(a)s: %(b)s") % {"a": pregnancy.pk, "b": outcome},
           {"outcome": outcome, "outcome_on": outcome_on, "births": [b.child_id for b in made],
            "bblr": [b.bblr for b in made], "short": [b.short for b in made]}, request)
    rederive_households([mother.household_id])
    return made


def _date_problems_outcome(pregnancy, outcome, outcome_on, births):
    from tumbuh.measurements.validation import Problem

    problems = []
    if outcome not in Pregnancy.Outcome.values or not outcome:
        problems.append(Problem("Pilih hasil kehamilan", "outcome"))
    if outcome_on is None:
        problems.append(Problem("Isi tanggal persalinan/berakhirnya kehamilan", "outcome_on"))
    elif outcome_on > today():
        problems.append(Problem("Tanggal persalinan tidak boleh di masa depan", "outcome_on"))
    elif outcome_on < pregnancy.hpht:
        problems.append(Problem("Tanggal persalinan sebelum HPHT", "outcome_on"))
    if outcome == Pregnancy.Outcome.LIVE_BIRTH:
        if not births:
            problems.append(Problem("Isi data bayi yang lahir hidup", None))
        for baby in births:
            if baby.get("child") is None and not (baby.get("name") and baby.get("sex")):
                problems.append(Problem("Isi nama dan jenis kelamin bayi", "baby_name"))
            problems += validation.birth_problems(baby, today(), prefix="baby_")
            if baby.get("child") is not None and Birth.objects.filter(child=baby["child"]).exists():
                problems.append(Problem("Anak ini sudah tercatat lahir dari kehamilan lain: batalkan data kelahiran itu dulu",
                                        "existing_child"))
    return problems


# --- after birth ---------------------------------------------------------------------------------


@transaction.atomic
def start_postpartum(user, person: Person, data: dict[str, Any], *, request=None) -> Postpartum:
    """A mother after birth recorded without a pregnancy in Tumbuh (e.g. delivered elsewhere)."""
    _check_person(user, person)
    delivered = data.get("delivered_on")
    problems = validation._date_problems(delivered, "delivered_on", "tanggal persalinan", today())
    _raise_if(problems)
    pp = Postpartum.objects.create(**_placed(person), delivered_on=delivered,
                                   delivery_place=data.get("delivery_place") or "",
                                   kb_method=data.get("kb_method") or "", created_by=_user(user),
                                   rule_version=rules.version())
    _audit(user, AuditEvent.Action.CREATE, pp, _("after-birth record of person %(a)s") % {"a": person.pk}, {"delivered_on": delivered}, request)
    return pp


@transaction.atomic
def add_kf_visit(user, pp: Postpartum, visited_on: dt.date, *, notes: str = "", request=None) -> KfVisit:
    _check_person(user, pp.person)
    problems = validation._date_problems(visited_on, "visited_on", "tanggal kunjungan", today())
    if visited_on and visited_on < pp.delivered_on:
        problems.append(validation.Problem("Tanggal kunjungan sebelum tanggal persalinan", "visited_on"))
    _raise_if(problems)
    visit = KfVisit.objects.create(postpartum=pp, visited_on=visited_on,
                                   kf_number=rules.kf_number(pp.delivered_on, visited_on), notes=notes)
    pp.kf_count = len({n for n in pp.kf_visits.values_list("kf_number", flat=True) if n})
    pp.save(update_fields=["kf_count", "updated_at"])
    _audit(user, AuditEvent.Action.CREATE, pp, _("KF visit %(a)s") % {"a": visit.pk}, {"visited_on": visited_on, "kf": visit.kf_number}, request)
    return visit


@transaction.atomic
def set_kb(user, pp: Postpartum, method: str, *, reason: str = "", request=None) -> Postpartum:
    _check_person(user, pp.person)
    if method not in Postpartum.Kb.values:
        raise InputError([validation.Problem("Metode KB tidak dikenal", "kb_method")])
    pp.kb_method, pp.kb_refusal_reason = method, reason if method == Postpartum.Kb.REFUSED else ""
    pp.save(update_fields=["kb_method", "kb_refusal_reason", "updated_at"])
    _audit(user, AuditEvent.Action.UPDATE, pp, _("KB pascasalin of record %(a)s") % {"a": pp.pk}, {"kb_method": method}, request)
    return pp


@transaction.atomic
def set_breastfeeding(user, pp: Postpartum, month: int, exclusive: bool, *, child: Person | None = None,
                      request=None) -> BreastfeedingMonth:
    _check_person(user, pp.person)
    if not 1 <= month <= rules.cut("nifas", "exclusive_months"):
        raise InputError([validation.Problem("Bulan ASI eksklusif harus 1 sampai 6", "month")])
    row, _created = BreastfeedingMonth.all_objects.update_or_create(postpartum=pp, child=child, month=month,
                                                             defaults={"exclusive": exclusive, **UNVOID})
    _audit(user, AuditEvent.Action.UPDATE, pp, _("breastfeeding month %(a)s") % {"a": month}, {"exclusive": exclusive}, request)
    return row


# --- remaja putri -----------------------------------------------------------------------------------


@transaction.atomic
def register_adolescent(user, person: Person, data: dict[str, Any], *, request=None) -> Adolescent:
    _check_person(user, person)
    age = rules.age_years(person.birth_date, today())
    problems = []
    if person.sex != Person.Sex.FEMALE:
        problems.append(validation.Problem("Sasaran remaja putri harus perempuan", None))
    if not rules.is_adolescent_age(age):
        problems.append(validation.Problem(f"Umur {age} tahun: remaja putri berumur 12-18 tahun", None))
    _raise_if(problems)
    # A voided record of this girl is brought back by registering her again (one per person).
    teen, created = Adolescent.all_objects.update_or_create(person=person, defaults={**UNVOID,
        "desa_id": person.desa_id, "posyandu_id": person.posyandu_id, "school": data.get("school") or "",
        "grade": data.get("grade") or "", "in_school": bool(data.get("in_school", True)),
        "created_by": _user(user), "rule_version": rules.version()})
    _audit(user, AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, teen,
           f"adolescent girl {person.pk}", {"school": teen.school}, request)
    return teen


@transaction.atomic
def add_hb_test(user, teen: Adolescent, tested_on: dt.date, hb_gdl: float | None, *, request=None) -> HbTest:
    _check_person(user, teen.person)
    problems = validation._date_problems(tested_on, "tested_on", "tanggal pemeriksaan", today())
    if hb_gdl is None:
        problems.append(validation.Problem("Isi kadar Hb", "hb_gdl"))
    else:
        problems += validation.body_problems({"hb_gdl": hb_gdl}, today())
    _raise_if(problems)
    test = HbTest.objects.create(adolescent=teen, tested_on=tested_on, hb_gdl=hb_gdl,
                                 anaemia=rules.is_anaemic_adolescent(hb_gdl), rule_version=rules.version())
    latest = teen.hb_tests.order_by("-tested_on", "-pk").first()
    teen.latest_hb_gdl, teen.latest_hb_on, teen.anaemia = latest.hb_gdl, latest.tested_on, latest.anaemia
    teen.rule_version = rules.version()
    teen.save(update_fields=["latest_hb_gdl", "latest_hb_on", "anaemia", "rule_version", "updated_at"])
    _audit(user, AuditEvent.Action.CREATE, teen, _("Hb test %(a)s") % {"a": test.pk}, {"tested_on": tested_on, "hb": hb_gdl}, request)
    return test


@transaction.atomic
def record_ttd_week(user, teen: Adolescent, day: dt.date, taken: bool, *, request=None) -> TtdWeek:
    _check_person(user, teen.person)
    _raise_if(validation._date_problems(day, "week_start", "minggu", today()))
    monday = day - dt.timedelta(days=day.weekday())
    row, _created = TtdWeek.all_objects.update_or_create(adolescent=teen, week_start=monday,
                                                         defaults={"taken": taken, **UNVOID})
    _audit(user, AuditEvent.Action.UPDATE, teen, _("TTD week %(a)s") % {"a": monday}, {"taken": taken}, request)
    return row


# --- KRS ----------------------------------------------------------------------------------------------

KRS_CRITERIA = ["water_source", "latrine", "house_livable", "welfare", "couple", "modern_contraception", "wife"]


def _pick_wife(members: list[Person], pregnant_ids: set[int], on: dt.date) -> Person | None:
    """The household's wife when none is recorded: a woman 15-49 who is pregnant or the mother of a
    member, else the oldest woman 15-49."""
    low, high = rules.cut("krs", "wife_age_range")
    women = [m for m in members if m.sex == "F" and low <= rules.age_years(m.birth_date, on) <= high]
    mothers = {m.mother_id for m in members if m.mother_id}
    for w in sorted(women, key=lambda p: p.birth_date):
        if w.pk in pregnant_ids or w.pk in mothers:
            return w
    return min(women, key=lambda p: p.birth_date, default=None)


def derive_snapshot(snap: KrsSnapshot, members: list[Person], pregnant_ids: set[int], on: dt.date) -> None:
    wife = next((m for m in members if m.pk == snap.wife_id), None) or _pick_wife(members, pregnant_ids, on)
    data = rules.KrsInput(
        on=on,
        members=tuple(rules.Member(m.birth_date, m.sex, m.pk in pregnant_ids,
                                   bool(wife and m.mother_id == wife.pk)) for m in members),
        wife_birth_date=wife.birth_date if wife else None, couple=snap.couple,
        water_source=snap.water_source, latrine=snap.latrine, house_livable=snap.house_livable,
        modern_contraception=snap.modern_contraception,
    )
    result = rules.derive_krs(data)
    snap.wife = wife
    snap.reference_on = on
    for name in ("pus", "wife_age", "pregnant", "baduta", "balita", "children", "youngest_spacing_months",
                 "target", "krs", "unmet_need"):
        setattr(snap, name, getattr(result, name))
    snap.risk_factors = list(result.risk_factors)
    snap.rule_version = result.version
    snap.derived_at = timezone.now()


def reference_date(period: str, on: dt.date | None = None) -> dt.date:
    start, end = rules.semester_bounds(period)
    return max(start, min(end, on or today()))


DERIVED = ["wife", "reference_on", "pus", "wife_age", "pregnant", "baduta", "balita", "children",
           "youngest_spacing_months", "target", "risk_factors", "krs", "unmet_need", "rule_version", "derived_at"]


def derive_many(snapshots: list[KrsSnapshot], on: dt.date | None = None) -> None:
    """Derive snapshots (saved or not) from their households' current members: two queries for any
    number of snapshots."""
    household_ids = {s.household_id for s in snapshots}
    members: dict[int, list[Person]] = defaultdict(list)
    pregnant_ids: set[int] = set()
    ids = sorted(household_ids)
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        for p in Person.objects.filter(household_id__in=chunk, active=True).only(
                "pk", "birth_date", "sex", "mother_id", "household_id"):
            members[p.household_id].append(p)
        pregnant_ids.update(Pregnancy.objects.filter(household_id__in=chunk, outcome="")
                            .values_list("person_id", flat=True))
    for snap in snapshots:
        derive_snapshot(snap, members.get(snap.household_id, []), pregnant_ids, reference_date(snap.period, on))


def store_derived(snapshots: list[KrsSnapshot]) -> int:
    """Write the derived columns of saved snapshots: one parameterised UPDATE executed for every
    row (`executemany`). Django's `bulk_update` builds a CASE per column per row and took 600 s
    for 50,000 snapshots on the dev machine; this takes seconds (bench/bench_targets.py)."""
    from django.db import connection

    if not snapshots:
        return 0
    fields = [KrsSnapshot._meta.get_field(name) for name in DERIVED]
    qn = connection.ops.quote_name
    sql = (f"UPDATE {qn(KrsSnapshot._meta.db_table)} SET "
           + ", ".join(f"{qn(f.column)} = %s" for f in fields) + f" WHERE {qn('id')} = %s")
    rows = [[f.get_db_prep_save(getattr(s, f.attname), connection) for f in fields] + [s.pk] for s in snapshots]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start:start + 5000])
    from tumbuh.analytics.memo import bump

    bump()  # raw SQL sends no post_save: memoized pages (analytics/memo.py) must still see it
    from .summary import refresh_target_summaries

    refresh_target_summaries(desa_codes={s.desa_id for s in snapshots})  # nor do the summary cells
    return len(rows)


def rederive(snapshots: list[KrsSnapshot], on: dt.date | None = None) -> int:
    """Re-derive saved snapshots and store the verdicts."""
    if not snapshots:
        return 0
    derive_many(snapshots, on)
    return store_derived(snapshots)


def open_period(on: dt.date | None = None) -> str:
    return rules.semester_of(on or today())


def rederive_households(household_ids, on: dt.date | None = None) -> int:
    """Re-derive the open semester's snapshots of these households (closed semesters stay as
    reported). Called by every write that changes a member or a pregnancy."""
    ids = [i for i in household_ids if i]
    if not ids:
        return 0
    return rederive(list(KrsSnapshot.objects.filter(household_id__in=ids, period=open_period(on))), on)


@transaction.atomic
def save_krs(user, household: Household, period: str, criteria: dict[str, Any], *, request=None) -> KrsSnapshot:
    _check_household(user, household)
    try:
        rules.semester_bounds(period)
        if len(period) != 7 or period[4:6] != "-S" or period[-1] not in "12":
            raise ValueError
    except ValueError as exc:
        raise InputError([validation.Problem("Semester harus berbentuk 2026-S1 atau 2026-S2", "period")]) from exc
    problems = []
    if criteria.get("water_source") and criteria["water_source"] not in KrsSnapshot.Water.values:
        problems.append(validation.Problem("Sumber air minum tidak dikenal", "water_source"))
    if criteria.get("latrine") and criteria["latrine"] not in KrsSnapshot.Latrine.values:
        problems.append(validation.Problem("Jenis jamban tidak dikenal", "latrine"))
    wife = criteria.get("wife")
    if wife is not None and wife.household_id != household.pk:
        problems.append(validation.Problem("Istri harus anggota keluarga ini", "wife"))
    _raise_if(problems)
    snap, created = KrsSnapshot.all_objects.get_or_create(household=household, period=period,
                                                         defaults={"desa_id": household.desa_id})
    if snap.voided_at:  # entered again after a void: the criteria below replace the voided ones
        snap.voided_at, snap.voided_by, snap.void_reason = None, None, ""
    for name in KRS_CRITERIA:
        if name in criteria:
            setattr(snap, name, criteria[name] if criteria[name] is not None or name in
                    ("house_livable", "modern_contraception", "wife") else "")
    snap.desa_id = household.desa_id
    snap.save()
    rederive([snap])
    snap.refresh_from_db()
    _audit(user, AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, snap,
           f"KRS {period} of household {household.pk}",
           {"krs": snap.krs, "risk_factors": snap.risk_factors, "unmet_need": snap.unmet_need,
            "rule_version": snap.rule_version}, request)
    return snap


# --- TPK ---------------------------------------------------------------------------------------------


TEAM_FIELDS = ("name", "bidan", "kader_pkk", "kader_kb")


def _may_manage_teams(user) -> None:
    # TPK teams are formed by the desa/kelurahan (with the PKK, the KB field officer and the
    # midwife); a cadre or an OPD officer enters visits, not teams.
    scope = scope_for(user)
    if scope.is_cadre or scope.is_opd or scope.is_empty:
        raise PermissionDenied("TPK teams are managed by the desa, kecamatan, kab/kota or puskesmas teams")


@transaction.atomic
def save_team(user, data: dict[str, Any], team: TpkTeam | None = None, *, request=None) -> TpkTeam:
    """Create a TPK team in a desa of the user's area, or change one (name, members, active)."""
    _may_manage_teams(user)
    desa = data.get("desa") if team is None else team.desa
    if desa is None or not regions_for(user).filter(code=desa.code, level=Region.Level.DESA).exists():
        raise PermissionDenied("desa outside the user's scope")
    problems = []
    name = " ".join((data.get("name") or "").split())
    if not name:
        problems.append(validation.Problem("Isi nama tim", "name"))
    elif TpkTeam.objects.filter(desa=desa, name__iexact=name).exclude(pk=team.pk if team else None).exists():
        problems.append(validation.Problem(f"Tim bernama {name} sudah ada di desa/kelurahan ini", "name"))
    _raise_if(problems)
    created = team is None
    team = team or TpkTeam(desa=desa)
    before = {f: getattr(team, f) for f in (*TEAM_FIELDS, "active")} if not created else {}
    team.name = name
    for f in TEAM_FIELDS[1:]:
        setattr(team, f, " ".join((data.get(f) or "").split()))
    if not created and "active" in data:
        team.active = bool(data["active"])
    team.save()
    after = {f: getattr(team, f) for f in (*TEAM_FIELDS, "active")}
    changes = {f: [before.get(f), after[f]] for f in after if before.get(f) != after[f]} if not created else {}
    record(user, AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, obj=team, request=request,
           region_code=team.desa_id, summary=_("TPK team %(name)s") % {"name": team.name},
           detail={"changes": changes} if changes else {"desa": team.desa_id})
    return team


@transaction.atomic
def unassign_household(user, team: TpkTeam, household: Household, *, request=None) -> None:
    _may_manage_teams(user)
    _check_household(user, household)
    if TpkAssignment.objects.filter(team=team, household=household).delete()[0]:
        _audit(user, AuditEvent.Action.UPDATE, household, _("removed from TPK team %(a)s") % {"a": team.pk},
               {"team": team.name}, request)


@transaction.atomic
def assign_household(user, team: TpkTeam, household: Household, since: dt.date, *, request=None) -> TpkAssignment:
    _check_household(user, household)
    row, _created = TpkAssignment.objects.get_or_create(team=team, household=household, defaults={"since": since})
    _audit(user, AuditEvent.Action.UPDATE, household, _("assigned to TPK team %(a)s") % {"a": team.pk}, {"team": team.name}, request)
    return row


VISIT_FLAGS = ["counselling", "social_assistance", "danger_signs_checked", "follow_up_needed"]


@transaction.atomic
def add_tpk_visit(user, household: Household, data: dict[str, Any], *, request=None) -> TpkVisit:
    _check_household(user, household)
    team, person = data.get("team"), data.get("person")
    problems = validation._date_problems(data.get("visited_on"), "visited_on", "tanggal kunjungan", today())
    if team is None:
        problems.append(validation.Problem("Pilih tim pendamping keluarga", "team"))
    if person is not None and person.household_id != household.pk:
        problems.append(validation.Problem("Orang yang dikunjungi harus anggota keluarga ini", "person"))
    if not any(data.get(f) for f in VISIT_FLAGS[:3]) and not data.get("referral"):
        problems.append(validation.Problem("Centang minimal satu kegiatan (KIE, rujukan, bansos, tanda bahaya)", None))
    nxt = data.get("next_visit_on")
    if nxt and data.get("visited_on") and nxt < data["visited_on"]:
        problems.append(validation.Problem("Kunjungan berikutnya sebelum tanggal kunjungan ini", "next_visit_on"))
    _raise_if(problems)
    visit = TpkVisit.objects.create(
        team=team, household=household, desa_id=household.desa_id, person=person, visited_on=data["visited_on"],
        referral=data.get("referral") or "", next_visit_on=nxt, notes=data.get("notes") or "",
        created_by=_user(user), **{f: bool(data.get(f)) for f in VISIT_FLAGS})
    _audit(user, AuditEvent.Action.CREATE, household, _("TPK visit %(a)s") % {"a": visit.pk},
           {"visited_on": visit.visited_on, "team": team.name, "referral": visit.referral}, request)
    return visit


# --- people moving: target records follow the person; KRS re-derived ---------------------------------

PERSON_RECORDS = (CatinScreening, Pregnancy, Postpartum, Adolescent)


def follow_person(person: Person, before: tuple | None) -> None:
    """After any save of a Person (registry forms, imports, admin): copy a changed desa/posyandu
    onto the person's target records, so they are scoped where the person now is, and re-derive the
    open-semester KRS snapshot of the household joined and of the household left."""
    old_household, old_desa, old_posyandu = before or (None, None, None)
    if before is not None and (old_desa != person.desa_id or old_posyandu != person.posyandu_id):
        for model in PERSON_RECORDS:
            model.objects.filter(person_id=person.pk).update(desa_id=person.desa_id, posyandu_id=person.posyandu_id)
        if old_household == person.household_id:
            Pregnancy.objects.filter(person_id=person.pk, outcome="").update(household_id=person.household_id)
        from .summary import refresh_target_summaries

        refresh_target_summaries(desa_codes={old_desa, person.desa_id})  # .update() sends no post_save
    if before is not None and old_household != person.household_id:
        Pregnancy.objects.filter(person_id=person.pk, outcome="").update(household_id=person.household_id)
    rederive_households({old_household, person.household_id})


def ttd_weeks_taken(teen: Adolescent) -> int:
    return teen.ttd_weeks.filter(taken=True).count()


def pregnancy_ttd_total(pregnancy: Pregnancy) -> int:
    return pregnancy.visits.aggregate(n=Sum("ttd_given"))["n"] or 0
