"""Interventions pages. Thin: every read through selectors (the request's Scope), every write
through services, every list/detail/export of personal data audited. Objects outside scope are
404; a write the role may not make is 403."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tumbuh.accounts.access import region_safe
from tumbuh.accounts.scoping import scope_for, scope_region_code
from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.coordination.models import AgencyKind
from tumbuh.regions.selectors import posyandu_for
from tumbuh.web import xlsx
from tumbuh.web.text import format_count, mask_nik

from . import forms, selectors, services
from .models import CourseStatus, DeliverySource, FundSource
from .offline import distribution_config

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
COUNT_CAP = 2_000  # the delivery list counts its rows up to this (a desa has tens of thousands)


class ListPage:
    """One page of a long list without a COUNT(*) over all of it: the page's rows plus one (is
    there a next page?) and a count that stops at `cap` (`capped`: "more than cap"; the number of
    pages is then unknown). The attributes are the ones the templates read of Django's Page."""

    def __init__(self, qs, number, *, per_page: int = PAGE_SIZE, cap: int = COUNT_CAP):
        try:
            number = max(1, int(number))
        except (TypeError, ValueError):
            number = 1
        self.count = qs.order_by().values("pk")[:cap + 1].count()
        self.capped = self.count > cap
        if self.capped:
            self.count = cap
        self.count_text = format_count(self.count)  # 2.000 in Indonesian
        self.num_pages = None if self.capped else max(1, -(-self.count // per_page))
        if self.num_pages is not None:
            number = min(number, self.num_pages)
        offset = (number - 1) * per_page
        rows = list(qs[offset:offset + per_page + 1])
        self.number = number
        self.object_list = rows[:per_page]
        self.has_next = len(rows) > per_page
        self.has_previous = number > 1
        self.has_other_pages = self.has_next or self.has_previous
        self.previous_page_number = number - 1
        self.next_page_number = number + 1

    def __len__(self) -> int:
        return len(self.object_list)

    def __iter__(self):
        return iter(self.object_list)


def _scope(request):
    return getattr(request, "scope", None) or scope_for(request.user)


def _get(qs, **kw):
    try:
        return qs.get(**kw)
    except (ObjectDoesNotExist, ValueError) as exc:
        raise Http404 from exc


def _today() -> dt.date:
    return timezone.localdate()


def _problems(form, exc: services.InputError) -> None:
    for p in exc.problems:
        form.add_error(None, str(p))


def _submit(request, form, write, success: str, done, *, out_of_scope=None):
    """The one submit step of the pages' forms: run `write()` (a service call, which audits
    itself); on success flash `success` and return `done(result)` (a redirect); on refused input
    bind the Indonesian problems to the form and return None (the page is shown again).
    `out_of_scope`: Http404 (an object outside the user's area) or PermissionDenied (a write the
    role may not make) for `OutOfScope`; None treats it as refused input."""
    try:
        result = write()
    except services.OutOfScope as exc:
        if out_of_scope is None:
            _problems(form, exc)
            return None
        raise out_of_scope from exc
    except services.InputError as exc:
        _problems(form, exc)
        return None
    messages.success(request, success)
    return done(result)


def _require_scope(scope) -> None:
    if scope.is_empty and not scope.is_opd:
        raise PermissionDenied


def _audit_list(request, object_type, summary, detail):
    record(request.user, AuditEvent.Action.VIEW_LIST, object_type=object_type,
           region_code=scope_region_code(request.user) or selectors.catalogue_region(_scope(request)) or "",
           summary=summary, detail=detail, request=request)


# --- deliveries ------------------------------------------------------------------------------------


@region_safe
def deliveries(request):
    scope = _scope(request)
    _require_scope(scope)
    form = forms.DeliveryFilter(scope, request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = selectors.delivery_list(scope, **{k: filters.get(k) or "" for k in ("desa", "posyandu", "code", "agency", "fund")},
                                 date_from=filters.get("date_from"), date_to=filters.get("date_to"))
    shown = {k: str(v) for k, v in filters.items() if v}
    if request.GET.get("format") == "xlsx":
        rows = list(qs[:EXPORT_LIMIT])
        record(request.user, AuditEvent.Action.EXPORT, object_type="interventions.delivery",
               region_code=scope_region_code(request.user) or selectors.catalogue_region(scope) or "",
               summary=_("deliveries export (%(n)s)") % {"n": len(rows)},
               detail={"filters": shown, "rows": len(rows)}, request=request)
        return xlsx.download([deliveries_sheet(request.user, rows, shown, full_nik=scope.sees_full_nik)],
                             f"pemberian-intervensi-{_today():%Y%m%d}.xlsx")
    page = ListPage(qs, request.GET.get("page"), per_page=PAGE_SIZE, cap=COUNT_CAP)
    _audit_list(request, "interventions.delivery", _("deliveries list"),
                {"filters": shown, "page": page.number, "shown": len(page.object_list)})
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(request, "interventions/deliveries.html", {"form": form, "page": page, "query": query.urlencode(),
                                                             "tab": "deliveries"})


def deliveries_sheet(user, rows, filters, *, full_nik: bool = True) -> xlsx.Sheet:
    """Province teams and OPD officers get masked NIK/KK numbers (Scope.sees_full_nik)."""
    def number(value):
        return (value or "") if full_nik else mask_nik(value or "")

    header = [_("Date"), _("Code"), "NIK", _("Name"), _("KK number"), _("Head of household"), _("Desa/kelurahan"),
              "Posyandu", _("Quantity"), _("Unit"), _("Source of funds"), _("Agency"), _("Delivered by"), _("Notes")]
    preamble = [[_("Deliveries of interventions")],
                [_("Filters"), ", ".join(f"{k}={v}" for k, v in sorted(filters.items())) or _("none")],
                [_("Generated"), timezone.localtime().strftime("%d-%m-%Y %H:%M"), _("by"), user.get_username()],
                [_("Personal data (UU 27/2022): keep this file safe; share only with those who need it.")], []]

    def row(d):
        return [d.date, d.code, number(d.person.nik) if d.person else "", d.person.name if d.person else "",
                number(d.household.kk_number) if d.household else "", d.household.head_name if d.household else "",
                d.desa.name, d.posyandu.name if d.posyandu else "", float(d.quantity), d.get_unit_display(),
                d.get_fund_source_display(), d.agency.code if d.agency else "", d.delivered_by, d.notes]

    return xlsx.Sheet(_("Deliveries"), (row(d) for d in rows), header=header, preamble=preamble, bold_rows={0})


@region_safe
def delivery_new(request):
    scope = _scope(request)
    _require_scope(scope)
    person = household = None
    if request.GET.get("person"):
        person = _get(selectors.people_in_reach(scope), pk=request.GET["person"])
    if request.GET.get("household"):
        household = _get(selectors.households_in_reach(scope), pk=request.GET["household"])
    # A recipient opened from a list is named by id: their NIK/KK is not echoed into the form.
    initial = {"date": _today(), "item_code": request.GET.get("code", "")}
    form = forms.DeliveryForm(scope, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if person is None and data["nik"]:
            person = selectors.people_in_reach(scope).filter(nik=data["nik"].strip()).first()
            if person is None:
                form.add_error("nik", _("No one with this NIK in your area."))
        if household is None and data["kk"]:
            household = selectors.households_in_reach(scope).filter(kk_number=data["kk"].strip()).first()
            if household is None:
                form.add_error("kk", _("No household with this KK number in your area."))
        agency = _get(selectors.agencies_for(scope), pk=data["agency"]) if data["agency"] else None
        if not form.errors and (response := _submit(
                request, form, lambda: services.record_delivery(
                    scope, item_code=data["item_code"], person=person, household=household, date=data["date"],
                    quantity=data["quantity"], unit=data["unit"] or None, fund_source=data["fund_source"],
                    agency=agency, delivered_by=data["delivered_by"], notes=data["notes"], request=request),
                _("Delivery saved."), lambda d: redirect("interventions:delivery_detail", delivery_id=d.pk),
                out_of_scope=Http404)):
            return response
    return render(request, "interventions/delivery_form.html", {"form": form, "person": person,
                                                                "household": household, "tab": "deliveries"})


@region_safe
def delivery_detail(request, delivery_id: int):
    scope = _scope(request)
    delivery = _get(selectors.deliveries_for(scope).select_related("person", "household", "agency", "desa", "course",
                                                                    "pledge"), pk=delivery_id)
    form = forms.VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (response := _submit(
            request, form, lambda: services.void_delivery(scope, delivery, form.cleaned_data["reason"], request=request),
            _("Delivery voided."), lambda d: redirect("interventions:delivery_detail", delivery_id=d.pk))):
        return response
    record(request.user, AuditEvent.Action.VIEW, obj=delivery, summary=_("delivery page"), request=request)
    item = selectors.catalogue_for(delivery.desa_id).get(delivery.code)
    return render(request, "interventions/delivery_detail.html", {"d": delivery, "form": form, "item": item,
                                                                  "tab": "deliveries"})


# --- the catalogue and agencies --------------------------------------------------------------------


def _editable_region(scope) -> str | None:
    """The region whose catalogue and agencies this user edits: a kab/kota or province team's own."""
    if scope.role in ("kabupaten", "provinsi") and scope.region_code:
        return scope.region_code
    return None


@region_safe
def catalogue(request):
    scope = _scope(request)
    _require_scope(scope)
    region = selectors.catalogue_region(scope)
    editable = _editable_region(scope)
    form = forms.LocalItemForm(request.POST or None)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid() and (response := _submit(
                request, form, lambda: services.save_local_item(scope, region_code=editable, request=request,
                                                                **form.cleaned_data),
                _("Catalogue item saved."), lambda _item: redirect("interventions:catalogue"))):
            return response
    items = selectors.catalogue_for(region, include_inactive=True)
    if scope.is_opd:
        codes = set(selectors.opd_codes(scope))
        items = {c: i for c, i in items.items() if c in codes}
    from .catalogue import shipped

    return render(request, "interventions/catalogue.html", {
        "items": items.values(), "form": form if editable else None, "editable": editable,
        "sources": shipped()["sources"], "version": shipped()["version"],
        "tab": "catalogue"})


@region_safe
def catalogue_item(request, item_id: int):
    scope = _scope(request)
    item = _get(selectors.catalogue_items_for(scope), pk=item_id)
    editable = _editable_region(scope)
    effective = selectors.catalogue_for(selectors.catalogue_region(scope), include_inactive=True).get(item.code, item)
    initial = {"code": item.code, "name": effective.name, "kind": effective.kind,
               "target_group": effective.target_group, "unit": effective.unit,
               "default_agency_code": effective.default_agency_code, "indicator": effective.indicator,
               "course_days": ", ".join(str(d) for d in effective.course_days or []),
               "course_amount": effective.course_amount, "description": effective.description,
               "active": effective.active}
    form = forms.LocalItemForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not editable or (item.region_id and not (item.region_id == editable)):
            raise PermissionDenied
        if form.is_valid() and (response := _submit(
                request, form, lambda: services.save_local_item(scope, region_code=editable, request=request,
                                                                **{**form.cleaned_data, "code": item.code}),
                _("Catalogue item saved."), lambda _item: redirect("interventions:catalogue"))):
            return response
    return render(request, "interventions/catalogue_item.html", {"item": item, "effective": effective,
                                                                 "form": form if editable else None,
                                                                 "tab": "catalogue"})


@region_safe
def agencies(request):
    scope = _scope(request)
    _require_scope(scope)
    editable = scope.everything or bool(_editable_region(scope))
    form = forms.AgencyForm(scope, request.POST or None) if editable else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        data = form.cleaned_data if form.is_valid() else None
        if data is not None and (response := _submit(
                request, form, lambda: services.save_agency(scope, region_code=data["region"], code=data["code"],
                                                            name=data["name"], kind=data["kind"], request=request),
                _("Agency saved."), lambda _agency: redirect("interventions:agencies"),
                out_of_scope=PermissionDenied)):
            return response
    rows = list(selectors.agencies_for(scope).select_related("region").order_by("kind", "code"))
    kinds = [(value, label, [a for a in rows if a.kind == value]) for value, label in AgencyKind.choices]
    return render(request, "interventions/agencies.html", {"kinds": kinds, "form": form, "tab": "agencies"})


# --- courses ---------------------------------------------------------------------------------------


@region_safe
def courses(request):
    scope = _scope(request)
    _require_scope(scope)
    status = request.GET.get("status", "")
    qs = selectors.courses_for(scope).select_related("person", "desa", "agency").order_by("-start", "-pk")
    if status in CourseStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for c in page.object_list:
        c.outcome = services.course_outcome(c)
    _audit_list(request, "interventions.course", _("courses list"), {"status": status, "page": page.number})
    return render(request, "interventions/courses.html", {"page": page, "status": status,
                                                          "statuses": CourseStatus.choices, "tab": "courses"})


@region_safe
def course_detail(request, course_id: int):
    scope = _scope(request)
    course = _get(selectors.courses_for(scope).select_related("person", "desa", "agency"), pk=course_id)
    form = forms.CloseCourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (response := _submit(
            request, form, lambda: services.close_course(scope, course, status=form.cleaned_data["status"],
                                                         exit_reason=form.cleaned_data["exit_reason"], request=request),
            _("Course updated."), lambda c: redirect("interventions:course_detail", course_id=c.pk))):
        return response
    record(request.user, AuditEvent.Action.VIEW, obj=course, summary=_("course page"), request=request)
    deliveries_ = selectors.active_deliveries_for(scope).filter(course=course).order_by("date")
    return render(request, "interventions/course_detail.html", {
        "course": course, "outcome": services.course_outcome(course), "deliveries": deliveries_, "form": form,
        "tab": "courses"})


@region_safe
def course_new(request, person_id: int):
    scope = _scope(request)
    person = _get(selectors.people_in_reach(scope), pk=person_id)
    form = forms.CourseForm(scope, request.POST or None, initial={"start": _today(), "item_code": "PMT-BALITA"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if response := _submit(
                request, form, lambda: services.start_course(
                    scope, item_code=data["item_code"], person=person, start=data["start"], days=data["days"],
                    planned_amount=data["planned_amount"], notes=data["notes"], request=request),
                _("Course started."), lambda c: redirect("interventions:course_detail", course_id=c.pk),
                out_of_scope=Http404):
            return response
    return render(request, "interventions/course_form.html", {"form": form, "person": person, "tab": "courses"})


# --- distribution day ------------------------------------------------------------------------------


def _distribution_target(request, scope, data):
    posyandu = None
    if data.get("posyandu"):
        posyandu = _get(posyandu_for(selectors.recipients_scope(scope)).select_related("desa"), pk=data["posyandu"])
    desa = data.get("desa") or ""
    return posyandu, desa


@region_safe
def distribution(request):
    scope = _scope(request)
    _require_scope(scope)
    form = forms.DistributionForm(scope, request.GET or None, initial={"date": _today()})
    rows, item, posyandu, desa, day = [], None, None, "", _today()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        day = data["date"]
        item = selectors.item_for(scope, data["code"])
        posyandu, desa = _distribution_target(request, scope, data)
        if day > _today():
            form.add_error("date", _("The date is in the future."))
        elif item is not None and (posyandu is not None or desa):
            rows = selectors.distribution_rows(scope, item, on=day, posyandu=posyandu, desa=desa)
            _audit_list(request, "interventions.delivery", _("distribution list %(code)s") % {"code": item.code},
                        {"code": item.code, "posyandu": posyandu.pk if posyandu else None, "desa": desa,
                         "date": day, "shown": len(rows)})
    done = sum(1 for r in rows if r["delivery"])
    # A list shown is kept on the phone by the service worker; its ticks then work offline.
    offline_config = distribution_config(item, day, rows) if rows else None
    return render(request, "interventions/distribution.html", {
        "form": form, "rows": rows, "item": item, "posyandu": posyandu, "desa": desa, "date": day,
        "done": done, "tab": "distribution", "offline": offline_config})


def _row_default_quantity(item):
    if item.course_amount and item.code.startswith("TTD"):
        return 30
    return 1 if item.unit != "hari" else 7


@region_safe
@require_POST
def distribution_row(request, person_id: int):
    scope = _scope(request)
    _require_scope(scope)
    person = _get(selectors.people_in_reach(scope).select_related("desa", "posyandu"), pk=person_id)
    return _save_row(request, scope, person=person)


@region_safe
@require_POST
def distribution_household(request, household_id: int):
    scope = _scope(request)
    _require_scope(scope)
    household = _get(selectors.households_in_reach(scope), pk=household_id)
    return _save_row(request, scope, household=household)


def _save_row(request, scope, *, person=None, household=None):
    code = request.POST.get("code", "")
    item = selectors.item_for(scope, code)
    if item is None or (scope.is_opd and code not in selectors.opd_codes(scope)):
        raise Http404
    try:
        day = dt.date.fromisoformat(request.POST.get("date", ""))
    except ValueError as exc:
        raise Http404 from exc
    form = forms.DistributionRowForm(request.POST)
    row = {"person": person, "household": household, "reasons": [], "delivery": None}
    error = ""
    if form.is_valid() and form.cleaned_data["received"]:
        quantity = form.cleaned_data["quantity"] or _row_default_quantity(item)
        try:
            row["delivery"] = services.record_delivery(
                scope, item_code=item.code, person=person if not item.is_household_item else None,
                household=household, date=day, quantity=quantity, source=DeliverySource.DISTRIBUTION,
                fund_source=request.POST.get("fund_source", "") or "",
                uuid=request.POST.get("uuid") or None, request=request)
            row["saved"] = True
        except services.OutOfScope as exc:
            raise Http404 from exc
        except services.InputError as exc:
            error = "; ".join(str(p) for p in exc.problems)
    elif not form.is_valid():
        error = "; ".join(str(e) for errs in form.errors.values() for e in errs)
    else:
        error = _("Tick Received first.")
    context = {"row": row, "item": item, "date": day, "error": error}
    if request.headers.get("HX-Request"):
        return render(request, "interventions/_distribution_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Delivery saved."))
    where = (f"posyandu={person.posyandu_id}" if person is not None and person.posyandu_id
             else f"desa={(person or household).desa_id}")
    return redirect(f"{reverse('interventions:distribution')}?code={item.code}&date={day.isoformat()}&{where}")


# --- BAAS -----------------------------------------------------------------------------------------


@region_safe
def pledges(request):
    scope = _scope(request)
    _require_scope(scope)
    qs = selectors.pledges_for(scope).select_related("sponsor", "child", "desa").order_by("-start", "-pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for p in page.object_list:
        p.summary = selectors.pledge_summary(p)
    sponsors = list(selectors.agencies_for(scope).filter(kind__in=[AgencyKind.FOSTER_PARENT, AgencyKind.COMPANY])
                    .order_by("name"))
    _audit_list(request, "interventions.pledge", _("foster-parent pledges list"), {"page": page.number})
    return render(request, "interventions/pledges.html", {"page": page, "sponsors": sponsors, "tab": "baas"})


@region_safe
def pledge_new(request, child_id: int):
    scope = _scope(request)
    child = _get(selectors.people_in_reach(scope), pk=child_id)
    form = forms.PledgeForm(scope, request.POST or None, initial={"start": _today(), "months": 6,
                                                                  "amount_per_month": 500000})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sponsor = _get(selectors.agencies_for(scope), pk=data["sponsor"])
        if response := _submit(
                request, form, lambda: services.create_pledge(
                    scope, sponsor=sponsor, child=child, amount_per_month=data["amount_per_month"],
                    months=data["months"], start=data["start"], notes=data["notes"], request=request),
                _("Pledge saved."), lambda p: redirect("interventions:pledge_detail", pledge_id=p.pk),
                out_of_scope=Http404):
            return response
    return render(request, "interventions/pledge_form.html", {"form": form, "child": child, "tab": "baas"})


@region_safe
def pledge_detail(request, pledge_id: int):
    scope = _scope(request)
    pledge = _get(selectors.pledges_for(scope).select_related("sponsor", "child", "desa"), pk=pledge_id)
    record(request.user, AuditEvent.Action.VIEW, obj=pledge, summary=_("pledge page"), request=request)
    deliveries_ = selectors.active_deliveries_for(scope).filter(pledge=pledge).order_by("date")
    return render(request, "interventions/pledge_detail.html", {
        "pledge": pledge, "summary": selectors.pledge_summary(pledge), "deliveries": deliveries_, "tab": "baas"})


@region_safe
def sponsor(request, agency_id: int):
    """What a foster parent or company could be shown: counts and sums only, never names."""
    scope = _scope(request)
    agency = _get(selectors.agencies_for(scope), pk=agency_id)
    return render(request, "interventions/sponsor.html", {"agency": agency,
                                                          "agg": selectors.sponsor_aggregates(scope, agency),
                                                          "tab": "baas"})


# --- plans and progress ----------------------------------------------------------------------------


@region_safe
def plans(request):
    scope = _scope(request)
    _require_scope(scope)
    try:
        year = int(request.GET.get("year") or _today().year)
    except ValueError:
        year = _today().year
    agency = request.GET.get("agency", "")
    desa = request.GET.get("desa", "")
    form = forms.PlanForm(scope, request.POST or None, initial={"year": year})
    may_plan = scope.everything or scope.is_opd or scope.role in ("kabupaten", "provinsi")
    if request.method == "POST":
        if not may_plan:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            target = _get(selectors.agencies_for(scope), pk=data["agency"])
            if response := _submit(
                    request, form, lambda: services.save_plan(
                        scope, agency=target, code=data["code"], desa_code=data["desa"], year=data["year"],
                        planned_quantity=data["planned_quantity"], budget=data["budget"], request=request),
                    _("Plan saved."), lambda _plan: redirect(f"{request.path}?year={data['year']}"),
                    out_of_scope=PermissionDenied):
                return response
    valid_desa = dict(forms.desa_choices(scope, blank=False))
    rows = selectors.progress(scope, year, agency=agency, desa=desa if desa in valid_desa else "")
    return render(request, "interventions/plans.html", {
        "year": year, "rows": rows, "by_agency": selectors.progress_by(rows, "agency"),
        "by_desa": selectors.progress_by(rows, "desa"), "form": form if may_plan else None,
        "agencies": forms.agency_choices(scope), "desas": forms.desa_choices(scope), "agency": agency, "desa": desa,
        "years": list(range(_today().year + 1, _today().year - 4, -1)), "tab": "plans"})


# --- the OPD officer's landing page ----------------------------------------------------------------


@region_safe
def opd_home(request):
    scope = _scope(request)
    _require_scope(scope)
    on = _today()
    agency = selectors.opd_agency(scope)
    counts = selectors.target_counts(scope, on) if scope.is_opd else []
    code = request.GET.get("item", "")
    desa = request.GET.get("desa", "")
    item = selectors.item_for(scope, code) if code in selectors.opd_codes(scope) else None
    desas = forms.desa_choices(scope)
    target, total = [], 0
    if item is not None:
        target, total = selectors.target_list(scope, item, on, desa=desa if desa in dict(desas) else "")
        _audit_list(request, "registry.person", _("target list %(code)s") % {"code": item.code},
                    {"code": item.code, "desa": desa, "shown": len(target)})
    recent = (selectors.active_deliveries_for(scope).select_related("person", "household", "desa")
              .order_by("-date", "-pk")[:20]) if scope.is_opd else []
    if recent:
        _audit_list(request, "interventions.delivery", _("my deliveries"), {"shown": len(recent)})
    return render(request, "interventions/opd_home.html", {
        "agency": agency, "counts": counts, "item": item, "target": target, "target_total": total,
        "desas": desas, "desa": desa, "recent": recent, "fund_sources": FundSource.choices, "tab": "opd"})
