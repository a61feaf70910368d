"""Spark (local[2]) == DuckDB == the web app on the same generated data: `make test-spark`."""

import numpy as np
import pytest

from tumbuh.analytics.periods import Period
from tumbuh.analytics.testing import make_user
from tumbuh.scale import partials
from tumbuh.scale.duck import DuckEngine
from tumbuh.scale.testing import load_into_db

from .reference import assert_tables_equal, web_convergence, web_prevalence

pytestmark = pytest.mark.spark

PERIODS = [Period.parse("2026-09"), Period.parse("2026-10")]


@pytest.fixture(scope="module")
def spark_engine(generated):
    pytest.importorskip("pyspark")
    from tumbuh.scale.spark_job import SparkEngine, session

    spark = session("local[2]", app_name="tumbuh-test", shuffle_partitions=4)
    yield SparkEngine(spark, str(generated))
    spark.stop()


def test_spark_equals_duckdb_and_the_web_app(db, generated, spark_engine):
    duck = DuckEngine(generated, threads=2, memory_limit="512MB")
    kab = sorted(duck("SELECT DISTINCT kabkota FROM measurements")["kabkota"])[0]

    # prevalence: every (period, kab/kota) table bit-identical to DuckDB's, and to the web app's
    spark_tables = partials.prevalence(spark_engine, "", PERIODS, by="kabkota")
    duck_tables = partials.prevalence(duck, "", PERIODS, by="kabkota")
    assert sorted(spark_tables) == sorted(duck_tables) and len(spark_tables) == 4
    for key, table in spark_tables.items():
        assert_tables_equal(table, duck_tables[key], exact_means=True)
    load_into_db(generated)
    admin = make_user("admin")
    for p in PERIODS:
        assert_tables_equal(spark_tables[(p.key, kab)], web_prevalence(admin, kab, p).table)

    # coverage
    s_cov = partials.coverage(spark_engine, "", PERIODS, by="kabkota")
    d_cov = partials.coverage(duck, "", PERIODS, by="kabkota")
    assert s_cov.equals(d_cov)
    web = web_prevalence(admin, kab, PERIODS[-1]).coverage
    row = s_cov[(s_cov["pkey"] == PERIODS[-1].key) & (s_cov["unit"] == kab)].iloc[0]
    assert (row["registered"], row["weighed"], row["gained"], row["measured_unregistered"]) == (
        web.registered, web.weighed, web.gained, web.measured_unregistered)

    # convergence
    on = PERIODS[-1].end
    s_conv = partials.convergence(spark_engine, "", on, "kabkota").sort_values("key").reset_index(drop=True)
    d_conv = partials.convergence(duck, "", on, "kabkota").sort_values("key").reset_index(drop=True)
    ref = web_convergence(admin, "", on, "kabkota")
    assert s_conv.equals(d_conv)
    for col in s_conv.columns:
        assert np.array_equal(s_conv[col].to_numpy(), ref[col].to_numpy()), col
    duck.close()


def test_spark_job_cli(generated, tmp_path, capsys):
    """The spark-submit entry point's argument path, on the session the other test left open."""
    pytest.importorskip("pyspark")
    from tumbuh.scale import spark_job

    assert spark_job.main(["prevalence", "--parquet", str(generated), "--period", "2026-10",
                           "--master", "local[2]", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2026-10" in out and "HA_2_r" in out
    assert (tmp_path / "prevalence.csv").read_text().count("\n") == 24  # header + 23 rows
