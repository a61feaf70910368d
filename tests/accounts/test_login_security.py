"""Login throttling (django-axes, per username and per client address), the audited unlock path,
password rules and the idle session timeout (issue 16, item 6)."""

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import PASSWORD, build_world
from tumbuh.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture
def world():
    return build_world(with_measurements=False)


def attempt(client, username, password, ip="198.51.100.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_passwords_lock_the_username_even_with_the_right_password(client, world, settings):
    name = world.users[Role.DESA].username
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, name, "wrong-guess").status_code == 200
    assert attempt(client, name, "wrong-guess").status_code == 429  # the limit-th failure locks
    answer = attempt(client, name, PASSWORD)
    assert answer.status_code == 429
    assert not logged_in(client)
    assert "Terlalu banyak" in answer.content.decode()
    # The username stays locked from another address too (per-user lockout).
    assert attempt(client, name, PASSWORD, ip="203.0.113.50").status_code == 429
    assert not logged_in(client)
    locked = AuditEvent.objects.filter(action=AuditEvent.Action.LOCKED_OUT, username=name)
    assert locked.exists()
    assert locked.order_by("at", "pk").first().ip_address == "198.51.100.7"


def test_one_address_guessing_many_usernames_is_locked(client, world, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"nobody{i}", "wrong-guess", ip="198.51.100.8")
    # A real user from that address is refused; from elsewhere the same user logs in.
    name = world.users[Role.KECAMATAN].username
    assert attempt(client, name, PASSWORD, ip="198.51.100.8").status_code == 429
    assert not logged_in(client)
    assert attempt(client, name, PASSWORD, ip="203.0.113.51").status_code == 302
    assert logged_in(client)


def test_a_forged_forwarded_for_does_not_escape_the_address_lockout(client, world, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": f"nobody{i}", "password": "x"}, REMOTE_ADDR="198.51.100.9",
                    HTTP_X_FORWARDED_FOR=f"10.9.9.{i}")
    answer = client.post(LOGIN, {"username": world.users[Role.DESA].username, "password": PASSWORD},
                         REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="10.9.9.99")
    assert answer.status_code == 429


def test_admin_unlocks_from_the_users_page_and_it_is_audited(client, world, settings):
    desa = world.users[Role.DESA]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, desa.username, "wrong-guess", ip="198.51.100.10")
    assert attempt(client, desa.username, PASSWORD, ip="203.0.113.52").status_code == 429

    admin_client = client.__class__()
    admin_client.force_login(world.users[Role.ADMIN])
    answer = admin_client.post(reverse("admin:accounts_user_changelist"),
                               {"action": "unlock", "_selected_action": [desa.pk]}, follow=True)
    assert answer.status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.UNLOCK)
    assert event.user == world.users[Role.ADMIN] and desa.username in event.summary

    assert attempt(client, desa.username, PASSWORD, ip="203.0.113.52").status_code == 302
    assert logged_in(client)


def test_unlock_command(client, world, settings):
    desa = world.users[Role.DESA]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, desa.username, "wrong-guess")
    call_command("unlock", desa.username, "--ip", "198.51.100.7")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UNLOCK, username="tumbuh unlock").exists()
    assert attempt(client, desa.username, PASSWORD).status_code == 302


def test_failures_below_the_limit_then_success_reset_the_counter(client, world, settings):
    name = world.users[Role.DESA].username
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, name, "wrong-guess")
    assert attempt(client, name, PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, name, "wrong-guess")
    assert attempt(client, name, PASSWORD).status_code == 302


@pytest.mark.parametrize("password", ["kader.melati1", "kadermelati1", "3847561920", "081234567890"])
def test_passwords_like_the_username_or_all_digits_are_refused(world, password):
    user = world.users[Role.CADRE]
    user.username = "kader.melati1"
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_good_password_passes(world):
    validate_password("tanjung-laut-hijau-77", world.users[Role.CADRE])


def test_idle_session_expires_and_activity_extends_it(client, world, settings):
    assert settings.SESSION_COOKIE_AGE <= 60 * 60  # an idle timeout, not a working day
    client.force_login(world.users[Role.DESA])
    assert client.get(reverse("accounts:me")).status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = session.expire_date - timezone.now()
    assert dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60) < remaining
    # Idle past the timeout: the next request is sent to the login page.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    answer = client.get(reverse("accounts:me"))
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_each_request_pushes_the_expiry_forward(client, world):
    client.force_login(world.users[Role.DESA])
    key = client.session.session_key
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + dt.timedelta(minutes=2))
    client.get(reverse("accounts:me"))
    assert Session.objects.get(pk=key).expire_date > timezone.now() + dt.timedelta(minutes=10)


def test_a_session_is_saved_at_most_once_a_minute(client, world):
    """Pushing the expiry forward is a write; a burst of page views writes it once."""
    client.force_login(world.users[Role.DESA])
    key = client.session.session_key
    client.get(reverse("accounts:me"))
    first = Session.objects.get(pk=key).expire_date
    Session.objects.filter(pk=key).update(expire_date=first - dt.timedelta(seconds=30))
    client.get(reverse("accounts:me"))
    assert Session.objects.get(pk=key).expire_date == first - dt.timedelta(seconds=30)  # not saved again
