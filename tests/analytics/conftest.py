"""Small hand-built regions, posyandu, children and measurements with z-scores set directly
(the growth engine is not needed to test the arithmetic of prevalence). Rows are written with the
ORM, bypassing the services, so the helpers refresh the summary table themselves, as any writer
outside the services must (`analytics.summary.refresh_summaries`)."""


import pytest

from tumbuh.accounts.models import Role
from tumbuh.analytics.testing import build_area, make_user


@pytest.fixture
def area(db):
    """Kota Bontang with two kecamatan, one kelurahan and one posyandu each."""
    return build_area()


@pytest.fixture
def kota_user(area):
    return make_user(Role.KABUPATEN, region=area["kota"])


@pytest.fixture
def utara_user(area):
    return make_user(Role.KECAMATAN, region=area["utara"])
