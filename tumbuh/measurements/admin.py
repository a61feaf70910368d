from django.contrib import admin

from .derivation import DERIVED_FIELDS
from .models import Measurement


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    # Read-only: a change here would bypass the services (derived z-scores and categories, the
    # audit log, the analytics summary); measurements are corrected on the measurement pages.
    list_display = ["child", "measured_on", "weight_kg", "length_cm", "position", "length_for_age_category",
                    "weight_gain", "source"]
    list_filter = ["source", "measured_on"]
    search_fields = ["child__name", "child__nik"]
    raw_id_fields = ["child", "posyandu", "measured_by"]
    readonly_fields = [*DERIVED_FIELDS, "desa", "created_at", "updated_at"]
    list_select_related = ["child"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
