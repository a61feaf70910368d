"""Synthetic registry data for tests: two kecamatan of Kota Bontang with one desa and one
posyandu each, users at each level, and children. Names and NIKs are made up."""

from __future__ import annotations

import datetime as dt
import itertools

from tumbuh.accounts.models import Role, User
from tumbuh.regions.models import Posyandu, Region

from .models import Household, Person

_serial = itertools.count(1)


def region_tree() -> dict[str, object]:
    prov = Region.objects.get_or_create(code="64", defaults={"name": "KALIMANTAN TIMUR", "level": "provinsi"})[0]
    kota = Region.objects.get_or_create(code="64.74", defaults={"name": "KOTA BONTANG", "level": "kabupaten", "parent": prov})[0]
    kec1 = Region.objects.get_or_create(code="64.74.01", defaults={"name": "BONTANG UTARA", "level": "kecamatan", "parent": kota})[0]
    kec2 = Region.objects.get_or_create(code="64.74.02", defaults={"name": "BONTANG SELATAN", "level": "kecamatan", "parent": kota})[0]
    desa1 = Region.objects.get_or_create(code="64.74.01.1001", defaults={"name": "BONTANG KUALA", "level": "desa", "parent": kec1})[0]
    desa2 = Region.objects.get_or_create(code="64.74.02.1001", defaults={"name": "TANJUNG LAUT", "level": "desa", "parent": kec2})[0]
    pos1 = Posyandu.objects.get_or_create(name="Melati", desa=desa1)[0]
    pos2 = Posyandu.objects.get_or_create(name="Mawar", desa=desa2)[0]
    return {"prov": prov, "kota": kota, "kec1": kec1, "kec2": kec2, "desa1": desa1, "desa2": desa2,
            "pos1": pos1, "pos2": pos2}


def make_user(username: str, role: str, *, region=None, posyandu=None, password: str = "pw-test-123") -> User:
    user = User.objects.create_user(username=username, password=password, role=role, region=region,
                                    posyandu=posyandu)
    return user


def nik_for(birth_date: dt.date, sex: str, kecamatan: str = "647401") -> str:
    """A structurally valid synthetic NIK agreeing with sex and birth date."""
    day = birth_date.day + (40 if sex == "F" else 0)
    return f"{kecamatan}{day:02d}{birth_date:%m%y}{next(_serial):04d}"


def make_person(*, name: str, sex: str, birth_date: dt.date, desa, posyandu=None, nik: str | None = None,
                household=None, mother=None) -> Person:
    if nik is None:
        nik = nik_for(birth_date, sex, desa.code[:8].replace(".", ""))
    return Person.objects.create(name=name, sex=sex, birth_date=birth_date, desa=desa, posyandu=posyandu,
                                 nik=nik, household=household, mother=mother)


def make_household(*, desa, kk_number: str = "", address: str = "Jl. Contoh No. 1", rt="001", rw="002") -> Household:
    return Household.objects.create(desa=desa, kk_number=kk_number, address=address, rt=rt, rw=rw,
                                    head_name="Kepala Contoh")


__all__ = ["Role", "region_tree", "make_user", "make_person", "make_household", "nik_for"]
