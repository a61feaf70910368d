"""Spreadsheets going back out: rejected rows to fix and re-upload, and our data in EPPGBM's
by-name layout (so it can return to EPPGBM or any spreadsheet)."""

from __future__ import annotations

from typing import IO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from tumbuh.growth import categories

from .columns import EPPGBM_HEADER
from .models import ImportBatch, ImportRow


def rejected_rows_workbook(batch: ImportBatch, out: IO[bytes]) -> int:
    """The rejected rows in the file's own column layout plus a reasons column; returns rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Rejected"))
    header = list(batch.header or EPPGBM_HEADER)
    sheet.append([*header, _("Reason rejected"), _("Row in the original file")])
    count = 0
    rows = batch.rows.filter(outcome=ImportRow.Outcome.REJECTED).order_by("row_number")
    for row in rows.values_list("row_number", "cells", "reasons").iterator(chunk_size=2000):
        number, cells, reasons = row
        cells = (list(cells) + [""] * len(header))[: len(header)]
        sheet.append([*cells, "; ".join(reasons), number])  # every cell as text: NIK stays text
        count += 1
    workbook.save(out)
    return count


def _fmt(value, digits: int = 1):
    return "" if value is None else round(value, digits)  # a number cell, as EPPGBM's own


def eppgbm_workbook(measurements, out: IO[bytes]) -> int:
    """`measurements`: a scoped Measurement queryset. One row per measurement, EPPGBM columns,
    z-scores and categories as Tumbuh computed them."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("EPPGBM")
    sheet.append(EPPGBM_HEADER)
    qs = (measurements.select_related("child", "child__mother", "child__eppgbm_parent", "child__household",
                                      "desa__parent__parent__parent", "posyandu__puskesmas")
          .order_by("desa_id", "child__name", "child_id", "measured_on"))
    count = 0
    for m in qs.iterator(chunk_size=2000):
        child = m.child
        desa = m.desa
        kec = desa.parent
        kab = kec.parent if kec else None
        prov = kab.parent if kab else None
        parent = getattr(getattr(child, "eppgbm_parent", None), "parent_name", "") or (child.mother.name if child.mother else "")
        household = child.household
        age_months = int(m.age_days / 30.4375) if m.age_days is not None else ""
        sheet.append([
            child.nik, child.name, "L" if child.sex == "M" else "P", child.birth_date.strftime("%d/%m/%Y"),
            _fmt(child.birth_weight_kg, 2), _fmt(child.birth_length_cm), parent,
            prov.name if prov else "", kab.name if kab else "", kec.name if kec else "",
            m.posyandu.puskesmas.name if m.posyandu and m.posyandu.puskesmas else "", desa.name,
            m.posyandu.name if m.posyandu else "", household.rt if household else "",
            household.rw if household else "", household.address if household else "",
            age_months, m.measured_on.strftime("%d/%m/%Y"), m.measured_on.strftime("%m/%Y"), "", "",
            _fmt(m.weight_kg, 3), _fmt(m.length_cm, 2), {"l": "Terlentang", "h": "Berdiri"}.get(m.position, ""),
            _fmt(m.arm_circumference_cm, 2), _label("bb_u", m.weight_for_age_category), _fmt(m.weight_for_age_z, 2),
            _label("pb_u", m.length_for_age_category), _fmt(m.length_for_age_z, 2),
            _label("bb_pb", m.weight_for_length_category), _fmt(m.weight_for_length_z, 2),
            m.weight_gain, "", "", "", "", "", "",
        ])
        count += 1
    workbook.save(out)
    return count


def _label(index: str, code: str) -> str:
    if not code:
        return ""
    try:
        return categories.label(index, code, "id")
    except (KeyError, ValueError):
        return code
