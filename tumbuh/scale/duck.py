"""DuckDB over the Parquet tree: views `measurements` and `people` (and any other dataset present),
with a memory limit and a spill directory so 100M+ rows run out-of-core. No Django."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from .layout import HIVE_TYPES, MEASUREMENT_SCHEMA, PEOPLE_SCHEMA

DEFAULT_MEMORY_LIMIT = os.environ.get("TUMBUH_DUCKDB_MEMORY", "2GB")
_EMPTY = {"measurements": MEASUREMENT_SCHEMA, "people": PEOPLE_SCHEMA}


def _hive_types(path: Path) -> str:
    """Partition columns are text: "64.74" is a code, not the number 64.74."""
    keys = [part.split("=", 1)[0] for part in path.parts if "=" in part]
    return "{" + ", ".join(f"'{k}': {HIVE_TYPES.get(k, 'VARCHAR')}" for k in keys) + "}"


class DuckEngine:
    """`engine(sql) -> DataFrame`, the `partials.Run` protocol."""

    def __init__(self, parquet_dir: str | Path, *, threads: int | None = None,
                 memory_limit: str = DEFAULT_MEMORY_LIMIT, temp_directory: str | Path | None = None):
        self.root = Path(parquet_dir)
        self.temp_directory = Path(temp_directory or Path(tempfile.gettempdir()) / "tumbuh-duckdb-spill")
        os.makedirs(self.temp_directory, exist_ok=True)
        self.con = duckdb.connect(config={
            "memory_limit": memory_limit,
            "temp_directory": str(self.temp_directory),
            "threads": threads or os.cpu_count() or 1,
            # a window over 100M rows need not keep input order
            "preserve_insertion_order": False,
        })
        for dataset in sorted({*_EMPTY, *(p.name for p in self.root.iterdir() if p.is_dir())}
                              if self.root.is_dir() else _EMPTY):
            self._view(dataset)

    def _view(self, dataset: str) -> None:
        files = list((self.root / dataset).glob("**/*.parquet")) if (self.root / dataset).is_dir() else []
        if files:
            pattern = str(self.root / dataset / "**" / "*.parquet").replace("'", "''")
            types = _hive_types(files[0].relative_to(self.root))
            hive = f"hive_partitioning = true, hive_types = {types}" if types != "{}" else "hive_partitioning = false"
            self.con.execute(
                f"CREATE OR REPLACE VIEW {dataset} AS SELECT * FROM read_parquet('{pattern}', "
                f"{hive})")
        elif dataset in _EMPTY:
            # An empty tree: a typed empty view, so queries return no rows instead of failing.
            empty = pd.DataFrame({f.name: pd.Series(dtype=f.type.to_pandas_dtype()) for f in _EMPTY[dataset]})
            for col in ("province", "kabkota", "period"):
                empty[col] = pd.Series(dtype=str)
            self.con.register(f"_{dataset}_empty", empty)
            self.con.execute(f"CREATE OR REPLACE VIEW {dataset} AS SELECT * FROM _{dataset}_empty")

    def columns(self, dataset: str) -> set[str]:
        return set(self.con.execute(f"SELECT * FROM {dataset} LIMIT 0").df().columns)

    def __call__(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()

    def close(self) -> None:
        self.con.close()
