"""Issue 8, item 19: users change their own password; administrators and kabupaten/kota teams
create and edit accounts inside their scope, audited."""

import pytest
from django.urls import reverse

from tumbuh.accounts.models import Role, User
from tumbuh.accounts.testing import PASSWORD, build_world
from tumbuh.audit.models import AuditEvent


@pytest.fixture
def world(db):
    return build_world(with_measurements=False)


def test_a_user_changes_their_own_password_in_indonesian(client, world):
    cadre = world.users[Role.CADRE]
    client.force_login(cadre)
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "Ubah sandi saya" in page and "Sandi lama" in page
    response = client.post(reverse("accounts:password_change"), {
        "old_password": "wrong", "new_password1": "kader-baru-2026!", "new_password2": "kader-baru-2026!"})
    assert response.status_code == 200 and "salah" in response.content.decode()  # old password checked
    response = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "kader-baru-2026!", "new_password2": "kader-baru-2026!"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:me")
    cadre.refresh_from_db()
    assert cadre.check_password("kader-baru-2026!")
    assert client.get(reverse("accounts:me")).status_code == 200  # still logged in
    event = AuditEvent.objects.get(action="update", object_type="accounts.user", object_id=str(cadre.pk))
    assert "kader-baru" not in str(event.detail)


@pytest.mark.parametrize("role", [Role.CADRE, Role.PUSKESMAS, Role.DESA, Role.KECAMATAN, Role.PROVINSI])
def test_only_admins_and_kabupaten_teams_manage_accounts(client, world, role):
    client.force_login(world.users[role])
    assert client.get(reverse("accounts:user_list")).status_code == 403
    assert client.get(reverse("accounts:user_create")).status_code == 403
    other = world.users[Role.DESA if role != Role.DESA else Role.CADRE]
    assert client.post(reverse("accounts:user_edit", args=[other.pk]), {"username": "x"}).status_code in (403, 404)


def test_kota_team_sees_and_edits_only_accounts_inside_the_kota(client, world):
    kota = world.users[Role.KABUPATEN]
    client.force_login(kota)
    page = client.get(reverse("accounts:user_list")).content.decode()
    for role in (Role.CADRE, Role.PUSKESMAS, Role.DESA, Role.KECAMATAN, Role.KABUPATEN):
        assert world.users[role].username in page
    assert world.users[Role.PROVINSI].username not in page and world.users[Role.ADMIN].username not in page
    for outsider in (world.users[Role.PROVINSI], world.users[Role.ADMIN]):
        assert client.get(reverse("accounts:user_edit", args=[outsider.pk])).status_code == 404
    # The role and region choices stop at the kota.
    form = client.get(reverse("accounts:user_create")).context["form"]
    assert Role.PROVINSI not in dict(form.fields["role"].choices) and Role.ADMIN not in dict(form.fields["role"].choices)
    assert set(form.fields["region"].queryset.values_list("code", flat=True)) == {
        "64.74", "64.74.01", "64.74.01.1001", "64.74.01.1002", "64.74.02", "64.74.02.1001"}


def test_kota_team_creates_a_kecamatan_account_audited(client, world):
    kota = world.users[Role.KABUPATEN]
    client.force_login(kota)
    data = {"username": "tpps.selatan", "first_name": "Tim Selatan", "role": Role.KECAMATAN,
            "region": "64.74.02", "is_active": "on", "password": "rahasia-selatan-99"}
    response = client.post(reverse("accounts:user_create"), data)
    assert response.status_code == 302
    user = User.objects.get(username="tpps.selatan")
    assert (user.role, user.region_id, user.is_active, user.is_staff) == (Role.KECAMATAN, "64.74.02", True, False)
    assert user.check_password("rahasia-selatan-99")
    event = AuditEvent.objects.get(action="create", object_type="accounts.user", object_id=str(user.pk))
    assert event.user == kota and event.region_code == "64.74.02" and "rahasia" not in str(event.detail)

    # A region outside the kota, or a role the region does not fit: refused with a reason.
    response = client.post(reverse("accounts:user_create"), {**data, "username": "luar", "region": "64.72.01"})
    assert response.status_code == 200 and "region" in response.context["form"].errors
    response = client.post(reverse("accounts:user_create"), {**data, "username": "salah", "region": "64.74"})
    assert response.status_code == 200 and "region" in response.context["form"].errors
    assert not User.objects.filter(username__in=["luar", "salah"]).exists()

    # Edit: deactivate, keep the password.
    response = client.post(reverse("accounts:user_edit", args=[user.pk]), {**data, "is_active": "", "password": ""})
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active and user.check_password("rahasia-selatan-99")
    event = AuditEvent.objects.filter(action="update", object_id=str(user.pk)).latest("pk")
    assert event.detail["fields"] == ["is_active"]


def test_admin_creates_a_province_account(client, world):
    client.force_login(world.users[Role.ADMIN])
    response = client.post(reverse("accounts:user_create"), {
        "username": "provinsi.kalsel", "role": Role.PROVINSI, "region": "63", "is_active": "on",
        "password": "rahasia-kalsel-99"})
    assert response.status_code == 302
    assert User.objects.get(username="provinsi.kalsel").region_id == "63"
