import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _indonesian_by_default():
    # Tests read Indonesian (the default language); a test that switches language must not leak
    # its choice into the next test through the thread's active translation.
    with translation.override("id"):
        yield
