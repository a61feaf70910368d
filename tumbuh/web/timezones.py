"""Which of Indonesia's three time zones a region keeps: WIB, WITA or WIT, by province code.

The table (data/province_timezones.csv) follows Keppres 41/1987; see the file's header for the
source. A region code's first two digits are its province.
"""

from __future__ import annotations

import csv
import functools
import zoneinfo
from pathlib import Path

from django.conf import settings

DATA = Path(__file__).resolve().parent / "data" / "province_timezones.csv"


@functools.cache
def province_zones() -> dict[str, str]:
    """Province code -> IANA zone name."""
    with DATA.open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {row["code"]: row["tz"] for row in rows}


def zone_for_region(code: str | None) -> zoneinfo.ZoneInfo:
    """The zone of any region code (provinsi, kabupaten, kecamatan or desa); the server's
    default (settings.TIME_ZONE) for no code or an unknown province."""
    name = province_zones().get((code or "")[:2], settings.TIME_ZONE)
    return zoneinfo.ZoneInfo(name)


def region_code_of(user) -> str | None:
    """The region a user works in, for the clock: their region, their posyandu's desa or their
    puskesmas' kecamatan. None for administrators and anonymous users."""
    if not getattr(user, "is_authenticated", False):
        return None
    if getattr(user, "region_id", None):
        return user.region_id
    if getattr(user, "posyandu_id", None):
        return user.posyandu.desa_id
    if getattr(user, "puskesmas_id", None):
        return user.puskesmas.kecamatan_id
    return None
