"""POST /api/v1/measurements/bulk/: per-item accepted / duplicate / conflict / rejected."""

import datetime as dt
import uuid

from django.utils import timezone

from tumbuh.accounts.models import Role
from tumbuh.api.models import ClientKey
from tumbuh.audit.models import AuditEvent
from tumbuh.measurements.models import Measurement

URL = "/api/v1/measurements/bulk/"


def item(child, on, **kw):
    base = {"uuid": str(uuid.uuid4()), "child": child.pk, "date": on.isoformat(), "weight_kg": 7.2,
            "height_cm": 66.0, "lila_cm": None, "measured_lying": True, "oedema": False, "confirm": False,
            "device_time": "2026-12-02T08:15:00+08:00"}
    return {**base, **kw}


def post(api, user, items, device_id="hp-kader-1"):
    api.force_authenticate(user)
    response = api.post(URL, {"device_id": device_id, "items": items}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_accepted_then_duplicate_creates_one_row_and_answers_with_it(world, api):
    cadre, sibling = world.users[Role.CADRE], world.siblings["home"]
    today = timezone.localdate()
    one = item(sibling, today)
    first = post(api, cadre, [one])[0]
    assert first["status"] == "accepted" and first["id"]
    m = first["measurement"]
    assert m["child"] == sibling.pk and m["weight_kg"] == 7.2 and m["measured_lying"] is True
    assert m["whz"] is not None and m["haz"] is not None and m["waz_category"]
    again = post(api, cadre, [one])[0]
    assert again["status"] == "duplicate" and again["id"] == first["id"]
    assert again["measurement"]["whz"] == m["whz"]
    assert Measurement.objects.filter(child=sibling).count() == 1
    assert ClientKey.objects.filter(uuid=one["uuid"]).count() == 1
    # The same uuid twice in one request: one row too.
    other = item(sibling, today - dt.timedelta(days=20), weight_kg=7.0, height_cm=65.5)
    twice = post(api, cadre, [other, other])
    assert [r["status"] for r in twice] == ["accepted", "duplicate"] and twice[0]["id"] == twice[1]["id"]
    assert Measurement.objects.filter(child=sibling).count() == 2


def test_same_child_same_day_from_another_device_is_a_conflict_and_nothing_is_overwritten(world, api):
    cadre, child = world.users[Role.CADRE], world.children["home"]
    today = timezone.localdate()
    existing = Measurement.objects.get(child=child, measured_on=today)
    result = post(api, cadre, [item(child, today, weight_kg=9.9, height_cm=70.0)])[0]
    assert result["status"] == "conflict" and result["id"] is None
    assert result["conflict_with"]["id"] == existing.pk and result["conflict_with"]["weight_kg"] == 6.6
    existing.refresh_from_db()
    assert existing.weight_kg == 6.6
    # Two phones in one upload: the first wins, the second is shown as a conflict with it.
    sibling = world.siblings["home"]
    a, b = item(sibling, today), item(sibling, today, weight_kg=7.5)
    results = post(api, cadre, [a, b])
    assert [r["status"] for r in results] == ["accepted", "conflict"]
    assert results[1]["conflict_with"]["id"] == results[0]["id"]


def test_rejected_items_carry_indonesian_errors_and_never_refuse_the_others(world, api):
    cadre, sibling = world.users[Role.CADRE], world.siblings["home"]
    today = timezone.localdate()
    outsider = world.children["other_posyandu"]
    items = [
        item(sibling, today, weight_kg=7200),  # grams
        item(outsider, today),  # another posyandu's child
        {"uuid": "not-a-uuid", "child": "x", "date": "kemarin"},
        item(sibling, today + dt.timedelta(days=3)),  # future
        item(sibling, today - dt.timedelta(days=5)),  # fine
    ]
    results = post(api, cadre, items)
    assert [r["status"] for r in results] == ["rejected", "rejected", "rejected", "rejected", "accepted"]
    assert "gram" in results[0]["errors"]["weight_kg"][0] and "7,2" in results[0]["errors"]["weight_kg"][0]
    assert results[1]["errors"]["child"] == ["Anak tidak ditemukan di wilayah Anda (atau sudah tidak aktif)"]
    assert set(results[2]["errors"]) >= {"uuid", "child", "date"}
    assert "masa depan" in results[3]["errors"]["date"][0]
    assert outsider.name not in str(results)
    assert Measurement.objects.filter(child=sibling).count() == 1


def test_a_value_far_from_the_series_needs_the_confirmation_tick(world, api):
    cadre, child = world.users[Role.CADRE], world.children["home"]
    on = timezone.localdate() - dt.timedelta(days=15)
    doubtful = item(child, on, weight_kg=8.6, height_cm=67.7)  # 30 % heavier than two weeks before
    result = post(api, cadre, [doubtful])[0]
    assert result["status"] == "rejected" and result["code"] == "needs_confirmation"
    assert any("Berat badan berubah" in e for e in result["errors"]["confirm"]), result
    assert not Measurement.objects.filter(child=child, measured_on=on).exists()
    confirmed = post(api, cadre, [{**doubtful, "confirm": True}])[0]
    assert confirmed["status"] == "accepted"
    assert confirmed["measurement"]["values_confirmed"] is True
    assert "weight_change" in confirmed["measurement"]["warning_codes"]


def test_the_audit_record_says_offline_with_device_and_device_time(world, api):
    cadre, sibling = world.users[Role.CADRE], world.siblings["home"]
    one = item(sibling, timezone.localdate())
    result = post(api, cadre, [one], device_id="hp-melati-7")[0]
    event = AuditEvent.objects.get(action="create", object_type="measurements.measurement",
                                   object_id=str(result["id"]))
    assert event.user == cadre and event.region_code == sibling.desa_id
    assert event.detail["origin"] == "offline" and event.detail["device_id"] == "hp-melati-7"
    assert event.detail["device_time"] == "2026-12-02T08:15:00+08:00" and event.detail["uuid"] == one["uuid"]


def test_anonymous_and_empty_scope_are_refused(world, api):
    response = api.post(URL, {"items": []}, format="json")
    assert response.status_code in (401, 403)
    from tumbuh.accounts.models import User

    nobody = User.objects.create_user("tanpa_wilayah", password="x-pass-123456", role=Role.KECAMATAN)
    api.force_authenticate(nobody)
    assert api.post(URL, {"items": []}, format="json").status_code == 403


def test_a_concurrent_writer_makes_the_request_check_again(world, api, monkeypatch):
    """Another phone's row lands between our checks and our insert (the unique constraints
    raise): the request runs its checks again and answers from what is now there."""
    from django.db import IntegrityError

    from tumbuh.measurements import services

    cadre, sibling = world.users[Role.CADRE], world.siblings["home"]
    real, calls = services._record, []

    def racing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("UNIQUE constraint failed: measurement_one_per_child_per_day")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_record", racing)
    result = post(api, cadre, [item(sibling, timezone.localdate())])[0]
    assert len(calls) == 2 and result["status"] == "accepted"
    assert Measurement.objects.filter(child=sibling).count() == 1


def test_the_bulk_answer_is_the_serializer_s_output(world, api):
    from tumbuh.api.serializers import MeasurementSerializer, measurement_rows

    rows = list(Measurement.objects.all())
    rows[0].warnings = [{"code": "standing_before_24m"}]
    assert measurement_rows(rows) == [dict(d) for d in MeasurementSerializer(rows, many=True).data]
