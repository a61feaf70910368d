"""The single-measurement endpoint, filters for sync, pagination, throttling, schema and docs."""

import datetime as dt
import uuid

from django.utils import timezone

from tumbuh.accounts.models import Role
from tumbuh.measurements.models import Measurement


def test_single_create_answers_201_then_200_409_400(world, api):
    api.force_authenticate(world.users[Role.CADRE])
    sibling, today = world.siblings["home"], timezone.localdate()
    body = {"uuid": str(uuid.uuid4()), "child": sibling.pk, "date": today.isoformat(), "weight_kg": "7,1"}
    assert api.post("/api/v1/measurements/", body, format="json").status_code == 400  # a JSON number, not "7,1"
    body["weight_kg"] = 7.1
    body["height_cm"] = 66.2  # measured_lying omitted: lying, the default under 24 months
    created = api.post("/api/v1/measurements/", body, format="json")
    assert created.status_code == 201, created.content
    m = created.json()["measurement"]
    assert m["measured_lying"] is True and m["whz"] is not None and m["haz_category"] != ""
    again = api.post("/api/v1/measurements/", body, format="json")
    assert again.status_code == 200 and again.json()["status"] == "duplicate" and again.json()["id"] == m["id"]
    other = api.post("/api/v1/measurements/", {**body, "uuid": str(uuid.uuid4()), "weight_kg": 7.4}, format="json")
    assert other.status_code == 409 and other.json()["conflict_with"]["id"] == m["id"]
    bad = api.post("/api/v1/measurements/", {**body, "uuid": str(uuid.uuid4()), "date": "2001-01-01"}, format="json")
    assert bad.status_code == 400 and "sebelum tanggal lahir" in bad.json()["errors"]["date"][0]
    assert Measurement.objects.filter(child=sibling).count() == 1


def test_updated_since_period_and_pagination(world, api):
    api.force_authenticate(world.users[Role.ADMIN])
    everything = api.get("/api/v1/measurements/").json()
    assert everything["count"] == 18 and everything["next"] is None
    page = api.get("/api/v1/measurements/", {"page_size": 5}).json()
    assert len(page["results"]) == 5 and page["next"]
    later = timezone.now() + dt.timedelta(seconds=1)
    assert api.get("/api/v1/measurements/", {"updated_since": later.isoformat()}).json()["count"] == 0
    Measurement.objects.filter(pk=world.measurements["home"][0].pk).update(updated_at=later + dt.timedelta(hours=1))
    changed = api.get("/api/v1/measurements/", {"updated_since": later.isoformat()}).json()
    assert [m["id"] for m in changed["results"]] == [world.measurements["home"][0].pk]
    today = timezone.localdate()
    month = api.get("/api/v1/measurements/", {"period": f"{today:%Y-%m}", "date_from": today.isoformat()}).json()
    assert month["count"] == 6 and {m["date"] for m in month["results"]} == {today.isoformat()}
    for query in ({"period": "kemarin"}, {"updated_since": "x"}, {"region": "64;drop"}, {"date_to": "31-12-2026"}):
        bad = api.get("/api/v1/measurements/", query)
        assert bad.status_code == 400 and list(bad.json()) == list(query), (query, bad.content)
    region = api.get("/api/v1/people/", {"region": "64.74.01"}).json()
    assert {p["desa"] for p in region["results"]} <= {"64.74.01.1001", "64.74.01.1002"} and region["count"] == 9


def test_bulk_uploads_are_throttled(world, api, settings):
    settings.TUMBUH_API_RATES = {"bulk": "2/minute"}
    api.force_authenticate(world.users[Role.CADRE])
    codes = [api.post("/api/v1/measurements/bulk/", {"items": []}, format="json").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_schema_and_docs_come_from_this_server(world, api, client):
    assert api.get("/api/schema/").status_code in (401, 403)
    api.force_authenticate(world.users[Role.KECAMATAN])
    schema = api.get("/api/schema/", {"format": "json"}).json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/measurements/bulk/", "/api/v1/posyandu/{posyandu_id}/roster/", "/api/v1/prevalence/",
                 "/api/v1/people/", "/api/v1/targets/pregnancies/", "/api/v1/commitments/"):
        assert path in schema["paths"], path
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])
    client.force_login(world.users[Role.KECAMATAN])
    html = client.get("/api/docs/").content.decode()
    assert "Dokumentasi API Tumbuh" in html and "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower() and "https://" not in html
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200 and "/api/schema/" in script.content.decode()


def test_people_carry_their_jkn_membership(world, api):
    """The JKN status the convergence rule keluarga-jkn reads is in the API, as on the person page."""
    from tumbuh.registry.models import Person

    api.force_authenticate(world.users[Role.KECAMATAN])
    child = world.siblings["home"]
    checked = timezone.localdate() - dt.timedelta(days=3)
    Person.objects.filter(pk=child.pk).update(jkn_status="pbi_apbd", jkn_checked_on=checked)
    body = api.get(f"/api/v1/people/{child.pk}/").json()
    assert (body["jkn_status"], body["jkn_checked_on"]) == ("pbi_apbd", checked.isoformat())
    Person.objects.filter(pk=child.pk).update(jkn_status="", jkn_checked_on=None)
    body = api.get(f"/api/v1/people/{child.pk}/").json()
    assert (body["jkn_status"], body["jkn_checked_on"]) == ("", None)
