"""The dashboard shows the target groups' counts for its region (issue 9 item 11), the same
numbers as the target-group overview, fresh after an entry."""

from __future__ import annotations

import re

import pytest

from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import build_world
from tumbuh.targets.testing import build_targets


@pytest.fixture
def world(db):
    w = build_world()
    build_targets(w)
    return w


def kpi(page: str, name: str) -> str:
    return re.search(rf'id="kpi-{name}">\s*([^<]*?)\s*<', page).group(1)


def test_dashboard_target_counts_equal_the_overview(client, world):
    client.force_login(world.users[Role.KABUPATEN])
    dashboard = client.get("/analytics/?region=64.74").content.decode()
    overview = client.get("/targets/?region=64.74").content.decode()
    assert 'id="target-groups"' in dashboard
    for name in ("bumil", "catin", "remaja", "krs", "nifas"):
        assert kpi(dashboard, name) == kpi(overview, name), name
    assert int(kpi(dashboard, "bumil")) >= 1


def test_cadre_dashboard_has_no_region_registers(client, world):
    client.force_login(world.users[Role.CADRE])
    page = client.get("/analytics/").content.decode()
    assert 'id="target-groups"' not in page
