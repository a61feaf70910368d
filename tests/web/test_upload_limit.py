"""Issue 16 item 15: one size limit for every web upload (TUMBUH_MAX_UPLOAD_MB), with a message
that says the size, the limit and what to do. The import upload is tested in
tests/imports/test_edge_cases.py; here the boundary upload and the validator itself."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tumbuh.analytics.forms import BoundaryForm
from tumbuh.web.uploads import validate_upload_size


def test_the_validator_says_size_limit_and_what_to_do(settings):
    settings.TUMBUH_MAX_UPLOAD_MB = 1
    validate_upload_size(SimpleUploadedFile("ok.csv", b"x" * (1024 * 1024)))
    with translation.override("id"), pytest.raises(ValidationError) as refused:
        validate_upload_size(SimpleUploadedFile("big.csv", b"x" * (3 * 1024 * 1024 // 2)))
    assert refused.value.messages == [
        "Ukuran file 1,5 MB; unggahan lewat web dibatasi 1 MB. Bagi file menjadi beberapa bagian, "
        "atau minta administrator mengimpornya lewat baris perintah (tumbuh import)."]


@pytest.mark.django_db
def test_the_boundary_upload_has_the_limit(settings):
    settings.TUMBUH_MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("batas.geojson", b" " * (2 * 1024 * 1024), content_type="application/geo+json")
    form = BoundaryForm({"level": "kecamatan", "property_key": "kode"}, {"file": big})
    with translation.override("id"):
        assert not form.is_valid()
        assert "dibatasi 1 MB" in str(form.errors["file"])
