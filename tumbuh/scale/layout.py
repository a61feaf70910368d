"""The Parquet tree both the exporter and the generator write, and every engine reads. No Django.

    DIR/<dataset>/province=64/kabkota=64.74/period=2026-08/part-<run>-<n>.parquet

Partition values are the Kemendagri codes as text ("64.74", never the number 64.74: readers must
not infer partition types, see `HIVE_TYPES`) and the month of the record's date (`YYYY-MM`;
datasets without a date have no period level). `desa` inside the files is the full code of
where the person lives *now* (for measurements: the child's home desa, as the web app counts
them), so a region filter is a prefix match and a kab/kota or province filter prunes directories.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

PARTITION_COLUMNS = ("province", "kabkota", "period")
HIVE_TYPES = {"province": "VARCHAR", "kabkota": "VARCHAR", "period": "VARCHAR"}

# The analytic core of a measurement: what the engines read, the generator writes and the
# exporter writes (plus optional extra columns). Names follow analytics.selectors' frames.
MEASUREMENT_SCHEMA = pa.schema([
    ("id", pa.int64()),
    ("child_id", pa.int64()),
    ("measured_on", pa.date32()),
    ("desa", pa.string()),  # the child's home desa (where the web app counts the row)
    ("posyandu_id", pa.int64()),  # the child's home posyandu
    ("measured_desa", pa.string()),  # where the child was when measured
    ("measured_posyandu_id", pa.int64()),
    ("sex", pa.string()),
    ("age_days", pa.int32()),
    ("weight_kg", pa.float64()),
    ("length_cm", pa.float64()),
    ("position", pa.string()),
    ("oedema", pa.bool_()),
    ("head_circumference_cm", pa.float64()),
    ("arm_circumference_cm", pa.float64()),
    ("haz", pa.float64()),
    ("waz", pa.float64()),
    ("whz", pa.float64()),
    ("bmiz", pa.float64()),
    ("hcz", pa.float64()),
    ("acz", pa.float64()),
    ("haz_flag", pa.bool_()),
    ("waz_flag", pa.bool_()),
    ("whz_flag", pa.bool_()),
    ("bmiz_flag", pa.bool_()),
    ("hcz_flag", pa.bool_()),
    ("acz_flag", pa.bool_()),
    ("position_flag", pa.bool_()),
    ("waz_category", pa.string()),
    ("haz_category", pa.string()),
    ("whz_category", pa.string()),
    ("bmiz_category", pa.string()),
    ("weight_gain", pa.string()),
    ("bgm", pa.bool_()),
    ("values_confirmed", pa.bool_()),
    ("source", pa.string()),
    ("updated_at", pa.timestamp("us", tz="UTC")),
    # Derived at extract time: the child's last measurement of its calendar month (the engines'
    # fast path for monthly figures: a filter instead of a window).
    ("latest_in_month", pa.bool_()),
])

PEOPLE_SCHEMA = pa.schema([
    ("id", pa.int64()),
    ("sex", pa.string()),
    ("birth_date", pa.date32()),
    ("desa", pa.string()),
    ("posyandu_id", pa.int64()),
    ("household_id", pa.int64()),
    ("mother_id", pa.int64()),
    ("father_id", pa.int64()),
    ("active", pa.bool_()),
    ("inactive_reason", pa.string()),
    ("birth_weight_kg", pa.float64()),
    ("birth_length_cm", pa.float64()),
    ("created_at", pa.timestamp("us", tz="UTC")),
    ("updated_at", pa.timestamp("us", tz="UTC")),
])
# Only with --with-names (audited).
PEOPLE_NAMES = [("nik", pa.string()), ("name", pa.string())]


def province_of(code: str) -> str:
    return code[:2]


def kabkota_of(code: str) -> str:
    return code[:5]


def month_key(day: dt.date | None) -> str:
    return f"{day.year:04d}-{day.month:02d}" if day else "none"


def region_level(code: str) -> int:
    """1 province, 2 kab/kota, 3 kecamatan, 4 desa; 0 for "" (everything)."""
    return 0 if not code else code.count(".") + 1


def partition_dir(root: Path, dataset: str, province: str, kabkota: str, period: str | None) -> Path:
    path = Path(root) / dataset / f"province={province}" / f"kabkota={kabkota}"
    return path / f"period={period}" if period is not None else path


def run_id() -> str:
    """A file-name stamp per run, so an incremental extract adds files beside earlier ones."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


class PartitionWriter:
    """Writes RecordBatches to one Parquet file per partition directory; at most one file is open
    at a time (rows arrive grouped by partition), so memory is one batch whatever the size."""

    def __init__(self, root: Path, dataset: str, schema: pa.Schema, run: str | None = None):
        self.root, self.dataset, self.schema = Path(root), dataset, schema
        self.run = run or run_id()
        self._key: tuple | None = None
        self._writer: pq.ParquetWriter | None = None
        self._seq = 0
        self.rows = 0
        self.files: list[Path] = []

    def write(self, key: tuple[str, str, str | None], columns: dict[str, list]) -> None:
        if key != self._key:
            self.close()
            directory = partition_dir(self.root, self.dataset, *key)
            os.makedirs(directory, exist_ok=True)
            self._seq += 1
            path = directory / f"part-{self.run}-{self._seq:05d}.parquet"
            self._writer = pq.ParquetWriter(path, self.schema, compression="zstd")
            self.files.append(path)
            self._key = key
        batch = pa.RecordBatch.from_pydict(columns, schema=self.schema)
        self._writer.write_batch(batch)
        self.rows += batch.num_rows

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._writer, self._key = None, None


def read_table(root: Path, dataset: str) -> pa.Table:
    """One dataset of the tree as a table, partition columns as text (pyarrow would read
    `kabkota=64.74` as the number 64.74)."""
    import pyarrow.dataset as pads

    path = Path(root) / dataset
    keys = []
    first = next(path.glob("**/*.parquet"), None)
    if first is not None:
        keys = [part.split("=", 1)[0] for part in first.relative_to(path).parts if "=" in part]
    partitioning = pads.partitioning(pa.schema([(k, pa.string()) for k in keys]), flavor="hive") if keys else None
    return pads.dataset(path, format="parquet", partitioning=partitioning).to_table()
