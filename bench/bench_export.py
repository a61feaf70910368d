"""EPPGBM by-name export: import an N-row file, then download /imports/export/ as an administrator
through the whole Django request path; print the time to the first byte and to the last.

    python bench/bench_export.py [--rows 100000] [--keep]

Database: a SQLite file in /tmp (`--keep` reuses the one a previous run filled). The figure that
matters for issue 8 item 12 is the time to the first byte: no request may block for long.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
SQLITE_FILE = Path("/tmp/tumbuh-bench-export.sqlite3")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_EXPORT_ROWS", 100_000)))
    parser.add_argument("--keep", action="store_true", help="reuse the database of a previous run")
    args = parser.parse_args(argv)

    if not (args.keep and SQLITE_FILE.exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumbuh.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from tumbuh.imports.services import import_eppgbm
    from tumbuh.imports.testing import create_regions, write_bench_csv
    from tumbuh.measurements.models import Measurement

    call_command("migrate", verbosity=0)
    create_regions()
    user, _ = get_user_model().objects.get_or_create(username="bench-admin", defaults={"is_superuser": True})
    if not Measurement.objects.exists():
        csv_path = Path(f"/tmp/tumbuh-bench-eppgbm-{args.rows}.csv")
        if not csv_path.exists():
            write_bench_csv(csv_path, args.rows)
        t0 = time.perf_counter()
        batch = import_eppgbm(csv_path, user=user, region_code="64.74")
        print(f"imported {batch.imported:,} measurements in {time.perf_counter() - t0:.1f} s")
    n = Measurement.objects.count()
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)
    print(f"machine: {os.cpu_count()} cores; load average before: {Path('/proc/loadavg').read_text().strip()}")
    t0, cpu0 = time.perf_counter(), time.process_time()
    response = client.get("/imports/export/", {"download": "1", "region": "64.74"})
    assert response.status_code == 200, response.status_code
    first = None
    size = 0
    if getattr(response, "streaming", False):
        for block in response.streaming_content:
            if first is None:
                first = time.perf_counter() - t0
            size += len(block)
    else:
        first = time.perf_counter() - t0
        size = len(response.content)
    total, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    print(f"export of {n:,} measurements ({'streamed' if getattr(response, 'streaming', False) else 'one response'}): "
          f"first byte after {first:.2f} s, last after {total:.1f} s = {n / total:,.0f} rows/s; "
          f"Python CPU {cpu:.1f} s; {size / 1e6:.1f} MB; load average {os.getloadavg()[0]:.1f}; "
          f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
