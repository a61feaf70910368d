"""A small synthetic world for access tests: two provinces, kabupaten, kecamatan, desa,
puskesmas and posyandu, one household in each corner, and one user per role anchored at "home".

Each corner's household holds a child under five with three current monthly measurements (raw
values only; z-scores, flags, categories, N/T/2T and BGM are derived by the real services, so the
child is stunted, wasted, below the red line and 2T: on every BNBA list), the child's mother and a
younger sibling who was never measured (on every "not measured" list). Each corner also has an
import batch (with a rejected row naming the child), a near-duplicate review, a regional target
and an external figure, so every page that lists such things has rows inside and outside every
role's scope.

Every person has a distinctive made-up name and NIK, so a test can assert a page never mentions
anyone from outside the user's scope. Names are invented; no real personal data.

Primary keys are fixed and disjoint across models (people 1xxx, measurements 2xxx, households
3xxx, posyandu 4xxx, puskesmas 5xxx, import batches 6xxx, reviews 7xxx, targets 8xxx, figures
9xxx; with build_world(full=True): coordination rows 11xxx-16xxx, corner accounts 17xxx, target-group
records 18xxx-24xxx, interventions rows 25xxx-31xxx, decided delivery-row reviews 72xx) so that an id from one model can never be mistaken for a visible row of another
when a test probes a URL with a foreign id.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from tumbuh.regions.models import Posyandu, Puskesmas, Region

from .models import Role, User

# (code, name) — codes follow the Kemendagri shape; names are real places, people are not.
REGIONS = [
    ("64", "Kalimantan Timur"),
    ("64.74", "Kota Bontang"),
    ("64.74.01", "Bontang Utara"),
    ("64.74.01.1001", "Bontang Kuala"),
    ("64.74.01.1002", "Bontang Baru"),
    ("64.74.02", "Bontang Selatan"),
    ("64.74.02.1001", "Tanjung Laut"),
    ("64.72", "Kota Samarinda"),
    ("64.72.01", "Palaran"),
    ("64.72.01.1001", "Rawa Makmur"),
    ("63", "Kalimantan Selatan"),
    ("63.71", "Kota Banjarmasin"),
    ("63.71.01", "Banjarmasin Selatan"),
    ("63.71.01.1001", "Kelayan Luar"),
]

HOME_DESA = "64.74.01.1001"

# key: (desa, posyandu key, child name, NIK serial). The home child is visible to every home user;
# each other corner is one step further away. NIKs are built from the birth dates (relative to
# today, so the children stay under five): see `nik_for`.
CHILDREN = {
    "home": ("64.74.01.1001", "mawar", "Qorina Rumahsendiri", "0001"),
    "other_posyandu": ("64.74.01.1001", "melati", "Zzyzx Posyandusebelah", "0002"),
    "other_desa": ("64.74.01.1002", "anggrek", "Zzyzx Desasebelah", "0003"),
    "other_kecamatan": ("64.74.02.1001", "kenanga", "Zzyzx Kecamatanlain", "0004"),
    "other_kabupaten": ("64.72.01.1001", "dahlia", "Zzyzx Kotalainwilayah", "0005"),
    "other_provinsi": ("63.71.01.1001", "teratai", "Zzyzx Provinsilainwilayah", "0006"),
}

# The child's last measurement is today; the two before it a month apart. A boy of 13 months at
# 6.6 kg and 67.5-68 cm: HAZ about -3.6, WAZ -3.5, WHZ -2.4, and no weight gained twice.
CHILD_AGE_DAYS = 390
MEASUREMENT_DAYS_AGO = (60, 30, 0)
MEASUREMENT_VALUES = ((6.6, 67.5), (6.6, 67.8), (6.6, 68.0))  # (kg, cm), lying
SIBLING_AGE_DAYS = 200  # registered, never measured


def relatives(name: str) -> tuple[str, str]:
    """(mother, sibling) names of a corner's child: "Zzyzx Desasebelah" -> "Zzyzx Ibu
    Desasebelah", "Zzyzx Adik Desasebelah" (distinct strings, none inside another)."""
    first, last = name.split()
    return f"{first} Ibu {last}", f"{first} Adik {last}"


