"""Near-duplicate review page (`/imports/reviews/`) on 50,000 children, 600,000 measurements and
100,000 review rows (100 of them still pending), as a kabupaten team, a province team and an
administrator: p50/p95 of 12 requests each through the Django test client (issue 8, item 5;
target p95 < 300 ms).

    .venv/bin/python bench/bench_reviews.py             # SQLite in /tmp
    BENCH_DATABASE_URL=postgres://... .venv/bin/python bench/bench_reviews.py

The children and measurements are bench_analytics' generated kabupaten (91.99, same generator);
data generation is not timed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
SQLITE_URL = "sqlite:////tmp/tumbuh-bench-reviews.sqlite3"
REVIEWS, PENDING = 100_000, 100


def add_reviews(label: str, kab: str) -> None:
    import numpy as np
    from django.db import transaction

    from tumbuh.imports.models import ImportBatch, MatchReview
    from tumbuh.regions.models import within
    from tumbuh.registry.models import Person

    if MatchReview.objects.count() >= REVIEWS:
        print(f"[{label}] review rows already present")
        return
    t0 = time.perf_counter()
    ids = np.array(Person.objects.filter(within("desa_id", kab)).order_by("pk").values_list("pk", flat=True))
    rng = np.random.default_rng(3)
    with transaction.atomic():
        batches = [ImportBatch.objects.create(region_id=kab, file_name=f"bench-{i}.xlsx", file_sha256=f"{i:064d}",
                                              status="done") for i in range(50)]
        pairs = set()
        while len(pairs) < REVIEWS:
            a, b = rng.choice(ids, 2, replace=False)
            pairs.add((int(a), int(b)))
        rows = []
        for n, (a, b) in enumerate(sorted(pairs)):
            decision = "pending" if n % (REVIEWS // PENDING) == 0 else ("same" if n % 3 == 0 else "different")
            rows.append(MatchReview(batch=batches[n % len(batches)], row_number=n, person_id=a, candidate_id=b,
                                    score=float(rng.uniform(80, 100)), decision=decision))
        MatchReview.objects.bulk_create(rows, batch_size=5000)
    print(f"[{label}] (not timed) {REVIEWS:,} review rows, {PENDING} pending, in {time.perf_counter() - t0:.0f} s")


def percentile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s) + 0.5) - 1))]


def main() -> None:
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", SQLITE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumbuh.settings")
    import django

    django.setup()
    import bench_analytics
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tumbuh.accounts.models import Role, User

    setup_test_environment()
    label = f"reviews on {connection.vendor}"
    call_command("migrate", verbosity=0)
    bench_analytics.generate(label)
    add_reviews(label, bench_analytics.KAB)
    users = [
        User.objects.get_or_create(username="bench-rev-kab", defaults={"role": Role.KABUPATEN,
                                                                        "region_id": bench_analytics.KAB})[0],
        User.objects.get_or_create(username="bench-rev-prov", defaults={"role": Role.PROVINSI, "region_id": "91"})[0],
        User.objects.get_or_create(username="bench-rev-admin", defaults={"role": Role.ADMIN, "is_superuser": True})[0],
    ]
    for user in users:
        client = Client()
        client.force_login(user)
        client.get("/imports/reviews/")  # the process's first request loads URLs and templates
        times, shown = [], 0
        for _ in range(12):
            t0 = time.perf_counter()
            resp = client.get("/imports/reviews/")
            times.append(1000 * (time.perf_counter() - t0))
            assert resp.status_code == 200, resp.status_code
            shown = resp.content.decode().count('id="review-')
        print(f"[{label}] /imports/reviews/ as {user.role or 'superuser'}: p50 {percentile(times, 50):.0f} ms, "
              f"p95 {percentile(times, 95):.0f} ms, max {max(times):.0f} ms ({shown} pending shown; "
              f"target p95 < 300 ms); "
              f"load {open('/proc/loadavg').read().split()[0]}", flush=True)


if __name__ == "__main__":
    main()
