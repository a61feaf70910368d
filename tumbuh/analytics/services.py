"""Writes of the analytics app: reference figures and targets. No personal data here."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from tumbuh.regions.models import Region

from .models import ExternalFigure, Indicator, RegionTarget

NATIONAL_TARGETS = (
    # Perpres 72/2021: interim target 14% by 2024; RPJMN 2025-2029 sets 18% for 2025.
    (2024, "14", "Nasional", "Perpres 72/2021 (target antara 14% pada 2024)"),
    (2025, "18", "Nasional", "Target nasional 2025"),
)

_KALTIM_CITES = ("daulatnews.com 2023-02-07; bontangpost.id; kaltim.suara.com 2024-09-04; "
                 "kaltim.akurasi.id; katasatu.co.id (via shared/reference/domain.md §5)")

# (region code, year, source, period label, value %, note)
BONTANG_FIGURES = (
    ("64.74", 2021, ExternalFigure.Source.SSGI, "", "26.3", ""),
    ("64.74", 2022, ExternalFigure.Source.SSGI, "", "21.0", ""),
    ("64.74", 2023, ExternalFigure.Source.SKI, "", "27.4", ""),
    ("64.74", 2024, ExternalFigure.Source.SSGI, "", "20.7",
     'Sumber menyebutnya "DP3A 2024"; dibaca sebagai angka SSGI 2024 (kesimpulan kami).'),
    ("64.74", 2024, ExternalFigure.Source.EPPGBM, "Agustus 2024", "20.6", ""),
    ("64.74", 2025, ExternalFigure.Source.DINKES, "Mei 2025 (operasi timbang)", "12.0",
     '1.219 dari 10.047 balita; 1.752 "pendek" sebelum verifikasi dokter spesialis anak.'),
)


RENAMED_LABELS = {"Aug 2024": "Agustus 2024", "May 2025 operasi timbang": "Mei 2025 (operasi timbang)"}


@transaction.atomic
def seed_reference_figures() -> dict[str, int]:
    """National stunting targets and the published Bontang figures; safe to run again."""
    created = {"targets": 0, "figures": 0}
    for year, value, source, note in NATIONAL_TARGETS:
        _, made = RegionTarget.objects.update_or_create(
            region=None, year=year, indicator=Indicator.STUNTING, source=source,
            defaults={"target_percent": Decimal(value), "note": note},
        )
        created["targets"] += made
    known = set(Region.objects.filter(code__in={f[0] for f in BONTANG_FIGURES}).values_list("code", flat=True))
    for old, new in RENAMED_LABELS.items():  # labels seeded in English before issue 8
        ExternalFigure.objects.filter(region_id__in=known, period_label=old).update(period_label=new)
    for code, year, source, period, value, note in BONTANG_FIGURES:
        if code not in known:
            continue
        _, made = ExternalFigure.objects.update_or_create(
            region_id=code, year=year, indicator=Indicator.STUNTING, source=source, period_label=period,
            defaults={"value_percent": Decimal(value), "citation": _KALTIM_CITES, "note": note},
        )
        created["figures"] += made
    return created


def targets_for(region: Region, indicator: str = Indicator.STUNTING) -> list[RegionTarget]:
    """The region's own targets, those of the regions above it, and the national ones."""
    codes = [r.code for r in region.ancestors()] + [region.code]
    return list(RegionTarget.objects.filter(indicator=indicator, region_id__in=codes)
                .select_related("region")) + list(
        RegionTarget.objects.filter(indicator=indicator, region__isnull=True))


def figures_for(region: Region, indicator: str = Indicator.STUNTING) -> list[ExternalFigure]:
    return list(ExternalFigure.objects.filter(region=region, indicator=indicator).order_by("year", "source"))
