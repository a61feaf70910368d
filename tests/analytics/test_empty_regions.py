"""Every analytics page answers for a region with nothing in it (a new kab/kota, a kecamatan
without desa or measurements): no 500, and it says there is nothing to show."""

from __future__ import annotations

import pytest
from django.test import Client

from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import build_world
from tumbuh.regions.models import Region


@pytest.fixture
def world(db):
    w = build_world()
    Region.objects.create(code="64.99", name="Kota Kosong", level=Region.Level.KABUPATEN, parent_id="64")
    Region.objects.create(code="64.99.01", name="Kecamatan Kosong", level=Region.Level.KECAMATAN, parent_id="64.99")
    return w


@pytest.mark.parametrize("page", ["", "prevalence/", "bnba/", "quality/", "prevalence/?format=xlsx"])
@pytest.mark.parametrize("region", ["64.99", "64.99.01"])
def test_empty_region_pages_answer(world, page, region):
    client = Client(raise_request_exception=True)
    client.force_login(world.users[Role.ADMIN])
    path, _sep, query = page.partition("?")
    response = client.get(f"/analytics/{path}?region={region}&{query}")
    assert response.status_code == 200
