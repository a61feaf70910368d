"""Cleaning text that users and files give us, shared by imports, forms and the xlsx writer.

Control characters (U+0000-U+001F except tab, line feed and carriage return, DEL and the C1
range U+007F-U+009F) have no place in a name, an address or a posyandu: they are invisible,
they break XML (an xlsx file is XML, so one such character made every export that contained it
fail), and they are how a pasted or fuzzed value smuggles itself past a visual check. Surrogates
and the non-characters U+FFFE/U+FFFF cannot be written to XML either.

`strip_control` removes them; `has_control` tells a form it should refuse the value instead.
"""

from __future__ import annotations

import re

# What XML 1.0 cannot carry, plus DEL and C1; tab, LF and CR are allowed (they are whitespace).
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def ascii_digits(text: str) -> bool:
    """0-9 only. str.isdigit() also accepts full-width (６), superscript (²) and other scripts'
    digits, which would pass a check, dodge the unique constraint beside the ASCII spelling of
    the same number, or crash int() (an id filter given "²⁴" answered 500)."""
    return bool(text) and text.isascii() and text.isdigit()


def strip_control(text: str) -> str:
    """`text` without control characters (tab, line feed and carriage return are kept)."""
    if not text:
        return text
    return CONTROL_CHARS.sub("", text)


def has_control(text: str) -> bool:
    return bool(text) and CONTROL_CHARS.search(text) is not None


def clean_field_text(text: str | None) -> str:
    """For a form's text field: control characters removed and whitespace squashed to single
    spaces (a name never needs a tab or a line break)."""
    if not text:
        return ""
    return " ".join(strip_control(text).split())


def mask_nik(number: str) -> str:
    """A NIK or KK number with all but its last 4 digits hidden ("••••••••••••0001"): what lists,
    and roles that only need aggregates, see (docs/access.md "NIK masking")."""
    if not number:
        return ""
    return "•" * (len(number) - 4) + number[-4:] if len(number) > 4 else number


def format_count(value):
    """A count as the page shows it, grouped in the active language: 10.000 in Indonesian, 10,000
    in English (docs/web.md "Numbers"). Takes an int, an integral float/Decimal or a numeric
    string of an int; None is "—", "" stays "", anything else (a code, "64.74", "007") comes back
    unchanged. The one way counts are grouped: the `count` template filter calls it, and so do
    views that build display text in Python. Never for attributes, ids, URLs or exports."""
    import decimal
    import math
    import numbers

    from django.utils.formats import number_format

    if value is None:
        return "—"
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] == "-" else text
        if not digits.isascii() or not digits.isdigit() or (len(digits) > 1 and digits[0] == "0"):
            return value
        value = int(text)
    elif isinstance(value, float | decimal.Decimal):
        if not math.isfinite(value) or value != int(value):
            return value
        value = int(value)
    elif isinstance(value, numbers.Integral):
        value = int(value)
    else:
        return value
    return number_format(value, use_l10n=True, force_grouping=True)


def iso_date_shown(value):
    """An ISO date string as the audit log stores it ("2026-03-04") shown as d-m-Y
    ("04-03-2026"); anything else is returned unchanged (change histories show stored values)."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        import datetime as dt

        try:
            return dt.date.fromisoformat(value).strftime("%d-%m-%Y")
        except ValueError:
            return value
    return value


def rounded(value, digits: int = 1) -> float:
    """`value` rounded as every page, file and report prints it: the float's shortest repr, half
    up (Django's floatformat does the same), so 67.289 reads 67,3 and 12.25 reads 12,3 everywhere.
    Format the result with number_format: on its own, number_format cuts digits (67,2; 99.99 ->
    99,9)."""
    from decimal import ROUND_HALF_UP, Decimal

    return float(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)) + 0.0
