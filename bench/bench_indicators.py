"""Indicators benchmark: the desa convergence scorecard of a generated kabupaten of 50,000 children,
20,000 households, 10,000 pregnancies and 500,000 deliveries (plus ~550,000 measurements, 40,000
ANC visits, 30,000 TPK visits, 20,000 KRS snapshots), requested through the Django test client
as the kabupaten team (every desa, no names), a kecamatan and one desa (with names), both counting
modes; and the RAN-PASTI indicators page.

    .venv/bin/python bench/bench_indicators.py                      # SQLite in /tmp
    BENCH_DATABASE_URL=postgres://... .venv/bin/python bench/bench_indicators.py

Data generation is not timed (a few minutes on SQLite; the file is kept and reused). Target
(issue 11): the scorecard p95 < 1 s.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SQLITE_URL = "sqlite:////tmp/tumbuh-bench-indicators.sqlite3"
KAB = "91.98"  # a made-up kabupaten code
CHILDREN, HOUSEHOLDS, PREGNANCIES, DELIVERIES = 50_000, 20_000, 10_000, 500_000
QUARTER = "2026-Q3"


def percentile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s) + 0.5) - 1))]


def _insert(model, rows: list[dict], batch: int = 20_000) -> None:
    """Raw executemany of dict rows; a column the caller leaves out gets the field's default (or
    NULL), so a field added later (the void columns) does not break the generator."""
    from django.db import connection

    if not rows:
        return
    cols = list(rows[0])
    for field in model._meta.concrete_fields:
        if field.column not in cols and not field.primary_key:
            value = field.get_default()  # the default, "" for text, else None (NULL)
            cols.append(field.column)
            for r in rows:
                r[field.column] = value
    table = model._meta.db_table
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
    with connection.cursor() as cursor:
        for i in range(0, len(rows), batch):
            cursor.executemany(sql, [tuple(r[c] for c in cols) for r in rows[i:i + batch]])


def generate(label: str) -> None:
    import datetime as dt
    import uuid

    import numpy as np
    from django.db import transaction

    from tumbuh.interventions.models import CatalogueItem, Delivery
    from tumbuh.measurements.models import Measurement
    from tumbuh.regions.models import Posyandu, Region, within
    from tumbuh.registry.models import Household, Person
    from tumbuh.targets.models import (
        AncVisit,
        KfVisit,
        KrsSnapshot,
        Postpartum,
        Pregnancy,
        TpkTeam,
        TpkVisit,
    )

    if Delivery.objects.filter(within("desa_id", KAB)).count() >= DELIVERIES:
        print(f"[{label}] generated kabupaten already present")
        return
    t0 = time.perf_counter()
    rng = np.random.default_rng(7)
    end = dt.date(2026, 9, 30)
    now = dt.datetime.now(dt.UTC)
    with transaction.atomic():
        Region.objects.get_or_create(code="91", defaults={"name": "Provinsi Bench", "level": "provinsi"})
        Region.objects.get_or_create(code=KAB, defaults={"name": "Kabupaten Bench Indikator", "level": "kabupaten",
                                                         "parent_id": "91"})
        desas, posyandu = [], {}
        for k in range(1, 6):
            kec = f"{KAB}.{k:02d}"
            Region.objects.get_or_create(code=kec, defaults={"name": f"Kecamatan {k}", "level": "kecamatan",
                                                             "parent_id": KAB})
            for d in range(1, 11):
                code = f"{kec}.{2000 + d}"
                Region.objects.get_or_create(code=code, defaults={"name": f"Desa {k}-{d}", "level": "desa",
                                                                  "parent_id": kec})
                desas.append(code)
                posyandu[code] = [Posyandu.objects.get_or_create(name=f"Posyandu {k}-{d}-{p}", desa_id=code)[0].pk
                                  for p in range(2)]
        hh_desa = [desas[i % len(desas)] for i in range(HOUSEHOLDS)]
        Household.objects.bulk_create([Household(address=f"Jl. Bench {i}", desa_id=hh_desa[i])
                                       for i in range(HOUSEHOLDS)], batch_size=5000)
        hh_ids = list(Household.objects.filter(within("desa_id", KAB)).order_by("pk").values_list("pk", "desa_id"))
        kid_hh = rng.integers(0, len(hh_ids), CHILDREN)
        born = [end - dt.timedelta(days=int(x)) for x in rng.integers(0, 1826, CHILDREN)]
        Person.objects.bulk_create([
            Person(name=f"Anak Bench {i}", sex="MF"[i % 2], birth_date=born[i], household_id=hh_ids[kid_hh[i]][0],
                   desa_id=hh_ids[kid_hh[i]][1], posyandu_id=posyandu[hh_ids[kid_hh[i]][1]][i % 2])
            for i in range(CHILDREN)], batch_size=5000)
        mum_hh = rng.integers(0, len(hh_ids), PREGNANCIES)
        Person.objects.bulk_create([
            Person(name=f"Ibu Bench {i}", sex="F", birth_date=dt.date(1990 + i % 15, 1 + i % 12, 1),
                   household_id=hh_ids[mum_hh[i]][0], desa_id=hh_ids[mum_hh[i]][1],
                   posyandu_id=posyandu[hh_ids[mum_hh[i]][1]][0]) for i in range(PREGNANCIES)], batch_size=5000)
        kids = list(Person.objects.filter(within("desa_id", KAB), name__startswith="Anak").values_list(
            "pk", "birth_date", "desa_id", "posyandu_id", "household_id"))
        mums = list(Person.objects.filter(within("desa_id", KAB), name__startswith="Ibu").values_list(
            "pk", "desa_id", "posyandu_id", "household_id"))
        # Pregnancies: HPHT over the 15 months before the quarter's end; those due by now delivered.
        pregs = []
        for pid, desa, pos, hh in mums:
            hpht = end - dt.timedelta(days=int(rng.integers(0, 450)))
            due = hpht + dt.timedelta(days=280)
            delivered = due <= end + dt.timedelta(days=30)
            pregs.append(Pregnancy(person_id=pid, desa_id=desa, posyandu_id=pos, household_id=hh, hpht=hpht, due_on=due,
                                   kek=rng.random() < 0.15, high_risk=rng.random() < 0.2,
                                   outcome="live_birth" if delivered else "", outcome_on=due if delivered else None))
        Pregnancy.objects.bulk_create(pregs, batch_size=5000)
        pregs = list(Pregnancy.objects.filter(within("desa_id", KAB)).values_list(
            "pk", "person_id", "desa_id", "posyandu_id", "hpht", "outcome_on"))
        visits = []
        for pg, _pid, _d, _p, hpht, outcome_on in pregs:
            last = min(outcome_on or end, end)
            span = max(1, (last - hpht).days - 40)
            for _ in range(4):
                visits.append({"pregnancy_id": pg, "visited_on": hpht + dt.timedelta(days=40 + int(rng.integers(0, span))),
                               "place": "posyandu", "ttd_given": 30, "notes": "", "created_at": now,
                               "gestational_weeks": None, "trimester": None, "weight_kg": None, "lila_cm": None,
                               "hb_gdl": None, "created_by_id": None})
        _insert(AncVisit, visits)
        posts = [Postpartum(person_id=pid, desa_id=d, posyandu_id=p, pregnancy_id=pg, delivered_on=outcome_on)
                 for pg, pid, d, p, _h, outcome_on in pregs if outcome_on]
        Postpartum.objects.bulk_create(posts, batch_size=5000)
        kf = []
        for pp, delivered in Postpartum.objects.filter(within("desa_id", KAB)).values_list("pk", "delivered_on"):
            for n in range(int(rng.integers(1, 5))):
                kf.append(KfVisit(postpartum_id=pp, visited_on=delivered + dt.timedelta(days=[1, 5, 15, 35][n])))
        KfVisit.objects.bulk_create(kf, batch_size=5000)
        waters = ["pam", "sumur_bor", "sungai", "isi_ulang", "sumur_tak_terlindungi"]
        latrines = ["own_septic", "own_septic", "own_no_septic", "none"]
        KrsSnapshot.objects.bulk_create([
            KrsSnapshot(household_id=hh, desa_id=desa, period="2026-S2", water_source=waters[i % 5],
                        latrine=latrines[i % 4], krs=i % 3 == 0, target=True, pus=i % 2 == 0, unmet_need=i % 7 == 0)
            for i, (hh, desa) in enumerate(hh_ids)], batch_size=5000)
        teams = {d: TpkTeam.objects.create(name=f"TPK {d}", desa_id=d).pk for d in desas}
        TpkVisit.objects.bulk_create([
            TpkVisit(team_id=teams[hh_ids[j][1]], household_id=hh_ids[j][0], desa_id=hh_ids[j][1],
                     visited_on=end - dt.timedelta(days=int(rng.integers(0, 300))), counselling=rng.random() < 0.6)
            for j in rng.integers(0, len(hh_ids), 30_000)], batch_size=5000)
    # Measurements: monthly over the year before the quarter's end, derived values straight in.
    rows = []
    for pid, birth, desa, pos, _hh in kids:
        base = rng.normal(-1.0, 1.1)
        for m in range(12):
            day = dt.date(2025 + (m + 9) // 12, (m + 9) % 12 + 1, int(rng.integers(1, 28)))
            if day < birth:
                continue
            rows.append({"child_id": pid, "measured_on": day, "weight_kg": 10.0, "length_cm": 80.0, "position": "h",
                         "oedema": False, "posyandu_id": pos, "source": "demo", "desa_id": desa,
                         "age_days": (day - birth).days, "length_for_age_z": base + rng.normal(0, 0.2),
                         "weight_for_age_z": rng.normal(-0.8, 1), "weight_for_length_z": rng.normal(-0.2, 1),
                         "length_for_age_flag": False, "weight_for_age_flag": False,
                         "weight_for_length_flag": False, "position_flag": False, "weight_for_age_category": "",
                         "length_for_age_category": "", "weight_for_length_category": "",
                         "bmi_for_age_category": "", "weight_gain": "N", "below_red_line": False, "warnings": "[]",
                         "measurer_name": "", "values_confirmed": False, "created_at": now, "updated_at": now})
    with transaction.atomic():
        _insert(Measurement, rows)
    # Deliveries: to children, mothers and households.
    items = {}
    for code, group in [("IMUNISASI-DASAR", "balita"), ("KIE-PENGASUHAN", "balita"), ("PMT-BALITA", "balita"),
                        ("VIT-A", "balita"), ("TTD-BUMIL", "bumil"), ("PMT-BUMIL", "bumil"), ("ANC", "bumil"),
                        ("JKN-PBI", "keluarga"), ("AIR-MINUM", "keluarga"), ("JAMBAN", "keluarga"),
                        ("PENDAMPINGAN-TPK", "keluarga"), ("BANSOS-PKH", "keluarga")]:
        items[code] = CatalogueItem.objects.get_or_create(code=code, region=None, defaults={
            "name": code, "kind": "spesifik", "target_group": group, "unit": "unit"})[0].pk
    child_codes = ["IMUNISASI-DASAR", "KIE-PENGASUHAN", "PMT-BALITA", "VIT-A"]
    mum_codes = ["TTD-BUMIL", "PMT-BUMIL", "ANC"]
    hh_codes = ["JKN-PBI", "AIR-MINUM", "JAMBAN", "PENDAMPINGAN-TPK", "BANSOS-PKH"]
    out = []
    kind = rng.random(DELIVERIES)
    for i in range(DELIVERIES):
        day = end - dt.timedelta(days=int(rng.integers(0, 640)))
        person = household = None
        if kind[i] < 0.6:
            pid, _b, desa, pos, _hh = kids[int(rng.integers(0, len(kids)))]
            code, person = child_codes[i % 4], pid
        elif kind[i] < 0.8:
            pid, desa, pos, _hh = mums[int(rng.integers(0, len(mums)))]
            code, person = mum_codes[i % 3], pid
        else:
            household, desa = hh_ids[int(rng.integers(0, len(hh_ids)))]
            code, pos = hh_codes[i % 5], None
        out.append({"uuid": uuid.UUID(int=int(rng.integers(0, 2**62)) << 64 | i).hex, "item_id": items[code],
                    "code": code, "person_id": person, "household_id": household, "date": day, "quantity": 30,
                    "unit": "unit", "fund_source": "", "agency_id": None, "delivered_by": "", "course_id": None,
                    "pledge_id": None, "source": "demo", "import_key": "", "voided_at": None, "voided_by_id": None,
                    "void_reason": "", "desa_id": desa, "posyandu_id": pos, "notes": "", "created_at": now,
                    "updated_at": now, "created_by_id": None})
    with transaction.atomic():
        _insert(Delivery, out)
    print(f"[{label}] (not timed) generated {len(kids):,} children, {len(hh_ids):,} households, {len(pregs):,} "
          f"pregnancies, {len(rows):,} measurements, {len(out):,} deliveries in {time.perf_counter() - t0:.0f} s",
          flush=True)


def time_pages(label: str) -> None:
    from django.test import Client

    from tumbuh.accounts.models import Role, User

    kab, _ = User.objects.get_or_create(username="bench-ind-kab", defaults={"role": Role.KABUPATEN, "region_id": KAB})
    desa_user, _ = User.objects.get_or_create(username="bench-ind-desa", defaults={
        "role": Role.DESA, "region_id": f"{KAB}.01.2001"})
    cases = [
        ("kabupaten, scorecard (every desa, ranking)", kab, f"/indicators/scorecard/?region={KAB}&period={QUARTER}"),
        ("kabupaten, scorecard, OpenSID counting", kab,
         f"/indicators/scorecard/?region={KAB}&period={QUARTER}&mode=opensid"),
        ("kabupaten, scorecard of one kecamatan", kab, f"/indicators/scorecard/?region={KAB}.01&period={QUARTER}"),
        ("desa team, scorecard with names", desa_user, f"/indicators/scorecard/?period={QUARTER}"),
        ("kabupaten, RAN-PASTI indicators (semester)", kab, f"/indicators/?region={KAB}&period=2026-S2"),
    ]
    from tumbuh.indicators.models import ScorecardCell
    from tumbuh.indicators.signals import invalidate
    from tumbuh.regions.models import within

    ScorecardCell.objects.filter(within("desa_id", KAB)).delete()
    for name, user, url in cases:
        client = Client()
        client.force_login(user)
        times, after_write = [], []
        for i in range(10):
            if i >= 6:  # a write in one desa (its cells deleted, as the signals do): that desa is recomputed
                invalidate([f"{KAB}.0{1 + i % 5}.200{1 + i % 9}"])
            t0 = time.perf_counter()
            response = client.get(url, HTTP_HOST="localhost")
            (after_write if i >= 6 else times).append(1000 * (time.perf_counter() - t0))
            assert response.status_code == 200, (url, response.status_code)
        print(f"[{label}] {name}: first (no cells yet) {times[0]:.0f} ms; unchanged p50 "
              f"{percentile(times[1:], 50):.0f} / p95 {percentile(times[1:], 95):.0f} ms; after a write in one desa "
              f"p50 {percentile(after_write, 50):.0f} / p95 {percentile(after_write, 95):.0f} ms", flush=True)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumbuh.settings")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", SQLITE_URL)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    label = connection.vendor
    generate(label)
    with open("/proc/loadavg") as f:
        print(f"[{label}] load average before: {f.read().split()[:3]}")
    time_pages(label)


if __name__ == "__main__":
    main()
