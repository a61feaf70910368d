"""Synthetic deliveries for the demo (called by tumbuh.demo.services.create_demo after the target
groups exist). Everything is generated, with plausible coverage and gaps (not everyone gets
everything):

- DINKES: PMT-BALITA courses (56 days, weekly packages of 7 days, ~1 in 6 weeks missed) for ~70%
  of the children whose latest measurement of the last 90 days is underweight/wasted/stunted/2T/
  BGM; vitamin A in the last two rounds (February/August) for ~85% of children 6-59 months;
  TTD-BUMIL 30 tablets a month for ~75% of ongoing pregnancies; PMT-BUMIL courses for ~60% of
  pregnant women with KEK;
- DPPKB: parenting counselling (KIE-PENGASUHAN, BKB) for ~30% of baduta;
- PUPR / PERKIM: drinking water for ~25% and latrines for ~30% of the KRS households with that
  risk; DINSOS: PKH for ~20% of KRS households (the last two quarters); DKP: fish for ~15%;
- a CSR partner (a fictional company) funds ~15% of the PMT courses; two fictional foster parents
  pledge Rp 500,000 a month for 6 months to 8 stunted children each, paid monthly with a gap;
- plans (RKA/DPA) per desa for this year: vitamin A, PMT-BALITA, latrines, drinking water, PKH.

Bulk writes only (no per-row audit); one `deliveries_changed` signal at the end."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from decimal import Decimal

import numpy as np
from django.db import connection
from django.utils import timezone

from tumbuh.coordination.models import Agency, AgencyKind
from tumbuh.regions.models import Region, within
from tumbuh.registry.models import Person

from . import eligibility, totals
from .catalogue import load_catalogue
from .models import Course, Delivery, DeliverySource, Plan, Pledge
from .selectors import catalogue_for
from .signals import deliveries_changed

BATCH = 2000
# Fictional partners (no real company or person).
CSR_PARTNER = ("CSR-ENERGI", "PT Energi Pesisir Lestari (CSR)")
FOSTER_PARENTS = [("OTA-01", "Bunda Asuh: Ibu Ratna Wijayakusuma"), ("OTA-02", "Bapak Asuh: Bapak Hendra Saputro")]


def _rounds(today: dt.date) -> list[dt.date]:
    """The last two vitamin A rounds (February and August) up to today."""
    out = []
    for year in (today.year, today.year - 1):
        for month in (8, 2):
            day = dt.date(year, month, 15)
            if day <= today:
                out.append(day)
    return sorted(out)[-2:]


def create_intervention_demo(region_code: str, *, seed: int = 42, today: dt.date | None = None) -> dict[str, int]:
    from tumbuh.coordination.services import ensure_agencies
    from tumbuh.targets import rules
    from tumbuh.targets.models import KrsSnapshot, Pregnancy

    rng = np.random.default_rng(seed + 17)
    today = today or dt.date.today()
    kab = Region.objects.get(code=".".join(region_code.split(".")[:2]))
    agencies = ensure_agencies(kab)
    csr, _ = Agency.objects.get_or_create(region=kab, code=CSR_PARTNER[0],
                                          defaults={"name": CSR_PARTNER[1], "kind": AgencyKind.COMPANY})
    fosters = [Agency.objects.get_or_create(region=kab, code=code, defaults={"name": name,
                                                                             "kind": AgencyKind.FOSTER_PARENT})[0]
               for code, name in FOSTER_PARENTS]
    # The shipped catalogue comes with a migration, but a flushed database (a transactional test,
    # `flush` before a demo) has lost it: the demo loads it again (idempotent).
    load_catalogue()
    items = catalogue_for(kab.code)
    Plan.objects.filter(within("desa_id", region_code), year=today.year).delete()

    people = list(Person.objects.filter(within("desa_id", region_code), active=True)
                  .only("pk", "sex", "birth_date", "desa_id", "posyandu_id", "household_id", "mother_id"))
    children = [p for p in people if p.mother_id and 0 <= (today - p.birth_date).days < 1826]
    deliveries: list[tuple] = []  # rows for one executemany (model instances cost most of the time)
    counts: dict[str, int] = defaultdict(int)
    stamp = timezone.now().isoformat(sep=" ")

    def give(item_code, *, person=None, household_id=None, desa_id=None, day, quantity, agency, fund="",
             course=None, pledge=None, by=""):
        item = items[item_code]
        deliveries.append((
            uuid.uuid4().hex, item.pk, item_code, person.pk if person else None, household_id, day.isoformat(),
            str(quantity), item.unit, fund, agency.pk if agency else None, by, course.pk if course else None,
            pledge.pk if pledge else None, DeliverySource.DEMO, "", person.desa_id if person else desa_id,
            person.posyandu_id if person else None, "", stamp, stamp, ""))
        counts[item_code] += 1

    # -- DINKES: PMT-BALITA courses for undernourished children, some funded by the CSR partner.
    latest = eligibility.latest_recent([c.pk for c in children], today)
    undernourished = [c for c in children if c.pk in latest
                      and eligibility.measurement_reasons(latest[c.pk], "undernourished")]
    pmt = items["PMT-BALITA"]
    courses = []
    for c in undernourished:
        if rng.random() > 0.70:
            continue  # not reached: a gap for the convergence lists
        start = today - dt.timedelta(days=int(rng.integers(7, 120)))
        funded_by_csr = rng.random() < 0.15
        m = latest[c.pk]
        courses.append((c, Course(
            item=pmt, code="PMT-BALITA", person=c, agency=csr if funded_by_csr else agencies["DINKES"], start=start,
            end=start + dt.timedelta(days=55), planned_amount=Decimal(56), unit=pmt.unit,
            status="selesai" if start + dt.timedelta(days=55) < today else "berjalan",
            eligibility={"measured_on": m.measured_on.isoformat(), "waz": m.weight_for_age_z,
                         "haz": m.length_for_age_z, "whz": m.weight_for_length_z, "source": "measurement"},
            desa_id=c.desa_id, posyandu_id=c.posyandu_id)))
    Course.objects.bulk_create([co for _c, co in courses], batch_size=BATCH)
    counts["courses"] = len(courses)
    for c, co in courses:
        fund = "CSR" if co.agency_id == csr.pk else str(rng.choice(["APBD", "DAK", "APBDes"], p=[0.5, 0.3, 0.2]))
        week = co.start
        while week <= min(co.end, today):
            if rng.random() > 1 / 6:
                give("PMT-BALITA", person=c, day=week, quantity=7, agency=co.agency, fund=fund, course=co,
                     by="Kader posyandu")
            week += dt.timedelta(days=7)

    # -- DINKES: vitamin A rounds for children 6-59 months.
    for day in _rounds(today):
        for c in children:
            months = rules.age_months(c.birth_date, day)
            if 6 <= months <= 59 and rng.random() < 0.85:
                give("VIT-A", person=c, day=day, quantity=1, agency=agencies["DINKES"], fund="APBD")

    # -- DINKES: TTD and PMT for pregnant women.
    ongoing = list(Pregnancy.objects.filter(within("desa_id", region_code), outcome="", hpht__lte=today)
                   .select_related("person"))
    for preg in ongoing:
        if rng.random() < 0.75:
            month = max(preg.hpht + dt.timedelta(days=30), today - dt.timedelta(days=90))
            while month <= today:
                give("TTD-BUMIL", person=preg.person, day=month, quantity=30, agency=agencies["DINKES"], fund="APBD")
                month += dt.timedelta(days=30)
        if preg.kek and rng.random() < 0.60:
            day = max(preg.hpht + dt.timedelta(days=60), today - dt.timedelta(days=60))
            while day <= today:
                give("PMT-BUMIL", person=preg.person, day=day, quantity=7, agency=agencies["DINKES"], fund="DAK")
                day += dt.timedelta(days=7)

    # -- DPPKB: parenting counselling for baduta.
    for c in children:
        if (today - c.birth_date).days < 730 and rng.random() < 0.30:
            give("KIE-PENGASUHAN", person=c, day=today - dt.timedelta(days=int(rng.integers(0, 80))), quantity=1,
                 agency=agencies["DPPKB"], fund="APBD", by="Kader BKB")

    # -- Household items for KRS families.
    krs = list(KrsSnapshot.objects.filter(within("desa_id", region_code), period=rules.semester_of(today))
               .values_list("household_id", "desa_id", "krs", "risk_factors"))
    for hid, desa, is_krs, factors in krs:
        factors = factors or []
        if rules.WATER_UNSAFE in factors and rng.random() < 0.25:
            give("AIR-MINUM", household_id=hid, desa_id=desa, day=today - dt.timedelta(days=int(rng.integers(5, 150))),
                 quantity=1, agency=agencies["PUPR"], fund=str(rng.choice(["APBD", "APBDes"])))
        if rules.LATRINE_UNSAFE in factors and rng.random() < 0.30:
            give("JAMBAN", household_id=hid, desa_id=desa, day=today - dt.timedelta(days=int(rng.integers(5, 150))),
                 quantity=1, agency=agencies["PERKIM"], fund=str(rng.choice(["APBD", "APBDes", "CSR"], p=[.5, .4, .1])))
        if not is_krs:
            continue
        if rng.random() < 0.20:
            for back in (10, 100):
                day = today - dt.timedelta(days=back)
                give("BANSOS-PKH", household_id=hid, desa_id=desa, day=day, quantity=1, agency=agencies["DINSOS"],
                     fund="APBN")
        if rng.random() < 0.15:
            give("PANGAN-IKAN", household_id=hid, desa_id=desa, day=today - dt.timedelta(days=int(rng.integers(1, 60))),
                 quantity=2, agency=agencies["DKP"], fund="APBD")

    # -- BAAS: two foster parents, 8 stunted children each, monthly payments with a gap.
    stunted = [c for c in undernourished if "TB/U < -2" in eligibility.measurement_reasons(latest[c.pk], "undernourished")]
    picks = list(rng.permutation(len(stunted)))[:16]
    pledges = []
    for n, idx in enumerate(picks):
        c = stunted[int(idx)]
        start = today - dt.timedelta(days=int(rng.integers(35, 170)))
        pledges.append((c, Pledge(sponsor=fosters[n % 2], child=c, amount_per_month=Decimal(500000), months=6,
                                  start=start, desa_id=c.desa_id, posyandu_id=c.posyandu_id)))
    Pledge.objects.bulk_create([p for _c, p in pledges], batch_size=BATCH)
    for c, p in pledges:
        day = p.start
        paid = 0
        while day <= today and paid < p.months:
            if rng.random() < 0.85:
                give("BAAS", person=c, day=day, quantity=500000, agency=p.sponsor, fund="BAAS", pledge=p)
            paid += 1
            day += dt.timedelta(days=30)
    counts["pledges"] = len(pledges)

    _insert(deliveries)
    counts["deliveries"] = len(deliveries)
    totals.rebuild(region_code)  # the plain INSERTs bypassed the services' totals

    # -- Plans for this year per desa (a little above what is delivered, as RKA usually are).
    eligible_by_desa: dict[str, int] = defaultdict(int)
    for c in undernourished:
        eligible_by_desa[c.desa_id] += 1
    under5_by_desa: dict[str, int] = defaultdict(int)
    for c in children:
        under5_by_desa[c.desa_id] += 1
    unsafe = defaultdict(lambda: [0, 0, 0])
    for _hid, desa, is_krs, factors in krs:
        unsafe[desa][0] += rules.LATRINE_UNSAFE in (factors or [])
        unsafe[desa][1] += rules.WATER_UNSAFE in (factors or [])
        unsafe[desa][2] += bool(is_krs)
    plans = []
    for desa, n in under5_by_desa.items():
        plans.append(Plan(agency=agencies["DINKES"], code="VIT-A", desa_id=desa, year=today.year,
                          planned_quantity=Decimal(2 * n)))
        plans.append(Plan(agency=agencies["DINKES"], code="PMT-BALITA", desa_id=desa, year=today.year,
                          planned_quantity=Decimal(56 * max(1, eligible_by_desa[desa])), budget=Decimal(15000 * 56 * max(1, eligible_by_desa[desa]))))
        latrine, water, families = unsafe[desa]
        if latrine:
            plans.append(Plan(agency=agencies["PERKIM"], code="JAMBAN", desa_id=desa, year=today.year,
                              planned_quantity=Decimal(max(1, latrine // 2))))
        if water:
            plans.append(Plan(agency=agencies["PUPR"], code="AIR-MINUM", desa_id=desa, year=today.year,
                              planned_quantity=Decimal(max(1, water // 2))))
        if families:
            plans.append(Plan(agency=agencies["DINSOS"], code="BANSOS-PKH", desa_id=desa, year=today.year,
                              planned_quantity=Decimal(max(1, families // 2))))
    Plan.objects.bulk_create(plans, batch_size=BATCH)
    counts["plans"] = len(plans)
    deliveries_changed.send(sender=Delivery, person_ids=sorted({d[3] for d in deliveries if d[3]}),
                            household_ids=sorted({d[4] for d in deliveries if d[4]}),
                            desa_codes=sorted({d[15] for d in deliveries}))
    return dict(counts)


COLUMNS = ("uuid", "item_id", "code", "person_id", "household_id", "date", "quantity", "unit", "fund_source",
           "agency_id", "delivered_by", "course_id", "pledge_id", "source", "import_key", "desa_id", "posyandu_id",
           "notes", "created_at", "updated_at", "void_reason")


def _insert(rows: list[tuple]) -> None:
    """Plain INSERTs of many deliveries (the ORM's bulk_create spends most of its time building
    model instances and SQL per row)."""
    table = Delivery._meta.db_table
    sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    with connection.cursor() as cur:
        for i in range(0, len(rows), 10_000):
            cur.executemany(sql, rows[i:i + 10_000])

