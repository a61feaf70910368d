"""Writes: every create, change, finalisation, submission, decision and render request goes
through here and is audited (tumbuh.audit.services.record). A finalised report never changes:
every writer below refuses a frozen report, and sending one back leaves it as it was (the region
makes a new version from it)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.audit.services import record
from tumbuh.regions.models import Region

from . import sections
from . import selectors as sel
from .models import FROZEN, JobKind, RenderJob, SemesterReport, Status


def _audit(user, action: str, obj, summary: str, request=None, detail=None):
    region = getattr(obj, "region_id", "") or ""
    record(user, action, obj=obj, region_code=region, summary=summary[:255], detail=detail, request=request)


def _editable(user, report: SemesterReport):
    if not sel.can_write(user, report.region):
        raise PermissionDenied
    if report.status in FROZEN:
        raise ValidationError(_("A finalised report cannot be changed."))


@transaction.atomic
def create_report(user, *, region: Region, year: int, semester: int, request=None) -> SemesterReport:
    """The region's report for a semester: the draft if there is one, else a new draft (a new
    version when the earlier one was sent back)."""
    if not sel.can_write(user, region):
        raise PermissionDenied
    if semester not in (1, 2) or not 2018 <= year <= 2100:
        raise ValidationError(_("Unknown semester."))
    latest = sel.current(region, year, semester)
    if latest is not None and latest.status != Status.RETURNED:
        return latest
    report = SemesterReport.objects.create(
        region=region, year=year, semester=semester, version=(latest.version + 1) if latest else 1,
        problems=latest.problems if latest else "", follow_up=latest.follow_up if latest else "",
        rolled_up=list(latest.rolled_up) if latest else [], created_by=user)
    _audit(user, "create", report, str(report), request)
    return report


def update_texts(user, report: SemesterReport, *, problems: str, follow_up: str, request=None) -> SemesterReport:
    _editable(user, report)
    report.problems, report.follow_up = problems, follow_up
    report.save(update_fields=["problems", "follow_up", "updated_at"])
    _audit(user, "update", report, _("Problems and follow-up edited"), request)
    return report


def roll_up(user, report: SemesterReport, request=None) -> list[int]:
    """Take the reports the regions below have sent for the semester into this one: their ids are
    kept (their frozen figures and texts print in section X) and their problems and follow-up are
    appended to this report's texts, each under its region's name, for the team to edit."""
    _editable(user, report)
    today = timezone.localdate()
    taken = []
    problems, follow = [report.problems.rstrip()], [report.follow_up.rstrip()]
    for item in sel.children_status(report.region, report.year, report.semester, today):
        rep = item["report"]
        if rep is None or rep.status not in (Status.SUBMITTED, Status.ACCEPTED) or rep.pk in report.rolled_up:
            continue
        taken.append(rep.pk)
        texts = (rep.snapshot or {}).get("sections", {}).get("problems", {})
        if texts.get("problems"):
            problems.append(f"{item['region'].name}: {texts['problems'].strip()}")
        if texts.get("follow_up"):
            follow.append(f"{item['region'].name}: {texts['follow_up'].strip()}")
    if taken:
        report.rolled_up = list(report.rolled_up) + taken
        report.problems = "\n\n".join(p for p in problems if p)
        report.follow_up = "\n\n".join(f for f in follow if f)
        report.save(update_fields=["rolled_up", "problems", "follow_up", "updated_at"])
        _audit(user, "update", report, _("Reports of the regions below rolled up"), request, {"reports": taken})
    return taken


def compute(report: SemesterReport, today=None, progress=None) -> dict:
    """The report's numbers now (a draft's preview, or the snapshot at finalisation)."""
    from tumbuh.analytics.periods import Period

    ctx = sections.Context(region=report.region, period=Period(report.year, "semester", report.semester),
                           today=today or timezone.localdate(), report=report)
    return sections.build_all(ctx, progress)


@transaction.atomic
def finalise(user, report: SemesterReport, request=None) -> SemesterReport:
    """Compute every number and freeze it with the texts: from now on the report never changes."""
    report = SemesterReport.objects.select_for_update().get(pk=report.pk)
    _editable(user, report)
    report.snapshot = compute(report)
    report.status = Status.FINAL
    report.finalised_at = timezone.now()
    report.finalised_by = user
    report.save(update_fields=["snapshot", "status", "finalised_at", "finalised_by", "updated_at"])
    _audit(user, "update", report, _("Report finalised"), request)
    return report


@transaction.atomic
def submit(user, report: SemesterReport, request=None) -> SemesterReport:
    """Send a finalised report to the region above."""
    if not sel.can_write(user, report.region):
        raise PermissionDenied
    if report.status != Status.FINAL:
        raise ValidationError(_("Only a finalised report can be submitted."))
    if report.region.parent_id is None:
        raise ValidationError(_("This region has no level above it in Tumbuh."))
    report.status = Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = user
    report.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    _audit(user, "update", report, _("Report submitted to %(region)s") % {"region": report.region.parent.name}, request)
    return report


@transaction.atomic
def decide(user, report: SemesterReport, *, accept: bool, reason: str = "", request=None) -> SemesterReport:
    """The region above accepts a submitted report or sends it back with a reason."""
    if not sel.can_decide(user, report):
        raise PermissionDenied
    if report.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be accepted or sent back."))
    if not accept and not reason.strip():
        raise ValidationError(_("Say why the report is sent back."))
    report.status = Status.ACCEPTED if accept else Status.RETURNED
    report.return_reason = "" if accept else reason.strip()
    report.decided_at = timezone.now()
    report.decided_by = user
    report.save(update_fields=["status", "return_reason", "decided_at", "decided_by", "updated_at"])
    _audit(user, "update", report, _("Report accepted") if accept else _("Report sent back: %(reason)s") % {
        "reason": reason.strip()}, request)
    return report


# ---- rendering in the background -------------------------------------------------------------

def request_render(user, *, kind: str, region: Region, report: SemesterReport | None = None, meeting=None,
                   params: dict | None = None, request=None) -> RenderJob:
    """Queue one file (django-tasks: the database backend by default, worked by `tumbuh db_worker`).
    The caller has checked the user may see what the file holds."""
    if kind not in JobKind.values:
        raise ValidationError(kind)
    job = RenderJob.objects.create(kind=kind, region=region, report=report, meeting=meeting, params=params or {},
                                   requested_by=user, message=_("Waiting for the background worker"))
    action = "export"
    record(user, action, obj=job, region_code=region.code, summary=f"{job.get_kind_display()} {region.name}"[:255],
           detail={"params": params or {}, "report": report.pk if report else None,
                   "meeting": meeting.pk if meeting else None}, request=request)
    from .tasks import render_job

    def enqueue():
        result = render_job.enqueue(job.pk)
        RenderJob.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])

    # After the job row is committed, so a worker in another process finds it.
    transaction.on_commit(enqueue)
    return job
