"""Convergence pages: the gap list (an OPD officer's "my gaps"), one gap with its closing actions,
the not-applicable marks, and the package rules. Thin: reads through selectors (the request's
Scope), writes through services, every list/export/write audited, outsiders' objects 404."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tumbuh.accounts.access import region_safe
from tumbuh.accounts.models import Role
from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.coordination.models import Agency
from tumbuh.regions.models import Region
from tumbuh.web import xlsx

from . import labels, selectors, services
from . import rules as R
from .forms import GapFilter, LocalRuleForm, NotApplicableForm
from .models import LocalRule

PAGE_SIZE = 50
EXPORT_LIMIT = 200_000


def _filter_choices(scope, area: str | None):
    """Regions of the scope; the OPD and items of the rules in force (no scan of the gap table)."""
    regions = selectors.regions_in(scope).exclude(level=Region.Level.PROVINSI).order_by("code") \
        .values_list("code", "name")
    regions = [(c, f"{n} ({c})") for c, n in regions[:400]]
    kab = area[:5] if area and len(area) >= 5 else None
    ruleset = services.ruleset_for(kab) if kab else R.default_ruleset()
    responsible = services.agency_codes(kab or "00.00", ruleset)
    codes = sorted({responsible.get(r.item, "") for r in ruleset.rules} - {""})
    names = dict(Agency.objects.filter(region_id=kab).values_list("code", "name")) if kab else {}
    agencies = [] if scope.is_opd else [(c, names.get(c, c)) for c in codes]
    item_names = selectors._names()
    own = selectors._agency_code(scope) if scope.is_opd else None
    items = [(c, f"{c} · {item_names.get(c, c)}") for c in sorted({r.item for r in ruleset.rules
                                                                   if own is None or responsible.get(r.item) == own})]
    return regions, agencies, items


def delivery_url(row: dict) -> str:
    """The interventions context's delivery entry for this person/household and item, if it exists."""
    try:
        base = reverse("interventions:delivery_new")
    except NoReverseMatch:
        return ""
    key = "person" if row["subject"] == "p" else "household"
    return f"{base}?{urlencode({key: row['subject_id'], 'code': row['intervention_code']})}"


@region_safe
def gap_list(request):
    scope = request.scope
    area = selectors.area_code(scope)
    if area is not None:
        services.ensure_fresh(area)
    regions, agencies, items = _filter_choices(scope, area)
    form = GapFilter(request.GET or None, regions=regions, agencies=agencies, items=items)
    if request.GET.get("region") and request.GET["region"] not in {c for c, _n in regions}:
        raise Http404  # a region outside the scope is not a filter, it is a probe
    filters = form.cleaned_data if form.is_valid() else {}
    shown = {k: v for k, v in filters.items() if v}
    qs = selectors.ordered(selectors.filtered(selectors.gaps_for(scope), **{k: filters.get(k, "") for k in
                                                                           ("region", "agency", "item", "group")}))
    mine = scope.is_opd
    title = _("My gaps") if mine else _("Convergence gaps")
    region_code = area or ""
    if request.GET.get("download"):
        rows = selectors.gap_rows(qs[:EXPORT_LIMIT], mask_nik=not scope.sees_full_nik)
        record(request.user, AuditEvent.Action.EXPORT, object_type="convergence.gap", region_code=region_code,
               summary=_("convergence gap list xlsx"), detail={"filters": shown, "rows": len(rows)}, request=request)
        region_name = Region.objects.filter(code=filters.get("region") or area).values_list("name", flat=True).first() \
            if (filters.get("region") or area) else _("Indonesia")
        return xlsx.download([gap_sheet(rows, title=title, region_name=region_name or "", filters=shown,
                                        user=request.user, as_of=services.today(filters.get("region") or region_code))],
                             "kesenjangan-konvergensi.xlsx")
    # Page through the ids only (an index-only walk of the page index), then read the 50 rows.
    page = Paginator(qs.values_list("pk", flat=True), PAGE_SIZE).get_page(request.GET.get("page"))
    ids = list(page.object_list)
    by_id = selectors.Gap.objects.in_bulk(ids)
    rows = selectors.gap_rows([by_id[i] for i in ids if i in by_id], mask_nik=True)
    for row in rows:
        row["delivery_url"] = delivery_url(row)
        row["group_label"] = labels.group_label(row["target_group"])
    record(request.user, AuditEvent.Action.VIEW_LIST, object_type="convergence.gap", region_code=region_code,
           summary=_("convergence gap list"), detail={"filters": shown, "page": page.number,
                                                      "total": page.paginator.count}, request=request)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "convergence/gaps.html", {
        "title": title, "form": form, "page": page, "rows": rows, "query": query.urlencode(), "today": services.today(filters.get("region") or region_code),
        "mine": mine, "version": R.default_ruleset().version})


