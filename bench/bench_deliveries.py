"""Delivery-list import throughput (issue 10): N rows of `tumbuh import deliveries`, rows/s.

    DATABASE_URL=postgres://.../throwaway python bench/bench_deliveries.py [--rows 1000000] [--repeat]

The database is FLUSHED (a throwaway one), then gets Kota Bontang's regions, DINKES/PUPR, 100,000
children (one per 10 rows, NIK and household) and 30,000 households with a KK; the file is a `;`
CSV with the issue's columns: 95% person items by NIK (VIT-A, PMT-BALITA, IMUNISASI-DASAR,
RUJUKAN on ten different dates per child), 5% AIR-MINUM by No KK, ~0.5% ugly rows (unknown
code, unknown NIK, a date in the future). Target: >= 10,000 rows/s into PostgreSQL.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
SQLITE_FILE = Path("/tmp/tumbuh-bench-deliveries.sqlite3")
DESA = ["64.74.01.1001", "64.74.01.1002", "64.74.02.1001"]
CODES = ["VIT-A", "PMT-BALITA", "IMUNISASI-DASAR", "RUJUKAN"]


def nik(rng, born: dt.date, female: bool, serial: int) -> str:
    day = born.day + (40 if female else 0)
    return f"647401{day:02d}{born:%m%y}{serial % 10000:04d}"


def write_file(path: Path, children: list[tuple], households: list[str], n_rows: int, today: dt.date, seed=7):
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle, delimiter=";")
        w.writerow(["NIK", "Nama", "Tgl Lahir", "Nama Ortu", "No KK", "Kode Intervensi", "Tanggal", "Jumlah",
                    "Satuan", "Sumber Dana", "OPD", "Keterangan"])
        written = 0
        per_child = 10
        for i, (the_nik, name, born) in enumerate(children):
            for k in range(per_child):
                if written >= n_rows:
                    return
                day = today - dt.timedelta(days=7 * k + 1)
                r = rng.random()
                if r < 0.05:
                    kk = households[(i * per_child + k) % len(households)]
                    w.writerow(["", "", "", "", kk, "AIR-MINUM", f"{day:%d/%m/%Y}", "1", "unit", "APBD", "PUPR", ""])
                elif r < 0.052:
                    w.writerow([the_nik, name, f"{born:%d/%m/%Y}", "", "", "PMT-XYZ", f"{day:%d/%m/%Y}", "1", "",
                                "", "", ""])
                elif r < 0.054:
                    w.writerow(["6474019999990001", "Tidak Dikenal", f"{born:%d/%m/%Y}", "", "", "VIT-A",
                                f"{day:%d/%m/%Y}", "1", "", "", "", ""])
                elif r < 0.055:
                    w.writerow([the_nik, name, f"{born:%d/%m/%Y}", "", "", "VIT-A",
                                f"{today + dt.timedelta(days=3):%d/%m/%Y}", "1", "", "", "", ""])
                else:
                    code = CODES[k % len(CODES)]
                    w.writerow([the_nik, name, f"{born:%d/%m/%Y}", "", "", code, f"{day:%d/%m/%Y}",
                                "30" if code == "PMT-BALITA" else "1", "", "APBD", "DINKES", ""])
                written += 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", action="store_true", help="import the same file again (all unchanged)")
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
    from django.db import connection, transaction
    from django.utils import timezone

    from tumbuh.coordination.models import Agency
    from tumbuh.imports.bulk import insert_rows
    from tumbuh.imports.framework import run_import
    from tumbuh.imports.testing import create_regions
    from tumbuh.interventions.catalogue import load_catalogue
    from tumbuh.registry.models import Household, Person

    call_command("migrate", verbosity=0)
    if connection.vendor != "sqlite":
        call_command("flush", interactive=False, verbosity=0)
        load_catalogue()
    create_regions()
    user, _ = get_user_model().objects.get_or_create(username="bench-admin", defaults={"is_superuser": True})
    Agency.objects.get_or_create(region_id="64.74", code="DINKES", defaults={"name": "Dinas Kesehatan"})
    Agency.objects.get_or_create(region_id="64.74", code="PUPR", defaults={"name": "Dinas PUPR"})

    today = timezone.localdate()
    rng = random.Random(3)
    n_children = max(1, args.rows // 10)
    kks = [f"647401{i:010d}" for i in range(1, 30_001)]
    t0 = time.perf_counter()
    with transaction.atomic():
        ids = insert_rows(Household, ("kk_number", "address", "desa_id"),
                          [(kk, "Jl. Bench", DESA[i % 3]) for i, kk in enumerate(kks)])
        children, rows = [], []
        for i in range(n_children):
            born = today - dt.timedelta(days=rng.randint(200, 1400))
            female = rng.random() < 0.5
            the_nik = nik(rng, born, female, i)
            # unique NIKs: the serial runs over 4 digits, the rest varies by birth date and sex
            name = f"Anak Bench {i}"
            children.append((the_nik, name, born))
            rows.append((the_nik, name, "F" if female else "M", born, DESA[i % 3], ids[i % len(ids)]))
        seen, unique_children, unique_rows = set(), [], []
        for c, r in zip(children, rows, strict=True):
            if c[0] not in seen:
                seen.add(c[0])
                unique_children.append(c)
                unique_rows.append(r)
        insert_rows(Person, ("nik", "name", "sex", "birth_date", "desa_id", "household_id"), unique_rows)
    print(f"set up {len(unique_rows):,} children and {len(kks):,} households in {time.perf_counter() - t0:.1f} s")
    path = Path(f"/tmp/tumbuh-bench-deliveries-{args.rows}.csv")
    write_file(path, unique_children, kks, args.rows, today)

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('server_version'), current_setting('fsync')")
            version, fsync = cursor.fetchone()
        print(f"PostgreSQL {version}: fsync={fsync}")
    print(f"machine: {os.cpu_count()} cores; load average before: {Path('/proc/loadavg').read_text().strip()}")
    from tumbuh.interventions import services as iv

    def server_cpu() -> float:
        """CPU seconds of this PostgreSQL cluster's processes (postmaster and its children: the
        import's backend, autovacuum, the writer), read from /proc (the server runs here)."""
        if connection.vendor != "postgresql":
            return 0.0
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        try:
            master = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            return 0.0
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                pid = int(stat.parent.name)
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, ValueError):
                continue
            if pid == master or int(fields[1]) == master:
                total += int(fields[11]) + int(fields[12])
        return total / ticks

    # The listeners of deliveries_changed (convergence recomputes the region's gap lists once
    # after a bulk write) run inside the import; timed apart: their cost is the region's people,
    # not the file's rows.
    listeners = [0.0, 0.0]
    written = iv.deliveries_written

    def timed_written(*a, **kw):
        t, c = time.perf_counter(), time.process_time()
        written(*a, **kw)
        listeners[0] += time.perf_counter() - t
        listeners[1] += time.process_time() - c

    iv.deliveries_written = timed_written
    for run in range(2 if args.repeat else 1):
        listeners[:] = [0.0, 0.0]
        t0, cpu0, server0 = time.perf_counter(), time.process_time(), server_cpu()
        batch = run_import("deliveries", path, user=user, region_code="64.74")
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        server = server_cpu() - server0
        label = "first import" if run == 0 else "same file again"
        own, own_cpu = seconds - listeners[0], cpu - listeners[1]
        print(f"{connection.vendor} {label}: {batch.total_rows:,} rows in {seconds:.1f} s = "
              f"{batch.total_rows / seconds:,.0f} rows/s; Python CPU {cpu:.1f} s = {batch.total_rows / cpu:,.0f} rows/s "
              f"(load average {os.getloadavg()[0]:.1f}) (imported {batch.imported:,}, merged {batch.merged:,}, "
              f"unchanged {batch.unchanged:,}, rejected {batch.rejected:,}); "
              f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
        print(f"  of which the deliveries_changed listeners (convergence gap lists): {listeners[0]:.1f} s wall, "
              f"{listeners[1]:.1f} s CPU; the import without them: {own:.1f} s = {batch.total_rows / own:,.0f} rows/s "
              f"wall, Python CPU {own_cpu:.1f} s = {batch.total_rows / max(own_cpu, 1e-9):,.0f} rows/s")
        if server:
            print(f"  PostgreSQL server CPU {server:.1f} s (= {batch.total_rows / server:,.0f} rows/s); "
                  f"Python + server CPU {cpu + server:.1f} s = {batch.total_rows / (cpu + server):,.0f} rows/s; "
                  f"load average after {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
