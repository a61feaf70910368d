"""The Django admin cannot bypass the services (issue 16, item 9): measurements are read-only
there, a posyandu that children or measurements name cannot be deleted, and admin writes are in
the audit log."""

import pytest
from django.urls import reverse

from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import build_world
from tumbuh.audit.models import AuditEvent
from tumbuh.measurements.models import Measurement
from tumbuh.regions.models import Posyandu
from tumbuh.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.users[Role.ADMIN])
    return client


def test_a_measurement_cannot_be_changed_in_the_admin(admin_client, world):
    m = world.measurements["home"][0]
    url = reverse("admin:measurements_measurement_change", args=[m.pk])
    before = (m.weight_kg, m.weight_for_age_category)
    answer = admin_client.post(url, {"child": m.child_id, "measured_on": m.measured_on.isoformat(),
                                     "weight_kg": "25", "source": m.source})
    assert answer.status_code == 403
    m.refresh_from_db()
    assert (m.weight_kg, m.weight_for_age_category) == before
    assert admin_client.get(reverse("admin:measurements_measurement_delete", args=[m.pk])).status_code == 403


def test_a_posyandu_with_children_cannot_be_deleted(admin_client, world):
    posyandu = world.children["home"].posyandu
    people = Person.objects.filter(posyandu=posyandu).count()
    measured = Measurement.objects.filter(posyandu=posyandu).count()
    assert people and measured
    url = reverse("admin:regions_posyandu_delete", args=[posyandu.pk])
    page = admin_client.get(url).content.decode()
    assert "still name it" in page or "masih" in page
    admin_client.post(url, {"post": "yes"})
    assert Posyandu.objects.filter(pk=posyandu.pk).exists()
    # The bulk action is refused the same way.
    admin_client.post(reverse("admin:regions_posyandu_changelist"),
                      {"action": "delete_selected", "_selected_action": [posyandu.pk], "post": "yes"})
    assert Posyandu.objects.filter(pk=posyandu.pk).exists()
    assert Person.objects.filter(posyandu=posyandu).count() == people
    assert Measurement.objects.filter(posyandu=posyandu).count() == measured


def test_an_empty_posyandu_can_be_deleted_and_that_is_audited(admin_client, world):
    empty = Posyandu.objects.create(name="Posyandu Kosong", desa=world.children["home"].desa)
    admin_client.post(reverse("admin:regions_posyandu_delete", args=[empty.pk]), {"post": "yes"})
    assert not Posyandu.objects.filter(pk=empty.pk).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.DELETE, object_type="regions.posyandu")
    assert event.object_id == str(empty.pk) and event.region_code == empty.desa_id


def test_an_admin_change_is_in_the_audit_log(admin_client, world):
    posyandu = world.children["home"].posyandu
    url = reverse("admin:regions_posyandu_change", args=[posyandu.pk])
    answer = admin_client.post(url, {"name": "Posyandu Melati Baru", "desa": posyandu.desa_id, "rw": "",
                                     "puskesmas": posyandu.puskesmas_id or "", "active": "on"})
    assert answer.status_code == 302, answer.content.decode()[:3000]
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_type="regions.posyandu")
    assert event.user == world.users[Role.ADMIN] and "Melati Baru" in event.summary


def test_admin_lists_and_records_of_people_are_audited(admin_client, world):
    child = world.children["home"]
    assert admin_client.get(reverse("admin:registry_person_changelist"), {"q": "Zzyzx"}).status_code == 200
    listing = AuditEvent.objects.get(action=AuditEvent.Action.VIEW_LIST, object_type="registry.person")
    assert "Zzyzx" in listing.summary
    assert admin_client.get(reverse("admin:registry_person_change", args=[child.pk])).status_code == 200
    viewed = AuditEvent.objects.get(action=AuditEvent.Action.VIEW, object_type="registry.person")
    assert viewed.object_id == str(child.pk) and viewed.region_code == child.desa_id
    assert admin_client.get(reverse("admin:registry_household_changelist")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_LIST, object_type="registry.household").exists()
