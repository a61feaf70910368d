"""Interventions at scale: 1,000,000 deliveries (default) in one kota.

Builds a throw-away SQLite database in a temp dir (never the project's): 40 desa with a posyandu
each, 25,000 households with a mother and a child, the kota's OPD list and plans (VIT-A,
PMT-BALITA, JAMBAN, BANSOS-PKH per desa for this year), then N deliveries over the last two years
written with one executemany (the ORM's bulk_create is 3-4x slower at this size). Prints the load
rate, then p50/p95 over 20 requests through Django's test client of:

- a desa team's delivery list (`/interventions/`, 50 per page, with the total count);
- the kab/kota team's delivery list of one desa (`/interventions/?desa=...`);
- the OPD officer's (DINKES) progress page (`/interventions/plans/`: plans per agency and per
  desa with delivered = sum of this year's deliveries);
- the kab/kota team's progress page for all agencies.

Usage: python bench/bench_interventions.py [deliveries]   (TUMBUH_BENCH_DATABASE_URL=postgres://... for PostgreSQL)

TUMBUH_BENCH_KEEP=/tmp/x/bench.sqlite3 keeps the SQLite database there and, when it already holds
the deliveries, skips the load (to iterate on the pages). On SQLite the delivery table's secondary
indexes are dropped for the load and built afterwards (one sort each instead of 17 B-trees
updated per row).
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def timed(fn, n):
    """Wall and CPU milliseconds of n calls (the test client runs the view in this process, so CPU
    time is the server's work: on a loaded shared machine wall time also counts waiting for a core)."""
    wall, cpu = [], []
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return wall, cpu


def run(n_deliveries: int) -> None:
    import datetime as dt
    import uuid

    import django
    import numpy as np

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    from tumbuh.accounts.models import Role, User
    from tumbuh.coordination.services import ensure_agencies
    from tumbuh.interventions.models import CatalogueItem, Delivery, Plan
    from tumbuh.regions.models import Posyandu, Region
    from tumbuh.registry.models import Household, Person

    if Delivery.objects.exists():
        print(f"reusing the database with {Delivery.objects.count():,} deliveries")
        pages()
        return

    today = dt.date.today()
    Region.objects.create(code="64", name="Kalimantan Timur", level="provinsi")
    kota = Region.objects.create(code="64.74", name="Kota Bontang", level="kabupaten", parent_id="64")
    Region.objects.create(code="64.74.01", name="Bontang Utara", level="kecamatan", parent_id="64.74")
    desas = [Region.objects.create(code=f"64.74.01.{1001 + i}", name=f"Desa {i}", level="desa", parent_id="64.74.01")
             for i in range(40)]
    posyandu = [Posyandu.objects.create(name=f"Posyandu {i}", desa=d) for i, d in enumerate(desas)]
    agencies = ensure_agencies(kota)
    rng = np.random.default_rng(5)
    n_households = 25_000
    which = rng.integers(0, len(desas), n_households)
    households = Household.objects.bulk_create(
        [Household(head_name=f"Kepala {i}", address=f"Jl. Bench {i}", desa_id=desas[d].code)
         for i, d in enumerate(which)], batch_size=5000)
    mothers = Person.objects.bulk_create(
        [Person(name=f"Ibu {h.pk}", sex="F", birth_date=today - dt.timedelta(days=int(rng.integers(20 * 365, 40 * 365))),
                household_id=h.pk, desa_id=h.desa_id, posyandu_id=posyandu[which[i]].pk)
         for i, h in enumerate(households)], batch_size=5000)
    kids = Person.objects.bulk_create(
        [Person(name=f"Anak {m.pk}", sex="MF"[i % 2], mother_id=m.pk,
                birth_date=today - dt.timedelta(days=int(rng.integers(30, 1800))), household_id=m.household_id,
                desa_id=m.desa_id, posyandu_id=m.posyandu_id) for i, m in enumerate(mothers)], batch_size=5000)
    items = {i.code: i for i in CatalogueItem.objects.filter(region__isnull=True)}
    # (code, agency, share of deliveries, to a household?)
    mix = [("VIT-A", "DINKES", 0.25, False), ("PMT-BALITA", "DINKES", 0.35, False), ("KIE-PENGASUHAN", "DPPKB", 0.1, False),
           ("TTD-BUMIL", "DINKES", 0.1, False), ("JAMBAN", "PERKIM", 0.05, True), ("BANSOS-PKH", "DINSOS", 0.1, True),
           ("PANGAN-IKAN", "DKP", 0.05, True)]
    shares = np.array([m[2] for m in mix])
    kinds = rng.choice(len(mix), n_deliveries, p=shares / shares.sum())
    who = rng.integers(0, n_households, n_deliveries)
    ago = rng.integers(0, 730, n_deliveries)
    now = dt.datetime.now(dt.UTC).isoformat(sep=" ")
    sql = ("INSERT INTO interventions_delivery (uuid, item_id, code, person_id, household_id, date, quantity, unit, "
           "fund_source, agency_id, delivered_by, source, import_key, desa_id, posyandu_id, notes, created_at, "
           "updated_at, void_reason) VALUES (" + ", ".join(["%s"] * 19) + ")")
    t0, c0 = time.perf_counter(), time.process_time()
    dropped = []
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = "
                        "'interventions_delivery' AND sql IS NOT NULL")
            dropped = cur.fetchall()
            for name, _sql in dropped:
                cur.execute(f'DROP INDEX "{name}"')
    with transaction.atomic(), connection.cursor() as cur:
        batch = []
        for k, w, a in zip(kinds.tolist(), who.tolist(), ago.tolist(), strict=True):
            code, agency, _share, by_household = mix[k]
            item = items[code]
            h = households[w]
            person = None if by_household else (kids[w] if item.target_group == "balita" else mothers[w])
            batch.append((uuid.uuid4().hex, item.pk, code, person.pk if person else None, h.pk if by_household else None,
                          (today - dt.timedelta(days=a)).isoformat(), "1", item.unit, "APBD", agencies[agency].pk, "",
                          "demo", "", h.desa_id, person.posyandu_id if person else None, "", now, now, ""))
            if len(batch) == 20_000:
                cur.executemany(sql, batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)
    with connection.cursor() as cur:
        for _name, index_sql in dropped:
            cur.execute(index_sql)
    load_s, load_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"loaded {Delivery.objects.count():,} deliveries in {load_s:.1f} s ({load_cpu:.1f} s CPU) = "
          f"{n_deliveries / load_s:,.0f} rows/s "
          f"(raw executemany; {len(households):,} households, {len(mothers) + len(kids):,} people)")
    from tumbuh.interventions import totals

    t0 = time.perf_counter()
    n_totals = totals.rebuild()
    print(f"delivery totals rebuilt ({n_totals:,} rows) in {time.perf_counter() - t0:.1f} s")
    plans = [Plan(agency=agencies[agency], code=code, desa_id=d.code, year=today.year,
                  planned_quantity=n_deliveries // 80)
             for d in desas for code, agency, _s, _h in mix]
    Plan.objects.bulk_create(plans)
    with connection.cursor() as cur:
        cur.execute("ANALYZE") if connection.vendor == "sqlite" else cur.execute("ANALYZE interventions_delivery")

    User.objects.create_user("bench_kab", password="x", role=Role.KABUPATEN, region_id="64.74")
    User.objects.create_user("bench_desa", password="x", role=Role.DESA, region_id=desas[0].code)
    User.objects.create_user("bench_opd", password="x", role=Role.OPD, region_id="64.74", agency=agencies["DINKES"])
    pages()


def pages() -> None:
    from django.test import Client

    from tumbuh.accounts.models import User
    from tumbuh.regions.models import Region

    kab, desa_user, opd = (User.objects.get(username=n) for n in ("bench_kab", "bench_desa", "bench_opd"))
    desas = sorted(Region.objects.filter(level="desa").values_list("code", flat=True))
    print(f"load average {Path('/proc/loadavg').read_text().split()[:3]}")
    cases = [(desa_user, "/interventions/"), (desa_user, "/interventions/?page=3"),
             (kab, f"/interventions/?desa={desas[5]}"), (opd, "/interventions/plans/"),
             (kab, "/interventions/plans/"), (opd, f"/interventions/plans/?desa={desas[7]}")]
    for user, url in cases:
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 200, url
        ms, cpu = timed(lambda url=url, client=client: client.get(url), 20)
        print(f"{user.role:<9} GET {url:<42} wall p50 {statistics.median(ms):6.1f} ms  p95 {pct(ms, 0.95):6.1f} ms"
              f"   cpu p50 {statistics.median(cpu):6.1f} ms  p95 {pct(cpu, 0.95):6.1f} ms")
    print(f"load average {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 1_000_000
    if os.environ.get("TUMBUH_BENCH_CHILD") == "1":
        run(n)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            keep = os.environ.get("TUMBUH_BENCH_KEEP")
            default = f"sqlite:///{keep}" if keep else f"sqlite:///{tmp}/bench.sqlite3"
            env = dict(os.environ, TUMBUH_BENCH_CHILD="1", DJANGO_SETTINGS_MODULE="tumbuh.settings",
                       TUMBUH_VAR_DIR=tmp, DATABASE_URL=os.environ.get("TUMBUH_BENCH_DATABASE_URL", default))
            root = Path(__file__).resolve().parents[1]
            subprocess.run([sys.executable, __file__, str(n)], env=env, cwd=root, check=True)
