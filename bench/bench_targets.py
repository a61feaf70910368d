"""Target-group registers and KRS derivation at kota scale: 50,000 households (default).

Builds a throw-away SQLite database in a temp dir (never the project's; BENCH_DATABASE_URL=postgres://...
for a new, empty PostgreSQL database instead): 20 desa, N households with
a wife, 1-3 children and (5%) an ongoing pregnancy, a KRS snapshot per household, TPK visits.
Prints: bulk KRS derivation of all snapshots (households/s); one household's re-derivation (the
write path after a member changes, p50/p95); and the register pages and the overview as a
kabupaten user and a desa user, through Django's test client (p50/p95 over 20 requests).
Also the dashboard's target-group counts from the summary cells against the row-level reference,
the cells' full rebuild and one desa's refresh; TUMBUH_BENCH_COUNTS_ONLY=1 stops after those.
Usage: python bench/bench_targets.py [households]
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


CPU: list[float] = []  # process CPU ms of the last `timed` run (the fair figure on a loaded machine)


def timed(fn, n):
    out = []
    CPU.clear()
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
        CPU.append((time.process_time() - c0) * 1000)
    return out


def run(n_households: int) -> None:
    import datetime as dt

    import django
    import numpy as np

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    from tumbuh.accounts.models import Role, User
    from tumbuh.regions.models import Posyandu, Region
    from tumbuh.registry.models import Household, Person
    from tumbuh.targets import rules, services
    from tumbuh.targets.models import KrsSnapshot, Pregnancy, TpkTeam, TpkVisit

    today = dt.date.today()
    Region.objects.create(code="64", name="Kalimantan Timur", level="provinsi")
    Region.objects.create(code="64.74", name="Kota Bontang", level="kabupaten", parent_id="64")
    Region.objects.create(code="64.74.01", name="Bontang Utara", level="kecamatan", parent_id="64.74")
    desas = [Region.objects.create(code=f"64.74.01.{1001 + i}", name=f"Desa {i}", level="desa", parent_id="64.74.01")
             for i in range(20)]
    posyandu = [Posyandu.objects.create(name=f"Posyandu {i}", desa=d) for i, d in enumerate(desas)]
    rng = np.random.default_rng(11)
    t0 = time.perf_counter()
    which = rng.integers(0, len(desas), n_households)
    households = Household.objects.bulk_create(
        [Household(head_name=f"Kepala {i}", address=f"Jl. Bench {i}", desa_id=desas[d].code)
         for i, d in enumerate(which)], batch_size=5000)
    wives = Person.objects.bulk_create(
        [Person(name=f"Ibu {h.pk}", sex="F", birth_date=today - dt.timedelta(days=int(rng.integers(17 * 365, 48 * 365))),
                household_id=h.pk, desa_id=h.desa_id, posyandu_id=posyandu[which[i]].pk)
         for i, h in enumerate(households)], batch_size=5000)
    kids = []
    for i, (h, w) in enumerate(zip(households, wives, strict=True)):
        for _ in range(int(rng.integers(1, 4))):
            kids.append(Person(name=f"Anak {h.pk}", sex="MF"[int(rng.integers(0, 2))], mother_id=w.pk,
                               birth_date=today - dt.timedelta(days=int(rng.integers(0, 12 * 365))),
                               household_id=h.pk, desa_id=h.desa_id, posyandu_id=posyandu[which[i]].pk))
    Person.objects.bulk_create(kids, batch_size=5000)
    preg = [Pregnancy(person_id=w.pk, desa_id=w.desa_id, posyandu_id=w.posyandu_id, household_id=w.household_id,
                      hpht=today - dt.timedelta(days=100), due_on=today + dt.timedelta(days=180),
                      kek=bool(rng.random() < 0.15), high_risk=bool(rng.random() < 0.3))
            for w in wives if rng.random() < 0.05]
    Pregnancy.objects.bulk_create(preg, batch_size=5000)
    period = rules.semester_of(today)
    water = ["pam", "isi_ulang", "sumur_bor", "sungai"]
    snaps = KrsSnapshot.objects.bulk_create(
        [KrsSnapshot(household_id=h.pk, desa_id=h.desa_id, period=period, water_source=str(rng.choice(water)),
                     latrine=str(rng.choice(["own_septic", "own_septic", "own_septic", "none"])),
                     modern_contraception=bool(rng.random() < 0.6)) for h in households], batch_size=5000)
    teams = TpkTeam.objects.bulk_create([TpkTeam(name=f"TPK {d.code}", desa=d) for d in desas])
    TpkVisit.objects.bulk_create(
        [TpkVisit(team=teams[which[i]], household_id=h.pk, desa_id=h.desa_id, visited_on=today, counselling=True)
         for i, h in enumerate(households) if rng.random() < 0.5], batch_size=5000)
    print(f"loaded {len(households):,} households, {len(wives) + len(kids):,} people, {len(preg):,} pregnancies "
          f"in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    services.derive_many(snaps)
    derive_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    services.store_derived(snaps)
    store_s = time.perf_counter() - t0
    krs = KrsSnapshot.objects.filter(krs=True).count()
    print(f"KRS derivation, all households: {len(snaps):,} in {derive_s:.2f} s = {len(snaps) / derive_s:,.0f}/s "
          f"(+ storing {store_s:.1f} s); {krs:,} KRS ({100 * krs / len(snaps):.0f}%)")

    # The dashboard's target-group figures: summed from the summary cells (targets/summary.py)
    # against the row-level reference; the full rebuild and one desa's refresh (the write path).
    from tumbuh.targets import selectors, summary

    t0 = time.perf_counter()
    cells = summary.rebuild_target_summaries()
    print(f"target-group cells, full rebuild: {cells:,} cells in {time.perf_counter() - t0:.2f} s")
    one_desa = timed(lambda: summary.refresh_target_summaries(desa_codes=[desas[0].code]), 10)
    print(f"refresh one desa's cells (every write): p50 {statistics.median(one_desa):.1f} ms, "
          f"p95 {pct(one_desa, 0.95):.1f} ms (CPU p95 {pct(CPU, 0.95):.1f} ms)")
    kab = User.objects.create_user("bench_kab", password="x", role=Role.KABUPATEN, region_id="64.74")
    desa_user = User.objects.create_user("bench_desa", password="x", role=Role.DESA, region_id=desas[0].code)
    for user, region in ((kab, "64.74"), (desa_user, desas[0].code)):
        assert selectors.group_counts(user, region=region) == selectors.group_counts_from_rows(user, region=region)
        for name, fn in (("summary cells", selectors.group_counts), ("rows (before)", selectors.group_counts_from_rows)):
            ms = timed(lambda fn=fn, user=user, region=region: fn(user, region=region), 20)
            print(f"{user.role:<9} dashboard target counts, {name:<13} p50 {statistics.median(ms):6.1f} ms  "
                  f"p95 {pct(ms, 0.95):6.1f} ms  CPU p95 {pct(CPU, 0.95):6.1f} ms")
    if os.environ.get("TUMBUH_BENCH_COUNTS_ONLY") == "1":
        return

    ids = [h.pk for h in households]
    sample = [int(x) for x in rng.choice(ids, 200)]
    it = iter(sample)
    one = timed(lambda: services.rederive_households([next(it)]), 200)
    print(f"re-derive one household (write path): p50 {statistics.median(one):.1f} ms, p95 {pct(one, 0.95):.1f} ms "
          f"(CPU p95 {pct(CPU, 0.95):.1f} ms)")

    for user in (kab, desa_user):
        client = Client()
        client.force_login(user)
        for url in ("/targets/register/krs/", "/targets/register/krs/?risk=1", "/targets/register/bumil/",
                    "/targets/register/bumil/?risk=kek", "/targets/"):
            assert client.get(url).status_code == 200, url
            ms = timed(lambda url=url, client=client: client.get(url), 20)
            print(f"{user.role:<9} GET {url:<34} p50 {statistics.median(ms):6.1f} ms  p95 {pct(ms, 0.95):6.1f} ms"
                  f"  CPU p50 {statistics.median(CPU):6.1f} ms  p95 {pct(CPU, 0.95):6.1f} ms")


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 50_000
    if os.environ.get("TUMBUH_BENCH_CHILD") == "1":
        run(n)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, TUMBUH_BENCH_CHILD="1", DJANGO_SETTINGS_MODULE="tumbuh.settings",
                       TUMBUH_VAR_DIR=tmp,
                       DATABASE_URL=os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3")
            root = Path(__file__).resolve().parents[1]
            subprocess.run([sys.executable, __file__, str(n)], env=env, cwd=root, check=True)
