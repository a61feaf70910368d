"""Convergence gaps through the API, per role: only the gaps of people the role may see."""

import pytest

from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import CHILDREN
from tumbuh.convergence.testing import EXPECTED_VISIBLE_GAPS


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.OPD])
def test_gaps_per_role(world, api, role):
    from tumbuh.convergence import services

    services.refresh_region("")
    api.force_authenticate(world.users[role])
    response = api.get("/api/v1/gaps/", {"page_size": 1000})
    assert response.status_code == 200, response.content[:300]
    people = {g["person"] for g in response.json()["results"] if g["person"]}
    by_corner = {world.children[k].pk: k for k in CHILDREN} | {world.siblings[k].pk: k for k in CHILDREN}
    seen = {by_corner[p] for p in people if p in by_corner}
    assert seen == EXPECTED_VISIBLE_GAPS[role], (role, seen)
