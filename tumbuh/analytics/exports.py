"""Excel files of the analytics pages, written from the same report objects the pages render,
by the project's one xlsx writer (`tumbuh.web.xlsx`: strings as text, never formulas)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from tumbuh.web import xlsx
from tumbuh.web.labels import anthro_group, column_label

from .reports import PrevalenceReport

XLSX = xlsx.CONTENT_TYPE


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


def _sheet(title: str, frame: pd.DataFrame) -> xlsx.Sheet:
    # Headers (and anthro's Group labels) in the user's language; WHO's index codes (HA_2_r ...) stay.
    labelled = [c for c in ("Group", "Stratum", "Subgroup") if c in frame.columns]
    if labelled:
        frame = frame.assign(**{c: frame[c].map(anthro_group) for c in labelled})
    rows = ([_cell(v) for v in row] for row in frame.itertuples(index=False, name=None))
    return xlsx.Sheet(title, rows, header=[column_label(c) for c in frame.columns])


def headline_frame(report: PrevalenceReport) -> pd.DataFrame:
    rows = [{"indicator": column_label(e.indicator), "rate_pct": e.rate, "ci_lower": e.lower, "ci_upper": e.upper,
             "se": e.se, "cases": e.cases, "children": e.children} for e in report.estimates.values()]
    c = report.coverage
    rows.append({"indicator": column_label("coverage_D_over_S"), "rate_pct": c.d_over_s, "cases": c.weighed,
                 "children": c.registered})
    rows.append({"indicator": column_label("gained_N_over_D"), "rate_pct": c.n_over_d, "cases": c.gained,
                 "children": c.weighed})
    return pd.DataFrame(rows)


def prevalence_workbook(report: PrevalenceReport) -> bytes:
    fields = ["region", "region_code", "period", "from", "to", "source", "note"]
    meta = pd.DataFrame({"field": [column_label(f) for f in fields],
                         "value": [report.region.name, report.region.code, report.period.key,
                                   report.period.start, report.period.end, _("Tumbuh (routine data)"),
                                   _("Routine posyandu data, not a survey sample: CIs follow WHO anthro's "
                                     "unweighted formulas and describe the children measured only.")]})
    return xlsx.workbook_bytes([_sheet("About", meta), _sheet("Headline", headline_frame(report)),
                                _sheet("Prevalence (anthro)", report.table)])


def frame_workbook(sheets: dict[str, pd.DataFrame]) -> bytes:
    return xlsx.workbook_bytes([_sheet(title, frame) for title, frame in sheets.items()])


def bnba_headers() -> list[tuple[str, str]]:
    """(column, Indonesian-first header) of the BNBA file, in order."""
    return [
        ("name", _("Name")), ("nik", "NIK"), ("sex", _("Sex")), ("birth_date", _("Birth date")),
        ("age_months", _("Age (months)")), ("mother", _("Mother")), ("address", _("Address")), ("rt", "RT"),
        ("rw", "RW"), ("desa_name", _("Desa")), ("desa", _("Desa code")), ("posyandu", "Posyandu"),
        ("measured_on", _("Last measured")), ("weight_kg", _("Weight (kg)")), ("length_cm", _("Height (cm)")),
        ("haz", "TB/U (z)"), ("waz", "BB/U (z)"), ("whz", "BB/TB (z)"), ("weight_gain", _("Gain")),
        ("bgm", "BGM"), ("package", _("Complete package")), ("child_id", _("Child id in Tumbuh")),
    ]


def bnba_workbook(rows: pd.DataFrame, title: str, about: list[tuple[str, str]]) -> bytes:
    """A BNBA list a desa team can hand out: a title block (region, period, list, generated when
    and by whom), then one row per child under Indonesian headers. Names and addresses typed by
    people are written as text, never as formulas (the one writer, tumbuh.web.xlsx)."""
    headers = bnba_headers()
    sex = {"M": _("M (boy)"), "F": _("F (girl)")}
    yes, no = _("Yes"), _("No")

    def out(r):
        values = []
        for col, _h in headers:
            v = _cell(r.get(col))
            if col == "sex":
                v = sex.get(v, v or "")
            elif col == "bgm":
                v = yes if v else no
            elif col in ("haz", "waz", "whz") and v is not None:
                v = round(v, 2)
            values.append(v)
        return values

    preamble = [[title], *[[label, value] for label, value in about], []]
    sheet = xlsx.Sheet("BNBA", (out(r) for r in rows.to_dict("records")),
                       header=[h for _c, h in headers], preamble=preamble,
                       bold_rows={0, *range(1, len(about) + 1)})
    return xlsx.workbook_bytes([sheet])
