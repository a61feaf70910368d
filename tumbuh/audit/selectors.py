"""Which audit events a user may read.

Administrators read everything. Region teams (desa, kecamatan, kabupaten, provinsi) read events
about their region and below, plus their own. Cadres and puskesmas officers read only their own
activity: their colleagues' logins and lists are not theirs to watch.
"""

from __future__ import annotations

from django.db.models import Q

from tumbuh.accounts.scoping import scope_for
from tumbuh.regions.models import within

from .models import AuditEvent


def events_for(user):
    scope = scope_for(user)
    if scope.everything:
        return AuditEvent.objects.all()
    if scope.is_empty:
        return AuditEvent.objects.none()
    own = Q(user=user)
    if scope.region_code:
        return AuditEvent.objects.filter(own | within("region_code", scope.region_code))
    return AuditEvent.objects.filter(own)


def history_of_child(child, limit: int = 50):
    """The change history of one child: the person record's and its measurements' create, update
    and delete events (who, when, old -> new), newest first. The caller has already decided that
    the user may see the child; the history of what they may see is theirs to read."""
    measurement_ids = [str(pk) for pk in child.measurements.values_list("pk", flat=True)]
    q = (Q(object_type="registry.person", object_id=str(child.pk))
         | Q(object_type="measurements.measurement", object_id__in=measurement_ids)
         # deleted measurements have no row left to list their ids: found by the child's desa
         | Q(object_type="measurements.measurement", action=AuditEvent.Action.DELETE,
             region_code=child.desa_id, detail__child_id=child.pk))
    actions = [AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE, AuditEvent.Action.DELETE]
    return AuditEvent.objects.filter(q, action__in=actions).select_related("user").order_by("-at")[:limit]
