"""Which audit events a user may read.

Administrators read everything. Region teams (desa, kecamatan, kabupaten, provinsi) read events
about their region and below, plus their own. Cadres and puskesmas officers read only their own
activity: their colleagues' logins and lists are not theirs to watch.
"""

from __future__ import annotations

from django.db.models import Q

from tumbuh.accounts.models import ROLE_REGION_LEVEL
from tumbuh.accounts.scoping import is_active_account, is_admin, role_region_code, scope_region_code
from tumbuh.regions.models import within

from .models import AuditEvent


def events_for(user):
    if not is_active_account(user):
        return AuditEvent.objects.none()
    if is_admin(user):
        return AuditEvent.objects.all()
    own = Q(user=user)
    if ROLE_REGION_LEVEL.get(user.role):
        code = role_region_code(user)
        if code:
            return AuditEvent.objects.filter(own | within("region_code", code))
        return AuditEvent.objects.none()
    if user.role and scope_region_code(user) is not None:
        return AuditEvent.objects.filter(own)
    return AuditEvent.objects.none()
