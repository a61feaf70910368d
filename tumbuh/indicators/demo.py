"""Demo figures for the indicator pages (called from `tumbuh demo`): the Dana Desa each demo desa
"typed in" for this year and last (synthetic amounts), about one desa in three marked lokus, and
kota targets for a few RAN-PASTI indicators. Synthetic; rebuilt on each run. Deliveries are the
interventions demo's business, not this one's."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from tumbuh.regions.models import Region, within

from .models import DanaDesa, LocalTarget, LokusDesa

TARGETS = {"krs_pendampingan": 92, "bumil_kek_pmt": 95, "pemantauan_pertumbuhan": 95, "kb_pascasalin": 72}


@transaction.atomic
def seed(region_code: str, today: dt.date | None = None, seed: int = 42) -> dict:
    today = today or dt.date.today()
    region = Region.objects.get(code=region_code)
    rng = random.Random(seed)
    desa = list(Region.objects.filter(within("code", region.code), level=Region.Level.DESA).order_by("code"))
    DanaDesa.objects.filter(within("desa_id", region.code)).delete()
    LokusDesa.objects.filter(within("desa_id", region.code)).delete()
    LocalTarget.objects.filter(region=region).delete()
    for year in (today.year - 1, today.year):
        DanaDesa.objects.bulk_create([
            DanaDesa(desa=d, year=year, total=Decimal(rng.randrange(800, 1500) * 1_000_000),
                     stunting=Decimal(rng.randrange(40, 180) * 1_000_000)) for d in desa])
    lokus = [d for i, d in enumerate(desa) if i % 3 == 0]
    LokusDesa.objects.bulk_create([LokusDesa(desa=d, year=y, decree=f"SK Wali Kota {y} (demo)")
                                   for d in lokus for y in (today.year - 1, today.year)])
    LocalTarget.objects.bulk_create([LocalTarget(region=region, indicator=code, year=today.year, target_percent=v,
                                                 source="RPJMD (demo)") for code, v in TARGETS.items()])
    return {"desa": len(desa), "lokus": len(lokus)}
