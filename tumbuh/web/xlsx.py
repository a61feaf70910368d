"""The project's one xlsx writer: every spreadsheet Tumbuh hands out is written here.

Why not openpyxl's writer: it turns any string that starts with "=" into a live formula (a child
named `=HYPERLINK(...)` came back as a link in every export), it raises on a control character
(one name with U+0002 made every export containing it answer 500), and it can only save a whole
file at the end, so a 100,000-row export kept its request waiting for over a minute.

What this writer guarantees, for every cell of every export:

- **Strings are text, never formulas.** Every `str` is an inline string (`t="inlineStr"`); no
  `<f>` element is ever written. A string that starts with `=`, `+`, `-`, `@`, a tab or a
  carriage return also gets the "quote prefix" cell style, so a spreadsheet program keeps it text
  even when the user edits the cell or saves the sheet as CSV. The value itself is unchanged (a
  re-import reads back exactly what was written).
- **Nothing XML cannot carry.** Control characters, surrogates and U+FFFE/U+FFFF are removed
  (`tumbuh.web.text.strip_control`); a string longer than Excel's 32,767 characters is cut there.
- **Numbers, booleans and dates are typed** (dates as Excel serials shown dd-mm-yyyy); NaN and
  infinities are left empty. Anything else is written as its `str()`.
- **Streaming.** `stream()` yields the file in pieces while the rows are still being read from
  the database (the zip is written with data descriptors, no seeking), so the first bytes leave
  at once and memory stays flat. `workbook_bytes()` and `write_workbook()` are for small files.
- Excel's limits hold: at most 16,384 columns (further cells are dropped) and 1,048,576 rows per
  sheet (the rows continue on a sheet named "<title> (2)").
"""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import IO
from xml.sax.saxutils import quoteattr

from .text import strip_control

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_COLUMNS = 16_384
MAX_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767
# First characters that make a spreadsheet program read a cell as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_EPOCH = dt.datetime(1899, 12, 30)

# cellXfs indexes in styles.xml below
PLAIN, BOLD, QUOTED, BOLD_QUOTED, DATE, DATETIME = range(6)
_STYLE_ATTR = {PLAIN: "", BOLD: ' s="1"', QUOTED: ' s="2"', BOLD_QUOTED: ' s="3"', DATE: ' s="4"',
               DATETIME: ' s="5"'}


@dataclass
class Sheet:
    """One worksheet: `preamble` rows (a title block, plain), then `header` (bold, frozen below it
    when `freeze` is set), then `rows`, read lazily."""

    title: str
    rows: Iterable[Sequence] = ()
    header: Sequence | None = None
    preamble: Sequence[Sequence] = ()
    widths: Sequence[float] | None = None
    freeze: bool = True
    bold_rows: set[int] = field(default_factory=set)  # indexes into preamble written bold


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_LETTERS = [column_letter(i) for i in range(MAX_COLUMNS)]


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


@lru_cache(maxsize=200_000)  # names, places and labels repeat on every row of an export
def _text(value: str, bold: bool) -> str:
    """The part of a string cell after its reference: type, style and the escaped text."""
    value = strip_control(value)
    if len(value) > MAX_CELL_CHARS:
        value = value[:MAX_CELL_CHARS]
    quoted = value.startswith(FORMULA_STARTS)
    style = (BOLD_QUOTED if quoted else BOLD) if bold else (QUOTED if quoted else PLAIN)
    space = ' xml:space="preserve"' if value != value.strip() or "\n" in value else ""
    return f'" t="inlineStr"{_STYLE_ATTR[style]}><is><t{space}>{_escape(value)}</t></is></c>'


def _cell(ref: str, value, bold: bool = False) -> str:
    kind = type(value)
    if kind is str:
        return f'<c r="{ref}{_text(value, bold)}' if value else ""
    if kind is int:
        return f'<c r="{ref}"><v>{value}</v></c>'
    if kind is float:
        return f'<c r="{ref}"><v>{value!r}</v></c>' if math.isfinite(value) else ""
    if value is None:
        return ""
    if kind is bool:
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.datetime):
        if value != value:  # pandas NaT
            return ""
        if value.tzinfo is not None:
            from django.utils import timezone

            value = timezone.localtime(value).replace(tzinfo=None)
        serial = (value - EXCEL_EPOCH).total_seconds() / 86400
        style = DATE if value.time() == dt.time(0) else DATETIME
        return f'<c r="{ref}"{_STYLE_ATTR[style]}><v>{serial!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}"{_STYLE_ATTR[DATE]}><v>{(value - EXCEL_EPOCH.date()).days}</v></c>'
    if isinstance(value, bool):  # numpy.bool_ is not a bool
        return _cell(ref, bool(value), bold)
    if hasattr(value, "dtype") and hasattr(value, "item"):  # a numpy scalar
        return _cell(ref, value.item(), bold)
    if isinstance(value, int):
        return _cell(ref, int(value), bold)
    if isinstance(value, float):
        return _cell(ref, float(value), bold)
    try:
        import decimal

        if isinstance(value, decimal.Decimal):
            return _cell(ref, float(value), bold) if value.is_finite() else ""
    except ImportError:  # pragma: no cover
        pass
    text = str(value)
    return f'<c r="{ref}{_text(text, bold)}' if text else ""


def _row(number: int, values: Sequence, bold: bool = False) -> str:
    cells = "".join([_cell(f"{letter}{number}", value, bold)
                     for letter, value in zip(_LETTERS, values, strict=False)])
    return f'<row r="{number}">{cells}</row>'


