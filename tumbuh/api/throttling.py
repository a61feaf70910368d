"""Request rates, read from settings at request time (TUMBUH_API_RATES; docs/api.md)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

DEFAULT_RATES = {"anon": "60/minute", "user": "1200/minute", "bulk": "60/minute"}


def rate(scope: str) -> str | None:
    rates = {**DEFAULT_RATES, **getattr(settings, "TUMBUH_API_RATES", {})}
    return rates.get(scope)


class _FromSettings:
    def get_rate(self):
        return rate(self.scope)


class AnonThrottle(_FromSettings, AnonRateThrottle):
    pass


class UserThrottle(_FromSettings, UserRateThrottle):
    pass


class BulkThrottle(_FromSettings, UserRateThrottle):
    scope = "bulk"
