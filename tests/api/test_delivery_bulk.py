"""POST /api/v1/deliveries/bulk/ (the offline distribution day's outbox): per-item results,
idempotent by uuid (replayed, or twice in one request: one delivery), scoped per role as the
distribution-day page (outsiders' children rejected, nothing written for them)."""

import uuid

import pytest
from django.utils import timezone

from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import CHILDREN
from tumbuh.audit.models import AuditEvent
from tumbuh.interventions import testing as ivt
from tumbuh.interventions.models import Delivery

URL = "/api/v1/deliveries/bulk/"


@pytest.fixture
def iv_world(world):
    world.interventions = ivt.build_interventions(world)
    return world


def item(child, **kw):
    return {"uuid": str(uuid.uuid4()), "code": "VIT-A", "person": child.pk, "date": timezone.localdate().isoformat(),
            "quantity": 1, **kw}


@pytest.mark.parametrize("role", list(Role.values))
def test_each_role_records_only_for_the_people_it_reaches(iv_world, api, role):
    api.force_authenticate(iv_world.users[role])
    items = [item(iv_world.children[k]) for k in CHILDREN]
    response = api.post(URL, {"device_id": "hp-1", "items": items}, format="json")
    if role == Role.OPD or not ivt.EXPECTED_VISIBLE_INTERVENTIONS[role]:
        assert response.status_code in (200, 403)
    if response.status_code == 403:
        assert not Delivery.objects.filter(uuid__in=[i["uuid"] for i in items]).exists()
        return
    results = response.json()["results"]
    accepted = {k for k, r in zip(CHILDREN, results, strict=True) if r["status"] == "accepted"}
    expected = ivt.EXPECTED_VISIBLE_INTERVENTIONS[role]
    assert accepted <= expected
    if role != Role.OPD:
        assert accepted == expected
    stored = set(Delivery.objects.filter(uuid__in=[i["uuid"] for i in items]).values_list("person_id", flat=True))
    assert stored == {iv_world.children[k].pk for k in accepted}
    for key, r in zip(CHILDREN, results, strict=True):
        if key not in accepted:
            assert r["status"] == "rejected" and r["errors"] and iv_world.children[key].name not in str(r)


def test_the_same_uuid_creates_one_delivery(iv_world, api):
    api.force_authenticate(iv_world.users[Role.CADRE])
    child = iv_world.children["home"]
    one, two = item(child), item(iv_world.siblings["home"], code="VIT-A")
    body = {"device_id": "hp-kader", "items": [one, dict(one), two]}
    first = api.post(URL, body, format="json").json()["results"]
    assert [r["status"] for r in first] == ["accepted", "duplicate", "accepted"]
    assert first[0]["id"] == first[1]["id"] and first[0]["delivery"]["code"] == "VIT-A"
    again = api.post(URL, body, format="json").json()["results"]
    assert [r["status"] for r in again] == ["duplicate", "duplicate", "duplicate"]
    assert [r["id"] for r in again] == [r["id"] for r in first]
    assert Delivery.objects.filter(uuid__in=[one["uuid"], two["uuid"]]).count() == 2
    assert Delivery.objects.get(uuid=one["uuid"]).source == "distribution"
    event = AuditEvent.objects.filter(object_type="interventions.delivery", action="create").latest("pk")
    assert "hp-kader" in event.summary and "offline" in event.summary


def test_bad_items_are_rejected_one_by_one(iv_world, api):
    api.force_authenticate(iv_world.users[Role.KABUPATEN])
    child = iv_world.children["home"]
    future = (timezone.localdate() + timezone.timedelta(days=3)).isoformat()
    items = [item(child, date=future), item(child, code="TIDAK-ADA"), {"uuid": "x", "code": "VIT-A"},
             item(child, person=None), item(child, quantity=0), item(child)]
    results = api.post(URL, {"items": items}, format="json", HTTP_ACCEPT_LANGUAGE="id").json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * 5 + ["accepted"]
    assert "masa depan" in str(results[0]["errors"]).lower() or "depan" in str(results[0]["errors"])
    assert "person" in results[3]["errors"]
    assert Delivery.objects.filter(uuid__in=[i["uuid"] for i in items if len(i["uuid"]) == 36]).count() == 1
    assert api.post(URL, {"items": "x"}, format="json").status_code == 400
