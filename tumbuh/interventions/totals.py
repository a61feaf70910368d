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
    apply_values([{"agency_id": d.agency_id, "code": d.code, "desa_id": d.desa_id, "date": d.date,
                   "quantity": d.quantity} for d in deliveries], sign)


def apply_values(rows: Iterable[dict], sign: int = 1) -> None:
    """The same from the column values of deliveries (services' bulk path)."""
    acc: dict[tuple, list] = defaultdict(lambda: [Decimal(0), 0])
    for d in rows:
        key = (d["agency_id"], d["code"], d["desa_id"], d["date"].year)
        acc[key][0] += Decimal(d["quantity"]) * sign
        acc[key][1] += sign
    if not acc:
        return
    if len(acc) <= 3:  # one entry, a void: an UPDATE with F() each, no read
        for (agency_id, code, desa_id, year), (quantity, count) in acc.items():
            updated = DeliveryTotal.objects.filter(agency_id=agency_id, code=code, desa_id=desa_id, year=year).update(
                quantity=F("quantity") + quantity, deliveries=F("deliveries") + count)
            if not updated:
                DeliveryTotal.objects.create(agency_id=agency_id, code=code, desa_id=desa_id, year=year,
                                             quantity=quantity, deliveries=count)
        return
    # Many keys (an import): the existing rows locked and read at once, then one bulk update and one
    # bulk insert, instead of a query per key.
    keys = list(acc)
    rows = (DeliveryTotal.objects.select_for_update()
            .filter(code__in={k[1] for k in keys}, desa_id__in={k[2] for k in keys}, year__in={k[3] for k in keys}))
    existing = {(t.agency_id, t.code, t.desa_id, t.year): t for t in rows}
    changed, new = [], []
    for key, (quantity, count) in acc.items():
        t = existing.get(key)
        if t is None:
            new.append(DeliveryTotal(agency_id=key[0], code=key[1], desa_id=key[2], year=key[3], quantity=quantity,
                                     deliveries=count))
        else:
            t.quantity += quantity
            t.deliveries += count
            changed.append(t)
    DeliveryTotal.objects.bulk_update(changed, ["quantity", "deliveries"], batch_size=500)
    DeliveryTotal.objects.bulk_create(new, batch_size=1000)


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
