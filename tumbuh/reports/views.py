"""Thin views: scoped reads from selectors, writes through services (audited), files rendered in
the background and polled with htmx."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tumbuh.accounts.access import region_safe
from tumbuh.analytics.periods import Period
from tumbuh.audit.services import record
from tumbuh.regions.models import Region

from . import sections, services
from . import selectors as sel
from .models import JobKind, JobStatus, SemesterReport, Status


def _semester(request) -> tuple[int, int]:
    """?year=&semester=, else the semester that ended last (the one being reported on)."""
    today = timezone.localdate()
    default = Period.containing(today, "semester").previous()
    picked = request.GET.get("semester_key", "")  # "2026-1" from the picker
    year_text, _dash, semester_text = picked.partition("-")
    try:
        year = int(year_text or request.GET.get("year", default.year))
        semester = int(semester_text or request.GET.get("semester", default.index))
    except ValueError:
        return default.year, default.index
    if semester not in (1, 2) or not 2018 <= year <= today.year:
        return default.year, default.index
    return year, semester


def _own_region(request) -> Region | None:
    code = request.scope.region_code
    return Region.objects.filter(code=code).first() if code and request.scope.role in sel.WRITER_ROLES else None


@region_safe
def index(request):
    from tumbuh.coordination.selectors import meetings_for

    today = timezone.localdate()
    year, semester = _semester(request)
    own = _own_region(request)
    mine = list(sel.reports_for(request.scope).filter(region=own, year=year, semester=semester)) if own else []
    due = sel.due_date(own, year, semester) if own else None
    latest = mine[0] if mine else None
    context = {
        "year": year, "semester": semester, "own": own, "mine": mine, "due": due,
        "late": sel.is_late(latest, due, today) if own else False,
        "incoming": sel.incoming_for(request.scope, year, semester, today),
        "recent": sel.reports_for(request.scope).order_by("-updated_at")[:30],
        "meetings": meetings_for(request.scope).order_by("-date")[:10],
        "jobs": sel.jobs_for(request.scope).filter(requested_by=request.user).defer("output")[:10],
        "semesters": [(p.year, p.index) for p in Period.containing(today, "semester").history(6)][::-1],
        "can_create": own is not None,
        "bnba_url": reverse("reports:bnba_print"),
    }
    record(request.user, "view_list", object_type="reports.semesterreport", summary=_("reports index"), request=request)
    return render(request, "reports/index.html", context)


@region_safe
@require_POST
def create(request):
    code = request.POST.get("region", "")
    region = Region.objects.filter(code=code).filter(request.scope.region_q("code")).first()
    if region is None:
        raise Http404
    try:
        year, semester = int(request.POST.get("year", "")), int(request.POST.get("semester", ""))
        report = services.create_report(request.user, region=region, year=year, semester=semester, request=request)
    except (ValueError, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("reports:index")
    return redirect("reports:detail", report_id=report.pk)


def _report(request, report_id: int) -> SemesterReport:
    return get_object_or_404(sel.reports_for(request.scope).select_related("region__parent"), pk=report_id)


@region_safe
def detail(request, report_id: int):
    report = _report(request, report_id)
    today = timezone.localdate()
    data = report.snapshot if report.is_frozen and report.snapshot else services.compute(report)
    due = sel.due_date(report.region, report.year, report.semester)
    from . import render as rd

    blocks = [{"section": s, "s": data["sections"].get(s.code, {}), "template": s.template} for s in sections.SECTIONS]
    prevalence = data["sections"].get("prevalence", {})
    context = {
        "report": report, "blocks": blocks, "due": due, "late": sel.is_late(report, due, today),
        "can_write": sel.can_write(request.scope, report.region), "can_decide": sel.can_decide(request.scope, report),
        "versions": sel.reports_for(request.scope).filter(region=report.region, year=report.year,
                                                          semester=report.semester).order_by("-version"),
        "jobs": sel.jobs_for(request.scope).filter(report=report).defer("output")[:6],
        "period_label": rd.period_label(Period(report.year, "semester", report.semester)),
        "trend_svg": rd.trend_chart(prevalence.get("trend", []), prevalence.get("targets", [])),
        "map_svg": rd.map_svg(report.region_id, prevalence.get("unit_kind", "region"), prevalence.get("ranking", [])),
        "computed_on": data.get("computed_on"), "screen": True, "Status": Status,
    }
    record(request.user, "view", obj=report, region_code=report.region_id, summary=str(report), request=request)
    return render(request, "reports/detail.html", context)


ACTIONS = ("save", "rollup", "finalise", "submit", "accept", "return", "revise", "pdf", "xlsx")


@region_safe
@require_POST
def action(request, report_id: int):
    report = _report(request, report_id)
    what = request.POST.get("action", "")
    if what not in ACTIONS:
        raise Http404
    try:
        if what == "save":
            services.update_texts(request.user, report, problems=request.POST.get("problems", ""),
                                  follow_up=request.POST.get("follow_up", ""), request=request)
            messages.success(request, _("Saved."))
        elif what == "rollup":
            taken = services.roll_up(request.user, report, request=request)
            messages.success(request, _("%(n)d reports rolled up.") % {"n": len(taken)})
        elif what == "finalise":
            services.finalise(request.user, report, request=request)
            messages.success(request, _("Finalised: the numbers are frozen."))
        elif what == "submit":
            services.submit(request.user, report, request=request)
            messages.success(request, _("Submitted."))
        elif what in ("accept", "return"):
            services.decide(request.user, report, accept=what == "accept", reason=request.POST.get("reason", ""),
                            request=request)
        elif what == "revise":
            new = services.create_report(request.user, region=report.region, year=report.year,
                                         semester=report.semester, request=request)
            return redirect("reports:detail", report_id=new.pk)
        else:
            kind = JobKind.SEMESTER_PDF if what == "pdf" else JobKind.SEMESTER_XLSX
            job = services.request_render(request.user, kind=kind, region=report.region, report=report,
                                          params={"lang": get_language()}, request=request)
            return redirect("reports:job", job_id=job.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        raise
    return redirect("reports:detail", report_id=report.pk)


# ---- rendered files ----------------------------------------------------------------------------

@region_safe
def job(request, job_id: int):
    item = get_object_or_404(sel.jobs_for(request.scope).defer("output"), pk=job_id)
    waited = (timezone.now() - item.created_at).total_seconds()
    context = {"job": item, "waiting_long": item.status == JobStatus.QUEUED and waited > 15}
    if request.headers.get("HX-Request"):
        return render(request, "reports/_job_status.html", context)
    return render(request, "reports/job.html", context)


@region_safe
def download(request, job_id: int):
    item = get_object_or_404(sel.jobs_for(request.scope), pk=job_id, status=JobStatus.DONE)
    record(request.user, "export", obj=item, region_code=item.region_id, summary=item.filename[:255], request=request)
    response = HttpResponse(bytes(item.output or b""), content_type=item.content_type or "application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{item.filename}"'
    return response


@region_safe
def meeting_pack(request, meeting_id: int):
    from tumbuh.coordination.selectors import meetings_for

    meeting = get_object_or_404(meetings_for(request.scope), pk=meeting_id)
    if request.method == "POST":
        kind = {"handout": JobKind.RAKOR_HANDOUT, "slides": JobKind.RAKOR_SLIDES}.get(request.POST.get("kind", ""))
        if kind is None:
            raise Http404
        job_ = services.request_render(request.user, kind=kind, region=meeting.region, meeting=meeting,
                                       params={"lang": get_language()}, request=request)
        return redirect("reports:job", job_id=job_.pk)
    jobs = sel.jobs_for(request.scope).filter(meeting=meeting).defer("output")[:6]
    return render(request, "reports/meeting_pack.html", {"meeting": meeting, "jobs": jobs})


@region_safe
def bnba_print(request):
    """The BNBA lists of /analytics/bnba/ as an A4 print list: the same region, period, list and
    posyandu rules (the analytics page's own parsing, so scoping is the same)."""
    from tumbuh.analytics import views as av
    from tumbuh.analytics.reports import BNBA_CATEGORIES

    region = av._region(request)
    period = av._period(request, region)
    posyandu = av._posyandu(request)
    from .lists import LISTS, choices

    if request.method == "POST":
        category = request.POST.get("category", "")
        if category not in BNBA_CATEGORIES and category.removeprefix("list:") not in LISTS:
            raise Http404
        anchor = Region.objects.filter(code=region.code).first()
        if anchor is None:
            raise Http404
        job_ = services.request_render(
            request.user, kind=JobKind.BNBA if category in BNBA_CATEGORIES else JobKind.LIST, region=anchor,
            params={"region": region.code, "period": period.key, "category": category,
                    "posyandu": posyandu.pk if posyandu else None, "lang": get_language()}, request=request)
        return redirect("reports:job", job_id=job_.pk)
    context = {**av._picker(request, region, period), "categories": av.bnba_labels() + choices(),
               "posyandu": posyandu, "chosen": request.GET.get("category", "stunted")}
    return render(request, "reports/bnba_print.html", context)


def default_deadline_note(day: dt.date | None) -> str:
    return "" if day else _("No deadline set (coordination calendar)")


@region_safe
def distribution_print(request):
    """The distribution-day list of one intervention at a posyandu or in a desa as an A4 print list:
    the interventions page's own picker (DistributionForm, the user's catalogue, posyandu and desa)
    and its own selector (`distribution_rows`) in the background job, under the user's scope."""
    from tumbuh.interventions import forms as iforms
    from tumbuh.interventions import selectors as isel
    from tumbuh.interventions.views import _require_scope
    from tumbuh.regions.selectors import posyandu_for

    scope = getattr(request, "scope", None)
    _require_scope(scope)
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = iforms.DistributionForm(scope, data, initial={"date": today})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        item = isel.item_for(scope, d["code"])
        posyandu = (posyandu_for(isel.recipients_scope(scope)).select_related("desa").filter(pk=d["posyandu"]).first()
                    if d.get("posyandu") else None)
        desa_code = posyandu.desa_id if posyandu is not None else (d.get("desa") or "")
        anchor = Region.objects.filter(code=desa_code).first() if desa_code else None
        if d["date"] > today:
            form.add_error("date", _("The date is in the future."))
        elif item is None:
            form.add_error("code", _("Choose an intervention."))
        elif anchor is None:
            form.add_error("posyandu", _("Choose a posyandu or a desa/kelurahan."))
        else:
            job_ = services.request_render(
                request.user, kind=JobKind.LIST, region=anchor,
                params={"region": anchor.code, "period": Period.containing(d["date"], "month").key,
                        "category": "list:distribution", "code": item.code, "date": d["date"].isoformat(),
                        "posyandu": posyandu.pk if posyandu else None, "desa": desa_code, "lang": get_language()},
                request=request)
            return redirect("reports:job", job_id=job_.pk)
    return render(request, "reports/distribution_print.html", {"form": form})
