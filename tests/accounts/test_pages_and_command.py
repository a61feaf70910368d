import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tumbuh.accounts.models import Role, User
from tumbuh.accounts.testing import build_world
from tumbuh.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world(with_measurements=False)


def test_login_page_is_indonesian_first(client):
    body = client.get(reverse("accounts:login")).content.decode()
    assert "Masuk" in body and 'lang="id"' in body
    assert 'autocomplete="current-password"' in body


def test_login_page_in_english(client):
    client.cookies["django_language"] = "en"
    body = client.get(reverse("accounts:login")).content.decode()
    assert "Log in to Tumbuh" in body


def test_logged_in_user_skips_the_login_page(client, world):
    client.force_login(world.users[Role.DESA])
    assert client.get(reverse("accounts:login")).status_code == 302


def test_logout_is_post_only(client, world):
    client.force_login(world.users[Role.DESA])
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("accounts:me")).status_code == 302


@pytest.mark.parametrize(
    "role, shown, hidden",
    [
        (Role.CADRE, ["Posyandu Mawar", "Bontang Kuala"], ["Posyandu Melati", "Posyandu Anggrek"]),
        (Role.PUSKESMAS, ["Puskesmas Bontang Utara I", "Posyandu Melati"], ["Posyandu Anggrek"]),
        (Role.KABUPATEN, ["Kota Bontang", "Posyandu Kenanga"], ["Posyandu Dahlia"]),
    ],
)
def test_my_account_shows_role_and_scope(client, world, role, shown, hidden):
    client.force_login(world.users[role])
    response = client.get(reverse("accounts:me"))
    body = response.content.decode()
    assert response.status_code == 200
    assert str(world.users[role].get_role_display()) in body
    for text in shown:
        assert text in body
    for text in hidden:
        assert text not in body


def test_my_account_warns_a_user_without_scope(client, world):
    user = User.objects.create(username="kosong", role=Role.CADRE)
    client.force_login(user)
    response = client.get(reverse("accounts:me"))
    assert response.status_code == 200 and response.context["people_count"] == 0
    assert response.context["scope_code"] is None


def test_create_user_command(world):
    call_command("create_user", "tpps_bontang2", "--role", "kabupaten", "--region", "64.74",
                 "--password", "sangat-rahasia-42")
    user = User.objects.get(username="tpps_bontang2")
    assert user.role == Role.KABUPATEN and user.region_id == "64.74" and user.check_password("sangat-rahasia-42")
    assert AuditEvent.objects.filter(action="create", object_id=str(user.pk), region_code="64.74").exists()


def test_create_user_cadre_and_admin(world):
    call_command("create_user", "kader2", "--role", "cadre", "--posyandu", str(world.posyandu["melati"].pk), "--no-password")
    assert User.objects.get(username="kader2").posyandu == world.posyandu["melati"]
    call_command("create_user", "gizi2", "--role", "puskesmas", "--puskesmas", "P6474010102", "--no-password")
    call_command("create_user", "root2", "--role", "admin", "--no-password")
    root = User.objects.get(username="root2")
    assert root.is_superuser and root.is_staff and not root.has_usable_password()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--role", "kabupaten", "--region", "64.74.01", "--no-password"], "region"),
        (["--role", "kabupaten", "--region", "99.99", "--no-password"], "no region '99.99'"),
        (["--role", "cadre", "--no-password"], "posyandu"),
        (["--role", "desa", "--region", "64.74.01.1001", "--password", "123"], "(?i)sandi|password"),
        (["--role", "kabupaten", "--region", "64.74"], "--password or --no-password"),
    ],
)
def test_create_user_refuses_bad_input_and_saves_nothing(world, args, message):
    before = User.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("create_user", "baru", *args)
    assert User.objects.count() == before


def test_create_user_refuses_a_duplicate(world):
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_user", "kader_mawar", "--role", "admin", "--no-password")
