"""Django admin writes into Tumbuh's audit log too (issue 16, item 9): the admin site's own
LogEntry hooks also call `record`, so an administrator's change to a posyandu or a user is read
at /audit/ beside every other write."""

from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record


class AuditedAdminMixin:
    def _audit(self, request, obj, action, message):
        region_code = getattr(obj, "desa_id", None) or getattr(obj, "kecamatan_id", None) or ""
        if obj._meta.label_lower == "regions.region":
            region_code = obj.pk
        record(request.user, action, object_type=obj._meta.label_lower, object_id=obj.pk,
               region_code=region_code or "", summary=f"admin: {obj}"[:255],
               detail={"admin": str(message)[:500]}, request=request)

    def log_addition(self, request, obj, message):
        self._audit(request, obj, AuditEvent.Action.CREATE, message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, obj, AuditEvent.Action.UPDATE, message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, AuditEvent.Action.DELETE, "deleted")
        return super().log_deletions(request, queryset)