def gap_sheet(rows: Iterable[dict], *, title: str, region_name: str, filters: dict, user, as_of=None,
              versions: Iterable[str] | None = None) -> xlsx.Sheet:
    """The gap list as a sheet with the Indonesian title block (page and CLI alike). `rows` may be
    a stream (the CLI) when the rule-set `versions` are given; else they are read from the rows."""
    as_of = as_of or timezone.localdate()
    if versions is None:
        rows = list(rows)
        versions = {r["rule_version"] for r in rows}
    preamble = [
        [title],
        [_("Region"), region_name],
        [_("As of"), date_format(as_of, "j M Y")],
        [_("Printed"), date_format(timezone.localdate(), "j M Y"), _("by"), user.get_username() if user else "tumbuh"],
        [_("Filters"), ", ".join(f"{k}={v}" for k, v in filters.items() if v) or _("none")],
        [_("Source"), _("Tumbuh convergence rules, version %(v)s (docs/convergence.md)") % {
            "v": ", ".join(sorted(versions)) or R.default_ruleset().version}],
        [_("Personal data (UU 27/2022): for the stunting programme only; do not share.")],
        [],
    ]
    header = [_("NIK"), _("Name"), _("Birth date"), _("Desa code"), _("Posyandu"), _("Target group"),
              _("Intervention code"), _("OPD"), _("Why they qualify"), _("Since"), _("Due"), _("Desa/kelurahan"),
              _("Address"), _("KK number"), _("Intervention"), _("Responsible OPD"), _("Rule"), _("Rule version")]
    body = ([r[c] for c in selectors.COLUMNS[:18]] for r in rows)
    return xlsx.Sheet(str(_("Gaps")), body, header=header, preamble=preamble, bold_rows={0})


@region_safe
def gap_detail(request, gap_id: int):
    gap = get_object_or_404(selectors.gaps_for(request.scope), pk=gap_id)
    row = selectors.gap_rows([gap], mask_nik=not request.scope.sees_full_nik)[0]
    form = NotApplicableForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.mark_not_applicable(request.user, gap, form.cleaned_data["reason"], form.cleaned_data["note"],
                                     request=request)
        messages.success(request, _("Marked not applicable: the gap is closed."))
        return redirect("convergence:gaps")
    record(request.user, AuditEvent.Action.VIEW, obj=gap.person or gap.household, region_code=gap.desa_id,
           summary=_("convergence gap %(item)s") % {"item": gap.item_code}, request=request)
    row["group_label"] = labels.group_label(row["target_group"])
    return render(request, "convergence/gap.html", {"gap": gap, "row": row, "form": form,
                                                      "delivery_url": delivery_url(row),
                                                      "membership_url": membership_url(gap)})


def membership_url(gap) -> str:
    """The person edit page where recording a JKN membership closes this gap (a rule whose window
    counts `membership`): the child the household gap names, or the person. Empty otherwise."""
    try:
        rule = services.ruleset_for(services.kabupaten_of(gap.desa_id)).by_id(gap.rule_id)
    except StopIteration:  # the rule left the rule set since the gap was stored
        return ""
    person_id = gap.person_id or (gap.reason_args or {}).get("child")
    if not rule.window.get("membership") or not person_id:
        return ""
    try:
        return reverse("registry:person_edit", kwargs={"pk": person_id})
    except NoReverseMatch:
        return ""


