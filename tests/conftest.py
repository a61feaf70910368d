import datetime as dt

import pytest
from django.utils import timezone, translation

from tumbuh.registry.testing import Role, make_person, make_user, region_tree


@pytest.fixture(autouse=True)
def _indonesian_by_default():
    # Tests read Indonesian (the default language); a test that switches language must not leak
    # its choice into the next test through the thread's active translation.
    with translation.override("id"):
        yield


# A small region tree (tumbuh.registry.testing.region_tree) with users and one child in each
# kecamatan, shared by the registry and web tests.
@pytest.fixture
def regions(db):
    return region_tree()


@pytest.fixture
def kec1_user(regions):
    return make_user("kec1", Role.KECAMATAN, region=regions["kec1"])


@pytest.fixture
def kec2_user(regions):
    return make_user("kec2", Role.KECAMATAN, region=regions["kec2"])


@pytest.fixture
def cadre1(regions):
    return make_user("cadre1", Role.CADRE, posyandu=regions["pos1"])


@pytest.fixture
def child1(regions):
    born = timezone.localdate() - dt.timedelta(days=400)
    return make_person(name="Anak Satu", sex="M", birth_date=born, desa=regions["desa1"], posyandu=regions["pos1"])


@pytest.fixture
def child2(regions):
    born = timezone.localdate() - dt.timedelta(days=800)
    return make_person(name="Anak Dua", sex="F", birth_date=born, desa=regions["desa2"], posyandu=regions["pos2"])
