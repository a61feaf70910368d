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
