"""The size limit of every web upload (setting `TUMBUH_MAX_UPLOAD_MB`, environment variable of
the same name, default 100 MB): one validator for every FileField."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def max_upload_bytes() -> int:
    return int(getattr(settings, "TUMBUH_MAX_UPLOAD_MB", 100)) * 1024 * 1024


def validate_upload_size(uploaded) -> None:
    """Refuses a file above the limit with a message that says the size, the limit and what to
    do instead."""
    limit = max_upload_bytes()
    size = getattr(uploaded, "size", 0) or 0
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; web uploads are limited to %(max)s MB. Split the file, or "
              "ask an administrator to import it on the command line (tumbuh import).")
            % {"size": f"{size / 1024 / 1024:.1f}".replace(".", ","), "max": limit // (1024 * 1024)},
            code="file_too_large",
        )
