"""Target-group pages. Thin: every read through selectors (the user's Scope), every write through
services, every list/detail/export of personal data audited. Objects outside scope are 404."""

from __future__ import annotations

from dataclasses import replace as dc_replace

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tumbuh.accounts.access import region_safe
from tumbuh.accounts.scoping import scope_for, scope_region_code
from tumbuh.analytics import memo
from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.measurements.forms import add_problems
from tumbuh.regions.models import Region
from tumbuh.regions.selectors import posyandu_for, regions_for
from tumbuh.registry import services as registry_services
from tumbuh.registry.selectors import households_for, people_for
from tumbuh.web.text import ascii_digits, format_count

from . import corrections, exports, rules, selectors, services
from .forms import (
    AdolescentEditForm,
    AdolescentForm,
    AncVisitForm,
    BirthForm,
    BreastfeedingForm,
    CatinForm,
    HbForm,
    KbForm,
    KfForm,
    KrsEditForm,
    KrsForm,
    NewWomanForm,
    OutcomeForm,
    PostpartumEditForm,
    PostpartumForm,
    PregnancyEditForm,
    PregnancyForm,
    RegisterFilter,
    TeamForm,
    TpkVisitForm,
    TtdForm,
    VoidForm,
)
from .labels import GROUP_TITLES

PAGE_SIZE = 50


def _get(qs, **kw):
    try:
        return qs.get(**kw)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def _scope(request):
    return getattr(request, "scope", None) or scope_for(request.user)


def _desa_choices(scope):
    return list(regions_for(scope).filter(level=Region.Level.DESA).order_by("name").values_list("code", "name"))


def _posyandu_choices(scope):
    return [(str(pk), name) for pk, name in posyandu_for(scope).order_by("name").values_list("pk", "name")]


def _try(form, fn, *args, **kwargs):
    """Run a service; on bad input, put its Indonesian messages on the form and return None."""
    try:
        return fn(*args, **kwargs)
    except services.InputError as exc:
        add_problems(form, exc.problems)
    except PermissionDenied as exc:
        raise Http404 from exc
    return None


# --- overview and registers -------------------------------------------------------------------------


@region_safe
def overview(request):
    scope = _scope(request)
    region = request.GET.get("region", "")
    if region and not regions_for(scope).filter(code=region).exists():
        region = ""
    # Counts over every register of the area: reused while nothing was written (analytics.memo,
    # fresh after every write), shared by everyone with the same scope.
    counts = memo.memoized("targets.group_counts", (dc_replace(scope_for(request.user), user_id=None), region),
                           lambda: selectors.group_counts(scope, region=region))
    regions = list(regions_for(scope).exclude(level=Region.Level.DESA).order_by("code").values_list("code", "name")[:200])
    return render(request, "targets/overview.html", {"counts": counts, "region": region, "regions": regions,
                                                     "groups": GROUP_TITLES})


@region_safe
def register(request, group):
    if group not in selectors.GROUPS:
        raise Http404
    scope = _scope(request)
    desa_choices, posyandu_choices = _desa_choices(scope), _posyandu_choices(scope)
    form = RegisterFilter(request.GET or None, group=group, desa_choices=desa_choices, posyandu_choices=posyandu_choices)
    filters = form.cleaned_data if form.is_valid() else {}
    period = filters.get("period") or ""
    if period:
        try:
            rules.semester_bounds(period)
        except (ValueError, IndexError):
            period = ""
    qs = selectors.register(scope, group, desa=filters.get("desa", ""), posyandu=filters.get("posyandu", ""),
                            risk=filters.get("risk", ""), period=period)
    shown = {k: v for k, v in filters.items() if v}
    if request.GET.get("download"):
        objects = list(qs[:50000])
        record(request.user, AuditEvent.Action.EXPORT, object_type=f"targets.{group}",
               region_code=scope_region_code(scope) or "", summary=_("%(a)s register xlsx") % {"a": group},
               detail={"filters": shown, "rows": len(objects)}, request=request)
        region = _get(Region.objects, code=scope_region_code(scope)).name if scope_region_code(scope) else _("Indonesia")
        body = exports.register_workbook(group, objects, region_name=region, filters=shown, user=request.user)
        response = HttpResponse(body, content_type=exports.XLSX)
        response["Content-Disposition"] = f'attachment; filename="register-{group}.xlsx"'
        return response
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    record(request.user, AuditEvent.Action.VIEW_LIST, object_type=f"targets.{group}",
           region_code=scope_region_code(scope) or "", summary=_("%(a)s register") % {"a": group},
           detail={"filters": shown, "page": page.number, "total": page.paginator.count}, request=request)
    query = request.GET.copy()
    query.pop("page", None)
    headers = [h for h, _g in exports.columns(group)]
    # Lists show a NIK or KK number with only its last 4 digits, as every other list does (docs/
    # access.md "NIK masking"); the person's own page and the audited xlsx carry it whole.
    table = list(zip(page.object_list, exports.rows(group, page.object_list, masked=True), strict=True))
    return render(request, "targets/register.html", {
        "group": group, "title": GROUP_TITLES[group], "form": form, "page": page, "headers": headers,
        "table": table, "query": query.urlencode(), "groups": GROUP_TITLES})


