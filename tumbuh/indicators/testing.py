"""Test helpers: deliveries without the interventions services (catalogue rows made on demand),
and the indicator rows of the access-test world (tumbuh.accounts.testing.build_world(full=True)):
per corner a Dana Desa figure and a lokus mark at the corner's desa, and deliveries to the corner's
child and household, so the scoping matrix sees outsiders' rows on every indicator page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from .models import DanaDesa, LokusDesa

TARGET_GROUP = {"AIR-MINUM": "keluarga", "JAMBAN": "keluarga", "JKN-PBI": "keluarga", "PENDAMPINGAN-TPK": "keluarga",
                "BANSOS-PKH": "keluarga", "BANSOS-BPNT": "keluarga", "TTD-BUMIL": "bumil", "PMT-BUMIL": "bumil",
                "ANC": "bumil", "KB-PASCASALIN": "nifas", "TTD-REMAJA": "remaja"}


def catalogue_item(code: str):
    from tumbuh.interventions.models import CatalogueItem

    item = CatalogueItem.objects.filter(code=code, region__isnull=True).first()
    if item is None:
        item = CatalogueItem.objects.create(code=code, name=code, kind="spesifik",
                                            target_group=TARGET_GROUP.get(code, "balita"), unit="unit")
    return item


def deliver(code: str, on: dt.date, *, person=None, household=None, quantity=1, voided=False):
    from tumbuh.interventions.models import Delivery

    place = person or household
    return Delivery.objects.create(
        item=catalogue_item(code), code=code, person=person, household=household, date=on,
        quantity=Decimal(str(quantity)), unit="unit", desa_id=place.desa_id,
        posyandu_id=getattr(person, "posyandu_id", None),
        voided_at=timezone.now() if voided else None)


def course(code: str, start: dt.date, days: int, *, person):
    from tumbuh.interventions.models import Course

    return Course.objects.create(item=catalogue_item(code), code=code, person=person, start=start,
                                 end=start + dt.timedelta(days=days), planned_amount=Decimal(days), unit="hari",
                                 desa_id=person.desa_id, posyandu_id=person.posyandu_id)


def build_indicators(world) -> dict:
    today = timezone.localdate()
    out = {"dana": {}, "lokus": {}, "deliveries": {}}
    for i, (key, child) in enumerate(world.children.items()):
        out["dana"][key] = DanaDesa.objects.get_or_create(desa_id=child.desa_id, year=today.year, defaults={
            "total": Decimal(1_000_000_000 + i), "stunting": Decimal(100_000_000)})[0]
        out["lokus"][key] = LokusDesa.objects.get_or_create(desa_id=child.desa_id, year=today.year,
                                                            defaults={"decree": f"SK {child.name}"})[0]
        household = world.households[key]
        out["deliveries"][key] = [
            deliver("IMUNISASI-DASAR", today, person=child),
            deliver("JKN-PBI", today, household=household),
            deliver("PMT-BALITA", today, person=child),  # a child gets the children's PMT (not PMT-BUMIL)
        ]
    world.indicators = out
    return out
