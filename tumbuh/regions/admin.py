from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext as _

from tumbuh.audit.adminlog import AuditedAdminMixin

from .models import Posyandu, Puskesmas, Region


@admin.register(Region)
class RegionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    # Codes are searched by prefix ("64.74" finds Bontang and everything inside it).
    search_fields = ["code__startswith", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    show_full_result_count = False  # counting 90k rows on every page is wasted work


@admin.register(Puskesmas)
class PuskesmasAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kecamatan", "service_area_size"]
    search_fields = ["code", "name", "kecamatan__name", "kecamatan__code__startswith"]
    list_select_related = ["kecamatan"]
    autocomplete_fields = ["kecamatan", "service_area"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(service_area_count=Count("service_area"))

    @admin.display(description="desa/kelurahan served", ordering="service_area_count")
    def service_area_size(self, obj: Puskesmas) -> int:
        return obj.service_area_count


@admin.register(Posyandu)
class PosyanduAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "desa", "rw", "puskesmas", "active"]
    list_filter = ["active", "puskesmas"]
    search_fields = ["name", "desa__name", "desa__code__startswith"]
    list_select_related = ["desa", "puskesmas"]
    autocomplete_fields = ["desa", "puskesmas"]

    def get_deleted_objects(self, objs, request):
        """A posyandu that children or measurements still name cannot be deleted here (deleting
        it would silently empty their posyandu); the confirm page lists what holds it."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for posyandu in objs:
            people = posyandu.people.count()
            measurements = posyandu.measurements.count()
            if people or measurements:
                protected = [*protected, _("%(posyandu)s: %(people)d people and %(measurements)d measurements "
                                           "still name it; move them or deactivate the posyandu instead")
                             % {"posyandu": posyandu, "people": people, "measurements": measurements}]
        return deleted, counts, perms_needed, protected
