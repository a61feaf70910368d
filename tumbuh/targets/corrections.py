"""Correcting and voiding entered target-group records (issue 9 item 8; the registry's change
history, issue 16 item 10).

Every record a user enters here (catin screening, pregnancy and its ANC visits and outcome, a
birth, the after-birth record with its KF visits and breastfeeding months, the adolescent record
with its Hb tests and TTD weeks, a KRS snapshot, a TPK visit) can be

* **edited** by a user whose scope holds its person (or household): the same plausibility rules
  as on entry, checked on the values that change (an unchanged HPHT of a pregnancy that ended a
  year ago does not block correcting its LiLA); the audit keeps old -> new per field
  (`detail["changes"]`, as `registry.services.update_person` does), with the person or household
  it concerns so her page shows the history; every derived verdict (catin risk, KEK / anaemia /
  4T / K6 / TTD, BBLR, KF numbers, Hb anaemia, KRS) is re-derived in the same transaction;
* **voided** with a reason, never deleted: `voided_at/voided_by/void_reason` are set, the default
  manager (`models.ActiveManager`) hides the row from every register, count and other context's
  read, and the parent's verdicts are re-derived without it.

Outside the user's scope: PermissionDenied (the views answer 404) before anything is read from
the input. Registers and counts are computed at request time, so they are fresh after the write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.registry import services as registry_services
from tumbuh.registry.selectors import people_for
from tumbuh.web.text import iso_date_shown

from . import rules, selectors, services, validation
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
    TpkVisit,
    TtdWeek,
)
from .services import InputError, today

Problem = validation.Problem


@dataclass(frozen=True)
class Kind:
    model: type[models.Model]
    title: Any  # lazy text
    fields: tuple[str, ...]
    scoped: Callable  # scope -> queryset of the kind's records the scope may see
    person: Callable | None = None  # record -> Person it concerns (person-level kinds)
    household: Callable | None = None  # record -> Household (household-level kinds)
    problems: Callable | None = None  # (record, data) -> [Problem]
    derive: Callable | None = None  # (user, record, request) -> None, after the fields are set: save + re-derive
    after_void: Callable | None = None  # (user, record, request) -> None


# --- re-derivations --------------------------------------------------------------------------------


def _refresh_pregnancy(preg: Pregnancy) -> None:
    preg = Pregnancy.all_objects.get(pk=preg.pk)
    services.refresh_pregnancy(preg)
    preg.save()


def _visit_dates(visit: AncVisit) -> None:
    weeks = rules.gestational_weeks(visit.pregnancy.hpht, visit.visited_on)
    visit.gestational_weeks, visit.trimester = weeks, rules.trimester(weeks)


def _derive_catin(user, obj: CatinScreening, request) -> None:
    services.apply_catin_rule(obj, obj.person)
    obj.save()


def _derive_pregnancy(user, obj: Pregnancy, request) -> None:
    for visit in obj.visits.all():
        _visit_dates(visit)
        visit.save(update_fields=["gestational_weeks", "trimester"])
    if obj.outcome_on:
        obj.births.update(born_on=obj.outcome_on)
    services.refresh_pregnancy(obj)
    obj.save()
    pp = Postpartum.objects.filter(pregnancy=obj).first()
    if pp and obj.outcome_on and pp.delivered_on != obj.outcome_on:
        pp.delivered_on = obj.outcome_on
        _derive_postpartum(user, pp, request)
    services.rederive_households([obj.household_id, obj.person.household_id])


def _void_pregnancy(user, obj: Pregnancy, request) -> None:
    services.rederive_households([obj.household_id, obj.person.household_id])


def _derive_anc(user, obj: AncVisit, request) -> None:
    _visit_dates(obj)
    obj.save()
    _refresh_pregnancy(obj.pregnancy)


def _void_anc(user, obj: AncVisit, request) -> None:
    _refresh_pregnancy(obj.pregnancy)


def _derive_birth(user, obj: Birth, request) -> None:
    obj.bblr, obj.short = rules.is_bblr(obj.weight_g), rules.is_short_at_birth(obj.length_cm)
    obj.rule_version = rules.version()
    obj.save()
    child = obj.child
    wanted = {"birth_weight_kg": obj.weight_g / 1000 if obj.weight_g else None, "birth_length_cm": obj.length_cm}
    if people_for(user).filter(pk=child.pk).exists() and any(getattr(child, k) != v for k, v in wanted.items()):
        # The child's own record (registry) carries the same figures, with its own change history.
        registry_services.update_person(user, child, wanted, request=request)


def _kf_count(pp: Postpartum) -> None:
    pp.kf_count = len({n for n in pp.kf_visits.values_list("kf_number", flat=True) if n})


def _derive_postpartum(user, obj: Postpartum, request) -> None:
    if obj.kb_method != Postpartum.Kb.REFUSED:
        obj.kb_refusal_reason = ""
    for visit in obj.kf_visits.all():
        visit.kf_number = rules.kf_number(obj.delivered_on, visit.visited_on)
        visit.save(update_fields=["kf_number"])
    _kf_count(obj)
    obj.save()


def _derive_kf(user, obj: KfVisit, request) -> None:
    obj.kf_number = rules.kf_number(obj.postpartum.delivered_on, obj.visited_on)
    obj.save()
    _void_kf(user, obj, request)


def _void_kf(user, obj: KfVisit, request) -> None:
    pp = obj.postpartum
    _kf_count(pp)
    pp.save(update_fields=["kf_count", "updated_at"])


def _save(user, obj, request) -> None:
    obj.save()


def _latest_hb(teen: Adolescent) -> None:
    latest = teen.hb_tests.order_by("-tested_on", "-pk").first()
    teen.latest_hb_gdl = latest.hb_gdl if latest else None
    teen.latest_hb_on = latest.tested_on if latest else None
    teen.anaemia = bool(latest and latest.anaemia)
    teen.rule_version = rules.version()
    teen.save(update_fields=["latest_hb_gdl", "latest_hb_on", "anaemia", "rule_version", "updated_at"])


def _derive_hb(user, obj: HbTest, request) -> None:
    obj.anaemia, obj.rule_version = rules.is_anaemic_adolescent(obj.hb_gdl), rules.version()
    obj.save()
    _latest_hb(obj.adolescent)


def _void_hb(user, obj: HbTest, request) -> None:
    _latest_hb(obj.adolescent)


def _derive_ttd(user, obj: TtdWeek, request) -> None:
    obj.week_start = obj.week_start - dt.timedelta(days=obj.week_start.weekday())
    obj.save()


def _derive_krs(user, obj: KrsSnapshot, request) -> None:
    obj.desa_id = obj.household.desa_id
    obj.save()
    services.rederive([obj])
    obj.refresh_from_db()


# --- plausibility (the entry rules, on the changed values) -------------------------------------


def _catin_problems(obj, data):
    return validation.catin_problems(data, today())


def _pregnancy_problems(obj: Pregnancy, data):
    out = validation.pregnancy_problems(data, obj.person.birth_date, today())
    hpht = data.get("hpht")
    first = obj.visits.order_by("visited_on").first()
    if hpht and first and first.visited_on < hpht:
        out.append(Problem(_("An ANC visit (%(date)s) is before this HPHT: correct or void the visit first")
                           % {"date": first.visited_on.strftime("%d-%m-%Y")}, "hpht"))
    if obj.outcome:
        outcome, ended = data.get("outcome", obj.outcome), data.get("outcome_on", obj.outcome_on)
        births = obj.births.exists()
        if outcome not in Pregnancy.Outcome.values or not outcome:
            out.append(Problem(_("Choose the pregnancy outcome"), "outcome"))
        elif outcome == Pregnancy.Outcome.LIVE_BIRTH and not births:
            out.append(Problem(_("A live birth needs the baby: record it with the outcome form"), "outcome"))
        elif outcome != Pregnancy.Outcome.LIVE_BIRTH and births:
            out.append(Problem(_("This pregnancy has a recorded birth: void the birth first"), "outcome"))
        out += validation._date_problems(ended, "outcome_on", _("outcome date"), today())
        if ended and hpht and ended < hpht:
            out.append(Problem(_("The outcome date is before HPHT"), "outcome_on"))
        last = obj.visits.order_by("-visited_on").first()
        if ended and last and last.visited_on > ended:
            out.append(Problem(_("An ANC visit (%(date)s) is after this outcome date")
                               % {"date": last.visited_on.strftime("%d-%m-%Y")}, "outcome_on"))
    return out


def _anc_problems(obj: AncVisit, data):
    preg = obj.pregnancy
    return validation.visit_problems(data, preg.hpht, today(), preg.outcome_on)


def _birth_problems(obj, data):
    return validation.birth_problems(data, today())


def _postpartum_problems(obj: Postpartum, data):
    out = validation._date_problems(data.get("delivered_on"), "delivered_on", _("delivery date"), today())
    first = obj.kf_visits.order_by("visited_on").first()
    if data.get("delivered_on") and first and first.visited_on < data["delivered_on"]:
        out.append(Problem(_("A KF visit (%(date)s) is before this delivery date")
                           % {"date": first.visited_on.strftime("%d-%m-%Y")}, "delivered_on"))
    if data.get("kb_method", "") not in Postpartum.Kb.values:
        out.append(Problem(_("Unknown KB method"), "kb_method"))
    return out


def _kf_problems(obj: KfVisit, data):
    out = validation._date_problems(data.get("visited_on"), "visited_on", _("visit date"), today())
    if data.get("visited_on") and data["visited_on"] < obj.postpartum.delivered_on:
        out.append(Problem(_("The visit date is before the delivery date"), "visited_on"))
    return out


def _asi_problems(obj: BreastfeedingMonth, data):
    month = data.get("month")
    if not isinstance(month, int) or not 1 <= month <= rules.cut("nifas", "exclusive_months"):
        return [Problem(_("The exclusive breastfeeding month must be 1 to 6"), "month")]
    taken = BreastfeedingMonth.all_objects.filter(postpartum_id=obj.postpartum_id, child_id=obj.child_id,
                                                  month=month).exclude(pk=obj.pk)
    if taken.exists():
        return [Problem(_("Month %(m)s is already recorded for this baby: correct that row") % {"m": month}, "month")]
    return []


def _hb_problems(obj, data):
    out = validation._date_problems(data.get("tested_on"), "tested_on", _("test date"), today())
    if data.get("hb_gdl") is None:
        out.append(Problem(_("Enter the Hb"), "hb_gdl"))
    else:
        out += validation.body_problems({"hb_gdl": data["hb_gdl"]}, today())
    return out


def _ttd_problems(obj: TtdWeek, data):
    day = data.get("week_start")
    out = validation._date_problems(day, "week_start", _("week"), today())
    if day and not out:
        monday = day - dt.timedelta(days=day.weekday())
        if TtdWeek.all_objects.filter(adolescent_id=obj.adolescent_id, week_start=monday).exclude(pk=obj.pk).exists():
            out.append(Problem(_("The week of %(date)s is already recorded: correct that row")
                               % {"date": monday.strftime("%d-%m-%Y")}, "week_start"))
    return out


def _krs_problems(obj, data):
    out = []
    if data.get("water_source") and data["water_source"] not in KrsSnapshot.Water.values:
        out.append(Problem(_("Unknown drinking-water source"), "water_source"))
    if data.get("latrine") and data["latrine"] not in KrsSnapshot.Latrine.values:
        out.append(Problem(_("Unknown latrine type"), "latrine"))
    if data.get("welfare") and data["welfare"] not in KrsSnapshot.Welfare.values:
        out.append(Problem(_("Unknown welfare level"), "welfare"))
    return out


def _tpk_problems(obj: TpkVisit, data):
    out = validation._date_problems(data.get("visited_on"), "visited_on", _("visit date"), today())
    if not data.get("team_id"):
        out.append(Problem(_("Choose the family-assistance team"), "team"))
    if not any(data.get(f) for f in services.VISIT_FLAGS[:3]) and not data.get("referral"):
        out.append(Problem(_("Tick at least one activity (KIE, referral, social assistance, danger signs)"), None))
    nxt = data.get("next_visit_on")
    if nxt and data.get("visited_on") and nxt < data["visited_on"]:
        out.append(Problem(_("The next visit is before this visit's date"), "next_visit_on"))
    return out


# --- the kinds ------------------------------------------------------------------------------------

KINDS: dict[str, Kind] = {
    "catin": Kind(CatinScreening, gettext_lazy("Catin screening"), tuple(services.CATIN_FIELDS), selectors.catin_for,
                  person=lambda o: o.person, problems=_catin_problems, derive=_derive_catin),
    "pregnancy": Kind(Pregnancy, gettext_lazy("Pregnancy"), (*services.PREGNANCY_FIELDS, "outcome", "outcome_on"),
                      selectors.pregnancies_for, person=lambda o: o.person, problems=_pregnancy_problems,
                      derive=_derive_pregnancy, after_void=_void_pregnancy),
    "anc": Kind(AncVisit, gettext_lazy("ANC visit"),
                ("visited_on", "place", "weight_kg", "lila_cm", "hb_gdl", "ttd_given", "notes"),
                selectors.anc_visits_for, person=lambda o: o.pregnancy.person, problems=_anc_problems,
                derive=_derive_anc, after_void=_void_anc),
    "birth": Kind(Birth, gettext_lazy("Birth"), ("weight_g", "length_cm"), selectors.births_for,
                  person=lambda o: o.pregnancy.person, problems=_birth_problems, derive=_derive_birth),
    "nifas": Kind(Postpartum, gettext_lazy("Mother after birth"),
                  ("delivered_on", "delivery_place", "kb_method", "kb_refusal_reason", "notes"),
                  selectors.postpartum_for, person=lambda o: o.person, problems=_postpartum_problems,
                  derive=_derive_postpartum),
    "kf": Kind(KfVisit, gettext_lazy("KF visit"), ("visited_on", "notes"), selectors.kf_visits_for,
               person=lambda o: o.postpartum.person, problems=_kf_problems, derive=_derive_kf, after_void=_void_kf),
    "asi": Kind(BreastfeedingMonth, gettext_lazy("Exclusive breastfeeding month"), ("month", "exclusive"),
                selectors.breastfeeding_for, person=lambda o: o.postpartum.person, problems=_asi_problems,
                derive=_save),
    "remaja": Kind(Adolescent, gettext_lazy("Adolescent girl"), ("school", "grade", "in_school", "notes"),
                   selectors.adolescents_for, person=lambda o: o.person, derive=_save),
    "hb": Kind(HbTest, gettext_lazy("Hb test"), ("tested_on", "hb_gdl"), selectors.hb_tests_for,
               person=lambda o: o.adolescent.person, problems=_hb_problems, derive=_derive_hb, after_void=_void_hb),
    "ttd": Kind(TtdWeek, gettext_lazy("TTD week"), ("week_start", "taken"), selectors.ttd_weeks_for,
                person=lambda o: o.adolescent.person, problems=_ttd_problems, derive=_derive_ttd),
    "krs": Kind(KrsSnapshot, gettext_lazy("KRS family snapshot"),
                ("water_source", "latrine", "house_livable", "welfare", "couple", "modern_contraception"),
                selectors.krs_for, household=lambda o: o.household, problems=_krs_problems, derive=_derive_krs),
    "tpk": Kind(TpkVisit, gettext_lazy("TPK visit"),
                ("team_id", "person_id", "visited_on", "counselling", "referral", "social_assistance",
                 "danger_signs_checked", "follow_up_needed", "next_visit_on", "notes"),
                selectors.tpk_visits_for, household=lambda o: o.household, problems=_tpk_problems, derive=_save),
}

# What a record's derived verdicts are after a change (kept in the audit beside old -> new).
DERIVED = {
    "catin": ("bmi", "age_years", "at_risk", "reasons", "rule_version"),
    "pregnancy": ("due_on", "kek", "anaemia", "four_t", "high_risk", "anc_contacts", "k6", "ttd_total"),
    "anc": ("gestational_weeks", "trimester"),
    "birth": ("bblr", "short"),
    "nifas": ("kf_count",),
    "kf": ("kf_number",),
    "hb": ("anaemia",),
    "krs": ("krs", "target", "risk_factors", "unmet_need", "rule_version"),
}


def _plain(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _owner_ids(kind: Kind, obj) -> dict[str, Any]:
    if kind.person is not None:
        person = kind.person(obj)
        return {"person_id": person.pk, "region": person.desa_id}
    household = kind.household(obj)
    return {"household_id": household.pk, "region": household.desa_id}


def check_scope(user, kind: Kind, obj) -> None:
    if not kind.scoped(user).filter(pk=obj.pk).exists():
        raise PermissionDenied("record outside the user's scope")
    if kind.person is not None:
        services._check_person(user, kind.person(obj))
    else:
        services._check_household(user, kind.household(obj))


def _empty(model, name, value):
    try:
        field = model._meta.get_field(name.removesuffix("_id") if name.endswith("_id") else name)
    except Exception:  # noqa: BLE001 - not a model field: leave as given
        return value
    if value is None and isinstance(field, models.CharField):
        return ""
    if value is None and isinstance(field, models.BooleanField) and not field.null:
        return False
    if value is None and isinstance(field, models.PositiveSmallIntegerField) and field.has_default():
        return field.get_default()
    return value


@transaction.atomic
def edit_record(user, kind_name: str, obj, data: dict[str, Any], *, request=None) -> dict[str, list]:
    """Correct a record: returns {field: [old, new]} (empty when nothing changed: no write)."""
    kind = KINDS[kind_name]
    check_scope(user, kind, obj)
    obj = kind.model.all_objects.select_for_update().get(pk=obj.pk)
    if obj.voided_at:
        raise InputError([Problem(_("This record was voided; it cannot be changed"), None)])
    given = {name: _empty(kind.model, name, data[name]) for name in kind.fields if name in data}
    before = {name: getattr(obj, name) for name in given}
    changed = [name for name in given if given[name] != before[name]]
    if not changed:
        return {}
    full = {name: getattr(obj, name) for name in kind.fields} | given
    problems = kind.problems(obj, full) if kind.problems else []
    # The entry rules, on what this correction changes: a problem about an input the user did not
    # touch (an old HPHT of an ended pregnancy) does not block correcting another one.
    touched = {n.removesuffix("_id") for n in changed} | set(changed)
    known = {n.removesuffix("_id") for n in kind.fields} | set(kind.fields)
    problems = [p for p in problems if getattr(p, "field", None) in touched or getattr(p, "field", None) not in known]
    services._raise_if(problems)
    for name in changed:
        setattr(obj, name, given[name])
    kind.derive(user, obj, request)
    owner = _owner_ids(kind, obj)
    changes = {name.removesuffix("_id"): [_plain(before[name]), _plain(given[name])] for name in changed}
    derived = {name: _plain(getattr(obj, name)) for name in DERIVED.get(kind_name, ())}
    record(user, AuditEvent.Action.UPDATE, obj=obj, region_code=owner.pop("region"),
           summary=_("%(what)s %(id)s corrected") % {"what": kind.title, "id": obj.pk},
           detail={"kind": kind_name, "fields": sorted(changes), "changes": changes, "derived": derived, **owner},
           request=request)
    return changes


@transaction.atomic
def void_record(user, kind_name: str, obj, reason: str, *, request=None):
    """Void a record entered by mistake: hidden from every register and count, kept for the audit."""
    kind = KINDS[kind_name]
    check_scope(user, kind, obj)
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise InputError([Problem(_("Write why this record is voided (at least 3 characters)"), "reason")])
    obj = kind.model.all_objects.select_for_update().get(pk=obj.pk)
    if obj.voided_at:
        raise InputError([Problem(_("This record was already voided"), None)])
    obj.voided_at, obj.voided_by, obj.void_reason = timezone.now(), services._user(user), reason[:200]
    obj.save(update_fields=["voided_at", "voided_by", "void_reason"])
    if kind.after_void:
        kind.after_void(user, obj, request)
    owner = _owner_ids(kind, obj)
    record(user, AuditEvent.Action.DELETE, obj=obj, region_code=owner.pop("region"),
           summary=_("%(what)s %(id)s voided") % {"what": kind.title, "id": obj.pk},
           detail={"kind": kind_name, "voided": True, "reason": obj.void_reason,
                   "values": {name.removesuffix("_id"): _plain(getattr(obj, name)) for name in kind.fields}, **owner},
           request=request)
    return obj


def history(*, person=None, household=None, limit: int = 50) -> list[dict]:
    """The corrections and voids of a person's (or household's) target records, newest first:
    who, when, what, old -> new (the caller has decided the user may see the person)."""
    q = {"detail__person_id": person.pk} if person is not None else {"detail__household_id": household.pk}
    events = (AuditEvent.objects.filter(object_type__startswith="targets.", **q,
                                        action__in=[AuditEvent.Action.UPDATE, AuditEvent.Action.DELETE])
              .exclude(detail__kind=None).select_related("user").order_by("-at")[:limit])
    out = []
    for e in events:
        detail = e.detail or {}
        kind = KINDS.get(detail.get("kind", ""))
        if kind is None:
            continue
        fields = []
        for name, pair in (detail.get("changes") or {}).items():
            if isinstance(pair, list | tuple) and len(pair) == 2:
                fields.append((_label(kind.model, name), _shown(pair[0]), _shown(pair[1])))
        out.append({"at": e.at, "user": e.username or (e.user.get_username() if e.user else ""),
                    "what": kind.title, "voided": e.action == AuditEvent.Action.DELETE,
                    "reason": detail.get("reason", ""), "fields": fields})
    return out


def _label(model, name):
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a field since renamed: show its name
        return name


def _shown(value):
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return iso_date_shown(value)
