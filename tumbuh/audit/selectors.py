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
