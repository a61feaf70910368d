"""`tumbuh demo` end to end on the test database, with the real Bontang codes."""

import datetime as dt
from io import StringIO

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from tumbuh.accounts.models import Role, User
from tumbuh.measurements.models import Measurement
from tumbuh.regions.models import Posyandu, Puskesmas, Region, within
from tumbuh.registry.models import Household, Person
from tumbuh.registry.nik import check_nik_against, parse_nik
from tumbuh.registry.selectors import people_for

TODAY = "2026-11-23"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def demo(*args) -> str:
    out = StringIO()
    call_command("demo", "--children", "300", "--seed", "42", "--today", TODAY, *args, stdout=out)
    return out.getvalue()


def children():
    # Under five: the demo's target groups add older sons and daughters (catin, remaja putri).
    born_after = dt.date.fromisoformat(TODAY) - dt.timedelta(days=1826)
    return Person.objects.filter(mother__isnull=False, birth_date__gt=born_after)


@pytest.mark.django_db
def test_small_demo_builds_bontang_with_people_and_measurements():
    output = demo()
    assert "300 children under five" in output
    assert Region.objects.filter(within("code", "64.74"), level="desa").count() == 15
    assert children().count() == 300
    # Puskesmas serve every kelurahan; posyandu hang off them.
    served = Region.objects.filter(serving_puskesmas__in=Puskesmas.objects.all()).distinct()
    assert served.count() == 15
    assert not Posyandu.objects.filter(puskesmas__isnull=True).exists()
    # Every child is measured at least once, in its own desa and posyandu.
    assert not children().filter(measurements__isnull=True).exists()
    measurements = Measurement.objects.filter(source="demo")
    assert measurements.count() > 300
    assert not measurements.exclude(desa_id=F("child__desa_id")).exists()
    assert not measurements.exclude(posyandu_id=F("child__posyandu_id")).exists()
    # The growth engine derived z-scores for the rows.
    assert Measurement.objects.filter(length_for_age_z__isnull=False).count() > 0.95 * Measurement.objects.count()
    assert Household.objects.count() == Person.objects.filter(mother__isnull=True).count()
    # Rows written in bulk still pass the models' own validation.
    for obj in [*Person.objects.order_by("?")[:40], *Household.objects.order_by("?")[:20]]:
        obj.full_clean()
    # Missed months show up as O (not weighed last month) in the derived weight-gain status.
    statuses = set(measurements.values_list("weight_gain", flat=True))
    assert {"B", "N", "O"} <= statuses


@pytest.mark.django_db
def test_niks_are_valid_unique_and_agree_with_sex_and_birth_date():
    demo()
    people = list(Person.objects.values_list("nik", "sex", "birth_date"))
    niks = [nik for nik, _, _ in people if nik]
    assert len(niks) == len(set(niks))
    assert len(niks) < len(people)  # some children have no NIK yet
    for nik, sex, birth in people:
        if nik:
            assert parse_nik(nik).kecamatan_code.startswith("64.74.")
            assert check_nik_against(nik, sex=sex, birth_date=birth) == []


@pytest.mark.django_db
def test_stunting_prevalence_among_latest_measurements_is_plausible():
    output = demo()
    rows = pd.DataFrame(
        Measurement.objects.values("child_id", "measured_on", "length_for_age_z", "length_for_age_flag")
    ).sort_values(["child_id", "measured_on"])
    latest = rows.groupby("child_id").tail(1)
    usable = latest[latest.length_for_age_z.notna() & ~latest.length_for_age_flag.fillna(False).astype(bool)]
    prevalence = (usable.length_for_age_z < -2).mean()
    assert 0.12 <= prevalence <= 0.30
    assert f"stunting (TB/U < -2) {prevalence:.1%}" in output
    # The latest measurement is recent for most children.
    assert (latest.measured_on >= dt.date(2026, 9, 23)).mean() > 0.8
    # A few entries are deliberately implausible, for the data-quality checks.
    assert Measurement.objects.filter(weight_for_age_flag=True).exists()


@pytest.mark.django_db
def test_one_user_per_role_with_a_valid_scope(client):
    output = demo("--password", "pohon-tumbuh-9")
    users = {u.role: u for u in User.objects.filter(email__endswith="@demo.tumbuh.invalid")}
    assert set(users) == set(Role.values)
    for role, user in users.items():
        user.full_clean()
        assert user.username in output
        assert client.login(username=user.username, password="pohon-tumbuh-9")
        visible = people_for(user)
        # An OPD officer sees no registry at all, only their agency's target lists (access.md).
        assert visible.exists() is (role != Role.OPD), role
    assert users[Role.ADMIN].is_superuser and users[Role.ADMIN].username == "admin"
    assert users[Role.KABUPATEN].username == "tpps.bontang" and users[Role.KABUPATEN].region_id == "64.74"
    assert users[Role.PROVINSI].username == "provinsi.kaltim" and users[Role.PROVINSI].region_id == "64"
    assert users[Role.KECAMATAN].username == "kec.bontangutara"
    assert users[Role.DESA].username == "kel.bontangkuala"
    assert users[Role.PUSKESMAS].username == "pkm.bontangutara1"
    assert users[Role.CADRE].username == "kader.melati1"
    assert users[Role.OPD].username == "opd.dinkes.bontang" and users[Role.OPD].agency.code == "DINKES"
    # Narrower roles see less.
    counts = [people_for(users[r]).count() for r in (Role.KABUPATEN, Role.KECAMATAN, Role.DESA, Role.CADRE)]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
    assert people_for(users[Role.KABUPATEN]).count() == Person.objects.count()


@pytest.mark.django_db
def test_second_run_does_not_duplicate_and_reset_rebuilds_the_same_data():
    demo()
    before = (Person.objects.count(), Measurement.objects.count(), User.objects.count(), Posyandu.objects.count())
    first_names = sorted(Person.objects.values_list("name", flat=True))
    output = demo()
    assert "already present" in output
    assert (Person.objects.count(), Measurement.objects.count(), User.objects.count(), Posyandu.objects.count()) == before
    output = demo("--reset")
    assert "Removed earlier demo data" in output
    assert (Person.objects.count(), Measurement.objects.count(), User.objects.count(), Posyandu.objects.count()) == before
    assert sorted(Person.objects.values_list("name", flat=True)) == first_names


@pytest.mark.django_db
def test_reset_keeps_people_who_are_not_demo_data():
    demo()
    real = Person.objects.create(name="Anak Nyata", sex="F", birth_date=dt.date(2025, 1, 1), desa_id="64.74.01.1001")
    demo("--reset")
    assert Person.objects.filter(pk=real.pk).exists()


@pytest.mark.django_db
def test_a_desa_is_not_a_demo_region():
    with pytest.raises(CommandError, match="kabupaten/kota or kecamatan"):
        demo("--region", "64.74.01.1001")
