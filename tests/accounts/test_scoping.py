"""Each role's selectors against a two-of-everything world: exactly the expected rows, nothing
from the neighbouring posyandu, desa, kecamatan, kabupaten or province."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tumbuh.accounts import scoping
from tumbuh.accounts.models import Role, User
from tumbuh.accounts.testing import CHILDREN, EXPECTED_VISIBLE, build_world
from tumbuh.measurements.models import Measurement
from tumbuh.measurements.selectors import measurements_for
from tumbuh.regions.selectors import posyandu_for, regions_for
from tumbuh.registry.selectors import households_for, people_for

pytestmark = pytest.mark.django_db

ROLES = list(EXPECTED_VISIBLE)


@pytest.fixture
def world():
    return build_world()


def keys_of(world, queryset, mapping):
    by_pk = {obj.pk: key for key, obj in mapping.items()}
    if mapping is world.children:  # the corner's mother and sibling count as the corner
        by_pk.update({p.pk: key for key in world.children for p in world.people(key)})
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


@pytest.mark.parametrize("role", ROLES)
def test_people_for_each_role(world, role):
    user = world.users[role]
    assert keys_of(world, people_for(user), world.children) == EXPECTED_VISIBLE[role]
    everyone = {p.pk for key in EXPECTED_VISIBLE[role] for p in world.people(key)}
    assert set(people_for(user).values_list("pk", flat=True)) == everyone  # mothers, siblings too


@pytest.mark.parametrize("role", ROLES)
def test_measurements_follow_the_children(world, role):
    user = world.users[role]
    expected = {m.pk for key in EXPECTED_VISIBLE[role] for m in world.measurements[key]}
    got = list(measurements_for(user).values_list("pk", flat=True))
    assert sorted(got) == sorted(expected)  # also: no duplicate rows from joins


@pytest.mark.parametrize("role", ROLES)
def test_households_for_each_role(world, role):
    user = world.users[role]
    got = list(households_for(user).values_list("pk", flat=True))
    assert len(got) == len(set(got))
    assert keys_of(world, households_for(user), world.households) == EXPECTED_VISIBLE[role]


@pytest.mark.parametrize("role", ROLES)
def test_posyandu_for_each_role(world, role):
    user = world.users[role]
    expected = {CHILDREN[key][1] for key in EXPECTED_VISIBLE[role]}
    assert keys_of(world, posyandu_for(user), world.posyandu) == expected


def test_regions_for_region_roles(world):
    assert set(regions_for(world.users[Role.DESA]).values_list("code", flat=True)) == {"64.74.01.1001"}
    assert set(regions_for(world.users[Role.KECAMATAN]).values_list("code", flat=True)) == {
        "64.74.01", "64.74.01.1001", "64.74.01.1002"
    }
    kab = set(regions_for(world.users[Role.KABUPATEN]).values_list("code", flat=True))
    assert "64.74.02.1001" in kab and "64.72" not in kab and "64" not in kab
    assert set(regions_for(world.users[Role.CADRE]).values_list("code", flat=True)) == {"64.74.01.1001"}
    assert set(regions_for(world.users[Role.PUSKESMAS]).values_list("code", flat=True)) == {"64.74.01.1001"}
    assert regions_for(world.users[Role.ADMIN]).count() == 14


@pytest.mark.parametrize(
    "role, code",
    [
        (Role.CADRE, "64.74.01.1001"),
        (Role.PUSKESMAS, "64.74.01.1001"),
        (Role.DESA, "64.74.01.1001"),
        (Role.KECAMATAN, "64.74.01"),
        (Role.KABUPATEN, "64.74"),
        (Role.PROVINSI, "64"),
        (Role.ADMIN, ""),
    ],
)
def test_scope_region_code(world, role, code):
    assert scoping.scope_region_code(world.users[role]) == code


def test_puskesmas_spanning_two_desa_scope_code_is_their_common_parent(world):
    pkm = world.puskesmas["bu1"]
    pkm.service_area.add("64.74.01.1002")
    user = world.users[Role.PUSKESMAS]
    assert scoping.scope_region_code(user) == "64.74.01"
    assert set(people_for(user).values_list("name", flat=True)) == {
        p.name for k in ("home", "other_posyandu", "other_desa") for p in world.people(k)
    }


def test_common_region():
    assert scoping.common_region(["64.74.01.1001", "64.74.02.1001"]) == "64.74"
    assert scoping.common_region(["64.74.01.1001"]) == "64.74.01.1001"
    assert scoping.common_region(["64.74.01.1001", "63.71.01.1001"]) == ""


def test_person_scope_q_through_a_relation(world):
    qs = Measurement.objects.filter(scoping.person_scope_q(world.users[Role.DESA], prefix="child__"))
    assert set(qs.values_list("child__name", flat=True)) == {
        CHILDREN["home"][2], CHILDREN["other_posyandu"][2]
    }


# --- fail closed -------------------------------------------------------------------------------


def everything_empty(user):
    return not any(
        [
            people_for(user).exists(),
            measurements_for(user).exists(),
            households_for(user).exists(),
            posyandu_for(user).exists(),
            regions_for(user).exists(),
        ]
    )


@pytest.mark.parametrize("role", ROLES)
def test_inactive_user_sees_nothing(world, role):
    user = world.users[role]
    user.is_active = False
    user.save()
    assert everything_empty(user)
    assert scoping.scope_region_code(user) is None
    assert not scoping.is_admin(user)


def test_user_without_role_sees_nothing(world):
    user = User.objects.create(username="norole")
    assert everything_empty(user)
    assert scoping.scope_region_code(user) is None


@pytest.mark.parametrize(
    "role, missing", [(Role.CADRE, "posyandu"), (Role.PUSKESMAS, "puskesmas"), (Role.KABUPATEN, "region")]
)
def test_role_without_its_scope_sees_nothing(world, role, missing):
    # Saved without full_clean, as a careless script might.
    user = User.objects.create(username=f"noscope_{role}", role=role)
    assert everything_empty(user)
    assert scoping.scope_region_code(user) is None


def test_region_at_the_wrong_level_for_the_role_sees_nothing(world):
    # A kabupaten user wrongly anchored at a province must not be given the whole province.
    user = User.objects.create(username="wrong_level", role=Role.KABUPATEN, region=world.regions["64"])
    assert everything_empty(user)


def test_anonymous_user_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert everything_empty(AnonymousUser())
    assert scoping.scope_region_code(AnonymousUser()) is None


def test_superuser_without_role_is_admin(world):
    user = User.objects.create(username="root", is_superuser=True)
    assert scoping.is_admin(user)
    assert people_for(user).count() == 3 * len(CHILDREN)  # child, mother, sibling


def test_scope_moves_with_the_child(world):
    """Measurements are scoped through the child: when a child moves to another kabupaten the old
    desa team no longer sees its history."""
    child = world.children["home"]
    child.desa = world.regions["64.72.01.1001"]
    child.posyandu = world.posyandu["dahlia"]
    child.save()
    desa_user = world.users[Role.DESA]
    assert not measurements_for(desa_user).filter(child=child).exists()
    assert measurements_for(world.users[Role.PROVINSI]).filter(child=child).count() == 3


def test_selectors_do_not_multiply_queries(world, django_assert_num_queries):
    user = world.users[Role.PUSKESMAS]
    # The service area is read once, when the scope is resolved; after that, no selector and no
    # second resolution asks again (a dashboard request used to re-enter it four times).
    with django_assert_num_queries(1):
        scope = scoping.scope_for(user)
    with django_assert_num_queries(0):
        assert scoping.scope_for(user) is scope
        assert scope.desa_codes == ("64.74.01.1001",)
    with django_assert_num_queries(1):
        list(people_for(user))
    with django_assert_num_queries(1):
        list(households_for(user))


def test_scoping_knows_only_the_region_tree():
    """Each context applies the scope to its own models: the scoping module imports no other
    context's models (it used to import registry's and measurements')."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(scoping))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    contexts = {m.split(".")[1] for m in imported if m.startswith("tumbuh.")}
    assert contexts <= {"regions"}, contexts


@pytest.mark.django_db
def test_scope_values_per_role(world):
    kab = scoping.scope_for(world.users[Role.KABUPATEN])
    assert (kab.region_code, kab.desa_codes, kab.posyandu_ids) == ("64.74", (), ())
    cadre = scoping.scope_for(world.users[Role.CADRE])
    assert cadre.posyandu_ids and cadre.home_desa == "64.74.01.1001" and cadre.is_cadre
    assert scoping.scope_for(world.users[Role.ADMIN]).everything
    assert scoping.scope_for(AnonymousUser()).is_empty


@pytest.mark.django_db
def test_a_user_changed_in_place_gets_a_fresh_scope(world):
    user = world.users[Role.KECAMATAN]
    assert scoping.scope_for(user).region_code == "64.74.01"
    user.is_active = False
    assert scoping.scope_for(user).is_empty
