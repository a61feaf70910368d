"""Small hand-built regions, posyandu, children and measurements with z-scores set directly, for
tests that check arithmetic rather than the growth engine (analytics, coordination). Rows are
written with the ORM, bypassing the services, so the helpers refresh the summary table themselves,
as any writer outside the services must (`analytics.summary.refresh_summaries`)."""

from __future__ import annotations

import datetime as dt
import itertools

from tumbuh.accounts.models import User
from tumbuh.measurements.models import Measurement
from tumbuh.regions.models import Posyandu, Region
from tumbuh.registry.models import Household, Person

from .summary import refresh_summaries

_seq = itertools.count(1)


def build_area() -> dict:
    """Kota Bontang with two kecamatan, one kelurahan and one posyandu each."""
    prov = Region.objects.create(code="64", name="Kalimantan Timur", level="provinsi")
    kota = Region.objects.create(code="64.74", name="Kota Bontang", level="kabupaten", parent=prov)
    utara = Region.objects.create(code="64.74.01", name="Bontang Utara", level="kecamatan", parent=kota)
    selatan = Region.objects.create(code="64.74.02", name="Bontang Selatan", level="kecamatan", parent=kota)
    kuala = Region.objects.create(code="64.74.01.1001", name="Bontang Kuala", level="desa", parent=utara)
    tanjung = Region.objects.create(code="64.74.02.1001", name="Tanjung Laut", level="desa", parent=selatan)
    return {
        "prov": prov, "kota": kota, "utara": utara, "selatan": selatan, "kuala": kuala, "tanjung": tanjung,
        "pos_kuala": Posyandu.objects.create(name="Melati", desa=kuala),
        "pos_tanjung": Posyandu.objects.create(name="Mawar", desa=tanjung),
    }


def make_child(desa, posyandu, *, sex="F", born=dt.date(2023, 1, 10), name=None, mother=None):
    n = next(_seq)
    household = Household.objects.create(address=f"Jl. Contoh {n}", rt="001", rw="002", desa=desa)
    person = Person.objects.create(name=name or f"Anak {n}", sex=sex, birth_date=born, desa=desa,
                                   posyandu=posyandu, household=household, mother=mother)
    refresh_summaries(child_ids=[person.pk])
    return person


def measure(child, on, *, haz=None, waz=None, whz=None, bmiz=None, flags=(), oedema=False,
            weight=10.0, length=80.0, gain="", bgm=False, posyandu=None):
    m = Measurement.objects.create(
        child=child, measured_on=on, weight_kg=weight, length_cm=length, oedema=oedema,
        posyandu=posyandu or child.posyandu, desa=child.desa, age_days=(on - child.birth_date).days,
        length_for_age_z=haz, weight_for_age_z=waz, weight_for_length_z=whz, bmi_for_age_z=bmiz,
        length_for_age_flag="haz" in flags, weight_for_age_flag="waz" in flags,
        weight_for_length_flag="whz" in flags, bmi_for_age_flag="bmiz" in flags,
        weight_gain=gain, below_red_line=bgm, source=Measurement.Source.DEMO,
    )
    refresh_summaries(child_ids=[child.pk])
    return m


def make_user(role, *, region=None, posyandu=None, username=None):
    user = User.objects.create_user(username or f"u{next(_seq)}", password="x-pass-123456", role=role,
                                    region=region, posyandu=posyandu)
    return user