@region_safe
def new_person(request, group):
    """Register a woman not yet in the registry, then go on to the group's form."""
    if group not in ("catin", "bumil", "remaja"):
        raise Http404
    scope = _scope(request)
    form = NewWomanForm(request.POST or None, desa_choices=_desa_choices(scope),
                        posyandu_choices=_posyandu_choices(scope),
                        initial={"sex": "F"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        desa = regions_for(scope).filter(code=data["desa"], level=Region.Level.DESA).first()
        posyandu = posyandu_for(scope).filter(pk=data["posyandu"]).first() if data.get("posyandu") else None
        existing = people_for(scope).filter(nik=data["nik"]).first() if data.get("nik") else None
        if existing:
            return redirect(f"targets:{group}_new", person_id=existing.pk)
        try:
            person = registry_services.create_person(request.user, {
                "name": data["name"], "nik": data.get("nik") or "", "sex": data["sex"],
                "birth_date": data["birth_date"], "desa": desa, "posyandu": posyandu}, request=request)
        except PermissionDenied as exc:
            raise Http404 from exc
        except Exception as exc:  # ValidationError from full_clean (NIK taken elsewhere, bad NIK)
            from django.core.exceptions import ValidationError

            if not isinstance(exc, ValidationError):
                raise
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect(f"targets:{group}_new", person_id=person.pk)
    return render(request, "targets/form.html", {"form": form, "title": _("New person: %(g)s") % {"g": GROUP_TITLES[group]}})


GROUP_FORMS = {"catin": CatinForm, "bumil": PregnancyForm, "remaja": AdolescentForm, "nifas": PostpartumForm}


@region_safe
def group_new(request, person_id, group):
    if group not in GROUP_FORMS:
        raise Http404
    scope = _scope(request)
    person = _get(people_for(scope), pk=person_id)
    form = GROUP_FORMS[group](request.POST or None)
    if request.method == "POST" and form.is_valid():
        writer = {"catin": services.screen_catin, "bumil": services.register_pregnancy,
                  "remaja": services.register_adolescent, "nifas": services.start_postpartum}[group]
        obj = _try(form, writer, request.user, person, form.cleaned_data, request=request)
        if obj is not None:
            messages.success(request, _("Saved."))
            if group == "bumil":
                return redirect("targets:pregnancy", pregnancy_id=obj.pk)
            if group == "remaja":
                return redirect("targets:adolescent", adolescent_id=obj.pk)
            if group == "nifas":
                return redirect("targets:postpartum", postpartum_id=obj.pk)
            return redirect("targets:person", person_id=person.pk)
    return render(request, "targets/form.html", {"form": form, "person": person, "title": GROUP_TITLES[group]})


# --- one person ---------------------------------------------------------------------------------------


@region_safe
def person(request, person_id):
    scope = _scope(request)
    who = _get(people_for(scope).select_related("desa", "posyandu", "household"), pk=person_id)
    record(request.user, AuditEvent.Action.VIEW, obj=who, summary=_("target timeline of person %(a)s") % {"a": who.pk}, request=request)
    return render(request, "targets/person.html", {
        "person": who, "events": selectors.timeline(scope, who), "children": selectors.children_of(scope, who),
        "changes": corrections.history(person=who),
        "age": rules.age_years(who.birth_date, services.today())})


@region_safe
@require_http_methods(["GET", "POST"])
def pregnancy(request, pregnancy_id):
    scope = _scope(request)
    preg = _get(selectors.pregnancies_for(scope).select_related("person", "desa", "posyandu"), pk=pregnancy_id)
    form = AncVisitForm(request.POST or None, initial={"visited_on": services.today()})
    if request.method == "POST" and form.is_valid():
        if _try(form, services.add_anc_visit, request.user, preg, form.cleaned_data, request=request):
            messages.success(request, _("Visit saved."))
            return redirect("targets:pregnancy", pregnancy_id=preg.pk)
    else:
        record(request.user, AuditEvent.Action.VIEW, obj=preg, summary=_("pregnancy %(a)s") % {"a": preg.pk}, request=request)
    preg.refresh_from_db()
    return render(request, "targets/pregnancy.html", {
        "p": preg, "visits": selectors.anc_visits_for(scope).filter(pregnancy=preg), "form": form,
        "weeks": rules.gestational_weeks(preg.hpht, services.today()),
        "ttd_target": rules.cut("pregnancy", "ttd_target_tablets"),
        "births": selectors.births_for(scope).filter(pregnancy=preg).select_related("child")})


@region_safe
@require_http_methods(["GET", "POST"])
def pregnancy_outcome(request, pregnancy_id):
    scope = _scope(request)
    preg = _get(selectors.pregnancies_for(scope).select_related("person"), pk=pregnancy_id)
    children = people_for(scope).filter(mother=preg.person, birth_date__gte=preg.hpht).order_by("-birth_date")
    form = OutcomeForm(request.POST or None, children=children)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        births = []
        if d["outcome"] == "live_birth":
            child = children.filter(pk=d["existing_child"]).first() if d.get("existing_child") else None
            births = [{"child": child, "name": d.get("baby_name"), "sex": d.get("baby_sex"), "nik": d.get("baby_nik") or "",
                       "weight_g": d.get("baby_weight_g"), "length_cm": d.get("baby_length_cm")}]
        made = _try(form, services.record_outcome, request.user, preg, outcome=d["outcome"],
                    outcome_on=d["outcome_on"], births=births, request=request)
        if made is not None:
            messages.success(request, _("Outcome saved."))
            return redirect("targets:person", person_id=preg.person_id)
    return render(request, "targets/form.html", {"form": form, "person": preg.person, "title": _("Pregnancy outcome")})


@region_safe
@require_http_methods(["GET", "POST"])
def postpartum(request, postpartum_id):
    scope = _scope(request)
    pp = _get(selectors.postpartum_for(scope).select_related("person", "desa"), pk=postpartum_id)
    which = request.POST.get("form", "")
    forms_ = {"kf": KfForm(request.POST if which == "kf" else None, initial={"visited_on": services.today()}),
              "kb": KbForm(request.POST if which == "kb" else None, initial={"kb_method": pp.kb_method}),
              "asi": BreastfeedingForm(request.POST if which == "asi" else None)}
    if request.method == "POST" and which in forms_ and forms_[which].is_valid():
        d = forms_[which].cleaned_data
        if which == "kf":
            ok = _try(forms_[which], services.add_kf_visit, request.user, pp, d["visited_on"], notes=d.get("notes", ""), request=request)
        elif which == "kb":
            ok = _try(forms_[which], services.set_kb, request.user, pp, d.get("kb_method", ""),
                      reason=d.get("kb_refusal_reason", ""), request=request)
        else:
            ok = _try(forms_[which], services.set_breastfeeding, request.user, pp, d["month"], d["exclusive"], request=request)
        if ok is not None:
            messages.success(request, _("Saved."))
            return redirect("targets:postpartum", postpartum_id=pp.pk)
    elif request.method == "GET":
        record(request.user, AuditEvent.Action.VIEW, obj=pp, summary=_("after-birth record %(a)s") % {"a": pp.pk}, request=request)
    bf_rows = list(pp.breastfeeding.all())
    months = {b.month: b.exclusive for b in bf_rows}
    return render(request, "targets/postpartum.html", {
        "pp": pp, "forms": forms_, "kf_visits": pp.kf_visits.all(), "bf_rows": bf_rows,
        "phase": rules.postpartum_phase(pp.delivered_on, services.today()),
        "months": [(m, months.get(m)) for m in range(1, 7)], "exclusive": rules.exclusive_to_six(months)})


@region_safe
@require_http_methods(["GET", "POST"])
def adolescent(request, adolescent_id):
    scope = _scope(request)
    teen = _get(selectors.adolescents_for(scope).select_related("person", "desa"), pk=adolescent_id)
    which = request.POST.get("form", "")
    hb = HbForm(request.POST if which == "hb" else None, initial={"tested_on": services.today()})
    ttd = TtdForm(request.POST if which == "ttd" else None, initial={"week": services.today()})
    if request.method == "POST" and which == "hb" and hb.is_valid():
        if _try(hb, services.add_hb_test, request.user, teen, hb.cleaned_data["tested_on"], hb.cleaned_data["hb_gdl"], request=request):
            return redirect("targets:adolescent", adolescent_id=teen.pk)
    elif request.method == "POST" and which == "ttd" and ttd.is_valid():
        if _try(ttd, services.record_ttd_week, request.user, teen, ttd.cleaned_data["week"], ttd.cleaned_data["taken"], request=request):
            return redirect("targets:adolescent", adolescent_id=teen.pk)
    elif request.method == "GET":
        record(request.user, AuditEvent.Action.VIEW, obj=teen, summary=_("adolescent %(a)s") % {"a": teen.pk}, request=request)
    weeks = list(teen.ttd_weeks.order_by("-week_start")[:12])
    return render(request, "targets/adolescent.html", {
        "teen": teen, "hb_form": hb, "ttd_form": ttd, "tests": teen.hb_tests.all(), "weeks": weeks,
        "taken": sum(1 for w in weeks if w.taken)})


@region_safe
@require_http_methods(["GET", "POST"])
def household(request, household_id):
    scope = _scope(request)
    hh = _get(households_for(scope).select_related("desa"), pk=household_id)
    members = list(people_for(scope).filter(household=hh).order_by("birth_date"))
    teams = list(selectors.teams_for(scope).filter(desa_id=hh.desa_id, active=True))
    which = request.POST.get("form", "")
    period = rules.semester_of(services.today())
    current = selectors.krs_for(scope).filter(household=hh, period=period).first()
    initial = {"period": period}
    if current:
        initial.update({f: getattr(current, f) for f in ("water_source", "latrine", "welfare", "couple")})
        initial["house_livable"] = {True: "1", False: "0"}.get(current.house_livable, "")
        initial["modern_contraception"] = {True: "1", False: "0"}.get(current.modern_contraception, "")
    krs_form = KrsForm(request.POST if which == "krs" else None, initial=initial)
    visit_form = TpkVisitForm(request.POST if which == "visit" else None, teams=teams, members=members,
                              initial={"visited_on": services.today()})
    if request.method == "POST" and which == "krs" and krs_form.is_valid():
        d = dict(krs_form.cleaned_data)
        if _try(krs_form, services.save_krs, request.user, hh, d.pop("period"), d, request=request):
            messages.success(request, _("Saved."))
            return redirect("targets:household", household_id=hh.pk)
    elif request.method == "POST" and which == "visit" and visit_form.is_valid():
        d = dict(visit_form.cleaned_data)
        d["team"] = next((t for t in teams if str(t.pk) == d["team"]), None)
        d["person"] = next((m for m in members if str(m.pk) == d.get("person")), None)
        if _try(visit_form, services.add_tpk_visit, request.user, hh, d, request=request):
            messages.success(request, _("Visit saved."))
            return redirect("targets:household", household_id=hh.pk)
    elif request.method == "GET":
        record(request.user, AuditEvent.Action.VIEW, obj=hh, summary=_("KRS/TPK of household %(a)s") % {"a": hh.pk}, request=request)
    return render(request, "targets/household.html", {
        "hh": hh, "members": members, "krs_form": krs_form, "visit_form": visit_form,
        "per_month": selectors.visits_per_month(scope, hh), **selectors.household_timeline(scope, hh),
        "changes": corrections.history(household=hh)})


@region_safe
def teams(request):
    scope = _scope(request)
    return render(request, "targets/teams.html", {"teams": selectors.team_rows(scope, services.today()),
                                                  "may_manage": _may_manage_teams(scope)})


def _may_manage_teams(scope) -> bool:
    return not (scope.is_cadre or scope.is_opd or scope.is_empty)


@region_safe
def team_new(request):
    scope = _scope(request)
    if not _may_manage_teams(scope):
        raise PermissionDenied
    form = TeamForm(request.POST or None, desa_choices=_desa_choices(scope))
    if request.method == "POST" and form.is_valid():
        desa = regions_for(scope).filter(code=form.cleaned_data["desa"], level=Region.Level.DESA).first()
        team = _try(form, services.save_team, request.user, {**form.cleaned_data, "desa": desa}, request=request)
        if team is not None:
            messages.success(request, _("TPK team saved."))
            return redirect("targets:team_detail", team_id=team.pk)
    return render(request, "targets/form.html", {"form": form, "title": _("New TPK team")})


@region_safe
def team_detail(request, team_id: int):
    """A TPK team: its members (editable), the families it accompanies, and families of its desa
    to assign (KRS of the current semester first)."""
    scope = _scope(request)
    team = _get(selectors.teams_for(scope).select_related("desa"), pk=team_id)
    manage = _may_manage_teams(scope)
    form = TeamForm(None, editing=True, initial={f: getattr(team, f) for f in (*services.TEAM_FIELDS, "active")})
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        action = request.POST.get("action", "")
        if action == "save":
            form = TeamForm(request.POST, editing=True)
            if form.is_valid() and _try(form, services.save_team, request.user, form.cleaned_data, team,
                                        request=request) is not None:
                messages.success(request, _("TPK team saved."))
                return redirect("targets:team_detail", team_id=team.pk)
        elif action in ("assign", "unassign"):
            ids = [int(v) for v in request.POST.getlist("household") if ascii_digits(v)][:500]
            households = list(households_for(scope).filter(pk__in=ids, desa_id=team.desa_id))
            for household in households:
                if action == "assign":
                    services.assign_household(request.user, team, household, services.today(), request=request)
                else:
                    services.unassign_household(request.user, team, household, request=request)
            messages.success(request, (_("%(n)s families assigned.") if action == "assign"
                                       else _("%(n)s families removed from the team.")) % {"n": format_count(len(households))})
            return redirect("targets:team_detail", team_id=team.pk)
        else:
            raise Http404
    assigned = selectors.assigned_households(scope, team).select_related("household").order_by("household__head_name")
    candidates = selectors.unassigned_households(scope, team, services.today()) if manage else []
    record(request.user, AuditEvent.Action.VIEW, obj=team, request=request, region_code=team.desa_id,
           summary=_("TPK team %(name)s") % {"name": team.name})
    return render(request, "targets/team.html", {"team": team, "form": form, "assigned": assigned,
                                                 "candidates": candidates, "may_manage": manage})


# --- corrections: edit and void (tumbuh/targets/corrections.py) --------------------------------------

TRI = {True: "1", False: "0", None: ""}


def _back(kind: str, obj, *, voided: bool = False) -> str:
    from django.urls import reverse

    person = corrections.KINDS[kind].person
    if voided and kind in ("catin", "pregnancy", "nifas", "remaja"):
        return reverse("targets:person", args=[person(obj).pk])
    if kind == "catin":
        return reverse("targets:person", args=[obj.person_id])
    if kind == "pregnancy":
        return reverse("targets:pregnancy", args=[obj.pk])
    if kind in ("anc", "birth"):
        return reverse("targets:pregnancy", args=[obj.pregnancy_id])
    if kind == "nifas":
        return reverse("targets:postpartum", args=[obj.pk])
    if kind in ("kf", "asi"):
        return reverse("targets:postpartum", args=[obj.postpartum_id])
    if kind == "remaja":
        return reverse("targets:adolescent", args=[obj.pk])
    if kind in ("hb", "ttd"):
        return reverse("targets:adolescent", args=[obj.adolescent_id])
    return reverse("targets:household", args=[obj.household_id])


def _edit_form(kind: str, obj, scope, data):
    """The entry form of the kind, filled with the record's values; (form, to_service)."""
    names = corrections.KINDS[kind].fields
    initial = {n: getattr(obj, n) for n in names if not n.endswith("_id")}
    same = dict
    if kind == "catin":
        return CatinForm(data, initial=initial), same
    if kind == "pregnancy":
        return PregnancyEditForm(data, initial=initial, ended=bool(obj.outcome)), same
    if kind == "anc":
        return AncVisitForm(data, initial=initial), same
    if kind == "birth":
        def grams(d):
            return {**d, "weight_g": round(d["weight_g"]) if d.get("weight_g") is not None else None}
        return BirthForm(data, initial=initial), grams
    if kind == "nifas":
        return PostpartumEditForm(data, initial=initial), same
    if kind == "kf":
        return KfForm(data, initial=initial), same
    if kind == "asi":
        return BreastfeedingForm(data, initial={"month": obj.month, "exclusive": TRI[obj.exclusive]}), same
    if kind == "remaja":
        return AdolescentEditForm(data, initial=initial), same
    if kind == "hb":
        return HbForm(data, initial=initial), same
    if kind == "ttd":
        return TtdForm(data, initial={"week": obj.week_start, "taken": obj.taken}), \
            lambda d: {"week_start": d["week"], "taken": d["taken"]}
    if kind == "krs":
        initial.update(house_livable=TRI[obj.house_livable], modern_contraception=TRI[obj.modern_contraception])
        return KrsEditForm(data, initial=initial), same
    # tpk: the teams of the household's desa and the members the scope may see
    teams = list(selectors.teams_for(scope).filter(desa_id=obj.household.desa_id, active=True))
    if obj.team_id and all(t.pk != obj.team_id for t in teams):
        teams += list(selectors.teams_for(scope).filter(pk=obj.team_id))
    members = list(people_for(scope).filter(household_id=obj.household_id).order_by("birth_date"))
    initial.update(team=str(obj.team_id), person=str(obj.person_id or ""))

    def tpk(d):
        d = dict(d)
        d["team_id"] = next((t.pk for t in teams if str(t.pk) == d.pop("team", "")), None)
        d["person_id"] = next((m.pk for m in members if str(m.pk) == d.pop("person", "")), None)
        return d
    return TpkVisitForm(data, teams=teams, members=members, initial=initial), tpk


@region_safe
@require_http_methods(["GET", "POST"])
def edit(request, kind, pk):
    if kind not in corrections.KINDS:
        raise Http404
    scope = _scope(request)
    spec = corrections.KINDS[kind]
    obj = _get(spec.scoped(scope), pk=pk)
    form, to_service = _edit_form(kind, obj, scope, request.POST or None)
    if request.method == "POST" and form.is_valid():
        changes = _try(form, corrections.edit_record, request.user, kind, obj, to_service(form.cleaned_data),
                       request=request)
        if changes is not None:
            messages.success(request, _("Changes saved.") if changes else _("Nothing changed."))
            return redirect(_back(kind, obj))
    elif request.method == "GET":
        record(request.user, AuditEvent.Action.VIEW, obj=obj, summary=_("edit screen of %(what)s %(id)s")
               % {"what": spec.title, "id": obj.pk}, request=request)
    person = spec.person(obj) if spec.person else None
    return render(request, "targets/edit.html", {
        "form": form, "title": _("Correct: %(what)s") % {"what": spec.title}, "person": person,
        "household": spec.household(obj) if spec.household else None, "back": _back(kind, obj),
        "void_url": reverse_lazy(f"targets:void_{kind}", args=[obj.pk])})


@region_safe
@require_http_methods(["GET", "POST"])
def void(request, kind, pk):
    if kind not in corrections.KINDS:
        raise Http404
    scope = _scope(request)
    spec = corrections.KINDS[kind]
    obj = _get(spec.scoped(scope), pk=pk)
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _try(form, corrections.void_record, request.user, kind, obj, form.cleaned_data["reason"],
                    request=request)
        if done is not None:
            messages.success(request, _("The record was voided. It stays in the audit log."))
            return redirect(_back(kind, obj, voided=True))
    person = spec.person(obj) if spec.person else None
    return render(request, "targets/void.html", {
        "form": form, "title": _("Void: %(what)s") % {"what": spec.title}, "person": person,
        "household": spec.household(obj) if spec.household else None, "back": _back(kind, obj)})
