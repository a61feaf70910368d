"""GET /api/v1/posyandu/<id>/roster/: the offline session's children, scoped."""

from django.utils import timezone

from tumbuh.accounts.models import Role
from tumbuh.audit.models import AuditEvent


def url(posyandu):
    return f"/api/v1/posyandu/{posyandu.pk}/roster/"


def test_cadre_gets_the_children_of_their_posyandu_with_the_last_measurement(world, api):
    cadre = world.users[Role.CADRE]
    api.force_authenticate(cadre)
    yesterday_is_session = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    response = api.get(url(world.posyandu["mawar"]), {"date": yesterday_is_session})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["posyandu"]["name"] == "Posyandu Mawar"
    by_name = {c["name"]: c for c in data["children"]}
    child, sibling = world.children["home"], world.siblings["home"]
    assert set(by_name) == {child.name, sibling.name}  # the mother is not a balita
    last = by_name[child.name]["last_measurement"]
    assert last["date"] == timezone.localdate().isoformat()
    assert (last["weight_kg"], last["height_cm"], last["measured_lying"]) == (6.6, 68.0, True)
    assert by_name[sibling.name]["last_measurement"] is None
    assert by_name[child.name]["sex"] == "M" and by_name[child.name]["birth_date"] == child.birth_date.isoformat()
    assert by_name[sibling.name]["default_measured_lying"] is True
    assert AuditEvent.objects.filter(user=cadre, action="view_list", object_type="regions.posyandu").exists()


def test_today_s_measurement_is_in_the_roster(world, api):
    api.force_authenticate(world.users[Role.CADRE])
    data = api.get(url(world.posyandu["mawar"])).json()
    child = next(c for c in data["children"] if c["id"] == world.children["home"].pk)
    assert child["today"]["weight_kg"] == 6.6
    assert child["last_measurement"]["date"] < data["date"]


def test_another_posyandu_is_not_found_for_a_cadre(world, api):
    api.force_authenticate(world.users[Role.CADRE])
    response = api.get(url(world.posyandu["melati"]))
    assert response.status_code == 404
    assert "Zzyzx" not in response.content.decode()
    # A desa team sees both posyandu of its desa, not the next desa's.
    api.force_authenticate(world.users[Role.DESA])
    assert api.get(url(world.posyandu["melati"])).status_code == 200
    assert api.get(url(world.posyandu["anggrek"])).status_code == 404
