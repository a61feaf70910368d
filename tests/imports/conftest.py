import datetime as dt

import pytest

from tumbuh.accounts.models import Role
from tumbuh.coordination.models import Agency
from tumbuh.imports.testing import create_regions
from tumbuh.regions.models import Region
from tumbuh.registry.models import Household, Person
from tumbuh.registry.testing import nik_for


@pytest.fixture
def regions(db):
    create_regions()


@pytest.fixture
def kota_user(regions, django_user_model):
    return django_user_model.objects.create_user(
        "tpps_bontang", password="x-pass-12345", role=Role.KABUPATEN, region_id="64.74")


@pytest.fixture
def desa_user(regions, django_user_model):
    return django_user_model.objects.create_user(
        "desa_guntung", password="x-pass-12345", role=Role.DESA, region_id="64.74.01.1002")


@pytest.fixture(autouse=True)
def _imports_run_inside_the_request(settings, tmp_path):
    """Web uploads are queued on django-tasks; here the immediate backend runs the import inside
    the upload request (the background path is tested with the dummy backend in test_background).
    Progress files go to the test's own folder."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.VAR_DIR = tmp_path / "var"


# the delivery-list cases (test_deliveries.ugly_rows): a household, a child and her mother, a
# child without NIK, an older person, a child outside the kota, DINKES and PUPR
@pytest.fixture
def place(kota_user):
    today = dt.date.today()
    desa = Region.objects.get(code="64.74.01.1001")
    Region.objects.create(code="64.72", name="KUTAI TIMUR", level="kabupaten", parent_id="64")
    Region.objects.create(code="64.72.01", name="SANGATTA", level="kecamatan", parent_id="64.72")
    far = Region.objects.create(code="64.72.01.1001", name="SANGATTA UTARA", level="desa", parent_id="64.72.01")
    household = Household.objects.create(desa=desa, kk_number="6474010101010001", address="Jl. Pupuk", head_name="Hasan")
    born = today - dt.timedelta(days=500)
    older = today - dt.timedelta(days=3650)
    mother = Person.objects.create(name="Siti Aminah", sex="F", birth_date=today - dt.timedelta(days=10000),
                                   desa=desa, nik=nik_for(today - dt.timedelta(days=10000), "F"), household=household)
    return {
        "today": today, "household": household,
        "child": Person.objects.create(name="Aisyah Putri", sex="F", birth_date=born, desa=desa,
                                       nik=nik_for(born, "F"), household=household, mother=mother),
        "no_nik": Person.objects.create(name="Budi Santoso", sex="M", birth_date=born, desa=desa, mother=mother),
        "older": Person.objects.create(name="Dimas Pratama", sex="M", birth_date=older, desa=desa,
                                       nik=nik_for(older, "M")),
        "far": Person.objects.create(name="Rina Utami", sex="F", birth_date=born, desa=far,
                                     nik=nik_for(born, "F", "647201")),
        "dinkes": Agency.objects.create(region_id="64.74", code="DINKES", name="Dinas Kesehatan"),
        "pupr": Agency.objects.create(region_id="64.74", code="PUPR", name="Dinas PUPR"),
    }
