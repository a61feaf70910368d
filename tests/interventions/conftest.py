import pytest

from tumbuh.accounts.testing import build_world


@pytest.fixture
def world(db):
    """The access-test world (two provinces, six corners, one user per role at home, the home
    kota's DINKES and its OPD officer), with measurements."""
    return build_world()
