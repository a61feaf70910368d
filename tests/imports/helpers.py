import importlib.util
from pathlib import Path

import pytest

from tumbuh.imports import testing as t

WRITERS = {
    "xlsx": lambda p, rows: t.write_xlsx(p.with_suffix(".xlsx"), rows, numeric_nik_rows={0}),
    "html_xls": lambda p, rows: t.write_html_xls(p.with_suffix(".xls"), rows, messy_header=True),
    "csv_semicolon": lambda p, rows: t.write_csv(p.with_suffix(".csv"), rows, delimiter=";", comma_decimals=True),
    "csv_comma": lambda p, rows: t.write_csv(p.with_suffix(".csv"), rows, delimiter=",", comma_decimals=False,
                                             messy_header=True),
    "real_xls": lambda p, rows: t.write_real_xls(p.with_suffix(".xls"), rows, numeric_nik_rows={0}),
}
# The HTML export has a title row above the header.
FIRST_DATA_ROW = {"xlsx": 2, "html_xls": 3, "csv_semicolon": 2, "csv_comma": 2, "real_xls": 2}
# A real .xls can only be made with xlwt, a test-only dependency: without it those cases are
# reported as skipped, with the reason, never dropped silently.
HAVE_XLWT = importlib.util.find_spec("xlwt") is not None
FORMATS = [pytest.param(fmt, marks=pytest.mark.skipif(
    fmt == "real_xls" and not HAVE_XLWT, reason="xlwt (test-only dependency) is not installed")) for fmt in WRITERS]


def ugly_file(tmp_path: Path, fmt: str, n_children: int = 20, months: int = 3):
    """A file of normal rows followed by one row per ugly case; returns (path, rows, row numbers
    of the ugly cases by name)."""
    children = t.make_children(n_children)
    rows = t.make_rows(children, months=months)
    ugly = t.ugly_rows(children)
    first = FIRST_DATA_ROW[fmt] + len(rows)
    numbers = {name: first + i for i, name in enumerate(ugly)}
    all_rows = rows + list(ugly.values())
    return WRITERS[fmt](tmp_path / f"eppgbm-{fmt}", all_rows), all_rows, numbers