def nik_for(desa: str, birth: dt.date, female: bool, serial: str) -> str:
    digits = desa.replace(".", "")[:6]
    return f"{digits}{birth.day + (40 if female else 0):02d}{birth.month:02d}{birth.year % 100:02d}{serial}"

# Which children each home user must see — written out, not derived from the code under test.
EXPECTED_VISIBLE = {
    Role.CADRE: {"home"},
    Role.PUSKESMAS: {"home", "other_posyandu"},
    Role.DESA: {"home", "other_posyandu"},
    Role.KECAMATAN: {"home", "other_posyandu", "other_desa"},
    Role.KABUPATEN: {"home", "other_posyandu", "other_desa", "other_kecamatan"},
    Role.PROVINSI: {"home", "other_posyandu", "other_desa", "other_kecamatan", "other_kabupaten"},
    # An OPD officer sees no child, place or figure outside the interventions contexts.
    Role.OPD: set(),
    Role.ADMIN: set(CHILDREN),
}

# Which corners' *places* (desa) each home user's regions cover: what region-anchored objects
# (import batches, targets, figures) they may see. A cadre's region is their posyandu's desa.
EXPECTED_VISIBLE_PLACES = {
    Role.CADRE: {"home", "other_posyandu"},
    Role.PUSKESMAS: {"home", "other_posyandu"},
    Role.DESA: {"home", "other_posyandu"},
    Role.KECAMATAN: {"home", "other_posyandu", "other_desa"},
    Role.KABUPATEN: {"home", "other_posyandu", "other_desa", "other_kecamatan"},
    Role.PROVINSI: {"home", "other_posyandu", "other_desa", "other_kecamatan", "other_kabupaten"},
    # An OPD officer sees no child, place or figure outside the interventions contexts.
    Role.OPD: set(),
    Role.ADMIN: set(CHILDREN),
}

# Posyandu: key -> (desa, name, puskesmas key)
POSYANDU = {
    "mawar": ("64.74.01.1001", "Posyandu Mawar", "bu1"),
    "melati": ("64.74.01.1001", "Posyandu Melati", "bu1"),
    "anggrek": ("64.74.01.1002", "Posyandu Anggrek", "bu2"),
    "kenanga": ("64.74.02.1001", "Posyandu Kenanga", "bs"),
    "dahlia": ("64.72.01.1001", "Posyandu Dahlia", "pl"),
    "teratai": ("63.71.01.1001", "Posyandu Teratai", "bjs"),
}
# Puskesmas: key -> (code, name, kecamatan, service area)
PUSKESMAS = {
    "bu1": ("P6474010101", "Puskesmas Bontang Utara I", "64.74.01", ["64.74.01.1001"]),
    "bu2": ("P6474010102", "Puskesmas Bontang Utara II", "64.74.01", ["64.74.01.1002"]),
    "bs": ("P6474020101", "Puskesmas Bontang Selatan", "64.74.02", ["64.74.02.1001"]),
    "pl": ("P6472010101", "Puskesmas Palaran", "64.72.01", ["64.72.01.1001"]),
    "bjs": ("P6371010101", "Puskesmas Kelayan", "63.71.01", ["63.71.01.1001"]),
}

# Which corners' accounts (CORNER_ACCOUNTS) each home user may manage on the user pages
# (accounts:user_*), written out: an administrator every account, a kabupaten/kota team the
# accounts anchored inside its kota, nobody else any (tumbuh/accounts/selectors.py, docs/access.md).
EXPECTED_MANAGEABLE = {
    Role.ADMIN: set(CHILDREN),
    Role.KABUPATEN: {"home", "other_posyandu", "other_desa", "other_kecamatan"},
}

