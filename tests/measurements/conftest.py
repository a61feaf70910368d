"""Synthetic places, people and users for the measurement tests (no real personal data)."""

import datetime as dt

import pytest
from django.utils import timezone

from tumbuh.accounts.models import Role, User
from tumbuh.regions.models import Posyandu, Region
from tumbuh.registry.models import Person


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def places(db):
    prov = Region.objects.create(code="64", name="Kalimantan Timur", level="provinsi")
    kota = Region.objects.create(code="64.74", name="Kota Bontang", level="kabupaten", parent=prov)
    kec = Region.objects.create(code="64.74.01", name="Bontang Utara", level="kecamatan", parent=kota)
    desa_a = Region.objects.create(code="64.74.01.1001", name="Bontang Kuala", level="desa", parent=kec)
    desa_b = Region.objects.create(code="64.74.01.1002", name="Bontang Baru", level="desa", parent=kec)
    return {
        "kec": kec,
        "desa_a": desa_a,
        "desa_b": desa_b,
        "pos_a": Posyandu.objects.create(name="Posyandu Melati", desa=desa_a),
        "pos_b": Posyandu.objects.create(name="Posyandu Mawar", desa=desa_b),
    }


@pytest.fixture
def make_child(places, today):
    def make(name="Anak Uji", *, sex="M", age_days=400, posyandu="pos_a", birth_date=None, active=True):
        pos = places[posyandu]
        return Person.objects.create(
            name=name, sex=sex, birth_date=birth_date or today - dt.timedelta(days=age_days),
            desa=pos.desa, posyandu=pos, active=active)

    return make


@pytest.fixture
def cadre_a(places):
    return User.objects.create_user("kader_a", password="pw-kader-a-123", role=Role.CADRE, posyandu=places["pos_a"])


@pytest.fixture
def cadre_b(places):
    return User.objects.create_user("kader_b", password="pw-kader-b-123", role=Role.CADRE, posyandu=places["pos_b"])


@pytest.fixture
def kec_user(places):
    return User.objects.create_user("tpps_kec", password="pw-kec-123", role=Role.KECAMATAN, region=places["kec"])

