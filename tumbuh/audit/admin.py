from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: an audit log that administrators can edit proves nothing."""

    list_display = ("at", "username", "action", "object_type", "object_id", "region_code", "summary")
    list_filter = ("action", "object_type")
    search_fields = ("username", "object_id", "region_code", "summary")
    date_hierarchy = "at"
    list_select_related = ()

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
