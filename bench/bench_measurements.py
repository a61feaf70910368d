"""Bulk recompute of measurements (what the importer and the demo generator call), in rows/s.

Builds a throw-away SQLite database in a temp dir (never the project's), loads N synthetic
measurements (default 100,000: 20,000 children x 5 monthly visits) and times
`recompute_children` / `recompute_all`. Usage: python bench/bench_measurements.py [rows]
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(rows: int) -> None:
    import datetime as dt

    import django
    import numpy as np

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tumbuh.measurements.derivation import recompute_all, recompute_children
    from tumbuh.measurements.models import Measurement
    from tumbuh.regions.models import Posyandu, Region
    from tumbuh.registry.models import Person

    Region.objects.create(code="64", name="Kalimantan Timur", level="provinsi")
    Region.objects.create(code="64.74", name="Kota Bontang", level="kabupaten", parent_id="64")
    Region.objects.create(code="64.74.01", name="Bontang Utara", level="kecamatan", parent_id="64.74")
    desa = Region.objects.create(code="64.74.01.1001", name="Bontang Kuala", level="desa", parent_id="64.74.01")
    pos = Posyandu.objects.create(name="Posyandu Bench", desa=desa)
    visits = 5
    n_children = rows // visits
    rng = np.random.default_rng(7)
    first_visit = dt.date(2026, 1, 15)
    ages = rng.integers(60, 1500, n_children)
    Person.objects.bulk_create(
        [Person(name=f"Anak {i}", sex="MF"[i % 2], birth_date=first_visit - dt.timedelta(days=int(a)),
                desa=desa, posyandu=pos) for i, a in enumerate(ages)], batch_size=5000)
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    t0 = time.perf_counter()
    batch = []
    for child_id, age in zip(ids, ages, strict=True):
        base_w = 4 + age / 120 + rng.normal(0, 0.8)
        base_l = 55 + age / 25 + rng.normal(0, 2)
        for k in range(visits):
            batch.append(Measurement(
                child_id=child_id, desa_id=desa.code, posyandu=pos,
                measured_on=first_visit + dt.timedelta(days=30 * k),
                weight_kg=round(base_w + 0.15 * k + rng.normal(0, 0.1), 1),
                length_cm=round(base_l + 0.8 * k, 1), position="l" if age + 30 * k < 731 else "h",
                source="demo"))
    Measurement.objects.bulk_create(batch, batch_size=5000)
    print(f"loaded {len(batch):,} measurements of {n_children:,} children in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    done = recompute_all()
    seconds = time.perf_counter() - t0
    print(f"recompute_all:      {done:,} rows in {seconds:.2f} s = {done / seconds:,.0f} rows/s")

    some = ids[: max(1, len(ids) // 10)]
    t0 = time.perf_counter()
    done = recompute_children(some)
    seconds = time.perf_counter() - t0
    print(f"recompute_children: {done:,} rows in {seconds:.2f} s = {done / seconds:,.0f} rows/s")
    filled = Measurement.objects.filter(age_days__isnull=False, weight_gain__gt="").count()
    assert filled == len(batch), (filled, len(batch))


if __name__ == "__main__":
    rows = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 100_000
    if os.environ.get("TUMBUH_BENCH_CHILD") == "1":
        run(rows)
    else:
        # A fresh process with its own database: bench/run.py may already have set Django up.
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, TUMBUH_BENCH_CHILD="1", DJANGO_SETTINGS_MODULE="tumbuh.settings",
                       TUMBUH_VAR_DIR=tmp, DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3")
            root = Path(__file__).resolve().parents[1]
            subprocess.run([sys.executable, __file__, str(rows)], env=env, cwd=root, check=True)
