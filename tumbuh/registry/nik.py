"""NIK (Nomor Induk Kependudukan) structure checks.

A NIK has no checksum; it is 16 digits: 6 for the kecamatan where it was issued (PP KK KK),
6 for the birth date DDMMYY (day + 40 for women), 4 for a serial number that is never 0000.
We check that structure, and optionally that it agrees with the person's sex and birth date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from tumbuh.web.text import ascii_digits


class NikError(ValueError):
    pass


@dataclass(frozen=True)
class NikParts:
    kecamatan_code: str  # dotted, e.g. "64.74.01"
    day: int
    month: int
    year_2digit: int
    female: bool
    serial: str


def clean_nik(raw: object) -> str:
    """NIK as 16-character text; refuses the forms spreadsheets mangle it into (1.23E+15, floats)."""
    if raw is None:
        raise NikError(_("NIK is empty"))
    text = str(raw).strip().replace(" ", "").lstrip("'")
    if "e" in text.lower() or "." in text or "," in text:
        raise NikError(_("NIK %(nik)s looks like a number a spreadsheet rounded; enter it as text") % {"nik": text})
    if not ascii_digits(text):
        raise NikError(_("NIK must contain digits only"))
    if len(text) != 16:
        raise NikError(_("NIK must have 16 digits, not %(n)d") % {"n": len(text)})
    return text


def parse_nik(raw: object) -> NikParts:
    nik = clean_nik(raw)
    province = int(nik[0:2])
    if not 11 <= province <= 99:
        raise NikError(_("NIK region part %(code)s is not a province code") % {"code": nik[0:2]})
    if nik[2:4] == "00" or nik[4:6] == "00":
        raise NikError(_("NIK region part %(code)s is incomplete") % {"code": nik[0:6]})
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = day > 40
    if female:
        day -= 40
    if not (1 <= day <= 31 and 1 <= month <= 12):
        raise NikError(_("NIK birth-date part %(part)s is not a date") % {"part": nik[6:12]})
    if nik[12:16] == "0000":
        raise NikError(_("NIK serial number cannot be 0000"))
    return NikParts(f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}", day, month, year, female, nik[12:16])


def check_nik_against(raw: object, *, sex: str | None, birth_date: dt.date | None) -> list[str]:
    """Disagreements between a valid NIK and the person's sex/birth date (warnings, not errors:
    a NIK issued with a wrong date stays that person's NIK)."""
    parts = parse_nik(raw)
    problems = []
    if sex in {"M", "F"} and (sex == "F") != parts.female:
        problems.append(_("NIK encodes a different sex"))
    if birth_date is not None and (
        birth_date.day != parts.day
        or birth_date.month != parts.month
        or birth_date.year % 100 != parts.year_2digit
    ):
        problems.append(_("NIK encodes a different birth date"))
    return problems
