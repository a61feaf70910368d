"""Spreadsheets going back out: rejected rows to fix and re-upload, and our data in EPPGBM's
by-name layout (so it can return to EPPGBM or any spreadsheet).

Both are written by the project's one xlsx writer (`tumbuh.web.xlsx`): strings are text, never
formulas; control characters cannot break the file; the EPPGBM export is streamed while its rows
are read (a 100,000-row export starts downloading at once instead of after a minute or more).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from django.utils.translation import gettext as _

from tumbuh.growth import categories
from tumbuh.regions.models import Posyandu, Region
from tumbuh.web import xlsx

from .columns import EPPGBM_HEADER
from .models import ImportBatch, ImportRow


def rejected_rows_sheet(rows, header: list[str] | None) -> xlsx.Sheet:
    """`rows`: the ImportRows to write (already limited to what the user may see)."""
    header = list(header or EPPGBM_HEADER)[: xlsx.MAX_COLUMNS - 2]
    width = len(header)

    def lines() -> Iterator[list]:
        for number, cells, reasons in (rows.filter(outcome=ImportRow.Outcome.REJECTED).order_by("row_number")
                                       .values_list("row_number", "cells", "reasons").iterator(chunk_size=2000)):
            cells = (list(cells) + [""] * width)[:width]
            yield [*map(str, cells), "; ".join(reasons), number]  # every cell as text: NIK stays text

    return xlsx.Sheet(_("Rejected"), lines(), header=[*header, _("Reason rejected"), _("Row in the original file")])


def rejected_rows_workbook(batch: ImportBatch, out: IO[bytes], rows=None) -> int:
    """The rejected rows in the file's own column layout plus a reasons column; returns rows."""
    rows = batch.rows.all() if rows is None else rows
    xlsx.write_workbook([rejected_rows_sheet(rows, batch.header)], out)
    return rows.filter(outcome=ImportRow.Outcome.REJECTED).count()


def _fmt(value, digits: int = 1):
    return "" if value is None else round(value, digits)  # a number cell, as EPPGBM's own


EXPORT_FIELDS = (
    "child__nik", "child__name", "child__sex", "child__birth_date", "child__birth_weight_kg",
    "child__birth_length_cm", "child__eppgbm_parent__parent_name", "child__mother__name", "desa_id",
    "posyandu_id", "child__household__rt", "child__household__rw", "child__household__address",
    "age_days", "measured_on", "weight_kg", "length_cm", "position", "arm_circumference_cm",
    "weight_for_age_category", "weight_for_age_z", "length_for_age_category", "length_for_age_z",
    "weight_for_length_category", "weight_for_length_z", "weight_gain",
)
POSITION_LABELS = {"l": "Terlentang", "h": "Berdiri"}


def _ordered(measurements):
    return measurements.order_by("desa_id", "child__name", "child_id", "measured_on")


def _places(measurements) -> tuple[dict[str, tuple[str, str, str, str]], dict[int, tuple[str, str]]]:
    """desa code -> (provinsi, kab/kota, kecamatan, desa) names; posyandu id -> (name, puskesmas):
    two queries for the whole export instead of four joins per row."""
    desa_codes = set(measurements.order_by().values_list("desa_id", flat=True).distinct())
    codes: set[str] = set()
    for code in desa_codes:
        parts = code.split(".")
        codes.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    names: dict[str, str] = {}
    codes_list = sorted(codes)
    for start in range(0, len(codes_list), 900):
        names.update(Region.objects.filter(code__in=codes_list[start:start + 900]).values_list("code", "name"))
    regions = {}
    for code in desa_codes:
        parts = code.split(".")
        chain = [names.get(".".join(parts[:i]), "") for i in range(1, len(parts) + 1)]
        chain = ([""] * 4 + chain)[-4:]
        regions[code] = tuple(chain)
    posyandu_ids = sorted(set(measurements.order_by().exclude(posyandu_id=None)
                              .values_list("posyandu_id", flat=True).distinct()))
    posyandu: dict[int, tuple[str, str]] = {}
    for start in range(0, len(posyandu_ids), 900):
        for pk, name, puskesmas in (Posyandu.objects.filter(pk__in=posyandu_ids[start:start + 900])
                                    .values_list("pk", "name", "puskesmas__name")):
            posyandu[pk] = (name, puskesmas or "")
    return regions, posyandu


def eppgbm_rows(measurements, mask_niks: bool = False) -> Iterator[list]:
    """One row per measurement of `measurements` (a scoped Measurement queryset), EPPGBM's 38
    columns, z-scores and categories as Tumbuh computed them. `mask_niks`: for the roles that see
    masked NIKs (Scope.sees_full_nik)."""
    from tumbuh.web.text import mask_nik

    regions, posyandu = _places(measurements)
    no_place = ("", "", "", "")
    label = _label
    for (nik, name, sex, born, birth_weight, birth_length, parent, mother, desa_id, posyandu_id, rt, rw,
         address, age_days, measured_on, weight, length, position, arm, wfa_c, wfa_z, hfa_c, hfa_z,
         wfh_c, wfh_z, gain) in _ordered(measurements).values_list(*EXPORT_FIELDS).iterator(chunk_size=5000):
        prov, kab, kec, desa = regions.get(desa_id, no_place)
        pos_name, puskesmas = posyandu.get(posyandu_id, ("", ""))
        yield [
            mask_nik(nik or "") if mask_niks else nik, name, "L" if sex == "M" else "P", born.strftime("%d/%m/%Y"),
            _fmt(birth_weight, 2), _fmt(birth_length), parent or mother or "",
            prov, kab, kec, puskesmas, desa, pos_name, rt or "", rw or "", address or "",
            int(age_days / 30.4375) if age_days is not None else "",
            measured_on.strftime("%d/%m/%Y"), measured_on.strftime("%m/%Y"), "", "",
            _fmt(weight, 3), _fmt(length, 2), POSITION_LABELS.get(position, ""),
            _fmt(arm, 2), label("bb_u", wfa_c), _fmt(wfa_z, 2),
            label("pb_u", hfa_c), _fmt(hfa_z, 2),
            label("bb_pb", wfh_c), _fmt(wfh_z, 2),
            gain, "", "", "", "", "", "",
        ]


def eppgbm_sheet(measurements, mask_niks: bool = False) -> xlsx.Sheet:
    return xlsx.Sheet("EPPGBM", eppgbm_rows(measurements, mask_niks), header=EPPGBM_HEADER)


def eppgbm_workbook(measurements, out: IO[bytes]) -> int:
    """The whole export into `out`; returns the number of rows."""
    xlsx.write_workbook([eppgbm_sheet(measurements)], out)
    return measurements.count()


_LABELS: dict[tuple[str, str], str] = {}


def _label(index: str, code: str) -> str:
    if not code:
        return ""
    key = (index, code)
    if key not in _LABELS:
        try:
            _LABELS[key] = categories.label(index, code, "id")
        except (KeyError, ValueError):
            _LABELS[key] = code
    return _LABELS[key]
