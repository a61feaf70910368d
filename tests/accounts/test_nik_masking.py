"""NIK masking by role (issue 16 item 12): province teams and OPD officers see masked NIK/KK
numbers on person pages and in personal-data exports unless they reveal one on purpose, which is
audited; the teams who serve people (kabupaten and below, puskesmas, cadres) see them whole."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tumbuh.accounts.models import Role
from tumbuh.accounts.scoping import scope_for
from tumbuh.accounts.testing import build_world
from tumbuh.audit.models import AuditEvent
from tumbuh.web.text import mask_nik


@pytest.fixture
def world(db):
    return build_world()


def cells(response) -> list[str]:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
    return [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v]


def test_mask_keeps_only_the_last_four_digits():
    assert mask_nik("6474014107240001") == "••••••••••••0001"
    assert mask_nik("") == "" and mask_nik("123") == "123"


@pytest.mark.parametrize("role, whole", [
    (Role.PROVINSI, False), (Role.OPD, False),
    (Role.KABUPATEN, True), (Role.KECAMATAN, True), (Role.DESA, True), (Role.PUSKESMAS, True),
    (Role.CADRE, True), (Role.ADMIN, True),
])
def test_who_sees_whole_numbers(world, role, whole):
    assert scope_for(world.users[role]).sees_full_nik is whole


def test_province_child_page_masks_and_reveal_is_audited(client, world):
    child = world.children["home"]
    client.force_login(world.users[Role.PROVINSI])
    page = client.get(f"/registry/children/{child.pk}/").content.decode()
    assert child.nik not in page and mask_nik(child.nik) in page
    assert "?reveal=1" in page
    revealed = client.get(f"/registry/children/{child.pk}/?reveal=1").content.decode()
    assert child.nik in revealed
    event = AuditEvent.objects.filter(user=world.users[Role.PROVINSI], object_id=str(child.pk)).first()
    assert event.detail.get("revealed") == "nik"


def test_kabupaten_child_page_shows_whole_nik_without_a_reveal_link(client, world):
    child = world.children["home"]
    client.force_login(world.users[Role.KABUPATEN])
    page = client.get(f"/registry/children/{child.pk}/").content.decode()
    assert child.nik in page and "?reveal=1" not in page


def test_province_household_page_masks_kk(client, world):
    household = world.households["home"]
    client.force_login(world.users[Role.PROVINSI])
    page = client.get(f"/registry/households/{household.pk}/").content.decode()
    assert household.kk_number not in page and mask_nik(household.kk_number) in page
    assert household.kk_number in client.get(f"/registry/households/{household.pk}/?reveal=1").content.decode()


@pytest.mark.parametrize("url", [
    "/registry/children/?format=xlsx",
    "/analytics/bnba/?region=64.74&category=stunted&format=xlsx",
    "/imports/export/?download=1",
])
def test_personal_data_exports_mask_for_province_only(client, world, url):
    child = world.children["home"]
    client.force_login(world.users[Role.PROVINSI])
    province = cells(client.get(url))
    assert province, url
    assert child.nik not in province and mask_nik(child.nik) in province
    client.force_login(world.users[Role.KABUPATEN])
    assert child.nik in cells(client.get(url))


def test_edit_screens_are_audited_views(client, world):
    child, household = world.children["home"], world.households["home"]
    user = world.users[Role.KABUPATEN]
    client.force_login(user)
    assert client.get(f"/registry/people/{child.pk}/edit/").status_code == 200
    assert client.get(f"/registry/households/{household.pk}/edit/").status_code == 200
    seen = set(AuditEvent.objects.filter(user=user, action=AuditEvent.Action.VIEW)
               .values_list("object_type", "object_id"))
    assert ("registry.person", str(child.pk)) in seen
    assert ("registry.household", str(household.pk)) in seen
