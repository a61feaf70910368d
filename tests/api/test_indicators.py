"""/api/v1/scorecard/ and /api/v1/ranpasti/: the pages' numbers for the same region and period,
per role over the scoping matrix's full world; regions outside the scope refused (404); roles
without an area here (OPD) refused (403); strict parameters (400)."""

from __future__ import annotations

import html
import re

import pytest
from django.utils import timezone

from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import CHILDREN, EXPECTED_VISIBLE, EXPECTED_VISIBLE_PLACES, build_world
from tumbuh.analytics.periods import Period
from tumbuh.audit.models import AuditEvent

ROLES = list(Role.values)
EMPTY_HERE = {r for r in ROLES if not EXPECTED_VISIBLE[r] and not EXPECTED_VISIBLE_PLACES[r]}
SEEING = [r for r in ROLES if r not in EMPTY_HERE]


@pytest.fixture
def full_world(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_world(full=True)


def quarter() -> Period:
    return Period.containing(timezone.localdate(), "quarter")


def _page_level(body: str) -> tuple[int, int]:
    label = re.search(r'(?s)id="level-overall">.*?class="kpi-label">(.*?)</div>', body).group(1)
    received, expected = re.search(r"([\d.]+) / ([\d.]+)\s*$", html.unescape(label)).groups()
    return int(received.replace(".", "")), int(expected.replace(".", ""))


@pytest.mark.parametrize("role", SEEING)
def test_scorecard_equals_the_page_for_the_same_region_and_period(full_world, api, client, role):
    user = full_world.users[role]
    api.force_authenticate(user)
    client.force_login(user)
    q = quarter().key
    response = api.get("/api/v1/scorecard/", {"period": q})
    assert response.status_code == 200, response.content[:400]
    data = response.json()
    assert data["period"] == q and data["mode"] == "benar"
    code = data["region"]["code"] if data["region"] else ""
    page = client.get("/indicators/scorecard/", {"period": q, **({"region": code} if code else {})})
    body = page.content.decode()
    assert (data["score"]["received"], data["score"]["expected"]) == _page_level(body)
    # The world's deliveries (immunisation for each child) make the level non-trivial where children are seen.
    visible_children = len(EXPECTED_VISIBLE[role])
    anak = next(g for g in data["groups"] if g["group"] == "anak")
    assert anak["people"] >= visible_children
    for g in data["groups"]:
        if g["group"] != "paud":
            label = re.search(rf'(?s)id="level-{g["group"]}">.*?class="kpi-label">(.*?)</div>', body).group(1)
            assert f' {g["people"]} ' in html.unescape(label) and label.rstrip().endswith(f' {g["complete"]}')
    if visible_children:
        assert data["score"]["received"] > 0
    # The same desa, with the same per-desa level, and the pooled level is their sum.
    assert {d["code"] for d in data["desa"]} <= {CHILDREN[k][0] for k in EXPECTED_VISIBLE_PLACES[role]}
    assert sum(d["score"]["received"] for d in data["desa"]) == data["score"]["received"]
    for d in data["desa"]:
        shown = re.search(rf'<tr><td>{re.escape(html.escape(d["name"]))}(?: <span[^<]*</span>)?</td>'
                          rf'<td class="num">([^<]*)</td>', body)
        assert shown and shown.group(1) == (str(d["rank"]) if d["rank"] else "–"), d
    # Names exactly where the page shows them; audited then, as the page is.
    for row in data["people"]:
        assert row["name"] in body
    if data["people"]:
        assert AuditEvent.objects.filter(user=user, object_type="indicators.scorecard",
                                         detail__via="api").exists()
    opensid = api.get("/api/v1/scorecard/", {"period": q, "mode": "opensid", **({"region": code} if code else {})})
    page = client.get("/indicators/scorecard/", {"period": q, "mode": "opensid", **({"region": code} if code else {})})
    assert (opensid.json()["score"]["received"], opensid.json()["score"]["expected"]) == \
        _page_level(page.content.decode())


@pytest.mark.parametrize("role", SEEING)
def test_ranpasti_equals_the_page_for_the_same_region_and_period(full_world, api, client, role):
    user = full_world.users[role]
    api.force_authenticate(user)
    client.force_login(user)
    period = Period.containing(timezone.localdate(), "semester").key
    data = api.get("/api/v1/ranpasti/", {"period": period}).json()
    assert data["period"] == period
    code = data["region"]["code"] if data["region"] else ""
    body = client.get("/indicators/", {"period": period, **({"region": code} if code else {})}).content.decode()
    compared = 0
    for v in data["indicators"]:
        if not v["computable"] or v["is_count"]:
            continue
        shown = re.search(rf'id="nd-{re.escape(v["code"])}">([^<]*)<', body).group(1)
        assert shown.replace(".", "") == f'{v["numerator"]} / {v["denominator"]}', v["code"]
        compared += 1
    assert compared >= 10
    if EXPECTED_VISIBLE[role]:
        assert any(v["numerator"] for v in data["indicators"] if v["computable"])


@pytest.mark.parametrize("role", SEEING)
def test_regions_outside_the_scope_are_refused(full_world, api, role):
    api.force_authenticate(full_world.users[role])
    outside = {CHILDREN[k][0] for k in CHILDREN if k not in EXPECTED_VISIBLE_PLACES[role]}
    inside = {CHILDREN[k][0] for k in EXPECTED_VISIBLE_PLACES[role]}
    for desa in outside - inside:
        for url in ("/api/v1/scorecard/", "/api/v1/ranpasti/"):
            response = api.get(url, {"region": desa})
            assert response.status_code == 404, (url, desa, response.content[:200])
    for desa in inside:
        data = api.get("/api/v1/scorecard/", {"region": desa, "period": quarter().key}).json()
        assert data["region"]["code"] == desa and {d["code"] for d in data["desa"]} <= {desa}


@pytest.mark.parametrize("role", sorted(EMPTY_HERE) or ["none"])
def test_roles_without_an_area_here_get_403(full_world, api, role):
    if role == "none":
        pytest.skip("every role has an area")
    api.force_authenticate(full_world.users[role])
    for url in ("/api/v1/scorecard/", "/api/v1/ranpasti/"):
        assert api.get(url).status_code == 403


def test_bad_parameters_are_400_in_indonesian(full_world, api):
    api.force_authenticate(full_world.users[Role.KABUPATEN])
    assert api.get("/api/v1/scorecard/", {"period": "2026"}).status_code == 400  # a quarter only
    assert api.get("/api/v1/scorecard/", {"period": "kemarin"}).status_code == 400
    assert api.get("/api/v1/scorecard/", {"mode": "x"}).status_code == 400
    future = quarter().shift(2).key
    response = api.get("/api/v1/ranpasti/", {"period": future}, HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 400 and "belum" in response.json()["period"][0]
    assert api.get("/api/v1/ranpasti/", {"region": "xx"}).status_code == 400
