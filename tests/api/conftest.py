import pytest
from rest_framework.test import APIClient

from tumbuh.accounts.testing import build_world


@pytest.fixture
def world(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_world()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture(autouse=True)
def _no_throttle_carry_over():
    # DRF's throttles count in the default cache; one test's requests must not throttle the next.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
