"""Analytics benchmark: the kabupaten dashboard request on a generated kabupaten of 50,000 children
with 600,000 measurements (and on the demo database when it has data), and prevalence_table over
10,000,000 rows in memory.

    .venv/bin/python bench/bench_analytics.py                      # SQLite in /tmp
    BENCH_DATABASE_URL=postgres://... .venv/bin/python bench/bench_analytics.py

Each database phase runs in its own process, so Django is set up once per database. Data generation
is not timed. The demo phase uses DATABASE_URL (run `tumbuh demo` into it first); the generated
kabupaten goes to BENCH_DATABASE_URL (default: a SQLite file in /tmp). Both may be the same
PostgreSQL database: the generated kabupaten has its own made-up code (91.99).
Targets (issue 5): p95 < 300 ms per dashboard request; prevalence table over 10M rows < 5 s.
Also timed: `rebuild_summaries()` (the whole summary table from the raw rows) and the write path
of a cadre saving one measurement (`record_measurement`: derivation + the summary refresh of the
child's desa), and the refresh alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SQLITE_URL = "sqlite:////tmp/tumbuh-bench-analytics.sqlite3"
CHILDREN, PER_CHILD = 50_000, 12
KAB = "91.99"  # a made-up kabupaten code, so the bench never mixes with real codes


def percentile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s) + 0.5) - 1))]


def bench_table():
    import numpy as np
    import pandas as pd

    from tumbuh.analytics.prevalence import prevalence_table

    n = 10_000_000
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({
        "sex": pd.Categorical.from_codes(rng.integers(0, 2, n), ["F", "M"]),
        "age_days": rng.integers(0, 1827, n).astype(float),
        "haz": rng.normal(-1.1, 1.15, n), "waz": rng.normal(-0.8, 1.05, n),
        "whz": rng.normal(-0.2, 1.0, n), "bmiz": rng.normal(-0.1, 1.0, n),
        "haz_flag": rng.random(n) < 0.01, "waz_flag": rng.random(n) < 0.005,
        "whz_flag": rng.random(n) < 0.01, "bmiz_flag": rng.random(n) < 0.01,
        "oedema": rng.random(n) < 0.0005,
    })
    times = []
    for _ in range(3):  # frame generation above is not timed
        t0 = time.perf_counter()
        table = prevalence_table(frame)
        times.append(time.perf_counter() - t0)
    print(f"prevalence_table over {n:,} rows: best {min(times):.2f} s, worst {max(times):.2f} s "
          f"(target < 5 s); stunting {table.loc[0, 'HA_2_r']:.2f}%")


def generate(url_label: str):
    import datetime as dt

    import numpy as np
    from django.db import connection, transaction

    from tumbuh.measurements.models import Measurement
    from tumbuh.regions.models import Posyandu, Region, within
    from tumbuh.registry.models import Person

    if Measurement.objects.filter(within("desa_id", KAB)).count() >= CHILDREN * PER_CHILD:
        print(f"[{url_label}] generated kabupaten already present")
        return
    t0 = time.perf_counter()
    rng = np.random.default_rng(11)
    with transaction.atomic():
        Region.objects.get_or_create(code="91", defaults={"name": "Provinsi Bench", "level": "provinsi"})
        Region.objects.get_or_create(code=KAB, defaults={"name": "Kabupaten Bench", "level": "kabupaten",
                                                         "parent_id": "91"})
        desas, posyandu = [], []
        for k in range(1, 11):
            kec = f"{KAB}.{k:02d}"
            Region.objects.get_or_create(code=kec, defaults={"name": f"Kecamatan {k}", "level": "kecamatan",
                                                             "parent_id": KAB})
            for d in range(1, 11):
                code = f"{kec}.{2000 + d}"
                Region.objects.get_or_create(code=code, defaults={"name": f"Desa {k}-{d}", "level": "desa",
                                                                  "parent_id": kec})
                desas.append(code)
                for p in range(3):
                    posyandu.append(Posyandu.objects.get_or_create(name=f"Posyandu {k}-{d}-{p}", desa_id=code)[0])
        pos_idx = rng.integers(0, len(posyandu), CHILDREN)
        # Born 2021-2024, so every one of the 12 monthly weighings of 2025 falls at 0-59 months.
        born = np.datetime64("2024-12-31") - rng.integers(0, 1460, CHILDREN).astype("timedelta64[D]")
        sexes = rng.choice(["M", "F"], CHILDREN)
        people = [Person(name=f"Anak Bench {i}", sex=sexes[i], birth_date=born[i].astype(dt.date),
                         desa_id=posyandu[pos_idx[i]].desa_id, posyandu=posyandu[pos_idx[i]])
                  for i in range(CHILDREN)]
        Person.objects.bulk_create(people, batch_size=2000)
        people = list(Person.objects.filter(within("desa_id", KAB)).values_list("id", "birth_date",
                                                                                         "desa_id", "posyandu_id"))
    # Already-derived values straight in: the growth engine is not what is being measured.
    cols = ["child_id", "measured_on", "weight_kg", "length_cm", "position", "oedema", "posyandu_id", "source",
            "desa_id", "age_days", "length_for_age_z", "weight_for_age_z", "weight_for_length_z",
            "bmi_for_age_z", "length_for_age_flag", "weight_for_age_flag", "weight_for_length_flag",
            "bmi_for_age_flag", "position_flag", "weight_for_age_category", "length_for_age_category",
            "weight_for_length_category", "bmi_for_age_category", "weight_gain", "below_red_line",
            "warnings", "measurer_name", "values_confirmed", "created_at", "updated_at"]
    table = Measurement._meta.db_table
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
    now = dt.datetime.now(dt.UTC)
    gains = np.array(["N", "N", "N", "T", "2T", "O", "B"])
    batch = []
    with transaction.atomic(), connection.cursor() as cursor:
        for child_id, birth, desa, pos in people:
            base_haz = rng.normal(-1.1, 1.1)
            for m in range(PER_CHILD):
                day = dt.date(2025, m + 1, int(rng.integers(1, 28)))
                age = (day - birth).days
                if age < 0:
                    continue
                haz = base_haz + rng.normal(0, 0.25)
                waz, whz = rng.normal(-0.8, 1.0), rng.normal(-0.2, 1.0)
                batch.append((child_id, day, round(float(rng.normal(11, 2.5)), 1), round(float(rng.normal(85, 9)), 1),
                              "h", False, pos, "demo", desa, age, haz, waz, whz, whz + 0.05, abs(haz) > 6,
                              waz < -6 or waz > 5, abs(whz) > 5, abs(whz) > 5, False, "", "", "", "",
                              str(gains[rng.integers(0, len(gains))]), waz < -3, "[]", "", False, now, now))
                if len(batch) >= 20_000:
                    cursor.executemany(sql, batch)
                    batch = []
        if batch:
            cursor.executemany(sql, batch)
    n = Measurement.objects.filter(within("desa_id", KAB)).count()
    print(f"[{url_label}] (not timed) generated {len(people):,} children, {n:,} measurements in {time.perf_counter() - t0:.0f} s")


def time_dashboard(label: str, region_code: str, user, cold_requests: int = 12, warm_requests: int = 20):
    """Cold: a new database connection before each request and a different period each time
    (month, quarter, semester, year, weighing month of the data's year), so nothing of the
    previous request is reused in the process; there is no in-process cache any more. Warm: the
    same page again with nothing changed. Both through the Django test client (template included)."""
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(user)
    url = f"/analytics/?region={region_code}"
    assert client.get(url).status_code == 200  # first request: imports, templates
    keys = ["2025-12", "2025-11", "2025-Q4", "2025-Q3", "2025-S2", "2025-S1", "2025", "2025-B08", "2025-B02",
            "2025-06", "2025-Q2", "2025-03"]
    cold = []
    for i in range(cold_requests):
        connection.close()
        t0 = time.perf_counter()
        resp = client.get(f"{url}&period={keys[i % len(keys)]}")
        cold.append(1000 * (time.perf_counter() - t0))
        assert resp.status_code == 200, resp.status_code
    warm = []
    for _ in range(warm_requests):
        t0 = time.perf_counter()
        resp = client.get(url)
        warm.append(1000 * (time.perf_counter() - t0))
        assert resp.status_code == 200
    print(f"[{label}] dashboard {region_code} COLD  p50 {percentile(cold, 50):6.0f} ms  p95 {percentile(cold, 95):6.0f} ms"
          f"  ({cold_requests} requests, new connection and another period each)  target p95 < 300 ms")
    print(f"[{label}] dashboard {region_code} WARM  p50 {percentile(warm, 50):6.0f} ms  p95 {percentile(warm, 95):6.0f} ms"
          f"  ({warm_requests} requests, nothing changed)", flush=True)


def time_writes(label: str, region_code: str, user):
    """The new costs: the whole summary rebuilt, and one cadre saving one measurement."""
    import datetime as dt

    from django.db import transaction

    from tumbuh.analytics.models import PeriodSummary
    from tumbuh.analytics.summary import rebuild_summaries, refresh_summaries
    from tumbuh.measurements.services import record_measurement
    from tumbuh.regions.models import within
    from tumbuh.registry.models import Person

    t0 = time.perf_counter()
    cells = rebuild_summaries()
    print(f"[{label}] rebuild_summaries(): {time.perf_counter() - t0:.1f} s, {cells:,} cells "
          f"({PeriodSummary.objects.count():,} in the table)", flush=True)
    child = (Person.objects.filter(within("desa_id", region_code), birth_date__gte=dt.date(2022, 6, 1),
                                   posyandu__isnull=False).order_by("pk").first())
    times, refresh = [], []
    for i in range(5):
        sid = transaction.savepoint()
        t0 = time.perf_counter()
        record_measurement(child=child, measured_on=dt.date(2025, 12, 28 - i), weight_kg=11.5 + i / 10,
                           length_cm=84.0, position="h", posyandu=child.posyandu, user=user)
        times.append(1000 * (time.perf_counter() - t0))
        t0 = time.perf_counter()
        refresh_summaries(child_ids=[child.pk])
        refresh.append(1000 * (time.perf_counter() - t0))
        transaction.savepoint_rollback(sid)
    print(f"[{label}] one measurement saved by a cadre (record_measurement incl. summary refresh of the "
          f"child's desa): median {sorted(times)[2]:.0f} ms, max {max(times):.0f} ms; "
          f"refresh_summaries(one child) alone: median {sorted(refresh)[2]:.0f} ms", flush=True)


def phase(kind: str):
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tumbuh.accounts.models import Role, User
    from tumbuh.measurements.models import Measurement
    from tumbuh.regions.models import Region, within

    label = f"{kind} on {connection.vendor}"
    if kind == "generated":
        call_command("migrate", verbosity=0)
        generate(label)
        region = KAB
    else:
        call_command("migrate", verbosity=0)
        region = (Region.objects.filter(level="kabupaten", code="64.74").values_list("code", flat=True).first()
                  or Region.objects.filter(level="kabupaten").values_list("code", flat=True).first())
        n = Measurement.objects.filter(within("desa_id", region)).count() if region else 0
        if not n:
            print(f"[{label}] no demo data (run `tumbuh demo` first); skipped")
            return
        print(f"[{label}] demo data {region}: {n:,} measurements")
    user, _ = User.objects.get_or_create(username=f"bench-{region}", defaults={"role": Role.KABUPATEN,
                                                                              "region_id": region})
    from django.db import transaction

    with transaction.atomic():
        time_writes(label, region, user)  # rebuilds the summary first (data loaded in SQL has none)
    time_dashboard(label, region, user)


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--phase":
        phase(sys.argv[2])
        return
    bench_table()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tumbuh.settings"}
    url = os.environ.get("BENCH_DATABASE_URL", SQLITE_URL)
    subprocess.run([sys.executable, __file__, "--phase", "generated"], env={**env, "DATABASE_URL": url}, check=True)
    demo_env = {k: v for k, v in env.items() if k != "DATABASE_URL"}
    if os.environ.get("DATABASE_URL"):
        demo_env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    subprocess.run([sys.executable, __file__, "--phase", "demo"], env=demo_env, check=False)


if __name__ == "__main__":
    main()
