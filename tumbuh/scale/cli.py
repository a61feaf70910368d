"""`tumbuh scale ...`: the national-scale path without Django (docs/scale.md).

    tumbuh scale generate --kabkota N --children-per-kabkota M --months K --out DIR
    tumbuh scale duckdb prevalence|coverage|convergence|all --parquet DIR --period 2026-10 [--region 64] [--by kabkota]

`tumbuh spark ...` (tumbuh.scale.spark_job) takes the same query arguments on Spark;
`tumbuh export parquet` (a management command: it reads the database) writes the tree.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd


def report(engine, what: str, region: str, periods, by: str | None, out: str | None) -> dict[str, pd.DataFrame]:
    """Run one or all computations on `engine` and print them (and write CSVs to `out`)."""
    from tumbuh.scale import partials

    frames: dict[str, pd.DataFrame] = {}
    if what in ("prevalence", "all"):
        tables = partials.prevalence(engine, region, periods, by)
        long = pd.concat([t.assign(period=k, unit=u) for (k, u), t in tables.items()], ignore_index=True) if tables \
            else pd.DataFrame()
        frames["prevalence"] = long
        heads = [{"period": k, "unit": u, **t.iloc[0][partials.HEADLINE_COLUMNS].to_dict()}
                 for (k, u), t in tables.items()]
        print(pd.DataFrame(heads).to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    if what in ("coverage", "all"):
        frames["coverage"] = partials.coverage(engine, region, periods, by)
        print(frames["coverage"].to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    if what in ("convergence", "all"):
        frames["convergence"] = partials.convergence(engine, region, periods[-1].end, by)
        print(f"Stunted under-twos (latest measurement in the {partials.LOOKBACK_DAYS} days to "
              f"{periods[-1].end}) seen in the last {partials.FOLLOWUP_DAYS} days:")
        print(frames["convergence"].to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        for name, frame in frames.items():
            frame.to_csv(Path(out) / f"{name}.csv", index=False)
    return frames


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tumbuh scale")
    sub = p.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="synthetic national data as Parquet")
    g.add_argument("--kabkota", type=int, required=True, help="number of kab/kota (of 514)")
    g.add_argument("--children-per-kabkota", type=int, required=True)
    g.add_argument("--months", type=int, required=True)
    g.add_argument("--out", required=True)
    g.add_argument("--end-month", default="2026-10")
    g.add_argument("--seed", type=int, default=15)
    g.add_argument("--oedema-rate", type=float, default=0.001)
    q = sub.add_parser("duckdb", help="prevalence / coverage / convergence over Parquet with DuckDB")
    q.add_argument("what", choices=["prevalence", "coverage", "convergence", "all"])
    q.add_argument("--parquet", required=True)
    q.add_argument("--region", default="")
    q.add_argument("--period", required=True)
    q.add_argument("--history", type=int, default=1)
    q.add_argument("--by", choices=["province", "kabkota", "kecamatan", "desa"], default=None)
    q.add_argument("--memory-limit", default=None, help="DuckDB memory_limit (default 2GB)")
    q.add_argument("--temp-directory", default=None, help="DuckDB spill directory")
    q.add_argument("--threads", type=int, default=None)
    q.add_argument("--out", default=None)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "generate":
        from tumbuh.scale.generate import generate

        def progress(done, total, rows):
            print(f"\r{done}/{total} kab/kota, {rows:,} measurements", end="", file=sys.stderr, flush=True)

        r = generate(args.out, args.kabkota, args.children_per_kabkota, args.months, end_month=args.end_month,
                     seed=args.seed, oedema_rate=args.oedema_rate, progress=progress)
        print(f"\n{r.measurements:,} measurements, {r.people:,} people, {r.files} files in {args.out} "
              f"({r.seconds:.1f} s)")
        return 0
    from tumbuh.analytics.periods import Period
    from tumbuh.scale.duck import DEFAULT_MEMORY_LIMIT, DuckEngine

    engine = DuckEngine(args.parquet, threads=args.threads, memory_limit=args.memory_limit or DEFAULT_MEMORY_LIMIT,
                        temp_directory=args.temp_directory)
    report(engine, args.what, args.region, Period.parse(args.period).history(args.history), args.by, args.out)
    return 0
