import pytest
from django.core.exceptions import ValidationError

from tumbuh.accounts.models import Role, User
from tumbuh.accounts.testing import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world(with_measurements=False)


def errors(user):
    with pytest.raises(ValidationError) as exc:
        user.full_clean(exclude=["password"])
    return exc.value.message_dict


def test_valid_users_pass_full_clean(world):
    for user in world.users.values():
        user.full_clean(exclude=["password"])


@pytest.mark.parametrize(
    "role, field", [(Role.CADRE, "posyandu"), (Role.PUSKESMAS, "puskesmas"), (Role.DESA, "region"),
                    (Role.KECAMATAN, "region"), (Role.KABUPATEN, "region"), (Role.PROVINSI, "region")],
)
def test_each_role_needs_its_scope(world, role, field):
    assert field in errors(User(username="x", role=role))


@pytest.mark.parametrize(
    "role, code", [(Role.DESA, "64.74.01"), (Role.KECAMATAN, "64.74"), (Role.KABUPATEN, "64"), (Role.PROVINSI, "64.74")],
)
def test_region_must_be_at_the_roles_level(world, role, code):
    assert "region" in errors(User(username="x", role=role, region=world.regions[code]))


def test_fields_of_other_roles_are_refused(world):
    cadre = User(username="x", role=Role.CADRE, posyandu=world.posyandu["mawar"], region=world.regions["64.74"])
    assert set(errors(cadre)) == {"region"}
    kab = User(username="y", role=Role.KABUPATEN, region=world.regions["64.74"], puskesmas=world.puskesmas["bu1"])
    assert set(errors(kab)) == {"puskesmas"}
    admin = User(username="z", role=Role.ADMIN, posyandu=world.posyandu["mawar"])
    assert set(errors(admin)) == {"posyandu"}


def test_scope_label(world):
    assert "Posyandu Mawar" in world.users[Role.CADRE].scope_label
    assert world.users[Role.KABUPATEN].scope_label == "Kota Bontang"
    assert "nothing" in User(username="n").scope_label or "tidak" in User(username="n").scope_label
