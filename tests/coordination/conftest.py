"""Coordination fixtures on the shared hand-built area (tumbuh.analytics.testing)."""
import datetime as dt

import pytest

from tumbuh.accounts.models import Role
from tumbuh.analytics.testing import build_area, make_user
from tumbuh.regions.models import Region


@pytest.fixture
def area(db):
    """Kota Bontang with two kecamatan, one kelurahan and one posyandu each."""
    return build_area()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def world(area):
    """Bontang (64.74) plus a second kota in the same province (64.72 Samarinda)."""
    other = Region.objects.create(code="64.72", name="Kota Samarinda", level="kabupaten", parent=area["prov"])
    kec = Region.objects.create(code="64.72.01", name="Palaran", level="kecamatan", parent=other)
    desa = Region.objects.create(code="64.72.01.1001", name="Rawa Makmur", level="desa", parent=kec)
    users = {
        "kota": make_user(Role.KABUPATEN, region=area["kota"], username="tpps.bontang"),
        "utara": make_user(Role.KECAMATAN, region=area["utara"], username="kec.utara"),
        "selatan": make_user(Role.KECAMATAN, region=area["selatan"], username="kec.selatan"),
        "prov": make_user(Role.PROVINSI, region=area["prov"], username="prov.kaltim"),
        "cadre": make_user(Role.CADRE, posyandu=area["pos_kuala"], username="kader.melati"),
        "other": make_user(Role.KABUPATEN, region=other, username="tpps.samarinda"),
    }
    for u in users.values():
        u.email = f"{u.username}@example.org"
        u.save()
    return {**area, "other": other, "other_desa": desa, "users": users}


FEB = dt.date(2025, 2, 10)
