"""Edits keep the previous values (issue 16 item 10): the child page lists who changed what and
when, old -> new, for the child's data and its measurements, NIKs masked."""

from __future__ import annotations

import pytest

from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import build_world
from tumbuh.measurements.services import record_measurement
from tumbuh.registry import services


@pytest.fixture
def world(db):
    return build_world()


def test_person_edit_and_measurement_edit_show_old_and_new(client, world):
    child = world.children["home"]
    user = world.users[Role.KABUPATEN]
    old_name = child.name
    services.update_person(user, child, {"name": "Zzyzx Namabaru"})
    m = world.measurements["home"][-1]
    record_measurement(child=child, measured_on=m.measured_on, weight_kg=6.9, length_cm=m.length_cm, position=m.position,
                       user=user, confirmed=True)
    client.force_login(user)
    page = client.get(f"/registry/children/{child.pk}/").content.decode()
    assert "Riwayat perubahan" in page
    assert f"{old_name}</span> → Zzyzx Namabaru" in page
    assert "6,6" in page or "6.6" in page
    assert "→ 6,9" in page or "→ 6.9" in page
    assert user.username in page


def test_nik_change_is_masked_in_history(client, world):
    child = world.children["home"]
    user = world.users[Role.KABUPATEN]
    new_nik = child.nik[:-4] + "0999"
    services.update_person(user, child, {"nik": new_nik})
    client.force_login(user)
    page = client.get(f"/registry/children/{child.pk}/").content.decode()
    history = page[page.index("Riwayat perubahan"):]
    assert new_nik not in history and "…0999" in history
