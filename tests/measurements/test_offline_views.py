"""What the server gives the offline session (docs/offline.md): the service worker, and the facts
rendered into the session page that the browser derives a row from while offline."""

import datetime as dt
import hashlib
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tumbuh.measurements.services import record_measurement


@pytest.fixture
def client_a(client, cadre_a):
    client.force_login(cadre_a)
    return client


def config_of(response) -> dict:
    match = re.search(r'<script id="offline-config" type="application/json">(.*?)</script>', response.content.decode())
    assert match, "the session page carries its offline configuration"
    return json.loads(match.group(1))


def test_service_worker_is_served_from_the_measurements_scope_with_local_workbox(client, db):
    response = client.get(reverse("measurements:service_worker"))  # no personal data: no login needed
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"  # each page registers it with its own scope
    body = response.content.decode()
    assert "http://" not in body and "https://" not in body  # never a CDN
    config = json.loads(re.search(r"const CONFIG = (\{.*\});", body).group(1))
    assert config["workbox"][0] == "/static/vendor/workbox-core/workbox-core.prod.js"
    for url in [*config["workbox"], config["idb"], config["outbox"]]:
        assert finders.find(url.removeprefix("/static/")), url  # installed from npm at set-up
    # Each precached file carries its content hash: a changed file changes the worker, and the
    # browser then fetches exactly the changed files.
    entries = {e["url"]: e["revision"] for e in config["precache"]}
    assert "/static/measurements/offline.js" in entries and "/static/measurements/who2006-lms.json" in entries
    found = finders.find("measurements/growth.js")
    with open(found, "rb") as handle:
        assert entries["/static/measurements/growth.js"] == hashlib.sha256(handle.read()).hexdigest()[:16]
    pattern = re.compile(config["session_pattern"])
    assert pattern.match("/measurements/session/12/") and pattern.match("/measurements/session/")
    assert not pattern.match("/measurements/12/edit/")  # forms with history are not kept offline
    assert pattern.match("/interventions/distribution/")  # the distribution day (its query is the cache key)
    assert not pattern.match("/interventions/distribution/person/5/") and not pattern.match("/interventions/")


def test_session_page_carries_birth_dates_and_the_previous_values_compared_with(client_a, places, make_child, today):
    young = make_child("Ani", sex="F", age_days=400)
    new = make_child("Bayu", age_days=200)
    earlier = today - dt.timedelta(days=30)
    record_measurement(child=young, measured_on=earlier - dt.timedelta(days=30), weight_kg=8.0, length_cm=70.0, position="h")
    record_measurement(child=young, measured_on=earlier, weight_kg=8.4)  # weight only: the length stays the older one
    response = client_a.get(reverse("measurements:session", args=[places["pos_a"].pk]) + f"?date={today.isoformat()}")
    config = config_of(response)
    assert config["posyandu"] == places["pos_a"].pk and config["date"] == today.isoformat()
    assert config["bulk_url"] == "/api/v1/measurements/bulk/"
    ani = config["children"][str(young.pk)]
    assert ani["birth_date"] == young.birth_date.isoformat() and ani["sex"] == "F"
    assert ani["weight"] == [8.4, earlier.isoformat()]
    # The adjusted length (standing before 24 months: +0.7 cm), as the server's series warning compares.
    assert ani["length"] == [pytest.approx(70.7), (earlier - dt.timedelta(days=30)).isoformat()]
    assert config["children"][str(new.pk)]["weight"] is None
    # The strings of the outbox, in Indonesian, with the server's own messages for the checks.
    assert config["strings"]["pending"] == "menunggu terkirim"
    assert "gram" in config["strings"]["weight_grams"] and "{fixed}" in config["strings"]["weight_grams"]
    assert config["categories"]["TB/U"]["severely_stunted"] == ["Sangat pendek", "red"]
    assert b'id="outbox"' in response.content