# Which corners' coordination rows (aksi, meetings, commitments, evidence, assessments, case
# reviews: placed at the corner's desa) each home user sees: by place, except that a cadre sees
# only meetings they are invited to and commitments they own (none here).
EXPECTED_VISIBLE_COORDINATION = {**EXPECTED_VISIBLE_PLACES, Role.CADRE: set()}

# One account anchored in each corner (build_world(full=True)): key -> (username, role, anchor).
# The home corner's is the home cadre itself.
CORNER_ACCOUNTS = {
    "other_posyandu": ("kader_melati", Role.CADRE, ("posyandu", "melati")),
    "other_desa": ("tpps_desa_baru", Role.DESA, ("region", "64.74.01.1002")),
    "other_kecamatan": ("gizi_bs", Role.PUSKESMAS, ("puskesmas", "bs")),
    "other_kabupaten": ("tpps_kota_samarinda", Role.KABUPATEN, ("region", "64.72")),
    "other_provinsi": ("tpps_prov_kalsel", Role.PROVINSI, ("region", "63")),
}

HOME_REGION_FOR_ROLE = {
    Role.DESA: "64.74.01.1001",
    Role.KECAMATAN: "64.74.01",
    Role.KABUPATEN: "64.74",
    Role.PROVINSI: "64",
}


@dataclass
class World:
    regions: dict[str, Region] = field(default_factory=dict)
    posyandu: dict[str, Posyandu] = field(default_factory=dict)
    puskesmas: dict[str, Puskesmas] = field(default_factory=dict)
    children: dict = field(default_factory=dict)  # key -> Person
    households: dict = field(default_factory=dict)  # key -> Household
    measurements: dict = field(default_factory=dict)  # key -> [Measurement]
    mothers: dict = field(default_factory=dict)  # key -> Person
    siblings: dict = field(default_factory=dict)  # key -> Person (under five, never measured)
    batches: dict = field(default_factory=dict)  # key -> ImportBatch (region = the corner's desa)
    reviews: dict = field(default_factory=dict)  # key -> MatchReview (sibling vs child)
    cross_reviews: dict = field(default_factory=dict)  # key -> MatchReview (home sibling vs this child)
    delivery_reviews: dict = field(default_factory=dict)  # key -> decided held delivery row (full=True only)
    targets: dict = field(default_factory=dict)  # key -> RegionTarget (the corner's desa)
    figures: dict = field(default_factory=dict)  # key -> ExternalFigure (the corner's desa)
    users: dict[str, User] = field(default_factory=dict)  # role value -> home user
    agencies: dict = field(default_factory=dict)  # key -> coordination.Agency (the home kota's DINKES)
    # With build_world(full=True) only:
    accounts: dict = field(default_factory=dict)  # key -> User anchored in the corner (see CORNER_ACCOUNTS)
    target_groups: dict = field(default_factory=dict)  # kind -> key -> record (tumbuh.targets.testing)
    coordination: dict = field(default_factory=dict)  # kind -> key -> row (tumbuh.coordination.testing)
    interventions: dict = field(default_factory=dict)  # kind -> key -> row (tumbuh.interventions.testing)
    convergence: dict = field(default_factory=dict)  # kind -> key -> row (tumbuh.convergence.testing)

    def people(self, key: str) -> list:
        """Everyone living in a corner: child, mother, sibling (those that exist)."""
        return [p for p in (self.children.get(key), self.mothers.get(key), self.siblings.get(key)) if p]

    def invisible_to(self, role: str) -> list[str]:
        return [key for key in CHILDREN if key not in EXPECTED_VISIBLE[role]]


PASSWORD = "correct-horse-battery-staple"


@functools.cache
def _password_hash() -> str:
    # Hashing is slow by design; hash once per test run, not once per user per test.
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


def make_user(username: str, role: str, **scope) -> User:
    user = User(username=username, role=role, **scope)
    if role == Role.ADMIN:
        user.is_staff = user.is_superuser = True
    user.password = _password_hash()
    user.full_clean(exclude=["password"])
    user.save()
    return user


