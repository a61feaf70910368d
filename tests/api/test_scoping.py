"""The API per role, with the scoping matrix's world: each role sees exactly the children it may
(EXPECTED_VISIBLE, written out in tumbuh.accounts.testing), writes only for them, and every /api/
URL is deny-by-default and registered in the matrix."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from tumbuh.accounts.models import Role, User
from tumbuh.accounts.testing import CHILDREN, EXPECTED_VISIBLE, EXPECTED_VISIBLE_PLACES
from tumbuh.measurements.models import Measurement

ROLES = list(Role.values)


def _matrix():
    """tests/test_scoping_matrix.py, the module pytest collects (tests/ is on sys.path)."""
    import importlib
    import sys
    from pathlib import Path

    here = str(Path(__file__).resolve().parents[1])
    if here not in sys.path:
        sys.path.insert(0, here)
    return importlib.import_module("test_scoping_matrix")


def names(world, corners):
    return {world.children[k].pk for k in corners}


def all_pages(api, url, **params):
    out, page = [], 1
    while True:
        response = api.get(url, {**params, "page": page})
        assert response.status_code == 200, (url, response.content[:300])
        data = response.json()
        out += data["results"]
        if not data["next"]:
            return out
        page += 1


# Roles whose scope is empty outside their own contexts (an OPD officer: interventions only) are
# refused by every endpoint here (HasScope): deny by default.
EMPTY_HERE = {r for r in ROLES if not EXPECTED_VISIBLE[r] and not EXPECTED_VISIBLE_PLACES[r]}
SEEING = [r for r in ROLES if r not in EMPTY_HERE]


@pytest.mark.parametrize("role", sorted(EMPTY_HERE) or ["none"])
def test_roles_without_an_area_here_are_refused_everywhere(world, api, role):
    if role == "none":
        pytest.skip("every role has an area")
    api.force_authenticate(world.users[role])
    for url in ("/api/v1/people/", "/api/v1/measurements/", "/api/v1/regions/", "/api/v1/prevalence/",
                f"/api/v1/posyandu/{world.posyandu['mawar'].pk}/roster/"):
        assert api.get(url).status_code == 403, url
    assert api.post("/api/v1/measurements/bulk/", {"items": []}, format="json").status_code == 403


@pytest.mark.parametrize("role", SEEING)
def test_each_role_sees_exactly_its_children_and_places(world, api, role):
    api.force_authenticate(world.users[role])
    children = names(world, CHILDREN)
    people = {p["id"] for p in all_pages(api, "/api/v1/people/")}
    assert people & children == names(world, EXPECTED_VISIBLE[role])
    measured = {m["child"] for m in all_pages(api, "/api/v1/measurements/")}
    assert measured == names(world, EXPECTED_VISIBLE[role])
    households = {h["id"] for h in all_pages(api, "/api/v1/households/")}
    assert households == {world.households[k].pk for k in EXPECTED_VISIBLE[role]}
    desa = {r["code"] for r in all_pages(api, "/api/v1/regions/") if r["level"] == "desa"}
    assert desa == {CHILDREN[k][0] for k in EXPECTED_VISIBLE_PLACES[role]}
    # NIK and KK numbers as the pages show them: masked for the roles that see aggregates.
    person = api.get(f"/api/v1/people/{world.children['home'].pk}/").json()
    kk = api.get(f"/api/v1/households/{world.households['home'].pk}/").json()["kk_number"]
    full = world.users[role].role != Role.PROVINSI
    assert (person["nik"] == world.children["home"].nik) is full and person["nik"].endswith(world.children["home"].nik[-4:])
    assert (kk == world.households["home"].kk_number) is full
    # A region filter outside the scope narrows to nothing; it never widens.
    outside = [k for k in CHILDREN if k not in EXPECTED_VISIBLE[role]]
    for corner in outside:
        child = world.children[corner]
        assert all_pages(api, "/api/v1/measurements/", region=child.desa_id, child=child.pk) == []
        assert api.get(f"/api/v1/people/{child.pk}/").status_code == 404
        assert api.get(f"/api/v1/measurements/{world.measurements[corner][-1].pk}/").status_code == 404
        assert api.get(f"/api/v1/posyandu/{child.posyandu_id}/roster/").status_code == 404


@pytest.mark.parametrize("role", SEEING)
def test_each_role_writes_only_for_its_children(world, api, role):
    api.force_authenticate(world.users[role])
    on = timezone.localdate() - dt.timedelta(days=1)
    items = [{"uuid": str(uuid.uuid4()), "child": world.siblings[k].pk, "date": on.isoformat(), "weight_kg": 7.0,
              "height_cm": 65.0, "measured_lying": True} for k in CHILDREN]
    results = api.post("/api/v1/measurements/bulk/", {"items": items}, format="json").json()["results"]
    accepted = {CHILDREN_KEY for CHILDREN_KEY, r in zip(CHILDREN, results, strict=True) if r["status"] == "accepted"}
    assert accepted == EXPECTED_VISIBLE[role]
    assert set(Measurement.objects.filter(measured_on=on).values_list("child_id", flat=True)) == \
        {world.siblings[k].pk for k in EXPECTED_VISIBLE[role]}
    for key, r in zip(CHILDREN, results, strict=True):
        if key not in EXPECTED_VISIBLE[role]:
            assert r["status"] == "rejected" and "child" in r["errors"] and world.siblings[key].name not in str(r)


@pytest.mark.parametrize("role", SEEING)
def test_prevalence_counts_the_children_the_dashboard_counts(world, api, role, client):
    """Same numbers as the dashboard page: the matrix's DASHBOARD_TOTALS say every visible child
    is stunted (n/n); the API's headline says the same, and equals the page's own figure."""
    import re

    user = world.users[role]
    api.force_authenticate(user)
    response = api.get("/api/v1/prevalence/")
    assert response.status_code == 200, response.content
    stunting = response.json()["headline"]["stunting"]
    n = len(EXPECTED_VISIBLE[role])
    if role != Role.ADMIN:  # the administrator's default region is the first kota, not everything
        assert (stunting["cases"], stunting["children"]) == (n, n)
    client.force_login(user)
    period = response.json()["period"]
    region = response.json()["region"]["code"]
    page = client.get("/analytics/prevalence/", {"period": period, "region": region}).content.decode()
    shown = re.search(r'(?s)id="kpi-stunting".*?class="kpi-n">([^<]*)<', page).group(1)
    assert shown == f"{stunting['cases']}/{stunting['children']}"
    rows = response.json()["table"]
    assert rows[0]["Subgroup"] == "All" and rows[0]["HA_2_r"] == pytest.approx(stunting["rate"])


def test_every_api_url_is_in_the_scoping_matrix_and_denies_by_default(world, api):
    from rest_framework.permissions import IsAuthenticated

    from tumbuh.api.permissions import HasScope

    matrix = _matrix()
    ENTRIES, ROUTES = matrix.ENTRIES, matrix.ROUTES  # noqa: N806

    api_entries = [e for e in ENTRIES if e.route.startswith("api/")]
    assert len(api_entries) >= 25
    assert all(e.name in ROUTES for e in api_entries), [e.name for e in api_entries if e.name not in ROUTES]
    nobody = User.objects.create_user("tanpa_wilayah", password="x-pass-123456", role=Role.CADRE)
    for entry in api_entries:
        view = getattr(entry.callback, "cls", None) or getattr(entry.callback, "view_class", None)
        if view is None or entry.name in ("api:tokens",):
            continue
        if entry.name in ("api:schema", "api:docs"):
            assert [p for p in view.permission_classes] == [IsAuthenticated]
            continue
        assert {IsAuthenticated, HasScope} <= set(view.permission_classes), entry.name
        url = entry.url({k: 1 for k in entry.kwargs})
        api.force_authenticate(None)
        assert api.get(url).status_code in (401, 403), url
        api.force_authenticate(nobody)  # a cadre without a posyandu: the empty scope
        assert api.get(url).status_code == 403, url
