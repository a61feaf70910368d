"""The maintained delivery totals (`DeliveryTotal`: quantity and count per agency, item, desa and
year) that plan progress reads. `apply` adds or removes deliveries inside the writer's
transaction (services call it for every write path); `rebuild` recomputes a region from the
deliveries after a bulk load that bypassed the services (the demo, benchmarks)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, F, Sum

from tumbuh.regions.models import within

from .models import Delivery, DeliveryTotal


def apply(deliveries: Iterable[Delivery], sign: int = 1) -> None:
    """Add (sign=1) or remove (sign=-1) these deliveries from the totals."""
    acc: dict[tuple, list] = defaultdict(lambda: [Decimal(0), 0])
    for d in deliveries:
        key = (d.agency_id, d.code, d.desa_id, d.date.year)
        acc[key][0] += Decimal(d.quantity) * sign
        acc[key][1] += sign
    for (agency_id, code, desa_id, year), (quantity, count) in acc.items():
        updated = DeliveryTotal.objects.filter(agency_id=agency_id, code=code, desa_id=desa_id, year=year).update(
            quantity=F("quantity") + quantity, deliveries=F("deliveries") + count)
        if not updated:
            DeliveryTotal.objects.create(agency_id=agency_id, code=code, desa_id=desa_id, year=year,
                                         quantity=quantity, deliveries=count)


def rebuild(region_code: str = "") -> int:
    """Recompute the totals of a region (all when "") from its active deliveries; returns rows."""
    area = within("desa_id", region_code) if region_code else None
    old = DeliveryTotal.objects.filter(area) if area is not None else DeliveryTotal.objects.all()
    old.delete()
    rows = Delivery.objects.filter(voided_at__isnull=True)
    if area is not None:
        rows = rows.filter(area)
    grouped = (rows.values("agency_id", "code", "desa_id", "date__year")
               .annotate(q=Sum("quantity"), n=Count("pk")).order_by())
    new = [DeliveryTotal(agency_id=g["agency_id"], code=g["code"], desa_id=g["desa_id"], year=g["date__year"],
                         quantity=g["q"] or 0, deliveries=g["n"]) for g in grouped]
    DeliveryTotal.objects.bulk_create(new, batch_size=2000)
    return len(new)
