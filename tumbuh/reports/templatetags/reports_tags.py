"""Filters for the frozen report data (dates and periods are stored as ISO strings in the JSON)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.formats import date_format

register = template.Library()


@register.filter
def isodate(value, fmt: str = "j M Y") -> str:
    """"2026-07-17" (or an ISO date-time) -> "17 Jul 2026" in the active language; "–" if empty."""
    if not value:
        return "–"
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return date_format(day, fmt)


@register.filter
def period_short(key) -> str:
    """"2026-S1" -> "S1 2026" (the chart's axis labels)."""
    from tumbuh.analytics.periods import Period

    from ..render import short_label

    try:
        return short_label(Period.parse(str(key)))
    except ValueError:
        return str(key)
