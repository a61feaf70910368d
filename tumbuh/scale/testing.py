"""Loading a generated Parquet tree into the Django database (tests: the web app's own analytics
on the same data the engines read). Bypasses the services, as the analytics test helpers do; call
`analytics.summary.rebuild_summaries()` afterwards for the summary-table path."""

from __future__ import annotations

import math
from pathlib import Path

from tumbuh.measurements.models import Measurement
from tumbuh.regions.models import Posyandu, Region
from tumbuh.registry.models import Household, Person

from .export import MEASUREMENT_PATHS
from .layout import read_table


def _records(root: Path, dataset: str) -> list[dict]:
    return read_table(root, dataset).to_pylist()


def _none(v):
    return None if isinstance(v, float) and math.isnan(v) else v


def load_into_db(root: str | Path) -> dict[str, int]:
    root = Path(root)
    regions = sorted(_records(root, "regions"), key=lambda r: r["code"].count("."))
    Region.objects.bulk_create([Region(code=r["code"], name=r["name"] or r["code"], level=r["level"],
                                       parent_id=r["parent"] or None) for r in regions])
    people = _records(root, "people")
    posyandu = sorted({(p["posyandu_id"], p["desa"]) for p in people})
    Posyandu.objects.bulk_create([Posyandu(id=i, name=f"Posyandu {i}", desa_id=d) for i, d in posyandu])
    Household.objects.bulk_create([Household(id=p["household_id"], desa_id=p["desa"], address=f"Jl. {p['id']}")
                                   for p in people])
    Person.objects.bulk_create([
        Person(id=p["id"], name=f"Anak {p['id']}", sex=p["sex"], birth_date=p["birth_date"], desa_id=p["desa"],
               posyandu_id=p["posyandu_id"], household_id=p["household_id"], active=p["active"],
               inactive_reason=p["inactive_reason"], birth_weight_kg=p["birth_weight_kg"],
               birth_length_cm=p["birth_length_cm"]) for p in people], batch_size=2000)
    skip = {"desa", "posyandu_id", "sex", "updated_at", "latest_in_month"}  # the child's, auto, derived
    fields = {out: path for out, path in MEASUREMENT_PATHS.items() if out not in skip}
    rows = _records(root, "measurements")
    Measurement.objects.bulk_create([
        Measurement(**{path: _none(r[out]) for out, path in fields.items()}) for r in rows], batch_size=2000)
    return {"regions": len(regions), "people": len(people), "measurements": len(rows)}
