"""Admin (administrators only, see RegionAccessMiddleware). Edits here bypass the audited
services, so people and households are read-only: changes go through the registry pages."""

from django.contrib import admin

from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.web.text import ascii_digits

from .models import Household, Person


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only, and audited like the registry pages: the list and each record shown here
    carry names and full NIK/KK numbers."""

    show_full_result_count = False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if getattr(response, "status_code", 200) == 200:
            record(request.user, AuditEvent.Action.VIEW_LIST, object_type=self.model._meta.label_lower,
                   summary=f"admin list {request.GET.urlencode()}"[:255], request=request)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = self.model.objects.filter(pk=object_id).first() if ascii_digits(str(object_id)) else None
        if obj is not None and getattr(response, "status_code", 200) == 200:
            record(request.user, AuditEvent.Action.VIEW, obj=obj, summary=f"admin: {obj}"[:255], request=request)
        return response

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["name", "sex", "birth_date", "desa", "posyandu", "active"]
    list_filter = ["sex", "active"]
    search_fields = ["name", "nik"]
    list_select_related = ["desa", "posyandu"]


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["kk_number", "head_name", "address", "rt", "rw", "desa"]
    search_fields = ["kk_number", "head_name", "address"]
    list_select_related = ["desa"]
