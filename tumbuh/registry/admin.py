"""Admin (administrators only, see RegionAccessMiddleware). Edits here bypass the audited
services, so people and households are read-only: changes go through the registry pages."""

from django.contrib import admin

from .models import Household, Person


class ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False

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
