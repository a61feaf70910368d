"""National-scale path (issue 15): DuckDB over 10M and 100M generated measurements, Spark local over
10M, with the cores used. Prints figures; docs/scale.md has them.

    .venv/bin/python bench/bench_scale.py                 # DuckDB 10M (generated once to /tmp)
    .venv/bin/python bench/bench_scale.py --100m --spark  # + DuckDB 100M out-of-core, Spark local 10M

The 10M tree is generated once (`tumbuh scale generate`) and reused; the 100M tree is 10 copies of
it with their own ids (`copies_view`: 100 kab/kota... with 10x the children each; `replicate`
writes such a tree to disk when there is time and disk for it). Generation is not
timed here (its own figure is printed when it runs). Figures are wall time and CPU time (this
process, or Spark's JVM): on a machine shared with other work CPU seconds / cores is what the wall
time would be on an idle machine, and rows / CPU second is the per-core throughput the sizing uses. Each figure is the best and worst of `--repeat` runs
of: the WHO prevalence table for each of 12 months x every kab/kota (one pass over every row,
each child's latest measurement per month), coverage (S, D, N) for the same, and the convergence
aggregate (a window over the past year's rows), all through `tumbuh.scale.partials`.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tumbuh.analytics.periods import Period  # noqa: E402
from tumbuh.scale import partials  # noqa: E402
from tumbuh.scale.generate import generate  # noqa: E402

TEN_M = {"kabkota": 100, "children_per_kabkota": 14_000, "months": 12}  # 10.45M measurements
PERIODS = Period.parse("2026-10").history(12)


def ensure(path: Path, spec: dict) -> Path:
    if not (path / "measurements").is_dir():
        print(f"generating {spec} into {path} ...", flush=True)
        r = generate(path, **spec)
        print(f"  {r.measurements:,} measurements, {r.people:,} people in {r.seconds:.0f} s "
              f"({r.measurements / r.seconds:,.0f} rows/s)", flush=True)
    return path


def replicate(src: Path, dst: Path, copies: int, memory_limit: str, off: int = 10_000_000_000) -> Path:
    """`copies` x the 10M tree as one tree: each copy's children and measurements get their own
    ids (offset), so each kab/kota has `copies` times the children. Written by DuckDB (COPY ...
    PARTITION_BY), far cheaper than generating 100M rows again on a shared machine."""
    import duckdb

    if (dst / "measurements").is_dir():
        return dst
    t = time.perf_counter()
    os.makedirs(dst, exist_ok=True)
    con = duckdb.connect(config={"memory_limit": memory_limit, "temp_directory": "/tmp/tumbuh-duckdb-spill",
                                 "preserve_insertion_order": False})
    con.execute("SET enable_progress_bar = false")
    hive = "hive_partitioning = true, hive_types = {'province': VARCHAR, 'kabkota': VARCHAR, 'period': VARCHAR}"
    for c in range(copies):
        con.execute(f"""COPY (SELECT * REPLACE (id + {c * off} AS id, child_id + {c * off} AS child_id)
                     FROM read_parquet('{src}/measurements/**/*.parquet', {hive}))
                     TO '{dst}/measurements' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (province, kabkota, period),
                     FILENAME_PATTERN 'part-c{c}-{{i}}', OVERWRITE_OR_IGNORE true)""")
        con.execute(f"""COPY (SELECT * REPLACE (id + {c * off} AS id, household_id + {c * off} AS household_id)
                     FROM read_parquet('{src}/people/**/*.parquet', hive_partitioning = true,
                     hive_types = {{'province': VARCHAR, 'kabkota': VARCHAR}}))
                     TO '{dst}/people' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (province, kabkota),
                     FILENAME_PATTERN 'part-c{c}-{{i}}', OVERWRITE_OR_IGNORE true)""")
        print(f"  copy {c + 1}/{copies} written ({time.perf_counter() - t:.0f} s)", flush=True)
    con.close()
    return dst


def rows(engine) -> int:
    return int(engine("SELECT count(*) AS n FROM measurements")["n"][0])


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system, every thread) of this process, or of `pid` (Spark's JVM). On a
    machine shared with other work, CPU seconds / cores is what the wall time would be alone."""
    if pid is None:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


CPU_PIDS: list[int | None] = [None]


def timed(label: str, fn, repeat: int) -> list[float]:
    times, cpus = [], []
    for _ in range(repeat):
        c = sum(cpu_seconds(p) for p in CPU_PIDS)
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        cpus.append(sum(cpu_seconds(p) for p in CPU_PIDS) - c)
    print(f"  {label:<46} wall best {min(times):6.2f} s worst {max(times):6.2f} s | "
          f"CPU {min(cpus):6.2f} s, load {os.getloadavg()[0]:.1f}", flush=True)
    return cpus


