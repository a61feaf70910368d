"""Thin views: scoped reads from selectors, writes through services, audited."""

from __future__ import annotations

import calendar
import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tumbuh.accounts.access import public, region_safe
from tumbuh.audit.services import record
from tumbuh.regions.models import Region, within

from . import data_evidence, metrics, services
from . import framework as fw
from . import selectors as sel
from .forms import (
    AksiForm,
    CaseReviewForm,
    CommitmentForm,
    CommitmentUpdateForm,
    DeadlineForm,
    EvidenceForm,
    MeetingForm,
    MinutesForm,
)
from .models import Assessment, CalendarToken, Commitment, PublicPage


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    return year if 2018 <= year <= 2100 else timezone.localdate().year


def _kabupaten(request):
    """The kab/kota the page is about: ?kabupaten= among those in scope, else the user's own."""
    choices = sel.kabupaten_in_scope(request.scope)
    wanted = request.GET.get("kabupaten", "")
    if wanted:
        hit = choices.filter(code=wanted).first()
        if hit:
            return hit, choices
    home = sel.home_kabupaten(request.scope)
    if home is not None and (choices.filter(code=home.code).exists() or not choices.exists()):
        return home, choices
    return choices.first(), choices


def _rows(commitments, today):
    rows = []
    for c in commitments:
        rows.append({"c": c, "progress": metrics.progress_of(c), "overdue": c.is_overdue(today)})
    return rows


@region_safe
def index(request):
    today = timezone.localdate()
    year = _year(request)
    kab, kab_choices = _kabupaten(request)
    aksi, framework = [], None
    if kab is not None:
        try:
            framework = fw.for_year(year)
        except fw.FrameworkMissing:
            framework = None
        if framework is not None:
            if sel.can_edit_aksi(request.scope, kab.code):
                services.ensure_year(kab, year)
            aksi = list(sel.aksi_for(request.scope).filter(region=kab, year=year))
    commitments = sel.commitments_for(request.scope)
    context = {
        "year": year, "kabupaten": kab, "kab_choices": kab_choices, "framework": framework, "aksi": aksi,
        "meetings": sel.meetings_for(request.scope)[:5],
        "overdue": _rows(sel.overdue(commitments, today)[:10], today),
        "overdue_count": sel.overdue(commitments, today).count(),
        "open_count": sel.open_commitments(commitments).count(),
        "mine_count": sel.open_commitments(sel.my_commitments(request.scope)).count(),
        "can_create": bool(_editable(request)),
        # the link to the public page only while the kab/kota has it switched on (it is a 404 otherwise)
        "public_enabled": kab is not None and PublicPage.objects.filter(region=kab, enabled=True).exists(),
    }
    return render(request, "coordination/index.html", context)


def _editable(request):
    from .forms import editable_regions

    return editable_regions(request.user).exists()


@region_safe
def aksi_detail(request, aksi_id: int):
    record_ = get_object_or_404(sel.aksi_for(request.scope), pk=aksi_id)
    can_edit = sel.can_edit_aksi(request.scope, record_.region_id)
    form = AksiForm(instance=record_, user=request.user)
    upload = EvidenceForm()
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if "file" in request.FILES or request.POST.get("upload"):
            upload = EvidenceForm(request.POST, request.FILES)
            if upload.is_valid():
                try:
                    services.add_evidence(request.user, upload.cleaned_data["file"], aksi=record_,
                                          description=upload.cleaned_data["description"], request=request)
                    messages.success(request, _("Evidence uploaded."))
                    return redirect(request.path)
                except ValidationError as exc:
                    upload.add_error("file", exc)
        else:
            form = AksiForm(request.POST, instance=record_, user=request.user)
            if form.is_valid():
                services.update_aksi(request.user, record_, status=form.cleaned_data["status"],
                                     lead=form.cleaned_data["lead"], notes=form.cleaned_data["notes"], request=request)
                messages.success(request, _("Saved."))
                return redirect(request.path)
    action = record_.action
    auto = None
    if action.auto_evidence:
        auto = data_evidence.AUTO[action.auto_evidence](record_.region, record_.year)
    months = [_month_name(m) for m in action.due_months]
    return render(request, "coordination/aksi_detail.html", {
        "r": record_, "action": action, "months": months, "form": form, "upload": upload, "can_edit": can_edit,
        "evidence": record_.evidence.all(), "auto": auto, "auto_kind": action.auto_evidence,
    })


