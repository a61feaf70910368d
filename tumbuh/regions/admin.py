from django.contrib import admin
from django.db.models import Count

from .models import Posyandu, Puskesmas, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    # Codes are searched by prefix ("64.74" finds Bontang and everything inside it).
    search_fields = ["code__startswith", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    show_full_result_count = False  # counting 90k rows on every page is wasted work


@admin.register(Puskesmas)
class PuskesmasAdmin(admin.ModelAdmin):
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
class PosyanduAdmin(admin.ModelAdmin):
    list_display = ["name", "desa", "rw", "puskesmas", "active"]
    list_filter = ["active", "puskesmas"]
    search_fields = ["name", "desa__name", "desa__code__startswith"]
    list_select_related = ["desa", "puskesmas"]
    autocomplete_fields = ["desa", "puskesmas"]
