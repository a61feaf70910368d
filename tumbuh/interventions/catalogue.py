"""The national intervention catalogue shipped as `data/catalogue.json` (with its sources), and
loading it into `CatalogueItem` rows (region NULL). Loading is idempotent: a re-load updates the
shipped fields and never touches local (region-placed) items."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "catalogue.json"


@cache
def shipped() -> dict:
    with DATA.open(encoding="utf-8") as fh:
        return json.load(fh)


def shipped_codes() -> list[str]:
    return [item["code"] for item in shipped()["items"]]


def load_catalogue() -> int:
    """Create or update the national items from the data file; returns how many rows changed."""
    from .models import CatalogueItem

    data = shipped()
    changed = 0
    for item in data["items"]:
        values = {
            "name": item["name"],
            "kind": item["kind"],
            "target_group": item["target_group"],
            "unit": item["unit"],
            "default_agency_code": item.get("agency", ""),
            "indicator": item.get("indicator", ""),
            "course_days": item.get("course_days", []),
            "course_amount": item.get("course_amount"),
            "source": item.get("source", ""),
            "version": data["version"],
        }
        row = CatalogueItem.objects.filter(code=item["code"], region__isnull=True).first()
        if row is None:
            CatalogueItem.objects.create(code=item["code"], region=None, **values)
            changed += 1
            continue
        dirty = [k for k, v in values.items() if getattr(row, k) != v and not (k == "course_amount" and v is not None and row.course_amount == v)]
        if dirty:
            for k in dirty:
                setattr(row, k, values[k])
            row.save(update_fields=[*dirty, "updated_at"])
            changed += 1
    return changed
