"""What the distribution-day page hands its offline script (docs/offline.md, "The distribution-day
screen"): rendered into the page with json_script, so it is kept with the page by the service
worker and its strings are in the reader's language. The worker, the outbox and the app shell are
the session screen's (tumbuh.measurements.offline); this adds only the page's own facts."""

from __future__ import annotations

import datetime as dt


def _strings() -> dict[str, str]:
    from django.utils.translation import gettext as _

    from tumbuh.measurements.offline import outbox_strings

    return {
        **outbox_strings(),  # the outbox panel's words, the session screen's (one wording for both)
        # The distribution day's own.
        "sent_report": _("Sent: {accepted} accepted, {duplicate} duplicate, {rejected} rejected"),
        "received": _("Received"),
        "tick_first": _("Tick Received first."),
        "not_a_number": _("Enter a number"),
        "progress": _("%(n)s of %(total)s received") % {"n": "{n}", "total": "{total}"},
    }


def distribution_config(item, on: dt.date, rows) -> dict:
    """Everything distribution-offline.js needs for one list (an item, a posyandu or desa, a date)."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.formats import get_format

    from tumbuh.measurements.offline import bulk_url

    return {
        "code": item.code,
        "date": on.isoformat(),
        "unit": item.get_unit_display(),
        "total": len(rows),
        "rendered_at": timezone.now().isoformat(),
        "sw_url": reverse("measurements:service_worker"),
        "scope": reverse("interventions:distribution"),
        "delivery_bulk_url": bulk_url("api:delivery_bulk", "/api/v1/deliveries/bulk/"),
        "logout_url": reverse("accounts:logout"),
        "decimal_separator": get_format("DECIMAL_SEPARATOR"),
        "strings": _strings(),
    }
