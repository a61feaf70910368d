"""Reports rows for the access-test world (tumbuh.accounts.testing, build_world(full=True)): in
every corner, a draft semester report of the corner's desa (last year's semester II) and a rendered
file of it, so the scoping matrix probes the report pages with outsiders' ids. Visibility is by
place, as coordination rows (EXPECTED_VISIBLE_COORDINATION: cadres none). Primary keys 25xxx
(reports) and 26xxx (files), disjoint from the world's other rows."""

from __future__ import annotations

from django.utils import timezone

from tumbuh.accounts.models import Role

from .models import JobKind, JobStatus, RenderJob, SemesterReport

PK_BASE = {"report": 25001, "render_job": 26001}


def build_reports(world) -> dict:
    year = timezone.localdate().year - 1
    admin = world.users[Role.ADMIN]
    out: dict[str, dict] = {k: {} for k in PK_BASE}
    for i, (key, child) in enumerate(world.children.items()):
        surname = child.name.split()[1]
        # One report per region and semester: the two corners of the home desa take two semesters.
        report = SemesterReport.objects.create(pk=PK_BASE["report"] + i, region_id=child.desa_id, year=year,
                                               semester=2 if key != "other_posyandu" else 1,
                                               problems=f"Masalah {surname}", follow_up=f"Tindak {surname}")
        job = RenderJob.objects.create(pk=PK_BASE["render_job"] + i, kind=JobKind.SEMESTER_PDF, region_id=child.desa_id,
                                       report=report, requested_by=admin, status=JobStatus.DONE, progress=100,
                                       filename=f"laporan-{surname.lower()}.pdf", content_type="application/pdf",
                                       output=f"%PDF-1.4 Laporan {surname}".encode())
        out["report"][key], out["render_job"][key] = report, job
    world.reports = out
    return out
