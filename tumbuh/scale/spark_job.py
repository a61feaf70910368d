"""The same computations as a PySpark job (issue 15 item 3). No Django, no Python UDFs.

    tumbuh spark prevalence --parquet DIR --period 2026-10 [--region 64] [--by kabkota]
    spark-submit --master yarn tumbuh/scale/spark_job.py prevalence --parquet s3a://bucket/tumbuh ...

Spark runs the partial-sum SQL of `partials` (the very text DuckDB runs) over the Parquet tree;
the driver collects one small frame of integer partial sums (at most periods x units x 21 cells)
and runs the web app's estimators on it (`tumbuh.analytics.prevalence.table_from_counts`,
`tumbuh.analytics.stats`). Executors only run Spark SQL: they need neither Django nor Tumbuh;
the driver needs the `tumbuh` package (numpy, pandas), never Django settings.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

from tumbuh.scale.layout import MEASUREMENT_SCHEMA, PEOPLE_SCHEMA

_EMPTY = {"measurements": MEASUREMENT_SCHEMA, "people": PEOPLE_SCHEMA}


def session(master: str | None = None, app_name: str = "tumbuh-scale", shuffle_partitions: int | None = None,
            extra_conf: dict[str, str] | None = None):
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    conf = {
        # "64.74" is a code, not a number: partition values stay text
        "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.ui.showConsoleProgress": "false",
    }
    if master and master.startswith("local"):
        conf.update({"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": str(shuffle_partitions or 8),
                     "spark.driver.memory": os.environ.get("TUMBUH_SPARK_DRIVER_MEMORY", "2g")})
    elif shuffle_partitions:
        conf["spark.sql.shuffle.partitions"] = str(shuffle_partitions)
    conf.update(extra_conf or {})
    for k, v in conf.items():
        builder = builder.config(k, v)
    return builder.getOrCreate()


def _is_local_empty(path: str) -> bool:
    return "://" not in path and not any(Path(path).glob("**/*.parquet"))


class SparkEngine:
    """`engine(sql) -> pandas DataFrame` over temp views `measurements`, `people` (the
    `partials.Run` protocol)."""

    def __init__(self, spark, parquet_dir: str):
        self.spark = spark
        root = str(parquet_dir).rstrip("/")
        for dataset, schema in _EMPTY.items():
            path = f"{root}/{dataset}"
            if _is_local_empty(path):
                from pyspark.sql.types import StringType, StructField, StructType

                fields = [StructField(f.name, StringType()) for f in schema]
                fields += [StructField(c, StringType()) for c in ("province", "kabkota", "period")]
                df = spark.createDataFrame([], StructType(fields))
            else:
                df = spark.read.option("basePath", path).parquet(path)
            df.createOrReplaceTempView(dataset)

    def columns(self, dataset: str) -> set[str]:
        return set(self.spark.table(dataset).columns)

    def __call__(self, sql: str) -> pd.DataFrame:
        return self.spark.sql(sql).toPandas()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tumbuh spark", description=__doc__.split("\n\n")[0])
    p.add_argument("what", choices=["prevalence", "coverage", "convergence", "all"])
    p.add_argument("--parquet", required=True, help="root of the Parquet tree (local path, hdfs://, s3a://)")
    p.add_argument("--region", default="", help="Kemendagri code; empty: everything")
    p.add_argument("--period", required=True, help="period key (2026-10, 2026-Q3, 2026-S2, 2026)")
    p.add_argument("--history", type=int, default=1, help="also this many periods before (a trend)")
    p.add_argument("--by", choices=["province", "kabkota", "kecamatan", "desa"], default=None)
    p.add_argument("--master", default=None, help="Spark master (default: spark-submit's, else local[2])")
    p.add_argument("--shuffle-partitions", type=int, default=None)
    p.add_argument("--out", default=None, help="write the table(s) as CSV to this directory")
    return p


def main(argv: list[str] | None = None) -> int:
    from tumbuh.analytics.periods import Period
    from tumbuh.scale import cli

    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    periods = Period.parse(args.period).history(args.history)
    master = args.master or (None if "SPARK_ENV_LOADED" in os.environ or os.environ.get("SPARK_HOME") else "local[2]")
    spark = session(master, shuffle_partitions=args.shuffle_partitions)
    try:
        engine = SparkEngine(spark, args.parquet)
        cli.report(engine, args.what, args.region, periods, args.by, args.out)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":  # spark-submit tumbuh/scale/spark_job.py ...
    sys.exit(main())
