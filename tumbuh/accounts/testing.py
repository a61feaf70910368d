"""A small synthetic world for access tests: two provinces, kabupaten, kecamatan, desa,
puskesmas and posyandu, one child in each corner, and one user per role anchored at "home".

Every child has a distinctive made-up name and NIK, so a test can assert a page never mentions a
child from outside the user's scope. Names are invented; no real personal data.

Primary keys are fixed and disjoint across models (people 1xxx, measurements 2xxx, households
3xxx, posyandu 4xxx, puskesmas 5xxx) so that an id from one model can never be mistaken for a
visible row of another when a test probes a URL with a foreign id.
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

# key: (desa, posyandu key, child name, NIK). The home child is visible to every home user; each
# other child is one step further away.
CHILDREN = {
    "home": ("64.74.01.1001", "mawar", "Qorina Rumahsendiri", "6474014503230001"),
    "other_posyandu": ("64.74.01.1001", "melati", "Zzyzx Posyandusebelah", "6474011204230002"),
    "other_desa": ("64.74.01.1002", "anggrek", "Zzyzx Desasebelah", "6474010705220003"),
    "other_kecamatan": ("64.74.02.1001", "kenanga", "Zzyzx Kecamatanlain", "6474022108220004"),
    "other_kabupaten": ("64.72.01.1001", "dahlia", "Zzyzx Kotalainwilayah", "6472015609220005"),
    "other_provinsi": ("63.71.01.1001", "teratai", "Zzyzx Provinsilainwilayah", "6371013011210006"),
}

# Which children each home user must see — written out, not derived from the code under test.
EXPECTED_VISIBLE = {
    Role.CADRE: {"home"},
    Role.PUSKESMAS: {"home", "other_posyandu"},
    Role.DESA: {"home", "other_posyandu"},
    Role.KECAMATAN: {"home", "other_posyandu", "other_desa"},
    Role.KABUPATEN: {"home", "other_posyandu", "other_desa", "other_kecamatan"},
    Role.PROVINSI: {"home", "other_posyandu", "other_desa", "other_kecamatan", "other_kabupaten"},
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
    users: dict[str, User] = field(default_factory=dict)  # role value -> home user

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


def build_world(*, with_measurements: bool = True) -> World:
    from tumbuh.measurements.models import Measurement
    from tumbuh.registry.models import Household, Person

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
    for i, (key, (desa, pos, name, nik)) in enumerate(CHILDREN.items()):
        household = Household.objects.create(
            pk=3001 + i, kk_number=nik[:12] + "9999", head_name=f"{name.split()[1]} Ayah",
            address=f"Jl. {name.split()[1]} No. {i + 1}", desa_id=desa,
        )
        birth = dt.date(2000 + int(nik[10:12]), int(nik[8:10]), int(nik[6:8]) % 40)
        child = Person.objects.create(
            pk=1001 + i, nik=nik, name=name, sex="F" if int(nik[6:8]) > 40 else "M",
            birth_date=birth, household=household, desa_id=desa, posyandu=world.posyandu[pos],
        )
        world.children[key] = child
        world.households[key] = household
        if with_measurements:
            world.measurements[key] = [
                Measurement.objects.create(
                    pk=2001 + 10 * i + j, child=child, measured_on=birth + dt.timedelta(days=30 * (j + 1)),
                    weight_kg=4.0 + j * 0.8, length_cm=54.0 + j * 3.0, position="l",
                    posyandu=child.posyandu, desa_id=desa, source="demo",
                )
                for j in range(2)
            ]
    world.users[Role.CADRE] = make_user("kader_mawar", Role.CADRE, posyandu=world.posyandu["mawar"])
    world.users[Role.PUSKESMAS] = make_user("gizi_bu1", Role.PUSKESMAS, puskesmas=world.puskesmas["bu1"])
    for role, code in HOME_REGION_FOR_ROLE.items():
        world.users[role] = make_user(f"tpps_{role}", role, region=world.regions[code])
    world.users[Role.ADMIN] = make_user("admin_tumbuh", Role.ADMIN)
    return world
