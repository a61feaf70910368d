"""Loading the Kemendagri code list (npm `idn-area-data`, pinned in package.json) into Region.

The four CSVs (provinces, regencies, districts, villages) each carry `code`, the parent's code and
`name`. Loading is an upsert keyed on the code: new codes are inserted, renamed or re-parented ones
updated, and a second run with the same files writes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import Region

# File, parent column, level; parents come before children so inserts never dangle.
REGION_FILES = [
    ("provinces.csv", None, Region.Level.PROVINSI),
    ("regencies.csv", "province_code", Region.Level.KABUPATEN),
    ("districts.csv", "regency_code", Region.Level.KECAMATAN),
    ("villages.csv", "district_code", Region.Level.DESA),
]
BATCH_SIZE = 2000


class RegionDataMissing(FileNotFoundError):
    pass


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_level: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: str
    parent_code: str | None


def data_dir(override: str | Path | None = None) -> Path:
    path = Path(override) if override else Path(settings.REGION_DATA_DIR)
    missing = [name for name, _, _ in REGION_FILES if not (path / name).is_file()]
    if missing:
        raise RegionDataMissing(
            f"Region code list not found in {path} (missing {', '.join(missing)}). "
            "Install it with `make setup` (or `npm ci`), or pass --data-dir / set "
            "TUMBUH_REGION_DATA_DIR."
        )
    return path


def read_rows(directory: Path) -> list[RegionRow]:
    rows: list[RegionRow] = []
    for filename, parent_column, level in REGION_FILES:
        with open(directory / filename, newline="", encoding="utf-8") as handle:
            for record in csv.DictReader(handle):
                code = record["code"].strip()
                rows.append(
                    RegionRow(
                        code=code,
                        name=record["name"].strip(),
                        level=level,
                        parent_code=record[parent_column].strip() if parent_column else None,
                    )
                )
    return rows


def is_related(code: str, selected: str) -> bool:
    """True if `code` is `selected`, one of its ancestors or one of its descendants."""
    return (
        code == selected
        or code.startswith(selected + ".")
        or selected.startswith(code + ".")
    )


def select_rows(rows: Iterable[RegionRow], only: Iterable[str] | None) -> list[RegionRow]:
    selected = [code.strip() for code in (only or []) if code.strip()]
    if not selected:
        return list(rows)
    return [row for row in rows if any(is_related(row.code, code) for code in selected)]


def load_regions(
    *, only: Iterable[str] | None = None, directory: str | Path | None = None
) -> LoadResult:
    all_rows = read_rows(data_dir(directory))
    known = {row.code for row in all_rows}
    unknown = [code for code in (only or []) if code.strip() not in known]
    if unknown:
        raise ValueError(f"No region with code {', '.join(unknown)} in the code list")
    return upsert(select_rows(all_rows, only))


@transaction.atomic
def upsert(rows: list[RegionRow]) -> LoadResult:
    result = LoadResult()
    codes = [row.code for row in rows]
    existing: dict[str, tuple[str, str, str | None]] = {}
    # Chunked so the IN list stays under SQLite's variable limit.
    for start in range(0, len(codes), 20000):
        chunk = codes[start : start + 20000]
        existing.update(
            (code, (name, level, parent))
            for code, name, level, parent in Region.objects.filter(code__in=chunk).values_list(
                "code", "name", "level", "parent_id"
            )
        )

    to_create, to_update = [], []
    for row in rows:
        result.by_level[row.level] = result.by_level.get(row.level, 0) + 1
        wanted = (row.name, row.level, row.parent_code)
        current = existing.get(row.code)
        region = Region(code=row.code, name=row.name, level=row.level, parent_id=row.parent_code)
        if current is None:
            to_create.append(region)
        elif current != wanted:
            to_update.append(region)
        else:
            result.unchanged += 1

    Region.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        Region.objects.bulk_update(to_update, ["name", "level", "parent"], batch_size=500)
    result.created, result.updated = len(to_create), len(to_update)
    return result
