"""Query filters every list understands: region (a Kemendagri code: the region and everything in
it), period / date_from / date_to, updated_since (for sync). Filters only narrow what the scope
already allows: a region outside the scope gives an empty list, never more."""

from __future__ import annotations

import datetime as dt

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from tumbuh.analytics.periods import Period
from tumbuh.regions.models import within
from tumbuh.web.text import ascii_digits

MAX_CODE = 13


def parse_date(raw: str | None, name: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({name: [_("%(value)s is not a date (YYYY-MM-DD)") % {"value": raw[:40]}]}) from None


def region_code(request) -> str | None:
    code = (request.query_params.get("region") or "").strip()
    if not code:
        return None
    if len(code) > MAX_CODE or not all(ascii_digits(p) for p in code.split(".")):
        raise ValidationError({"region": [_("%(value)s is not a region code") % {"value": code[:40]}]})
    return code


def filter_region(qs, request, field: str):
    """`field` is a region-code column (desa_id, region_id, code)."""
    code = region_code(request)
    if code is None:
        return qs
    return qs.filter(within(field, code))


def period_bounds(request) -> tuple[dt.date | None, dt.date | None]:
    start = end = None
    key = (request.query_params.get("period") or "").strip()
    if key:
        try:
            period = Period.parse(key)
        except ValueError:
            raise ValidationError({"period": [_("%(value)s is not a period (2025, 2025-S1, 2025-Q3, 2025-08, "
                                                "2025-B08)") % {"value": key[:40]}]}) from None
        start, end = period.start, period.end
    low = parse_date(request.query_params.get("date_from"), "date_from")
    high = parse_date(request.query_params.get("date_to"), "date_to")
    if low:
        start = max(start, low) if start else low
    if high:
        end = min(end, high) if end else high
    return start, end


def filter_dates(qs, request, field: str):
    start, end = period_bounds(request)
    if start:
        qs = qs.filter(**{f"{field}__gte": start})
    if end:
        qs = qs.filter(**{f"{field}__lte": end})
    return qs


def filter_updated_since(qs, request, field: str = "updated_at"):
    raw = (request.query_params.get("updated_since") or "").strip()
    if not raw:
        return qs
    try:
        when = parse_datetime(raw)
    except ValueError:
        when = None
    if when is None:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise ValidationError({"updated_since": [_("%(value)s is not a date-time (ISO 8601)")
                                                     % {"value": raw[:40]}]}) from None
        when = dt.datetime.combine(day, dt.time.min)
    if when.tzinfo is None:
        from django.utils import timezone

        when = timezone.make_aware(when)
    return qs.filter(**{f"{field}__gte": when})
