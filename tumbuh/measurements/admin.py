from django.contrib import admin

from .derivation import DERIVED_FIELDS
from .models import Measurement


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    # Derived columns are read-only here: they come from services, never typed in.
    list_display = ["child", "measured_on", "weight_kg", "length_cm", "position", "length_for_age_category",
                    "weight_gain", "source"]
    list_filter = ["source", "measured_on"]
    search_fields = ["child__name", "child__nik"]
    raw_id_fields = ["child", "posyandu", "measured_by"]
    readonly_fields = [*DERIVED_FIELDS, "desa", "created_at", "updated_at"]
    list_select_related = ["child"]