@region_safe
def not_applicable_list(request):
    scope = request.scope
    marks = selectors.not_applicable_for(scope).select_related("person", "household", "desa", "created_by") \
        .order_by("-created_at")
    page = Paginator(marks, PAGE_SIZE).get_page(request.GET.get("page"))
    record(request.user, AuditEvent.Action.VIEW_LIST, object_type="convergence.notapplicable",
           region_code=selectors.area_code(scope) or "", summary=_("convergence not-applicable marks"),
           detail={"page": page.number}, request=request)
    return render(request, "convergence/not_applicable.html", {"page": page})


@region_safe
@require_POST
def revoke(request, na_id: int):
    na = get_object_or_404(selectors.not_applicable_for(request.scope), pk=na_id)
    services.revoke_not_applicable(request.user, na, request=request)
    messages.success(request, _("The mark was withdrawn: the gap is open again."))
    return redirect("convergence:not_applicable")


def _rules_region(request) -> Region | None:
    """The kab/kota whose rules the page shows: the user's own (kabupaten team, OPD officer,
    anyone below), or for administrators and province teams the `region` asked for."""
    scope = request.scope
    code = selectors.area_code(scope)
    wanted = request.POST.get("region") or request.GET.get("region") or ""
    if code and len(code.split(".")) >= 2:
        own = code[:5]
        if wanted and wanted != own:
            raise Http404
        return Region.objects.filter(code=own).first()
    if code is None:
        return None
    if wanted:
        return get_object_or_404(selectors.regions_in(scope).filter(level=Region.Level.KABUPATEN), code=wanted)
    return None


def _may_edit(request, kab: Region | None) -> bool:
    return kab is not None and (request.scope.everything or request.user.role == Role.KABUPATEN)


@region_safe
def rules_page(request):
    kab = _rules_region(request)
    editable = _may_edit(request, kab)
    form = LocalRuleForm(request.POST or None)
    if request.method == "POST":
        if not editable:
            raise Http404
        if request.POST.get("remove"):
            row = get_object_or_404(LocalRule, region=kab, rule_id=request.POST["remove"])
            services.delete_local_rule(request.user, row, request=request)
            messages.success(request, _("Local rule removed."))
            return redirect(f"{reverse('convergence:rules')}?{urlencode({'region': kab.code})}")
        if form.is_valid():
            d = form.cleaned_data
            services.save_local_rule(request.user, kab, LocalRuleForm.rule_dict(d), disabled=bool(d.get("disable")),
                                     request=request)
            messages.success(request, _("Rule saved; the gaps of %(kab)s were recomputed.") % {"kab": kab.name})
            return redirect(f"{reverse('convergence:rules')}?{urlencode({'region': kab.code})}")
    ruleset = services.ruleset_for(kab.code) if kab else R.default_ruleset()
    local = list(LocalRule.objects.filter(region=kab)) if kab else []
    sources = R.shipped()["sources"]
    rules = [{"rule": r, "label": labels.rule_label(r), "group": labels.group_label(r.group),
              "agency": r.agency or services.agency_codes(kab.code if kab else "00.00", ruleset).get(r.item, ""),
              "sources": [sources.get(s.strip().split(" ")[0].rstrip(","), "") for s in r.source.split(",")]}
             for r in ruleset.rules]
    kabs = [] if kab or request.scope.is_opd else list(selectors.regions_in(request.scope)
                                                        .filter(level=Region.Level.KABUPATEN).values_list("code", "name"))
    return render(request, "convergence/rules.html", {
        "kab": kab, "ruleset": ruleset, "rules": rules, "local": local, "form": form, "editable": editable,
        "kabs": kabs, "data_version": R.shipped()["version"]})


