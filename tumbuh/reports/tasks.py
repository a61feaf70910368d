"""Background rendering (django-tasks). `render_job(job_id)` renders one RenderJob and writes its
progress into the row as it goes, so the page polling it (htmx) shows how far it is. The TASKS
setting picks the backend: the database backend by default (run `tumbuh db_worker`), the
immediate one in tests."""

from __future__ import annotations

import time
import traceback

from django.utils import timezone, translation
from django_tasks import task

from .models import JobStatus, RenderJob


def _progress(job_id: int, percent: int, message: str = "") -> None:
    RenderJob.objects.filter(pk=job_id).update(progress=max(0, min(100, int(percent))), message=str(message)[:300])


@task()
def render_job(job_id: int) -> str:
    job = RenderJob.objects.select_related("region", "report", "meeting", "requested_by").filter(pk=job_id).first()
    if job is None or job.is_finished:
        return "gone"
    RenderJob.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, progress=2,
                                               message=translation.gettext("Started"))
    started = time.perf_counter()
    lang = job.params.get("lang") or "id"
    try:
        from tumbuh.web.timezones import zone_for_region

        with translation.override(lang), timezone.override(zone_for_region(job.region_id)):
            content, filename, content_type = produce(job, lambda p, m="": _progress(job_id, p, m))
    except Exception as exc:  # noqa: BLE001 - the page shows the failure; the log has the trace
        import logging

        logging.getLogger(__name__).error("render job %s failed: %s", job_id, traceback.format_exc())
        RenderJob.objects.filter(pk=job_id).update(status=JobStatus.FAILED, message=f"{type(exc).__name__}: {exc}"[:300],
                                                   finished_at=timezone.now())
        return "failed"
    RenderJob.objects.filter(pk=job_id).update(
        status=JobStatus.DONE, progress=100, message="", output=content, filename=filename, content_type=content_type,
        seconds=round(time.perf_counter() - started, 2), finished_at=timezone.now())
    return "done"


PDF = "application/pdf"


def produce(job: RenderJob, progress) -> tuple[bytes, str, str]:
    """The file of one job: (bytes, filename, content type)."""
    from django.utils.translation import gettext as _

    from tumbuh.analytics.periods import Period
    from tumbuh.web.xlsx import CONTENT_TYPE, workbook_bytes

    from . import render, services
    from .models import JobKind

    user = job.requested_by
    slug = job.region_id.replace(".", "")
    if job.kind in (JobKind.SEMESTER_PDF, JobKind.SEMESTER_XLSX):
        report = job.report
        progress(5, _("Computing the figures"))
        data = report.snapshot if report.is_frozen and report.snapshot else services.compute(report, progress=progress)
        name = f"laporan-semester-{report.semester}-{report.year}-{slug}-v{report.version}"
        if job.kind == JobKind.SEMESTER_XLSX:
            progress(80, _("Writing the tables"))
            return workbook_bytes(render.semester_sheets(report, data, user)), name + ".xlsx", CONTENT_TYPE
        progress(70, _("Laying out the pages"))
        html = render.semester_html(report, data, user)
        progress(80, _("Printing the PDF"))
        return render.pdf_bytes(html), name + ".pdf", PDF
    if job.kind in (JobKind.RAKOR_HANDOUT, JobKind.RAKOR_SLIDES):
        slides = job.kind == JobKind.RAKOR_SLIDES
        progress(10, _("Computing the figures"))
        html = render.rakor_html(job.meeting, user, slides=slides)
        progress(60, _("Printing the PDF"))
        name = f"rakor-{job.meeting.date:%Y%m%d}-{slug}-{'slide' if slides else 'handout'}.pdf"
        return render.pdf_bytes(html), name, PDF
    if job.kind in (JobKind.BNBA, JobKind.LIST):
        from tumbuh.regions.models import Region

        p = job.params
        progress(10, _("Reading the list"))
        from tumbuh.analytics.areas import service_area_for

        # A puskesmas officer's service area answers to its covering code (as on the BNBA page).
        area = service_area_for(user)
        region = area if area is not None and area.code == p["region"] else Region.objects.get(code=p["region"])
        period = Period.parse(p["period"])
        if job.kind == JobKind.BNBA:
            html, _n = render.bnba_html(user, region, period, p["category"], p.get("posyandu"))
        else:
            html, _n = render.list_html(user, region, period, p["category"].removeprefix("list:"), p.get("posyandu"),
                                        params=p)
        progress(60, _("Printing the PDF"))
        name = p["category"].removeprefix("list:").replace("/", "-")
        return render.pdf_bytes(html), f"{'bnba' if job.kind == JobKind.BNBA else 'daftar'}-{name}-{p['period']}-{slug}.pdf", PDF
    raise ValueError(job.kind)
