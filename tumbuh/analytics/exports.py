"""Excel files of the analytics pages, written from the same report objects the pages render."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .reports import PrevalenceReport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    if value is None:
        return None
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if value is pd.NaT:
        return None
    return value


def _sheet(wb: Workbook, title: str, frame: pd.DataFrame, first: bool = False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title[:31]
    ws.append([str(c) for c in frame.columns])
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in frame.itertuples(index=False, name=None):
        ws.append([_cell(v) for v in row])
    ws.freeze_panes = "A2"
    return ws


def _bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def headline_frame(report: PrevalenceReport) -> pd.DataFrame:
    rows = [{"indicator": e.indicator, "rate_pct": e.rate, "ci_lower": e.lower, "ci_upper": e.upper,
             "se": e.se, "cases": e.cases, "children": e.children} for e in report.estimates.values()]
    c = report.coverage
    rows.append({"indicator": "coverage_D_over_S", "rate_pct": c.d_over_s, "cases": c.weighed,
                 "children": c.registered})
    rows.append({"indicator": "gained_N_over_D", "rate_pct": c.n_over_d, "cases": c.gained,
                 "children": c.weighed})
    return pd.DataFrame(rows)


def prevalence_workbook(report: PrevalenceReport) -> bytes:
    wb = Workbook()
    meta = pd.DataFrame({"field": ["region", "region_code", "period", "from", "to", "source", "note"],
                         "value": [report.region.name, report.region.code, report.period.key,
                                   report.period.start, report.period.end, "Tumbuh (routine data)",
                                   "Routine posyandu data, not a survey sample: CIs follow WHO anthro's "
                                   "unweighted formulas and describe the children measured only."]})
    _sheet(wb, "About", meta, first=True)
    _sheet(wb, "Headline", headline_frame(report))
    _sheet(wb, "Prevalence (anthro)", report.table)
    return _bytes(wb)


def frame_workbook(sheets: dict[str, pd.DataFrame]) -> bytes:
    wb = Workbook()
    for i, (title, frame) in enumerate(sheets.items()):
        _sheet(wb, title, frame, first=i == 0)
    return _bytes(wb)


def bnba_headers() -> list[tuple[str, str]]:
    """(column, Indonesian-first header) of the BNBA file, in order."""
    return [
        ("name", _("Name")), ("nik", "NIK"), ("sex", _("Sex")), ("birth_date", _("Birth date")),
        ("age_months", _("Age (months)")), ("mother", _("Mother")), ("address", _("Address")), ("rt", "RT"),
        ("rw", "RW"), ("desa_name", _("Desa")), ("desa", _("Desa code")), ("posyandu", "Posyandu"),
        ("measured_on", _("Last measured")), ("weight_kg", _("Weight (kg)")), ("length_cm", _("Height (cm)")),
        ("haz", "TB/U (z)"), ("waz", "BB/U (z)"), ("whz", "BB/TB (z)"), ("weight_gain", _("Gain")),
        ("bgm", "BGM"), ("child_id", _("Child id in Tumbuh")),
    ]


def bnba_workbook(rows: pd.DataFrame, title: str, about: list[tuple[str, str]]) -> bytes:
    """A BNBA list a desa team can hand out: a title block (region, period, list, generated when
    and by whom), then one row per child under Indonesian headers. Names and addresses typed by
    people are written as text, never as formulas."""
    wb = Workbook()
    ws = wb.active
    ws.title = "BNBA"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    for label, value in about:
        ws.append([label, value])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    ws.append([])
    headers = bnba_headers()
    ws.append([h for _c, h in headers])
    for c in ws[ws.max_row]:
        c.font = Font(bold=True)
    ws.freeze_panes = ws.cell(row=ws.max_row + 1, column=1)
    sex = {"M": _("M (boy)"), "F": _("F (girl)")}
    yes, no = _("Yes"), _("No")
    for r in rows.to_dict("records"):
        out = []
        for col, _h in headers:
            v = _cell(r.get(col))
            if col == "sex":
                v = sex.get(v, v or "")
            elif col == "bgm":
                v = yes if v else no
            elif col in ("haz", "waz", "whz") and v is not None:
                v = round(v, 2)
            elif isinstance(v, str):
                v = _text(v)
            out.append(v)
        ws.append(out)
        for i, (col, _h) in enumerate(headers, start=1):
            if col in ("birth_date", "measured_on"):
                ws.cell(row=ws.max_row, column=i).number_format = "DD-MM-YYYY"
    return _bytes(wb)


def _text(value: str) -> str:
    """A typed name or address starting like a formula is kept as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