def _month_name(m: int) -> str:
    from django.utils.dates import MONTHS_3

    return str(MONTHS_3[m]).capitalize()


@region_safe
def evidence_download(request, evidence_id: int):
    ev = get_object_or_404(sel.evidence_for(request.scope), pk=evidence_id)
    record(request.user, "export", obj=ev, region_code=ev.region_id, summary=f"evidence {ev.original_name}", request=request)
    try:
        handle = ev.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=ev.original_name, content_type=ev.content_type)


@region_safe
def meeting_list(request):
    return render(request, "coordination/meeting_list.html", {
        "meetings": sel.meetings_for(request.scope), "can_create": _editable(request)})


@region_safe
def meeting_new(request):
    if not _editable(request):
        raise PermissionDenied
    form = MeetingForm(request.POST or None, user=request.user, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        region = data.pop("region")
        meeting = services.create_meeting(request.user, region=region, request=request, **data)
        messages.success(request, _("Meeting saved."))
        return redirect("coordination:meeting_detail", meeting_id=meeting.pk)
    return render(request, "coordination/meeting_form.html", {"form": form})


@region_safe
def meeting_detail(request, meeting_id: int):
    meeting = get_object_or_404(sel.meetings_for(request.scope), pk=meeting_id)
    can_edit = sel.can_edit_region(request.scope, meeting.region_id)
    today = timezone.localdate()
    minutes = MinutesForm(instance=meeting)
    cform = CommitmentForm(user=request.user, region_code=meeting.region_id,
                           initial={"due_date": meeting.date + dt.timedelta(days=90)})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        which = request.POST.get("form")
        if which == "minutes":
            minutes = MinutesForm(request.POST, instance=meeting)
            if minutes.is_valid():
                services.update_meeting(request.user, meeting, request=request, **minutes.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect(request.path)
        elif which == "freeze":
            if services.freeze_materials(meeting):
                messages.success(request, _("Materials frozen as of the meeting date."))
            return redirect(request.path)
        elif which == "commitment":
            cform = CommitmentForm(request.POST, user=request.user, region_code=meeting.region_id)
            if cform.is_valid():
                try:
                    services.add_commitment(request.user, region=meeting.region, meeting=meeting, request=request,
                                            **cform.cleaned_data)
                    messages.success(request, _("Commitment added."))
                    return redirect(request.path + "#commitments")
                except ValidationError as exc:
                    cform.add_error(None, exc)
    record(request.user, "view", obj=meeting, region_code=meeting.region_id, summary=meeting.title, request=request)
    return render(request, "coordination/meeting_detail.html", {
        "m": meeting, "can_edit": can_edit, "minutes_form": minutes, "cform": cform,
        "commitments": _rows(meeting.commitments.select_related("agency", "owner", "region"), today),
        "materials": meeting.materials, "today": today,
    })


@region_safe
def commitment_list(request):
    today = timezone.localdate()
    qs = sel.commitments_for(request.scope)
    mine = request.GET.get("mine") == "1"
    if mine:
        qs = sel.my_commitments(request.scope)
    status = request.GET.get("status", "")
    if status == "open":
        qs = sel.open_commitments(qs)
    elif status == "overdue":
        qs = sel.overdue(qs, today)
    rows = _rows(qs[:300], today)
    return render(request, "coordination/commitment_list.html", {
        "rows": rows, "mine": mine, "status": status, "total": qs.count()})


@region_safe
def commitment_detail(request, commitment_id: int):
    c = get_object_or_404(sel.commitments_for(request.scope), pk=commitment_id)
    can_edit = sel.can_edit_region(request.scope, c.region_id) or c.owner_id == request.user.pk
    form = CommitmentUpdateForm(instance=c)
    upload = EvidenceForm()
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if "file" in request.FILES or request.POST.get("upload"):
            upload = EvidenceForm(request.POST, request.FILES)
            if upload.is_valid():
                try:
                    services.add_evidence(request.user, upload.cleaned_data["file"], commitment=c,
                                          description=upload.cleaned_data["description"], request=request)
                    messages.success(request, _("Evidence uploaded."))
                    return redirect(request.path)
                except (ValidationError, PermissionDenied) as exc:
                    upload.add_error("file", exc if isinstance(exc, ValidationError) else _("Not allowed."))
        else:
            form = CommitmentUpdateForm(request.POST, instance=c)
            if form.is_valid():
                services.update_commitment(request.user, c, request=request, **form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect(request.path)
    return render(request, "coordination/commitment_detail.html", {
        "c": c, "progress": metrics.progress_of(c), "overdue": c.is_overdue(), "form": form,
        "upload": upload, "can_edit": can_edit, "evidence": c.evidence.all(),
        "metric": metrics.REGISTRY.get(c.metric)})


@region_safe
def calendar_view(request):
    today = timezone.localdate()
    try:
        month = dt.date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        month = today.replace(day=1)
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    events = []
    for m in sel.meetings_for(request.scope).filter(date__gte=month, date__lte=last):
        events.append({"date": m.date, "title": f"{m.get_kind_display()}: {m.title}", "url": reverse("coordination:meeting_detail", args=[m.pk]), "kind": "meeting"})
    for c in sel.open_commitments(sel.commitments_for(request.scope)).filter(due_date__gte=month, due_date__lte=last):
        events.append({"date": c.due_date, "title": c.what, "url": reverse("coordination:commitment_detail", args=[c.pk]),
                       "kind": "overdue" if c.is_overdue(today) else "commitment"})
    for d in sel.deadlines_for(request.scope).filter(due_date__gte=month, due_date__lte=last):
        events.append({"date": d.due_date, "title": d.title, "url": "", "kind": "deadline"})
    events.sort(key=lambda e: e["date"])
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    by_day: dict = {}
    for e in events:
        by_day.setdefault(e["date"], []).append(e)
    grid = [[{"day": d, "in_month": d.month == month.month, "events": by_day.get(d, []), "today": d == today}
             for d in week] for week in weeks]
    token = services.calendar_token(request.user)
    form = DeadlineForm(user=request.user)
    if request.method == "POST":
        form = DeadlineForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.add_deadline(request.user, request=request, **form.cleaned_data)
                messages.success(request, _("Deadline added."))
                return redirect(request.get_full_path())
            except PermissionDenied:
                form.add_error(None, _("Not allowed."))
    prev_m = (month - dt.timedelta(days=1)).replace(day=1)
    next_m = last + dt.timedelta(days=1)
    return render(request, "coordination/calendar.html", {
        "month": month, "grid": grid, "events": events, "prev": prev_m.strftime("%Y-%m"), "next": next_m.strftime("%Y-%m"),
        "reminders": services.reminders_for(request.user, today, 14),
        "ics_url": request.build_absolute_uri(reverse("coordination:ics", args=[token.token])),
        "form": form, "can_add": _editable(request)})


@public
def ics(request, token: str):
    hit = CalendarToken.objects.filter(token=token, user__is_active=True).select_related("user").first()
    if hit is None:
        raise Http404
    response = HttpResponse(services.ics_for(hit.user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="tumbuh.ics"'
    return response


@region_safe
def assessment(request):
    year = _year(request)
    try:
        config = fw.assessment_config(year)
    except fw.FrameworkMissing:
        config = None
    kab, _choices = _kabupaten(request)
    own = None
    if config and kab and sel.can_edit_aksi(request.scope, kab.code):
        own = services.ensure_assessment(kab, year)
    rows = services.ranking(sel.assessments_for(request.scope).filter(year=year)) if config else []
    history = services.ranking(sel.assessments_for(request.scope).filter(region=kab)) if kab else []
    history.sort(key=lambda r: -r["assessment"].year)
    return render(request, "coordination/assessment.html", {
        "year": year, "config": config, "rows": rows, "own": own, "kabupaten": kab,
        "years": fw.assessment_years(), "history": history})


@region_safe
def assessment_detail(request, assessment_id: int):
    a = get_object_or_404(sel.assessments_for(request.scope), pk=assessment_id)
    config = fw.assessment_config(a.year)
    framework = fw.by_code(a.framework)
    can_self = sel.can_edit_aksi(request.scope, a.region_id)
    can_review = sel.can_review(request.scope, a.region_id)
    if request.method == "POST":
        review = request.POST.get("form") == "review"
        if (review and not can_review) or (not review and not can_self):
            raise PermissionDenied
        prefix = "r_" if review else "s_"
        grades = {k[len(prefix):]: v for k, v in request.POST.items() if k.startswith(prefix)}
        try:
            services.save_grades(request.user, a, grades, review=review,
                                 presentation=request.POST.get("presentation") or None, request=request)
            messages.success(request, _("Saved."))
            return redirect(request.path)
        except (ValidationError, ValueError, ArithmeticError) as exc:
            messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else _("The presentation score is between 0 and 100."))
    return render(request, "coordination/assessment_detail.html", {
        "a": a, "config": config, "framework": framework, "grades": list(config.grades),
        "can_self": can_self, "can_review": can_review,
        "self_score": services.score(a, "self"), "review_score": services.score(a, "review")})


@region_safe
def case_list(request):
    cases = sel.case_reviews_for(request.scope)
    record(request.user, "view_list", summary="audit kasus stunting", request=request)
    return render(request, "coordination/case_list.html", {"cases": cases})


@region_safe
def case_new(request, child_id: int):
    from tumbuh.registry.selectors import people_for

    child = get_object_or_404(people_for(request.scope), pk=child_id)
    if not sel.can_edit_region(request.scope, child.desa_id):
        raise PermissionDenied
    form = CaseReviewForm(request.POST or None, initial={"reviewed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        case = services.create_case_review(request.user, child=child, request=request, **form.cleaned_data)
        return redirect("coordination:case_detail", case_id=case.pk)
    return render(request, "coordination/case_form.html", {"form": form, "child": child})


@region_safe
def case_detail(request, case_id: int):
    case = get_object_or_404(sel.case_reviews_for(request.scope), pk=case_id)
    can_edit = sel.can_edit_region(request.scope, case.child.desa_id)
    cform = CommitmentForm(user=request.user, region_code=case.region_id,
                           initial={"due_date": case.reviewed_on + dt.timedelta(days=30)})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        cform = CommitmentForm(request.POST, user=request.user, region_code=case.region_id)
        if cform.is_valid():
            services.add_commitment(request.user, region=case.region, case_review=case, request=request, **cform.cleaned_data)
            return redirect(request.path)
    record(request.user, "view", obj=case, region_code=case.child.desa_id, summary="audit kasus stunting", request=request)
    return render(request, "coordination/case_detail.html", {
        "case": case, "cform": cform, "can_edit": can_edit,
        "recommendations": _rows(case.recommendations.select_related("agency", "owner"), timezone.localdate())})


@public
def public_page(request, kabupaten: str):
    """Prevalence trend and commitments status of a kab/kota that enabled its public page: counts
    and rates only, no names."""
    page = PublicPage.objects.filter(region_id=kabupaten, enabled=True,
                                     region__level=Region.Level.KABUPATEN).select_related("region").first()
    if page is None:
        raise Http404
    region = page.region
    today = timezone.localdate()
    figures = data_evidence.dashboard_figures(region, data_evidence.period_at(region, today))
    qs = Commitment.objects.filter(within("region_id", region.code), case_review__isnull=True)
    counts = {s: qs.filter(status=s).count() for s in ("belum", "berjalan", "selesai", "batal")}
    return render(request, "coordination/public.html", {
        "region": region, "figures": figures, "counts": counts, "overdue": sel.overdue(qs, today).count(),
        "commitments": [{"what": c.what, "agency": c.agency.name if c.agency else "", "due": c.due_date,
                         "status": c.get_status_display(), "overdue": c.is_overdue(today)} for c in qs.select_related("agency")[:50]],
        "assessments": Assessment.objects.filter(region=region, status="reviewed").order_by("year")})


@region_safe
@require_POST
def public_toggle(request):
    kab, _c = _kabupaten(request)
    wanted = request.GET.get("kabupaten", "")
    # A switch that names another kab/kota is refused, never applied to the user's own page instead:
    # publishing is a decision about one named region.
    if kab is None or (wanted and wanted != kab.code) or not sel.can_edit_aksi(request.scope, kab.code):
        raise PermissionDenied
    page, _created = PublicPage.objects.get_or_create(region=kab)
    page.enabled = request.POST.get("enabled") == "1"
    page.save()
    record(request.user, "update", obj=page, region_code=kab.code, summary=f"halaman publik {'aktif' if page.enabled else 'nonaktif'}", request=request)
    return redirect(reverse("coordination:index") + f"?kabupaten={kab.code}")
