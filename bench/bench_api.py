"""Bulk upload through the API: 1,000 measurements (default) in one POST /api/v1/measurements/bulk/.

Builds a throw-away SQLite database in a temp dir (never the project's): one kelurahan, one
posyandu, N children under five each with two earlier measurements (so the series warnings and
N/T/2T have something to compare with). Then, as the posyandu's cadre with a token, through
Django's test client (the whole stack: middleware, token authentication, JSON parsing, validation,
derivation, insert, series recompute, the analytics summary refresh, the audit log, the answer):

- a warm-up POST of one row (a running server's imports and URLconf), not counted;
- one bulk POST of N new measurements (the figure that must stay under 2 s for N = 1,000);
- the same POST again (all duplicates: the idempotent replay a phone does after a lost answer).

Usage: python bench/bench_api.py [measurements]
(TUMBUH_BENCH_PROFILE=/tmp/x.prof: a cProfile of the first POST, read with `python -m pstats`.)
"""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path


def run(n: int) -> None:
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    from django.conf import settings
    from django.utils import timezone

    from tumbuh.accounts.models import Role, User
    from tumbuh.api.services import create_token
    from tumbuh.measurements.models import Measurement
    from tumbuh.measurements.services import recompute_children
    from tumbuh.regions.models import Posyandu, Region
    from tumbuh.registry.models import Person

    settings.TUMBUH_API_RATES = {"bulk": "1000/minute"}
    today = timezone.localdate()
    Region.objects.create(code="64", name="Kalimantan Timur", level="provinsi")
    Region.objects.create(code="64.74", name="Kota Bontang", level="kabupaten", parent_id="64")
    Region.objects.create(code="64.74.01", name="Bontang Utara", level="kecamatan", parent_id="64.74")
    desa = Region.objects.create(code="64.74.01.1001", name="Bontang Kuala", level="desa", parent_id="64.74.01")
    posyandu = Posyandu.objects.create(name="Posyandu Melati 1", desa=desa)
    people = Person.objects.bulk_create([
        Person(name=f"Anak {i}", sex="MF"[i % 2], birth_date=today - dt.timedelta(days=120 + (i * 7) % 1500),
               desa=desa, posyandu=posyandu) for i in range(n + 1)])  # the last one: the warm-up
    earlier = []
    for p in people:
        age = (today - p.birth_date).days
        for ago, grow in ((60, 0.0), (30, 0.3)):
            months = (age - ago) / 30.4
            earlier.append(Measurement(child=p, measured_on=today - dt.timedelta(days=ago), desa=desa,
                                       posyandu=posyandu, weight_kg=round(4 + 0.25 * months + grow, 1),
                                       length_cm=round(55 + 1.1 * months + grow, 1),
                                       position="l" if age - ago < 731 else "h", source="demo"))
    Measurement.objects.bulk_create(earlier)
    recompute_children([p.pk for p in people])
    cadre = User.objects.create_user("kader.bench", password="x-bench-123456", role=Role.CADRE, posyandu=posyandu)
    _token, key = create_token(cadre, "bench")

    warm, people = people[-1], people[:-1]

    def item_for(p):
        age = (today - p.birth_date).days
        months = age / 30.4
        return {"uuid": str(uuid.uuid4()), "child": p.pk, "date": today.isoformat(),
                "weight_kg": round(4 + 0.25 * months + 0.6, 1), "height_cm": round(55 + 1.1 * months + 0.6, 1),
                "lila_cm": None, "measured_lying": age < 731, "oedema": False, "confirm": False,
                "device_time": timezone.now().isoformat()}

    items = [item_for(p) for p in people]
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    body = {"device_id": "bench-phone", "items": items}

    # A warm-up POST of one row (another child): a running server has its modules imported and its
    # URLconf loaded; the first request of a fresh process pays ~0.5 s for that.
    warmed = client.post("/api/v1/measurements/bulk/", {"device_id": "bench-phone", "items": [item_for(warm)]},
                         content_type="application/json")
    assert warmed.json()["results"][0]["status"] == "accepted", warmed.content[:500]
    profile = None
    if os.environ.get("TUMBUH_BENCH_PROFILE"):  # a cProfile of the first POST, to that file
        import cProfile

        profile = cProfile.Profile(time.process_time)  # CPU time: the machine is shared
    t0, c0 = time.perf_counter(), time.process_time()
    if profile:
        profile.enable()
    response = client.post("/api/v1/measurements/bulk/", body, content_type="application/json")
    if profile:
        profile.disable()
    first, first_cpu = time.perf_counter() - t0, time.process_time() - c0
    if profile:
        profile.dump_stats(os.environ["TUMBUH_BENCH_PROFILE"])
    assert response.status_code == 200, response.content[:500]
    statuses = [r["status"] for r in response.json()["results"]]
    counts = {s: statuses.count(s) for s in sorted(set(statuses))}
    t0 = time.perf_counter()
    again = client.post("/api/v1/measurements/bulk/", body, content_type="application/json")
    replay = time.perf_counter() - t0
    replay_statuses = {r["status"] for r in again.json()["results"]}
    assert Measurement.objects.filter(measured_on=today).count() == counts.get("accepted", 0) + 1
    print(f"bulk POST of {n} measurements: {first:.2f} s wall, {first_cpu:.2f} s CPU "
          f"({n / first:,.0f} rows/s; load average {os.getloadavg()[0]:.1f}) {counts}")
    print(f"same POST again (all duplicates): {replay:.2f} s {sorted(replay_statuses)}")


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 1000
    if os.environ.get("TUMBUH_BENCH_CHILD") == "1":
        run(n)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, TUMBUH_BENCH_CHILD="1", DJANGO_SETTINGS_MODULE="tumbuh.settings",
                       TUMBUH_VAR_DIR=tmp, DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3")
            root = Path(__file__).resolve().parents[1]
            subprocess.run([sys.executable, __file__, str(n)], env=env, cwd=root, check=True)
