"""Two-factor login (TOTP) required for admin, provinsi and kabupaten roles when
TUMBUH_REQUIRE_2FA is on (issue 16, item 6)."""

import re
import time
from base64 import b32decode

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import build_world
from tumbuh.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.TUMBUH_REQUIRE_2FA = True
    return build_world(with_measurements=False)


def current_code(key_hex: str) -> str:
    totp = TOTP(bytes.fromhex(key_hex))
    totp.time = time.time()
    return f"{totp.token():06d}"


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PROVINSI, Role.KABUPATEN])
def test_required_roles_must_set_up_then_verify(client, world, role):
    user = world.users[role]
    client.force_login(user)
    answer = client.get(reverse("registry:child_list"))
    assert answer.status_code == 302 and answer["Location"] == reverse("accounts:otp_setup")
    page = client.get(reverse("accounts:otp_setup")).content.decode()
    assert "<svg" in page
    secret = re.search(r'class="otp-secret">([A-Z2-7=]+)<', page).group(1)
    device = TOTPDevice.objects.get(user=user)
    assert b32decode(secret) == bytes.fromhex(device.key)
    assert client.post(reverse("accounts:otp_setup"), {"code": "000000" if current_code(device.key) != "000000" else "111111"}).status_code == 200
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    answer = client.post(reverse("accounts:otp_setup"), {"code": current_code(device.key)})
    assert answer.status_code == 302
    assert client.get(reverse("registry:child_list")).status_code == 200
    assert AuditEvent.objects.filter(user=user, summary="two-factor authenticator set up").exists()

    # Next login: the password is not enough.
    client.post(reverse("accounts:logout"))
    client.force_login(user)
    assert client.get(reverse("registry:child_list"))["Location"] == reverse("accounts:otp_verify")
    wrong = client.post(reverse("accounts:otp_verify"), {"code": "123456" if current_code(device.key) != "123456" else "654321"})
    assert wrong.status_code == 200 and "tidak benar" in wrong.content.decode()
    assert AuditEvent.objects.filter(user=user, action=AuditEvent.Action.LOGIN_FAILED).exists()
    # django-otp throttles after a failure (and refuses a code used once); wait that out.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None,
                                                   last_t=-1)
    assert client.post(reverse("accounts:otp_verify"), {"code": current_code(device.key)}).status_code == 302
    assert client.get(reverse("registry:child_list")).status_code == 200


def test_the_admin_site_needs_the_second_factor_too(client, world):
    client.force_login(world.users[Role.ADMIN])
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("role", [Role.CADRE, Role.DESA, Role.KECAMATAN, Role.PUSKESMAS])
def test_other_roles_are_not_asked(client, world, role):
    client.force_login(world.users[role])
    assert client.get(reverse("registry:child_list")).status_code == 200


def test_nobody_is_asked_when_the_setting_is_off(client, world, settings):
    settings.TUMBUH_REQUIRE_2FA = False
    client.force_login(world.users[Role.ADMIN])
    assert client.get(reverse("registry:child_list")).status_code == 200


def test_admin_can_see_and_delete_a_lost_device_but_not_its_key(client, world, settings):
    settings.TUMBUH_REQUIRE_2FA = False
    device = TOTPDevice.objects.create(user=world.users[Role.KABUPATEN], name="authenticator", confirmed=True)
    client.force_login(world.users[Role.ADMIN])
    assert client.get(reverse("admin:otp_totp_totpdevice_changelist")).status_code == 200
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])).content.decode()
    assert device.key not in page
    client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, object_type="otp_totp.totpdevice").exists()
