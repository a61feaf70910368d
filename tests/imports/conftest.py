import pytest

from tumbuh.accounts.models import Role
from tumbuh.imports.testing import create_regions


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
