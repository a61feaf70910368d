"""Deliveries and the catalogue through the API, per role, with the interventions world: the same
rows the interventions pages show (tumbuh.interventions.testing's written-out expectations)."""

import pytest

from tumbuh.accounts.models import Role
from tumbuh.interventions import testing as ivt


@pytest.fixture
def iv_world(world):
    world.interventions = ivt.build_interventions(world)
    return world


def ids(api, url):
    response = api.get(url, {"page_size": 1000})
    assert response.status_code == 200, response.content[:300]
    return {r["id"] for r in response.json()["results"]}


@pytest.mark.parametrize("role", list(Role.values))
def test_deliveries_and_catalogue_per_role(iv_world, api, role):
    api.force_authenticate(iv_world.users[role])
    seen = ids(api, "/api/v1/deliveries/")
    rows = iv_world.interventions
    assert {k for k, d in rows["delivery"].items() if d.pk in seen} == ivt.EXPECTED_VISIBLE_INTERVENTIONS[role]
    assert {k for k, d in rows["delivery_other"].items() if d.pk in seen} == ivt.EXPECTED_VISIBLE_OTHER_ITEMS[role]
    local = ids(api, "/api/v1/catalogue/")
    assert {k for k, i in rows["catalogue_item"].items() if i.pk in local} == ivt.EXPECTED_VISIBLE_CATALOGUE[role]
    for key, delivery in rows["delivery"].items():
        expected = 200 if key in ivt.EXPECTED_VISIBLE_INTERVENTIONS[role] else 404
        assert api.get(f"/api/v1/deliveries/{delivery.pk}/").status_code == expected
