"""Scoped reads. A report is placed by its region: a user sees the reports of the regions in their
scope (`Scope.region_q`), so the level above sees what came in from below. Rendered files are
read by the same rule (and personal-data lists only by the user who asked for them). Cadres and
puskesmas officers write no semester reports; they may read those of their area.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts.models import Role
from tumbuh.accounts.scoping import NOTHING, Scope, scope_for
from tumbuh.analytics.periods import Period
from tumbuh.regions.models import Region

from .models import JobKind, RenderJob, SemesterReport, Status

# Region teams write their region's report; the role's level is the report's level.
WRITER_ROLES = {Role.DESA, Role.KECAMATAN, Role.KABUPATEN, Role.PROVINSI}


def _q(scope: Scope, field: str) -> Q:
    scope = scope_for(scope)
    if scope.is_empty or scope.is_cadre:
        return NOTHING
    return scope.region_q(field)


def reports_for(scope):
    return SemesterReport.objects.filter(_q(scope, "region_id")).select_related("region")


def jobs_for(scope):
    """Rendered files of regions in scope; by-name lists (BNBA, gap lists) only for whoever asked
    for them (they were rendered under that user's own person scope)."""
    scope = scope_for(scope)
    if scope.is_empty:
        return RenderJob.objects.none()
    personal = Q(kind__in=[JobKind.BNBA, JobKind.LIST])
    own = Q(requested_by_id=scope.user_id)
    return RenderJob.objects.filter((_q(scope, "region_id") & ~personal) | (personal & own)).select_related("region")


def can_write(scope, region: Region) -> bool:
    """The region's own team (or an administrator) writes and finalises its report."""
    scope = scope_for(scope)
    if scope.everything:
        return True
    return scope.role in WRITER_ROLES and scope.region_code == region.code


def can_decide(scope, report: SemesterReport) -> bool:
    """The team of the region directly above receives, accepts or sends back a report."""
    scope = scope_for(scope)
    parent = report.region.parent_id
    if scope.everything:
        return True
    return bool(parent) and scope.role in WRITER_ROLES and scope.region_code == parent


def current(region: Region, year: int, semester: int) -> SemesterReport | None:
    """The latest version of a region's report for a semester."""
    return (SemesterReport.objects.filter(region=region, year=year, semester=semester)
            .order_by("-version").first())


# ---- deadlines (tumbuh.coordination Deadline rows) -------------------------------------------

_TITLE = re.compile(r"laporan\s+semester|semester\s+report|laporan\s+penyelenggaraan", re.I)
_WHICH = re.compile(r"semester\s+(ii|2|i|1)\b", re.I)
# "... ke Gubernur": who receives the report, so which level's report the deadline is for.
_TO = re.compile(r"\bke\s+(gubernur|provinsi|bupati|wali\s*kota|walikota|kabupaten|kota|camat|kecamatan|"
                 r"mendagri|kemendagri|pusat|menteri)\b", re.I)
_RECEIVER_LEVEL = {"gubernur": Region.Level.PROVINSI, "provinsi": Region.Level.PROVINSI,
                   "bupati": Region.Level.KABUPATEN, "walikota": Region.Level.KABUPATEN,
                   "kabupaten": Region.Level.KABUPATEN, "kota": Region.Level.KABUPATEN,
                   "camat": Region.Level.KECAMATAN, "kecamatan": Region.Level.KECAMATAN}
_PARENT_LEVEL = {Region.Level.DESA: Region.Level.KECAMATAN, Region.Level.KECAMATAN: Region.Level.KABUPATEN,
                 Region.Level.KABUPATEN: Region.Level.PROVINSI, Region.Level.PROVINSI: None}


def due_date(region: Region, year: int, semester: int) -> dt.date | None:
    """When a region's semester report is due: the coordination deadline titled like a semester
    report ("Laporan semester II ke Gubernur") placed at the region itself or the nearest region
    above it, falling between three months into the semester and four months after it, naming the
    same semester when its title names one, and addressed to this region's level above when it
    names a receiver ("ke Gubernur" is the kab/kota's deadline, "ke kecamatan" the desa's). None
    when no such deadline is set."""
    from tumbuh.coordination.models import Deadline
    from tumbuh.coordination.selectors import ancestors

    period = Period(year, "semester", semester)
    start = period.start + dt.timedelta(days=90)
    end = period.end + dt.timedelta(days=120)
    codes = ancestors(region.code)
    best = None
    for d in Deadline.objects.filter(region_id__in=codes, due_date__gte=start, due_date__lte=end):
        if not _TITLE.search(d.title):
            continue
        m = _WHICH.search(d.title)
        if m and (2 if m.group(1).lower() in ("ii", "2") else 1) != semester:
            continue
        to = _TO.search(d.title)
        if to:
            receiver = _RECEIVER_LEVEL.get(re.sub(r"\s+", "", to.group(1).lower()))  # None: the centre
            if receiver != _PARENT_LEVEL.get(region.level):
                continue
        key = (-len(d.region_id), d.due_date)  # the nearest region first, then the earliest
        if best is None or key < best[0]:
            best = (key, d.due_date)
    return best[1] if best else None


def is_late(report: SemesterReport | None, due: dt.date | None, today: dt.date) -> bool:
    """Late: not submitted by the due date, or submitted after it."""
    if due is None:
        return False
    if report is not None and report.submitted_at is not None:
        return report.submitted_at.date() > due
    return today > due


STATUS_NONE = "none"
STATUS_LABELS = {STATUS_NONE: _("Not started"), **dict(Status.choices)}


def children_status(region: Region, year: int, semester: int, today: dt.date) -> list[dict]:
    """The regions directly below and where their report for the semester stands (the inbox of
    the level above): latest version, status, due date, late."""
    out = []
    for child in Region.objects.filter(parent=region).order_by("code"):
        rep = current(child, year, semester)
        due = due_date(child, year, semester)
        status = rep.status if rep is not None else STATUS_NONE
        out.append({"region": child, "report": rep, "status": status, "status_label": STATUS_LABELS[status],
                    "due": due, "late": is_late(rep, due, today)})
    return out


def incoming_for(scope, year: int, semester: int, today: dt.date) -> list[dict]:
    """Reports sent to the user's own region from the regions below it."""
    scope = scope_for(scope)
    if not scope.region_code or scope.role not in WRITER_ROLES:
        return []
    region = Region.objects.filter(code=scope.region_code).first()
    return children_status(region, year, semester, today) if region else []
