"""Scoped reads. Every coordination row is placed by a region; a user sees the rows whose region
lies within their scope (`Scope.region_q`), plus meetings they are invited to and commitments they
own. Cadres see only what they are invited to or own. Deny by default: the empty scope sees nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from tumbuh.accounts.models import Role
from tumbuh.accounts.scoping import NOTHING, Scope, scope_for
from tumbuh.regions.models import Region

from .models import (
    OPEN_STATUSES,
    Agency,
    AksiRecord,
    Assessment,
    CaseReview,
    Commitment,
    Deadline,
    Evidence,
    Meeting,
)

EDITOR_ROLES = {Role.DESA, Role.KECAMATAN, Role.KABUPATEN, Role.PROVINSI}


def area_q(scope: Scope, field: str = "region") -> Q:
    """Rows placed in the user's area. Cadres have no area here (only invitations)."""
    scope = scope_for(scope)
    if scope.is_empty or scope.is_cadre:
        return NOTHING
    return scope.region_q(f"{field}_id")


def meetings_for(scope) -> object:
    scope = scope_for(scope)
    q = area_q(scope)
    if scope.user_id and not scope.is_empty:
        q = q | Q(invited_users=scope.user_id)
    qs = Meeting.objects.filter(q).select_related("region")
    return qs.distinct() if scope.user_id else qs


def commitments_for(scope):
    scope = scope_for(scope)
    q = area_q(scope)
    if scope.user_id and not scope.is_empty:
        q = q | Q(owner_id=scope.user_id) | Q(meeting__invited_users=scope.user_id)
    return (Commitment.objects.filter(q).select_related("region", "agency", "owner", "meeting")
            .distinct())


def aksi_for(scope):
    return AksiRecord.objects.filter(area_q(scope)).select_related("region", "lead")


def evidence_for(scope):
    return Evidence.objects.filter(area_q(scope))


def deadlines_for(scope):
    """Deadlines of the user's area and of the regions above it (a kabupaten's deadline concerns
    the kecamatan and desa teams inside it)."""
    scope = scope_for(scope)
    code = scope.covering_code
    if code is None or scope.is_empty:
        return Deadline.objects.none()
    if code == "":
        return Deadline.objects.all()
    return Deadline.objects.filter(Q(region_id__in=ancestors(code)) | area_q(scope))


def ancestors(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def agencies_for(scope):
    return Agency.objects.filter(area_q(scope))


def assessments_for(scope):
    return Assessment.objects.filter(area_q(scope)).select_related("region")


def case_reviews_for(scope):
    """Case reviews name a child: the child must be in the person scope too."""
    scope = scope_for(scope)
    return (CaseReview.objects.filter(area_q(scope)).filter(scope.person_q("child__"))
            .select_related("child", "region"))


def kabupaten_in_scope(scope):
    scope = scope_for(scope)
    if scope.is_empty or scope.is_cadre:
        return Region.objects.none()
    return Region.objects.filter(level=Region.Level.KABUPATEN).filter(scope.region_q("code")).order_by("code")


def home_kabupaten(scope) -> Region | None:
    """The kab/kota the user works in (their own or the one containing their area)."""
    scope = scope_for(scope)
    code = scope.covering_code
    if not code or scope.is_cadre:
        return None
    parts = code.split(".")
    if len(parts) < 2:
        return None
    return Region.objects.filter(code=".".join(parts[:2])).first()


def can_edit_region(scope, region_code: str) -> bool:
    """Region teams (desa to provinsi) edit meetings and commitments within their region."""
    scope = scope_for(scope)
    if scope.everything:
        return True
    if scope.role not in EDITOR_ROLES or not scope.region_code:
        return False
    return region_code == scope.region_code or region_code.startswith(scope.region_code + ".")


def can_edit_aksi(scope, region_code: str) -> bool:
    """The aksi and the self-assessment belong to the kab/kota team."""
    scope = scope_for(scope)
    return scope.everything or (scope.role == Role.KABUPATEN and scope.region_code == region_code)


def can_review(scope, region_code: str) -> bool:
    """The province reviews its kab/kota."""
    scope = scope_for(scope)
    return scope.everything or (scope.role == Role.PROVINSI and bool(scope.region_code)
                                and region_code.startswith(scope.region_code + "."))


def open_commitments(qs, today: dt.date | None = None):
    return qs.filter(status__in=OPEN_STATUSES)


def overdue(qs, today: dt.date | None = None):
    today = today or timezone.localdate()
    return qs.filter(status__in=OPEN_STATUSES, due_date__lt=today)


def my_commitments(scope):
    scope = scope_for(scope)
    if not scope.user_id:
        return Commitment.objects.none()
    return commitments_for(scope).filter(owner_id=scope.user_id)


def statuses_as_of(commitments, day: dt.date, zone=None) -> dict[int, tuple[str, bool]]:
    """Each commitment's status at the end of `day` (a local date; `zone` the region's time zone,
    default the current one) from its status history: {pk: (status, known)}. `known` is False when
    the history does not reach back to that day (commitments from before the history was kept, or
    entered after the day): the status is then the first one recorded, else the current one."""
    from .models import CommitmentStatusChange

    items = list(commitments)
    zone = zone or timezone.get_current_timezone()
    history: dict[int, list] = {}
    for ch in CommitmentStatusChange.objects.filter(commitment__in=[c.pk for c in items]).order_by("changed_at", "pk"):
        history.setdefault(ch.commitment_id, []).append(ch)
    out = {}
    for c in items:
        changes = history.get(c.pk, [])
        before = [ch for ch in changes if timezone.localtime(ch.changed_at, zone).date() <= day]
        if before:
            out[c.pk] = (before[-1].status, True)
        elif changes and changes[0].previous:
            out[c.pk] = (changes[0].previous, True)  # the first change recorded says what it was before
        else:  # no history before the day: the first status recorded (entered later), else the current one
            out[c.pk] = (changes[0].status if changes else c.status, False)
    return out