def _sheet_title(title: str, taken: set[str]) -> str:
    clean = "".join(ch for ch in strip_control(str(title)) if ch not in '[]:*?/\\').strip("' ") or "Sheet"
    clean = clean[:31]
    candidate, n = clean, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate = clean[:31 - len(suffix)] + suffix
        n += 1
    taken.add(candidate.lower())
    return candidate


class _Pipe:
    """A write-only, non-seekable file: zipfile then writes data descriptors, and whatever has
    been written so far can be taken out and sent."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        data = bytes(data)
        self.parts.append(data)
        self.size += len(data)
        return len(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts = []
        return data


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (
    f'{_HEAD}<styleSheet {_NS}>'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="dd\\-mm\\-yyyy"/>'
    '<numFmt numFmtId="165" formatCode="dd\\-mm\\-yyyy\\ hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="6">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" quotePrefix="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>'
)


def _sheet_start(sheet: Sheet, frozen_row: int) -> str:
    pane = (f'<pane ySplit="{frozen_row}" topLeftCell="A{frozen_row + 1}" activePane="bottomLeft" state="frozen"/>'
            if frozen_row else "")
    cols = ""
    if sheet.widths:
        cols = "<cols>" + "".join(f'<col min="{i}" max="{i}" width="{float(w):g}" customWidth="1"/>'
                                  for i, w in enumerate(sheet.widths[:MAX_COLUMNS], start=1) if w) + "</cols>"
        if cols == "<cols></cols>":
            cols = ""
    return (f'{_HEAD}<worksheet {_NS} {_R_NS}><sheetViews><sheetView workbookViewId="0">{pane}'
            f'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>{cols}<sheetData>')


_SHEET_END = "</sheetData></worksheet>"


def stream(sheets: Iterable[Sheet], *, flush_bytes: int = 1 << 18) -> Iterator[bytes]:
    """The workbook as pieces of bytes, produced while `sheets`' rows are read."""
    pipe = _Pipe()
    titles: list[str] = []
    taken: set[str] = set()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for sheet in sheets:
            rows = iter(sheet.rows)
            part = 0
            while True:
                part += 1
                title = _sheet_title(sheet.title if part == 1 else f"{sheet.title} ({part})", taken)
                titles.append(title)
                number = 0
                with archive.open(f"xl/worksheets/sheet{len(titles)}.xml", "w") as out:
                    buffer: list[str] = []
                    size = 0
                    lead = list(sheet.preamble) if part == 1 else []
                    header = [] if sheet.header is None else [list(sheet.header)]
                    frozen = (len(lead) + len(header)) if (sheet.freeze and header) else 0
                    buffer.append(_sheet_start(sheet, frozen))
                    for i, values in enumerate(lead):
                        number += 1
                        buffer.append(_row(number, values, bold=i in sheet.bold_rows))
                    for values in header:
                        number += 1
                        buffer.append(_row(number, values, bold=True))
                    exhausted = True
                    for values in rows:
                        number += 1
                        text = _row(number, values)
                        buffer.append(text)
                        size += len(text)
                        if size >= flush_bytes:
                            out.write("".join(buffer).encode("utf-8"))
                            buffer, size = [], 0
                            if pipe.size:
                                yield pipe.take()
                        if number >= MAX_ROWS:
                            exhausted = False
                            break
                    buffer.append(_SHEET_END)
                    out.write("".join(buffer).encode("utf-8"))
                if exhausted:
                    break
            if pipe.size:
                yield pipe.take()
        if not titles:
            titles.append(_sheet_title("Sheet", taken))
            archive.writestr("xl/worksheets/sheet1.xml", _sheet_start(Sheet(""), 0) + _SHEET_END)
        _write_parts(archive, titles)
    yield pipe.take()


def _write_parts(archive: zipfile.ZipFile, titles: list[str]) -> None:
    n = len(titles)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, n + 1))
    archive.writestr("[Content_Types].xml", (
        f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f'{overrides}</Types>'))
    archive.writestr("_rels/.rels", (
        f'{_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
        '</Relationships>'))
    sheets = "".join(f'<sheet name={quoteattr(t)} sheetId="{i}" r:id="rId{i}"/>'
                     for i, t in enumerate(titles, start=1))
    archive.writestr("xl/workbook.xml", f"{_HEAD}<workbook {_NS} {_R_NS}><sheets>{sheets}</sheets></workbook>")
    rels = "".join(
        f'<Relationship Id="rId{i}" Target="worksheets/sheet{i}.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
        for i in range(1, n + 1))
    archive.writestr("xl/_rels/workbook.xml.rels", (
        f'{_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
        f'<Relationship Id="rId{n + 1}" Target="styles.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"/></Relationships>'))
    archive.writestr("xl/styles.xml", _STYLES)


def write_workbook(sheets: Iterable[Sheet], out: IO[bytes]) -> None:
    for piece in stream(sheets):
        out.write(piece)


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    return b"".join(stream(sheets))


def download(sheets: Iterable[Sheet], filename: str, *, streaming: bool = False):
    """An HttpResponse (or, with `streaming`, a StreamingHttpResponse whose rows are read while
    it is sent) with the file as an attachment, never cached."""
    from django.http import HttpResponse, StreamingHttpResponse

    if streaming:
        response = StreamingHttpResponse(stream(sheets), content_type=CONTENT_TYPE)
    else:
        response = HttpResponse(workbook_bytes(sheets), content_type=CONTENT_TYPE)
    safe = "".join(ch for ch in filename if ch.isascii() and (ch.isalnum() or ch in "-_.")) or "export.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["Cache-Control"] = "no-store"
    return response
