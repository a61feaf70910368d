"""Writing the synthetic demo region to the database, and taking it out again.

Demo data is recognisable without a marker table: every demo puskesmas code starts with `DEMO-`,
every demo person hangs off a demo posyandu, every demo measurement has source "demo", and every
demo user's e-mail ends in DEMO_EMAIL_DOMAIN (a reserved `.invalid` domain).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils.text import slugify

from tumbuh.accounts.models import Role, User
from tumbuh.measurements.models import Measurement
from tumbuh.measurements.services import recompute_children
from tumbuh.regions.loading import load_regions
from tumbuh.regions.models import Posyandu, Puskesmas, Region, within
from tumbuh.registry.models import Household, Person, validate_kk, validate_nik
from tumbuh.registry.signals import people_changed

from . import synth
from .names import PROVINCE_SHORT

DEMO_PUSKESMAS_PREFIX = "DEMO-"
DEMO_EMAIL_DOMAIN = "demo.tumbuh.invalid"
DEFAULT_PASSWORD = "tumbuh-demo"
BATCH = 2000


class DemoError(ValueError):
    pass


@dataclass
class DemoUser:
    username: str
    role: str
    scope: str
    created: bool = True


@dataclass
class DemoSummary:
    region: Region
    puskesmas: int = 0
    posyandu: int = 0
    households: int = 0
    mothers: int = 0
    children: int = 0
    measurements: int = 0
    users: list[DemoUser] = field(default_factory=list)
    latest: pd.DataFrame | None = None  # each child's latest measurement, with its kecamatan
    timings: dict[str, float] = field(default_factory=dict)
    targets: dict[str, int] = field(default_factory=dict)  # tumbuh.targets.demo counts
    interventions: dict[str, int] = field(default_factory=dict)  # tumbuh.interventions.demo counts
    convergence: dict[str, int] = field(default_factory=dict)  # tumbuh.convergence.demo counts


def migrate_if_needed() -> bool:
    executor = MigrationExecutor(connection)
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return False
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return True


def demo_puskesmas(region_code: str):
    return Puskesmas.objects.filter(
        within("kecamatan_id", region_code), code__startswith=DEMO_PUSKESMAS_PREFIX
    )


def demo_people(region_code: str):
    return Person.objects.filter(
        within("desa_id", region_code), posyandu__puskesmas__code__startswith=DEMO_PUSKESMAS_PREFIX
    )


def demo_children_count(region_code: str) -> int:
    return demo_people(region_code).filter(mother__isnull=False).count()


def demo_exists(region_code: str) -> bool:
    return demo_puskesmas(region_code).exists()


def demo_users():
    return User.objects.filter(email__endswith="@" + DEMO_EMAIL_DOMAIN)


@transaction.atomic
def reset_demo(region_code: str) -> int:
    """Delete the demo data inside `region_code`; returns how many people were removed."""
    from tumbuh.targets.summary import deferred

    with deferred():  # the target-group cells of the region: rebuilt once, not per deleted record
        return _reset_demo(region_code)


def _reset_demo(region_code: str) -> int:
    people = demo_people(region_code)
    person_ids = list(people.values_list("pk", flat=True))
    household_ids = list(
        Household.objects.filter(members__in=person_ids).values_list("pk", flat=True).distinct()
    )
    demo_users().delete()
    for start in range(0, len(person_ids), 5000):
        chunk = Measurement.objects.filter(child_id__in=person_ids[start : start + 5000])
        # A post_delete listener (the analytics cache) would make Django load every row before
        # deleting it: minutes for a kota. Nothing references a measurement, so delete in SQL.
        chunk._raw_delete(chunk.db)
    # Children first, so deleting mothers has no children left to detach.
    Person.objects.filter(pk__in=person_ids, mother__isnull=False).delete()
    Person.objects.filter(pk__in=person_ids).delete()
    for start in range(0, len(household_ids), 5000):
        Household.objects.filter(pk__in=household_ids[start : start + 5000]).delete()
    pkm = demo_puskesmas(region_code)
    Posyandu.objects.filter(puskesmas__in=pkm).delete()
    pkm.delete()
    people_changed.send(sender=Person, region_code=region_code)  # analytics: drop the region's cells
    return len(person_ids)


def area_of(region: Region) -> list[synth.Kecamatan]:
    if region.level == Region.Level.KECAMATAN:
        kecamatan = [region]
    elif region.level == Region.Level.KABUPATEN:
        kecamatan = list(region.children.order_by("code"))
    else:
        raise DemoError(f"{region.code} {region.name} is a {region.level}; pick a kabupaten/kota or kecamatan")
    desa = Region.objects.filter(parent__in=kecamatan).order_by("code").values_list("parent_id", "code", "name")
    by_kec: dict[str, list[tuple[str, str]]] = {}
    for parent, code, name in desa:
        by_kec.setdefault(parent, []).append((code, name))
    return [synth.Kecamatan(k.code, k.name, by_kec[k.code]) for k in kecamatan if k.code in by_kec]


def _dates(values) -> list[dt.date]:
    return list(pd.to_datetime(pd.Series(values)).dt.date)


def _dates_or_none(values) -> list:
    return [None if pd.isna(d) else d.date() for d in pd.to_datetime(pd.Series(values))]


def _nan_to_none(values) -> list:
    return [None if v != v else float(v) for v in values]  # NaN != NaN


def create_demo(
    region_code: str,
    *,
    children: int = 10000,
    seed: int = 42,
    months: int = 24,
    today: dt.date | None = None,
    password: str = DEFAULT_PASSWORD,
) -> DemoSummary:
    clock = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now

    load_regions(only=[region_code])
    region = Region.objects.get(code=region_code)
    areas = area_of(region)
    lap("regions")
    plan = synth.build_plan(
        areas, children=children, seed=seed, months=months, today=today or dt.date.today()
    )
    for nik in plan.mothers.nik.tolist() + plan.children.nik.tolist():
        if nik:
            validate_nik(nik)
    for kk in plan.households.kk_number:
        validate_kk(kk)
    lap("generate")

    summary = DemoSummary(region=region)
    with transaction.atomic():
        child_ids = _write(plan, summary)
        lap("write")
        recompute_children(child_ids)
        lap("derive")
        from tumbuh.targets.demo import create_target_demo  # target groups on the same families

        summary.targets = create_target_demo(region_code, seed=seed, today=today or dt.date.today())
        lap("targets")
        # Deliveries of interventions to the same people (and the kota's OPD list).
        from tumbuh.interventions.demo import create_intervention_demo

        summary.interventions = create_intervention_demo(region_code, seed=seed, today=today or dt.date.today())
        lap("interventions")
        from tumbuh.convergence.demo import create_convergence_demo  # the gaps of everything above

        summary.convergence = create_convergence_demo(region_code, seed=seed, today=today or dt.date.today())
        lap("convergence")
        summary.users = _create_users(region, password)
    summary.latest = latest_measurements(child_ids)
    lap("users+summary")
    summary.timings = timings
    return summary


def _write(plan: synth.DemoPlan, summary: DemoSummary) -> list[int]:
    pkm_objs = []
    for row in plan.puskesmas.itertuples():
        pkm = Puskesmas(code=row.code, name=row.name, kecamatan_id=row.kecamatan_code)
        pkm.full_clean()
        pkm_objs.append(pkm)
    Puskesmas.objects.bulk_create(pkm_objs)
    Through = Puskesmas.service_area.through
    Through.objects.bulk_create(
        Through(puskesmas_id=pkm_objs[row.puskesmas].pk, region_id=row.desa_code)
        for row in plan.service_area.itertuples()
    )

    pos_objs = []
    for row in plan.posyandu.itertuples():
        pos = Posyandu(name=row.name, desa_id=row.desa_code, puskesmas_id=pkm_objs[row.puskesmas].pk, rw=row.rw)
        pos.full_clean(validate_constraints=False)  # unique names are checked by the database
        pos_objs.append(pos)
    Posyandu.objects.bulk_create(pos_objs, batch_size=BATCH)
    pos_ids = np.array([p.pk for p in pos_objs])

    hh = plan.households
    hh_objs = Household.objects.bulk_create(
        [
            Household(kk_number=k, head_name=h, address=a, rt=rt, rw=rw, desa_id=d)
            for k, h, a, rt, rw, d in zip(hh.kk_number, hh.head_name, hh.address, hh.rt, hh.rw, hh.desa_code, strict=True)
        ],
        batch_size=BATCH,
    )
    hh_ids = np.array([h.pk for h in hh_objs])

    mo = plan.mothers
    mother_objs = Person.objects.bulk_create(
        [
            Person(nik=n, name=name, sex="F", birth_date=b, household_id=h, desa_id=d, posyandu_id=p, jkn_status=j,
                   jkn_checked_on=jo)
            for n, name, b, h, d, p, j, jo in zip(
                mo.nik, mo.name, _dates(mo.birth_date), hh_ids[mo.household], mo.desa_code,
                pos_ids[mo.posyandu], mo.jkn_status, _dates_or_none(mo.jkn_checked_on), strict=True,
            )
        ],
        batch_size=BATCH,
    )
    mother_ids = np.array([m.pk for m in mother_objs])

    ch = plan.children
    child_objs = Person.objects.bulk_create(
        [
            Person(
                nik=n, name=name, sex=s, birth_date=b, birth_weight_kg=bw, birth_length_cm=bl,
                mother_id=m, household_id=h, desa_id=d, posyandu_id=p, jkn_status=j, jkn_checked_on=jo,
            )
            for n, name, s, b, bw, bl, m, h, d, p, j, jo in zip(
                ch.nik, ch.name, ch.sex, _dates(ch.birth_date), _nan_to_none(ch.birth_weight_kg),
                _nan_to_none(ch.birth_length_cm), mother_ids[ch.mother], hh_ids[ch.household],
                ch.desa_code, pos_ids[ch.posyandu], ch.jkn_status, _dates_or_none(ch.jkn_checked_on), strict=True,
            )
        ],
        batch_size=BATCH,
    )
    child_ids = np.array([c.pk for c in child_objs])

    me = plan.measurements
    Measurement.objects.bulk_create(
        (
            Measurement(
                child_id=c, measured_on=on, weight_kg=w, length_cm=length, position=pos,
                arm_circumference_cm=arm, posyandu_id=p, desa_id=d, measurer_name=who,
                source=Measurement.Source.DEMO,
            )
            for c, on, w, length, pos, arm, p, d, who in zip(
                child_ids[me.child].tolist(), _dates(me.measured_on), me.weight_kg.tolist(),
                me.length_cm.tolist(), me.position, _nan_to_none(me.arm_cm),
                pos_ids[me.posyandu].tolist(), me.desa_code, me.measurer_name, strict=True,
            )
        ),
        batch_size=BATCH,
    )
    summary.puskesmas, summary.posyandu = len(pkm_objs), len(pos_objs)
    summary.households, summary.mothers = len(hh_objs), len(mother_objs)
    summary.children, summary.measurements = len(child_objs), len(me)
    return child_ids.tolist()


def _short(name: str) -> str:
    for prefix in ("Kota ", "Kabupaten "):
        name = name.removeprefix(prefix)
    return slugify(name).replace("-", "")


def _arabic_suffix(name: str) -> str:
    """"Bontang Utara II" -> "Bontang Utara 2", so the username reads pkm.bontangutara2."""
    head, _, last = name.rpartition(" ")
    numerals = {synth.roman(n): str(n) for n in range(1, 11)}
    return f"{head} {numerals[last]}" if head and last in numerals else name


def _create_users(region: Region, password: str) -> list[DemoUser]:
    chain = region.ancestors() + [region]
    provinsi = next(r for r in chain if r.level == Region.Level.PROVINSI)
    kabupaten = next(r for r in chain if r.level == Region.Level.KABUPATEN)
    kecamatan = region if region.level == Region.Level.KECAMATAN else (
        Region.objects.filter(parent=kabupaten).order_by("code").first()
    )
    desa = Region.objects.filter(parent=kecamatan, level=Region.Level.DESA).order_by("code").first()
    puskesmas = demo_puskesmas(kecamatan.code).filter(service_area=desa).order_by("code").first()
    posyandu = Posyandu.objects.filter(desa=desa, puskesmas__in=demo_puskesmas(kecamatan.code)).order_by("pk").first()
    # Kemendagri village codes: the last part starts with 1 for a kelurahan, 2 for a desa.
    village_word = "kel" if desa.code.rsplit(".", 1)[1].startswith("1") else "desa"
    province_short = PROVINCE_SHORT.get(provinsi.name, _short(provinsi.name))

    specs = [
        ("admin", Role.ADMIN, {}, "everything (superuser)"),
        (f"provinsi.{province_short}", Role.PROVINSI, {"region": provinsi}, provinsi),
        (f"tpps.{_short(kabupaten.name)}", Role.KABUPATEN, {"region": kabupaten}, kabupaten),
        (f"kec.{_short(kecamatan.name)}", Role.KECAMATAN, {"region": kecamatan}, kecamatan),
        (f"{village_word}.{_short(desa.name)}", Role.DESA, {"region": desa}, desa),
        (f"pkm.{_short(_arabic_suffix(puskesmas.name.removeprefix('Puskesmas ')))}", Role.PUSKESMAS, {"puskesmas": puskesmas}, puskesmas),
        (f"kader.{_short(posyandu.name.removeprefix('Posyandu '))}", Role.CADRE, {"posyandu": posyandu}, posyandu),
    ]
    # An OPD programme officer of the kota's health office (the agencies coordination creates).
    from tumbuh.coordination.services import ensure_agencies

    dinkes = ensure_agencies(kabupaten)["DINKES"]
    specs.append((f"opd.dinkes.{_short(kabupaten.name)}", Role.OPD, {"region": kabupaten, "agency": dinkes},
                  f"{dinkes.name}, {kabupaten.name}"))
    users = []
    # One hash for all: the password is shared and printed anyway, and each PBKDF2 costs ~0.5 s.
    password_hash = make_password(password)
    for username, role, scope, label in specs:
        scope_text = label if isinstance(label, str) else _scope_label(label)
        if User.objects.filter(username=username).exists():
            users.append(DemoUser(username, role, scope_text, created=False))
            continue
        user = User(
            username=username, role=role, email=f"{username}@{DEMO_EMAIL_DOMAIN}",
            first_name="Demo", last_name=Role(role).label, **scope,
        )
        if role == Role.ADMIN:
            user.is_staff = user.is_superuser = True
        user.password = password_hash
        user.full_clean()
        user.save()
        users.append(DemoUser(username, role, scope_text))
    return users


def _scope_label(obj) -> str:
    if isinstance(obj, Region):
        return f"{obj.code} {obj.name}"
    if isinstance(obj, Puskesmas):
        return f"{obj.name} ({obj.service_area.count()} desa/kelurahan)"
    return f"{obj.name}, {obj.desa.name}"


def latest_measurements(child_ids: list[int]) -> pd.DataFrame:
    """Each child's latest measurement, as the prevalence figures count them."""
    rows = []
    for start in range(0, len(child_ids), 5000):
        chunk = child_ids[start : start + 5000]
        rows += list(
            Measurement.objects.filter(child_id__in=chunk).values_list(
                "child_id", "measured_on", "desa_id", "posyandu_id", "length_for_age_z",
                "length_for_age_flag", "weight_for_length_z", "weight_for_length_flag",
                "weight_for_age_z", "weight_for_age_flag",
            )
        )
    frame = pd.DataFrame(rows, columns=[
        "child", "measured_on", "desa", "posyandu", "laz", "laz_flag", "wflz", "wfl_flag", "waz", "waz_flag",
    ])
    latest = frame.sort_values(["child", "measured_on"]).groupby("child").tail(1).copy()
    latest["kecamatan"] = latest.desa.str.rsplit(".", n=1).str[0]
    return latest


def rate(z: pd.Series, flag: pd.Series) -> float:
    """Share below -2 SD among children with a usable (computed, unflagged) z."""
    usable = z.notna() & ~flag.fillna(False).astype(bool)
    return float((z[usable] < -2).mean()) if usable.any() else float("nan")