def build_world(*, with_measurements: bool = True, today: dt.date | None = None, full: bool = False) -> World:
    """full=True (the scoping matrix) adds, per corner, an account (`accounts`), target-group
    records (`target_groups`), coordination rows (`coordination`), interventions, convergence and
    reports rows, and a decided held delivery row (`delivery_reviews`)."""
    from django.utils import timezone

    from tumbuh.analytics.models import ExternalFigure, RegionTarget
    from tumbuh.analytics.summary import refresh_summaries
    from tumbuh.imports.models import ImportBatch, ImportRow, MatchReview
    from tumbuh.measurements.models import Measurement
    from tumbuh.measurements.services import recompute_children
    from tumbuh.registry.models import Household, Person

    today = today or timezone.localdate()
    world = World()
    for code, name in REGIONS:
        parent = world.regions.get(code.rsplit(".", 1)[0]) if "." in code else None
        world.regions[code] = Region.objects.create(
            code=code, name=name, level=Region.level_of(code), parent=parent
        )
    for i, (key, (code, name, kecamatan, area)) in enumerate(PUSKESMAS.items()):
        pk = Puskesmas.objects.create(pk=5001 + i, code=code, name=name, kecamatan_id=kecamatan)
        pk.service_area.set(area)
        world.puskesmas[key] = pk
    for i, (key, (desa, name, pkm)) in enumerate(POSYANDU.items()):
        world.posyandu[key] = Posyandu.objects.create(
            pk=4001 + i, name=name, desa_id=desa, puskesmas=world.puskesmas[pkm]
        )
    for i, (key, (desa, pos, name, serial)) in enumerate(CHILDREN.items()):
        surname = name.split()[1]
        birth = today - dt.timedelta(days=CHILD_AGE_DAYS + i)
        nik = nik_for(desa, birth, False, serial)
        household = Household.objects.create(
            pk=3001 + i, kk_number=nik[:12] + "9999", head_name=f"{surname} Ayah",
            address=f"Jl. {surname} No. {i + 1}", desa_id=desa,
        )
        mother_name, sibling_name = relatives(name)
        mother_birth = dt.date(1995, 1 + i, 10 + i)
        mother = Person.objects.create(
            pk=1101 + i, nik=nik_for(desa, mother_birth, True, "01" + serial[2:]), name=mother_name, sex="F",
            birth_date=mother_birth, household=household, desa_id=desa, posyandu=world.posyandu[pos],
        )
        child = Person.objects.create(
            pk=1001 + i, nik=nik, name=name, sex="M", birth_date=birth, household=household, mother=mother,
            desa_id=desa, posyandu=world.posyandu[pos],
        )
        sibling_birth = today - dt.timedelta(days=SIBLING_AGE_DAYS + i)
        sibling = Person.objects.create(
            pk=1201 + i, nik=nik_for(desa, sibling_birth, True, "02" + serial[2:]), name=sibling_name, sex="F",
            birth_date=sibling_birth, household=household, mother=mother, desa_id=desa,
            posyandu=world.posyandu[pos],
        )
        world.children[key], world.mothers[key], world.siblings[key] = child, mother, sibling
        world.households[key] = household
        if with_measurements:
            world.measurements[key] = [
                Measurement.objects.create(
                    pk=2001 + 10 * i + j, child=child, measured_on=today - dt.timedelta(days=ago),
                    weight_kg=kg, length_cm=cm, position="l",
                    posyandu=child.posyandu, desa_id=desa, source="demo",
                )
                for j, (ago, (kg, cm)) in enumerate(zip(MEASUREMENT_DAYS_AGO, MEASUREMENT_VALUES, strict=True))
            ]
        batch = ImportBatch.objects.create(
            pk=6001 + i, region_id=desa, file_name=f"eppgbm-{surname.lower()}.csv", file_sha256=f"{i:064d}",
            status=ImportBatch.Status.DONE, header=["NIK", "Nama"], total_rows=1, rejected=1, review_count=1,
        )
        ImportRow.objects.create(batch=batch, row_number=2, outcome=ImportRow.Outcome.REJECTED,
                                 reasons=["Tanggal lahir kosong"], cells=[nik, name])
        world.batches[key] = batch
        world.reviews[key] = MatchReview.objects.create(
            pk=7001 + i, batch=batch, row_number=2, person=sibling, candidate=child, score=0.9)
        if key != "home":  # a review in the home batch whose candidate lives in this corner
            world.cross_reviews[key] = MatchReview.objects.create(
                pk=7101 + i, batch=world.batches["home"], row_number=3 + i, person=world.siblings["home"],
                candidate=child, score=0.8)
        world.targets[key] = RegionTarget.objects.create(
            pk=8001 + i, region_id=desa, year=today.year, target_percent=11 + i, source=f"RPJMD {surname}")
        world.figures[key] = ExternalFigure.objects.create(
            pk=9001 + i, region_id=desa, year=today.year - 1, value_percent=21 + i, source="SSGI", period_label=surname,
            citation=f"Survei {surname}")
    if with_measurements:
        # Derived through the real services: z-scores, flags, categories, N/T/2T, BGM, and the
        # analytics summary (fresh after every write).
        recompute_children([c.pk for c in world.children.values()])
    else:
        refresh_summaries(child_ids=[p.pk for key in world.children for p in world.people(key)])
    world.users[Role.CADRE] = make_user("kader_mawar", Role.CADRE, posyandu=world.posyandu["mawar"])
    world.users[Role.PUSKESMAS] = make_user("gizi_bu1", Role.PUSKESMAS, puskesmas=world.puskesmas["bu1"])
    for role, code in HOME_REGION_FOR_ROLE.items():
        world.users[role] = make_user(f"tpps_{role}", role, region=world.regions[code])
    world.users[Role.ADMIN] = make_user("admin_tumbuh", Role.ADMIN)
    # The home kota's health office and its programme officer (the OPD role).
    from tumbuh.coordination.models import Agency

    world.agencies = {"home": Agency.objects.create(region=world.regions["64.74"], code="DINKES", name="Dinas Kesehatan Zzyzx")}
    world.users[Role.OPD] = make_user("opd_dinkes", Role.OPD, region=world.regions["64.74"],
                                      agency=world.agencies["home"])
    for key in list(world.measurements):
        world.measurements[key] = list(Measurement.objects.filter(child=world.children[key]).order_by("measured_on"))
    if full:
        build_accounts(world)
        from tumbuh.coordination.testing import build_coordination
        from tumbuh.targets.testing import build_targets

        build_targets(world)
        build_coordination(world)
        from tumbuh.interventions.testing import build_interventions

        build_interventions(world)
        from tumbuh.indicators.testing import build_indicators

        build_indicators(world)
        from tumbuh.convergence.testing import build_convergence

        build_convergence(world)
        from tumbuh.reports.testing import build_reports

        build_reports(world)
        from tumbuh.imports.testing import build_delivery_reviews

        build_delivery_reviews(world)  # last: it keeps the state of a delivery built above
    return world


def build_accounts(world: World) -> dict:
    """One account anchored in each corner (CORNER_ACCOUNTS; pks 17xxx), the home cadre at home."""
    world.accounts["home"] = world.users[Role.CADRE]
    for i, (key, (username, role, (attr, anchor))) in enumerate(CORNER_ACCOUNTS.items()):
        table = {"posyandu": world.posyandu, "region": world.regions, "puskesmas": world.puskesmas}[attr]
        user = User(pk=17001 + i, username=username, role=role, **{attr: table[anchor]})
        user.password = _password_hash()
        user.full_clean(exclude=["password"])
        user.save()
        world.accounts[key] = user
    return world.accounts