def run_all(engine, repeat: int) -> None:
    p = timed("prevalence, 12 months x kab/kota", lambda: partials.prevalence(engine, "", PERIODS, "kabkota"), repeat)
    c = timed("coverage (D/S, N/D), 12 months x kab/kota",
              lambda: partials.coverage(engine, "", PERIODS, "kabkota"), repeat)
    v = timed("convergence (stunted baduta seen in 60 days)",
              lambda: partials.convergence(engine, "", PERIODS[-1].end, "kabkota"), repeat)
    one = timed("prevalence, one month, one province",
                lambda: partials.prevalence(engine, "35", PERIODS[-1:], None), repeat)
    total = min(p) + min(c) + min(v)
    print(f"  {'all three, CPU seconds':<46} {total:6.2f} s; alone on {os.cpu_count()} cores ~ "
          f"{total / (os.cpu_count() or 1):.2f} s; (one province-month: CPU {min(one):.2f} s)", flush=True)


def copies_view(engine, path: Path, copies: int) -> None:
    """`copies` x the tree as the views: each copy's children, households and measurements get
    their own ids (offset), so every kab/kota has `copies` times the children. DuckDB reads and
    decodes every copy's files, as it would a tree `copies` times the size (the files are the
    same bytes, so the page cache holds one copy instead of ten: a 100M tree is ~2.3 GB, which
    this machine's 20 GB of page cache would hold as well)."""
    off = 10_000_000_000
    hive = "hive_partitioning = true, hive_types = {'province': VARCHAR, 'kabkota': VARCHAR, 'period': VARCHAR}"
    hive_p = "hive_partitioning = true, hive_types = {'province': VARCHAR, 'kabkota': VARCHAR}"
    m = " UNION ALL ".join(
        f"SELECT * REPLACE (id + {c * off} AS id, child_id + {c * off} AS child_id) "
        f"FROM read_parquet('{path}/measurements/**/*.parquet', {hive})" for c in range(copies))
    p = " UNION ALL ".join(
        f"SELECT * REPLACE (id + {c * off} AS id, household_id + {c * off} AS household_id) "
        f"FROM read_parquet('{path}/people/**/*.parquet', {hive_p})" for c in range(copies))
    engine.con.execute(f"CREATE OR REPLACE VIEW measurements AS {m}")
    engine.con.execute(f"CREATE OR REPLACE VIEW people AS {p}")


def duck(path: Path, label: str, repeat: int, memory_limit: str, copies: int = 1) -> None:
    from tumbuh.scale.duck import DuckEngine

    threads = os.cpu_count() or 1
    engine = DuckEngine(path, threads=threads, memory_limit=memory_limit,
                        temp_directory="/tmp/tumbuh-duckdb-spill")
    if copies > 1:
        copies_view(engine, path, copies)
    n = rows(engine)
    print(f"DuckDB {label}: {n:,} measurements, {threads} threads, memory_limit {memory_limit}, "
          f"load {os.getloadavg()[0]:.1f}", flush=True)
    run_all(engine, repeat)
    engine.close()


def spark(path: Path, repeat: int, master: str) -> None:
    from tumbuh.scale.spark_job import SparkEngine, session

    t = time.perf_counter()
    s = session(master, shuffle_partitions=8)
    engine = SparkEngine(s, str(path))
    CPU_PIDS[:] = [None, s.sparkContext._gateway.proc.pid]
    n = rows(engine)
    cores = s.sparkContext.defaultParallelism
    print(f"Spark {master}: {n:,} measurements, defaultParallelism {cores}, start-up + count "
          f"{time.perf_counter() - t:.1f} s, load {os.getloadavg()[0]:.1f}", flush=True)
    run_all(engine, repeat)
    s.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data10m", default="/tmp/tumbuh-scale-10m")
    ap.add_argument("--data100m", default="/tmp/tumbuh-scale-100m")
    ap.add_argument("--100m", dest="hundred", action="store_true")
    ap.add_argument("--spark", action="store_true")
    ap.add_argument("--skip10m", action="store_true", help="no DuckDB 10M run (e.g. only --spark)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--memory-limit", default="1GB")
    ap.add_argument("--master", default="local[2]")
    args = ap.parse_args(sys.argv[1:] if __name__ == "__main__" and "bench_scale" in sys.argv[0] else [])
    ten = ensure(Path(args.data10m), TEN_M)
    if not args.skip10m:
        duck(ten, "10M", args.repeat, args.memory_limit)
    if args.hundred:
        if (Path(args.data100m) / "measurements").is_dir():  # a real 100M tree, if one was written
            duck(Path(args.data100m), "100M", max(1, args.repeat - 2), args.memory_limit)
        else:
            duck(ten, "100M (10 copies of the 10M tree, own ids)", max(1, args.repeat - 2), args.memory_limit,
                 copies=10)
    if args.spark:
        spark(ten, max(1, args.repeat - 1), args.master)


if __name__ == "__main__":
    main()
