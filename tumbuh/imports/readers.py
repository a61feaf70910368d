"""File -> rows of text cells, whatever shape the EPPGBM export came in.

The format is sniffed from the content, not the name: EPPGBM's ".xls" is usually an HTML table.
Every cell is returned as text so a NIK is never turned into a float here; typing is parsing.py's
job. Rows are yielded lazily so a million-row file is never held in memory at once.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from tumbuh.web.text import has_control, strip_control


class UnreadableFile(ValueError):
    """The file is not a spreadsheet we can read; nothing was imported."""


XLSX, XLS, HTML, CSV = "xlsx", "xls", "html", "csv"


def utf16_encoding(head: bytes) -> str | None:
    """"utf-16" (with a BOM), "utf-16-le"/"utf-16-be" (without), or None. Excel's "Unicode Text"
    and some CSV exports are UTF-16: every ASCII character is followed (or preceded) by a NUL."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = head[: len(head) // 2 * 2][:2048]
    if len(sample) >= 8:
        odd, even = sample[1::2], sample[0::2]
        if odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0:
            return "utf-16-le"
        if even.count(0) >= 0.9 * len(even) and odd.count(0) == 0:
            return "utf-16-be"
    return None


def is_empty(head: bytes) -> bool:
    """Nothing but byte-order marks and whitespace."""
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom):]
            break
    return not head.replace(b"\x00", b"").strip()


def sniff_format(head: bytes) -> str:
    if is_empty(head):
        raise UnreadableFile(_("The file is empty."))
    if head.startswith(b"PK\x03\x04"):
        return XLSX
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return XLS
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<") and (b"<table" in head.lower() or b"<html" in text or b"<!doctype" in text):
        return HTML
    if utf16_encoding(head):
        return CSV
    if head.count(b"\x00") > len(head) // 100:  # binary; a stray NUL in a text file is removed later
        raise UnreadableFile(_("This file is not a spreadsheet (xlsx, xls, HTML table or CSV)."))
    return CSV


def cell_text(value) -> str:
    """A spreadsheet value as text; dates as ISO, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        # Large floats stay in their float spelling (6.47e+15) so a rounded NIK is recognised.
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return strip_control(str(value)).strip()


def read_rows(path: str | Path) -> Iterator[list[str]]:
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(4096)
    kind = sniff_format(head)
    try:
        if kind == XLSX:
            yield from _read_xlsx(path)
        elif kind == XLS:
            yield from _read_xls(path)
        elif kind == HTML:
            yield from _read_html(path)
        else:
            yield from _read_csv(path)
    except UnreadableFile:
        raise
    except Exception as exc:  # a corrupt zip, a broken xls: one clear message
        raise UnreadableFile(
            _("Could not read the file as %(kind)s: %(error)s") % {"kind": kind, "error": exc}
        ) from exc


def _read_xlsx(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [cell_text(v) for v in row]
    finally:
        workbook.close()


def _read_xls(path: Path) -> Iterator[list[str]]:
    import xlrd

    book = xlrd.open_workbook(str(path), on_demand=True)
    sheet = book.sheet_by_index(0)
    for r in range(sheet.nrows):
        cells = []
        for c in range(sheet.ncols):
            cell = sheet.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_DATE:
                cells.append(cell_text(xlrd.xldate_as_datetime(cell.value, book.datemode)))
            else:
                cells.append(cell_text(cell.value))
        yield cells


def _read_html(path: Path) -> Iterator[list[str]]:
    from lxml import etree

    # iterparse + clear keeps memory flat on exports of tens of thousands of rows.
    for _event, element in etree.iterparse(str(path), events=("end",), tag="tr", html=True, recover=True):
        cells = [_squash(td.xpath("string()")) for td in element if td.tag in ("td", "th")]
        element.clear()
        yield cells


def _squash(text: str) -> str:
    return " ".join(strip_control(text).replace("\u00a0", " ").split())


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _read_csv(path: Path) -> Iterator[list[str]]:
    with path.open("rb") as handle:
        raw = handle.read(65536)
    utf16 = utf16_encoding(raw)
    if utf16:
        raw = raw[: len(raw) // 2 * 2]
        sample = raw.decode(utf16, errors="ignore")
    else:
        sample = _decode(raw)
    sample = sample.lstrip("\ufeff")
    first_line = next((line for line in sample.splitlines() if line.strip()), "")
    # The header line decides: EPPGBM headers never contain ';' or tabs, and ',' only as a separator.
    counts = {d: first_line.count(d) for d in (";", "\t", ",", "|")}
    delimiter = max(counts, key=counts.get)
    if counts[delimiter] == 0:
        raise UnreadableFile(_("Could not find the column separator in the first line."))
    encoding = utf16 or "utf-8-sig"
    if not utf16:
        try:
            with path.open("rb") as handle:
                handle.read(1 << 20).decode("utf-8-sig", errors="strict")
        except UnicodeDecodeError as exc:
            # a multi-byte character cut at the 1 MB boundary is still UTF-8
            encoding = "utf-8-sig" if exc.start > (1 << 20) - 4 else "cp1252"
    with path.open("r", encoding=encoding, newline="", errors="replace") as handle:
        dirty = _has_control(handle)
        handle.seek(0)
        lines = _without_control(handle) if dirty else handle
        strip = str.strip
        for row in csv.reader(lines, delimiter=delimiter):
            yield list(map(strip, row))


def _has_control(handle) -> bool:
    """One regex scan per megabyte: the usual file has no control character and is then read by
    the csv module straight from the file (cleaning every line costs ~50% more time)."""
    while block := handle.read(1 << 20):
        if has_control(block.lstrip("\ufeff")):
            return True
    return False


def _without_control(handle) -> Iterator[str]:
    """The text's lines with control characters removed (tumbuh.web.text.strip_control)."""
    for line in handle:
        yield strip_control(line)

