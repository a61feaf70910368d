"""EPPGBM import throughput: generate an N-row ';' CSV (comma decimals), import it, print rows/s.

    python bench/bench_import.py [--rows 1000000] [--repeat]

Database: DATABASE_URL if set (it must be a THROWAWAY database: it is flushed), else a SQLite
file in /tmp. Target (issue 4): at least 10,000 rows/s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
SQLITE_FILE = Path("/tmp/tumbuh-bench-import.sqlite3")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_IMPORT_ROWS", 1_000_000)))
    parser.add_argument("--repeat", action="store_true", help="import the same file a second time (all unchanged)")
    parser.add_argument("--chunk-rows", type=int, default=None, help="rows per chunk (default: the importer's)")
    parser.add_argument("--months", type=int, default=12,
                        help="weighings per child (> 12: the same children over more months, more rows each)")
    parser.add_argument("--profile", default=None, help="write a cProfile of the first import to this file")
    args = parser.parse_args(argv)

    if not os.environ.get("DATABASE_URL"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumbuh.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from tumbuh.imports.services import import_eppgbm
    from tumbuh.imports.testing import create_regions, write_bench_csv

    call_command("migrate", verbosity=0)
    if connection.vendor != "sqlite":
        call_command("flush", interactive=False, verbosity=0)
    create_regions()
    user, _ = get_user_model().objects.get_or_create(username="bench-admin", defaults={"is_superuser": True})

    csv_path = Path(os.environ.get("TMPDIR", "/tmp")) / (f"tumbuh-bench-eppgbm-{args.rows}.csv" if args.months == 12
                                                      else f"tumbuh-bench-eppgbm-{args.rows}-{args.months}m.csv")
    if not csv_path.exists():
        t0 = time.perf_counter()
        write_bench_csv(csv_path, args.rows, months=args.months)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - t0:.1f} s -> {csv_path}")

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('server_version'), current_setting('fsync'), "
                           "current_setting('synchronous_commit')")
            version, fsync, sync_commit = cursor.fetchone()
        print(f"PostgreSQL {version}: fsync={fsync}, synchronous_commit={sync_commit}")
    print(f"machine: {os.cpu_count()} cores; load average before: {Path('/proc/loadavg').read_text().strip()}")
    from tumbuh.measurements.signals import measurements_changed

    refresh_cpu = [0.0]
    peak_before_receivers = [0.0]
    plain_send = measurements_changed.send

    def timed_send(*a, **k):  # the other contexts' receivers (analytics, convergence summaries)
        c = time.process_time()
        peak_before_receivers[0] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        try:
            return plain_send(*a, **k)
        finally:
            refresh_cpu[0] += time.process_time() - c

    measurements_changed.send = timed_send
    runs = 2 if args.repeat else 1
    for run in range(runs):
        t0, cpu0 = time.perf_counter(), time.process_time()
        chunking = {"chunk_rows": args.chunk_rows} if args.chunk_rows else {}
        if args.profile and run == 0:
            import cProfile

            profiler = cProfile.Profile(time.process_time)  # CPU, not wall: the machine is shared
            batch = profiler.runcall(import_eppgbm, csv_path, user=user, region_code="64.74", **chunking)
            profiler.dump_stats(args.profile)
        else:
            batch = import_eppgbm(csv_path, user=user, region_code="64.74", **chunking)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        own = cpu - refresh_cpu[0]
        label = "first import" if run == 0 else "same file again"
        print(f"{connection.vendor} {label}: {batch.total_rows:,} rows in {seconds:.1f} s = "
              f"{batch.total_rows / seconds:,.0f} rows/s; Python CPU {cpu:.1f} s = {batch.total_rows / cpu:,.0f} rows/s "
              f"(load average {os.getloadavg()[0]:.1f}) (imported {batch.imported:,}, merged {batch.merged:,}, "
              f"unchanged {batch.unchanged:,}, rejected {batch.rejected:,}, children {batch.people_created:,}); "
              f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
        print(f"  of the Python CPU: measurements_changed receivers (analytics + convergence summaries) "
              f"{refresh_cpu[0]:.1f} s; the importer itself {own:.1f} s = {batch.total_rows / own:,.0f} rows/s; "
              f"peak memory before those receivers ran {peak_before_receivers[0]:,.0f} MB")
        refresh_cpu[0] = 0.0
    return 0


if __name__ == "__main__":
    sys.exit(main())
