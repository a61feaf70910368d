"""Convergence gaps at kabupaten scale: 50,000 children, 20,000 households, 10,000 pregnancies and
500,000 deliveries (the issue's figures).

Builds a throw-away SQLite database in a temp dir (never the project's), or uses BENCH_DATABASE_URL
(e.g. a private PostgreSQL; it must be empty) when set. Prints: the full refresh of the kabupaten's
stored gaps (what `tumbuh convergence refresh` does once a day); one child's refresh (the write
path inside a cadre's save, p50/p95); the gap list page as kabupaten, desa and OPD users (p50/p95
over 20 requests with different pages/filters, through Django's test client); and the CLI for the
kabupaten from the stored table and computed directly for another as-of date.
Usage: python bench/bench_convergence.py [children]
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
    """(wall ms, process CPU ms) of n calls."""
    wall, cpu = [], []
    for i in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        fn(i)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return wall, cpu


def summary(wall, cpu):
    return (f"wall p50 {statistics.median(wall):6.0f} ms  p95 {pct(wall, 0.95):6.0f} ms · "
            f"CPU p50 {statistics.median(cpu):5.0f} ms  p95 {pct(cpu, 0.95):5.0f} ms")


def load():
    with open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])


def run(n_children: int) -> None:
    import datetime as dt

    import django
    import numpy as np

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    from tumbuh.convergence import services
    from tumbuh.coordination.models import Agency
    from tumbuh.interventions.catalogue import load_catalogue
    from tumbuh.interventions.models import Delivery
    from tumbuh.regions.models import Region
    from tumbuh.registry.models import Person

    load_catalogue()
    today = dt.date.today()
    rng = np.random.default_rng(7)
    agencies = {}
    if Person.objects.filter(name__startswith="Anak ").exists():  # a kept database (BENCH_KEEP): reuse its data
        kids = list(Person.objects.filter(name__startswith="Anak ").only("id"))
        desas = list(Region.objects.filter(level="desa", code__startswith="64.74.").order_by("code"))
        agencies = {a.code: a for a in Agency.objects.filter(region_id="64.74")}
        print(f"[{connection.vendor}] reusing {len(kids):,} children, {Delivery.objects.count():,} deliveries")
    else:
        kids, desas, agencies = _load(today, rng, n_children)
    if os.environ.get("BENCH_LOAD_ONLY") == "1":
        services.refresh_region("64.74")
        return
    _measure(today, rng, kids, desas, agencies)


def _load(today, rng, n_children):
    import datetime as dt
    from decimal import Decimal

    from django.db import connection

    from tumbuh.coordination.models import Agency
    from tumbuh.interventions.models import CatalogueItem, Delivery
    from tumbuh.measurements.models import Measurement
    from tumbuh.regions.models import Posyandu, Region
    from tumbuh.registry.models import Household, Person
    from tumbuh.targets import rules as trules
    from tumbuh.targets.models import AncVisit, KrsSnapshot, Pregnancy, TpkTeam, TpkVisit

    n_households = max(1, n_children * 2 // 5)
    n_pregnancies = n_children // 5
    n_deliveries = n_children * 10
    Region.objects.create(code="64", name="Kalimantan Timur", level="provinsi")
    Region.objects.create(code="64.74", name="Kota Bontang", level="kabupaten", parent_id="64")
    desas = []
    for k in range(5):
        kec = Region.objects.create(code=f"64.74.0{k + 1}", name=f"Kecamatan {k}", level="kecamatan", parent_id="64.74")
        desas += [Region.objects.create(code=f"{kec.code}.{1001 + i}", name=f"Desa {k}-{i}", level="desa",
                                        parent_id=kec.code) for i in range(10)]
    posyandu = [Posyandu.objects.create(name=f"Posyandu {i}-{j}", desa=d) for i, d in enumerate(desas) for j in range(4)]
    agencies = {c: Agency.objects.create(region_id="64.74", code=c, name=f"Dinas {c}")
                for c in ("DINKES", "DPPKB", "DINSOS", "PUPR", "PERKIM")}
    t0 = time.perf_counter()
    which = rng.integers(0, len(desas), n_households)
    households = Household.objects.bulk_create(
        [Household(head_name=f"Kepala {i}", address=f"Jl. Bench {i}", desa_id=desas[d].code, rt="001", rw="002")
         for i, d in enumerate(which)], batch_size=5000)
    mothers = Person.objects.bulk_create(
        [Person(name=f"Ibu {h.pk}", sex="F", birth_date=today - dt.timedelta(days=int(rng.integers(18 * 365, 40 * 365))),
                household_id=h.pk, desa_id=h.desa_id, posyandu_id=posyandu[which[i] * 4].pk)
         for i, h in enumerate(households)], batch_size=5000)
    home = rng.integers(0, n_households, n_children)
    kids = Person.objects.bulk_create(
        [Person(name=f"Anak {i}", sex="MF"[i % 2], mother_id=mothers[h].pk,
                birth_date=today - dt.timedelta(days=int(rng.integers(0, 1825))), household_id=households[h].pk,
                desa_id=households[h].desa_id, posyandu_id=posyandu[which[h] * 4 + int(rng.integers(0, 4))].pk)
         for i, h in enumerate(home)], batch_size=5000)
    ms = []
    for kid in kids:
        for ago in (100, 40, int(rng.integers(0, 30))):
            on = today - dt.timedelta(days=ago)
            if on < kid.birth_date:
                continue
            haz = float(rng.normal(-1.0, 1.1))
            ms.append(Measurement(child_id=kid.pk, measured_on=on, weight_kg=10, length_cm=80, desa_id=kid.desa_id,
                                  posyandu_id=kid.posyandu_id, age_days=(on - kid.birth_date).days,
                                  length_for_age_z=haz, weight_for_age_z=float(rng.normal(-0.6, 1.0)),
                                  weight_for_length_z=float(rng.normal(-0.3, 1.0)), length_for_age_flag=False,
                                  weight_for_age_flag=False, weight_for_length_flag=False, source="demo"))
    Measurement.objects.bulk_create(ms, batch_size=5000)
    preg_mothers = rng.choice(len(mothers), n_pregnancies, replace=False)
    pregs = Pregnancy.objects.bulk_create(
        [Pregnancy(person_id=mothers[i].pk, desa_id=mothers[i].desa_id, posyandu_id=mothers[i].posyandu_id,
                   hpht=today - dt.timedelta(days=int(rng.integers(10, 270))), due_on=today + dt.timedelta(days=100),
                   kek=bool(rng.random() < 0.15)) for i in preg_mothers], batch_size=5000)
    AncVisit.objects.bulk_create(
        [AncVisit(pregnancy_id=p.pk, visited_on=p.hpht + dt.timedelta(days=int(d)), place="posyandu", ttd_given=30)
         for p in pregs for d in rng.integers(0, max(1, (today - p.hpht).days), int(rng.integers(0, 5)))],
        batch_size=5000)
    period = trules.semester_of(today)
    KrsSnapshot.objects.bulk_create(
        [KrsSnapshot(household_id=h.pk, desa_id=h.desa_id, period=period, water_source=str(rng.choice(
            ["pam", "isi_ulang", "sumur_bor", "sungai"])), latrine=str(rng.choice(["own_septic"] * 3 + ["none"])),
            krs=bool(rng.random() < 0.4)) for h in households], batch_size=5000)
    teams = TpkTeam.objects.bulk_create([TpkTeam(name=f"TPK {d.code}", desa=d) for d in desas])
    TpkVisit.objects.bulk_create(
        [TpkVisit(team=teams[which[i]], household_id=h.pk, desa_id=h.desa_id, visited_on=today, counselling=True)
         for i, h in enumerate(households) if rng.random() < 0.5], batch_size=5000)
    items = {i.code: i for i in CatalogueItem.objects.filter(region__isnull=True)}
    person_codes = ["VIT-A", "PMT-BALITA", "IMUNISASI-DASAR", "RUJUKAN", "KIE-PENGASUHAN", "TATA-LAKSANA-GIZI-BURUK"]
    house_codes = ["JKN-PBI", "AIR-MINUM", "JAMBAN", "PENDAMPINGAN-TPK", "BANSOS-PKH"]
    rows = []
    for _ in range(n_deliveries):
        if rng.random() < 0.8:
            kid = kids[int(rng.integers(0, len(kids)))]
            code = person_codes[int(rng.integers(0, len(person_codes)))]
            rows.append(Delivery(item=items[code], code=code, person_id=kid.pk, desa_id=kid.desa_id,
                                 posyandu_id=kid.posyandu_id, date=today - dt.timedelta(days=int(rng.integers(0, 700))),
                                 quantity=Decimal(1), unit="paket", source="demo"))
        else:
            h = households[int(rng.integers(0, len(households)))]
            code = house_codes[int(rng.integers(0, len(house_codes)))]
            rows.append(Delivery(item=items[code], code=code, household_id=h.pk, desa_id=h.desa_id,
                                 date=today - dt.timedelta(days=int(rng.integers(0, 700))), quantity=Decimal(1),
                                 unit="KK", source="demo"))
        if len(rows) >= 20000:
            Delivery.objects.bulk_create(rows, batch_size=5000)
            rows = []
    Delivery.objects.bulk_create(rows, batch_size=5000)
    print(f"[{connection.vendor}] loaded {len(kids):,} children, {len(households):,} households, {len(pregs):,} "
          f"pregnancies, {len(ms):,} measurements, {Delivery.objects.count():,} deliveries in "
          f"{time.perf_counter() - t0:.0f} s (not timed below)")
    return kids, desas, agencies


def _measure(today, rng, kids, desas, agencies):
    import datetime as dt

    from django.core.management import call_command
    from django.test import Client

    from tumbuh.accounts.models import Role, User
    from tumbuh.convergence import services
    from tumbuh.convergence.models import Gap

    print(f"load average at start: {load()}")
    t0, c0 = time.perf_counter(), time.process_time()
    n_gaps = services.refresh_region("64.74")
    print(f"full refresh of the kabupaten (first build, or over the kept rows): {n_gaps:,} gaps in "
          f"{time.perf_counter() - t0:.1f} s wall, {time.process_time() - c0:.1f} s CPU")
    t0, c0 = time.perf_counter(), time.process_time()
    services.refresh_region("64.74")
    print(f"full refresh again (nothing changed: reconcile only): {time.perf_counter() - t0:.1f} s wall, "
          f"{time.process_time() - c0:.1f} s CPU")
    sample = [int(x) for x in rng.choice([k.pk for k in kids], 40)]
    one = timed(lambda i: services.refresh_subjects([sample[i]]), 40)
    print(f"refresh one child (write path): {summary(*one)}  (load {load()})")

    def user(name, **kw):
        return User.objects.filter(username=name).first() or User.objects.create_user(name, password="x", **kw)

    kab = user("bench_kab", role=Role.KABUPATEN, region_id="64.74")
    desa_user = user("bench_desa", role=Role.DESA, region_id=desas[0].code)
    opd = user("bench_opd", role=Role.OPD, region_id="64.74", agency=agencies["DINKES"])
    queries = ["", "?page=7", "?item=VIT-A", "?group=keluarga", "?page=2", "?agency=DPPKB&page=3",
               "?item=PMT-BALITA&page=2", "?group=bumil", "?page=40", "?item=ANC"]
    for user in (kab, desa_user, opd):
        client = Client()
        client.force_login(user)
        assert client.get("/convergence/").status_code == 200
        got = timed(lambda i, client=client: client.get("/convergence/" + queries[i % len(queries)]), 20)
        print(f"{user.role:<9} gap list {summary(*got)}  (load {load()})")
    with tempfile.TemporaryDirectory() as tmp:
        for args, label in (([], "stored table (today)"),
                            (["--as-of", (today - dt.timedelta(days=30)).isoformat()], "computed, as of 30 days ago")):
            t0, c0 = time.perf_counter(), time.process_time()
            call_command("convergence", "gaps", "--region", "64.74", *args, "-o", f"{tmp}/gaps.csv", stdout=open(os.devnull, "w"))
            print(f"CLI gaps --region 64.74 {label}: {time.perf_counter() - t0:.1f} s wall, "
                  f"{time.process_time() - c0:.1f} s CPU ({sum(1 for _ in open(f'{tmp}/gaps.csv')) - 1:,} rows; "
                  f"load {load()})")
    print(f"stored gaps: {Gap.objects.count():,}")


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 50_000
    if os.environ.get("TUMBUH_BENCH_CHILD") == "1":
        run(n)
    else:
        keep = os.environ.get("BENCH_KEEP")  # a folder: the SQLite file is kept there and reused
        with tempfile.TemporaryDirectory() as tmp:
            url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{keep or tmp}/bench.sqlite3"
            env = dict(os.environ, TUMBUH_BENCH_CHILD="1", DJANGO_SETTINGS_MODULE="tumbuh.settings",
                       TUMBUH_VAR_DIR=tmp, DATABASE_URL=url)
            root = Path(__file__).resolve().parents[1]
            subprocess.run([sys.executable, __file__, str(n)], env=env, cwd=root, check=True)
