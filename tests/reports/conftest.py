"""Reports fixtures: the hand-built Kota Bontang (tumbuh.analytics.testing) with enough children
per kecamatan to rank (>= 30), measured in semester I 2026 and the semester before, and the region
teams that write and receive reports."""

import datetime as dt

import pytest

from tumbuh.accounts.models import Role
from tumbuh.analytics.summary import refresh_summaries
from tumbuh.analytics.testing import build_area, make_user
from tumbuh.measurements.models import Measurement
from tumbuh.registry.models import Person

SEMESTER = (2026, 1)
TODAY = dt.date(2026, 7, 20)


@pytest.fixture(autouse=True)
def _tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TUMBUH_REPORT_LOGO_DIR = tmp_path / "logos"


def populate(area, *, per_desa=(40, 34), seed=0):
    """Children in both desa, each measured in 2025-S2 and 2026-S1; every 4th (5th) stunted."""
    people, rows = [], []
    for (desa, pos), n, every in ((("kuala", "pos_kuala"), per_desa[0], 4), (("tanjung", "pos_tanjung"), per_desa[1], 5)):
        for i in range(n):
            p = Person.objects.create(name=f"Anak {desa.title()} {seed}{i:03d}", sex="F" if i % 2 else "M",
                                      birth_date=dt.date(2023, 1 + i % 12, 5), desa=area[desa], posyandu=area[pos])
            people.append(p)
            for on, shift in ((dt.date(2025, 10, 8), 0), (dt.date(2026, 4, 8), 1)):
                stunted = (i + shift) % every == 0
                rows.append(Measurement(child=p, measured_on=on, weight_kg=11.0, length_cm=85.0, posyandu=area[pos],
                                        desa=area[desa], age_days=(on - p.birth_date).days,
                                        length_for_age_z=-2.6 if stunted else -0.4, weight_for_age_z=-0.5,
                                        weight_for_length_z=-2.4 if i % 9 == 0 else 0.1, bmi_for_age_z=0.1,
                                        weight_gain="N" if i % 3 else "T", source=Measurement.Source.DEMO))
    Measurement.objects.bulk_create(rows)
    refresh_summaries(child_ids=[p.pk for p in people])
    return people


@pytest.fixture
def area(db):
    return build_area()


@pytest.fixture
def bontang(area):
    populate(area)
    users = {
        "kota": make_user(Role.KABUPATEN, region=area["kota"], username="tpps.bontang"),
        "utara": make_user(Role.KECAMATAN, region=area["utara"], username="kec.utara"),
        "selatan": make_user(Role.KECAMATAN, region=area["selatan"], username="kec.selatan"),
        "prov": make_user(Role.PROVINSI, region=area["prov"], username="prov.kaltim"),
        "kuala": make_user(Role.DESA, region=area["kuala"], username="desa.kuala"),
    }
    return {**area, "users": users}
