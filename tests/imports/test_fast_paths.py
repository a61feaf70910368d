"""The importer's fast paths must give exactly what the plain per-row code gives.

parse_many() decodes columns by distinct value and assembles clean rows directly; new children's
measurements are written with derived values computed in memory instead of inserted and then
recomputed. Both are checked against the slow, obvious path."""

import datetime as dt
import random

import pytest

from tumbuh.imports import testing as t
from tumbuh.imports.columns import EPPGBM_HEADER, map_header
from tumbuh.imports.parsing import RowParser
from tumbuh.imports.readers import read_rows
from tumbuh.imports.services import import_eppgbm
from tumbuh.measurements.derivation import DERIVED_FIELDS
from tumbuh.measurements.models import Measurement
from tumbuh.measurements.services import recompute_children

from .helpers import FORMATS, ugly_file

# Values that each take parse() off the clean path in a different way (notes or reasons).
ODD = {
    "NIK": ["", "-", "0", "6.47401E+15", "'6474015308227630", "123", "64740153082276301"],
    "Nama": ["", "  Budi   Santoso ", "By. Siti"],
    "JK": ["", "X", "laki-laki", "PEREMPUAN"],
    "Tgl Lahir": ["", "31/02/2023", "1899-12-31", "45000", "5 Januari 2023", "13-08-22", "kemarin"],
    "Tanggal Pengukuran": ["", "10/01/2025", "2030-01-01", "2019-01-01", "10 Mei 2025"],
    "BB Lahir": ["", "3200", "0", "999.99", "abc", "12", "0,2", "3,1"],
    "TB Lahir": ["", "490", "0.49", "80", "x", "49"],
    "Berat": ["", "10945", "999.99", "0", "-3", "tdk diukur", "45", "0,4", "12,5", "1.234,5"],
    "Tinggi": ["", "875", "0.875", "999.99", "20", "150", "88,5", "-"],
    "Cara Ukur": ["", "Berdiri", "terlentang", "duduk"],
    "LiLA": ["", "4", "31", "135", "0.14", "13,7"],
    "ZS BB/U": ["", "999.99", "-1,25", "abc", "0"],
    "Desa/Kel": ["", "Guntung", "  KEL.  GUNTUNG "],
    "RT": ["0150", ""],
}


def _parser(header):
    return RowParser(map_header(header), header, today=dt.date(2025, 6, 30))


@pytest.mark.parametrize("fmt", FORMATS)
def test_parse_many_equals_parse_on_every_fixture_format(fmt, tmp_path):
    path, _rows, _n = ugly_file(tmp_path, fmt)
    rows = list(read_rows(path))
    at = next(i for i, r in enumerate(rows) if len(map_header(r)) >= 5)
    parser = _parser(rows[at])
    data = [r for r in rows[at + 1:] if any(r)]
    assert parser.parse_many(data) == [parser.parse(r) for r in data]


def test_parse_many_equals_parse_on_random_ugly_values():
    rng = random.Random(3)
    base = [[row[c] for c in EPPGBM_HEADER] for row in t.make_rows(t.make_children(40), months=3)]
    header = list(EPPGBM_HEADER)
    rows = []
    for _ in range(3000):
        cells = list(rng.choice(base))
        for column in rng.sample(sorted(ODD), rng.randint(0, 3)):
            cells[header.index(column)] = rng.choice(ODD[column])
        if rng.random() < 0.02:
            cells = cells[:rng.randint(1, len(cells))]  # a short row
        rows.append(cells)
    parser = _parser(header)
    fast, slow = parser.parse_many(rows), [parser.parse(r) for r in rows]
    assert fast == slow
    assert sum(1 for record, _reasons in slow if record is None) > 300  # the mix does reject rows
    assert sum(1 for record, _reasons in slow if record is not None and not record.notes) > 300


def _derived():
    return {pk: values for pk, *values in Measurement.objects.values_list("pk", *DERIVED_FIELDS)}


def _same(a, b):
    return all(x == y or (isinstance(x, float) and isinstance(y, float) and abs(x - y) < 1e-9)
               for x, y in zip(a, b, strict=True))


@pytest.mark.django_db
def test_measurements_written_with_derived_values_equal_a_recompute(kota_user, tmp_path):
    """New children: rows inserted with derived values. Then a second file adds months to the same
    children (existing children: recompute path). Both must equal recompute_children's result."""
    children = t.make_children(25)
    first = t.make_rows(children, months=3)
    # a weight drop, so series warnings and T/2T statuses appear
    first[1]["Berat"] = f"{float(first[0]['Berat']) * 0.7:.1f}"
    path, _rows, _n = ugly_file(tmp_path, "csv_semicolon", n_children=25)
    import_eppgbm(path, user=kota_user, region_code="64.74")
    import_eppgbm(t.write_csv(tmp_path / "first.csv", first), user=kota_user, region_code="64.74")
    later = t.make_rows(children, months=2, first=dt.date(2025, 4, 15), seed=5)
    import_eppgbm(t.write_csv(tmp_path / "later.csv", later), user=kota_user, region_code="64.74")

    stored = _derived()
    assert any(v[DERIVED_FIELDS.index("weight_gain")] in {"T", "2T"} for v in stored.values())
    assert any(v[DERIVED_FIELDS.index("warnings")] for v in stored.values())
    recompute_children(set(Measurement.objects.values_list("child_id", flat=True)))
    recomputed = _derived()
    assert stored.keys() == recomputed.keys()
    different = [pk for pk in stored if not _same(stored[pk], recomputed[pk])]
    assert different == []


@pytest.mark.django_db
@pytest.mark.parametrize("order", ["by_child", "by_month", "shuffled"])
def test_chunked_writes_equal_a_recompute_whatever_the_row_order(order, kota_user, tmp_path):
    """Measurements are written chunk by chunk with values computed over each child's series so
    far; a child whose rows come out of date order across chunks is recomputed at the end."""
    rows = t.make_rows(t.make_children(30, seed=4), months=12, seed=6)
    for i in range(0, len(rows), 7):  # weight drops: T/2T statuses and weight-change warnings
        rows[i]["Berat"] = f"{float(rows[i]['Berat']) * 0.7:.1f}"
    # visits without a weight or a length: the series kept in memory must still hold the last
    # weighing and the last length before them (_trim_series)
    for i in range(3, len(rows), 5):
        rows[i]["Tinggi"] = ""
    for i in range(4, len(rows), 11):
        rows[i]["Berat"] = ""
        rows[i]["Tinggi"] = rows[i]["Tinggi"] or "80"
    if order == "by_month":
        rows.sort(key=lambda r: r["Tanggal Pengukuran"][3:])
    elif order == "shuffled":
        random.Random(8).shuffle(rows)
    batch = import_eppgbm(t.write_csv(tmp_path / f"{order}.csv", rows), user=kota_user, region_code="64.74",
                          chunk_rows=17)
    assert batch.imported == len(rows)
    stored = _derived()
    recompute_children(set(Measurement.objects.values_list("child_id", flat=True)))
    recomputed = _derived()
    assert [pk for pk in stored if not _same(stored[pk], recomputed[pk])] == []


def _outcomes(batch):
    return [(r.row_number, r.outcome, r.person.name if r.person else None,
             r.measurement.measured_on if r.measurement else None, r.reasons, r.notes)
            for r in batch.rows.select_related("person", "measurement").order_by("row_number")]


@pytest.mark.django_db
def test_repeats_across_chunks_are_found_as_within_one_chunk(kota_user, tmp_path):
    """A row repeating one of an earlier chunk (same values: unchanged, naming the first row;
    different values: rejected, naming it) is found in the database, not in memory: the outcome,
    reasons and notes are those of a one-chunk import of the same file."""
    from django.db import transaction

    children = t.make_children(12, seed=9)
    rows = t.make_rows(children, months=4, seed=3)
    rows += [dict(rows[2]), dict(rows[5], Berat="21,5"), dict(rows[2]), dict(rows[40], Tinggi="99,9"),
             dict(rows[5])]
    path = t.write_csv(tmp_path / "repeats.csv", rows)
    results = {}
    for chunk in (10_000, 9):
        with transaction.atomic():
            batch = import_eppgbm(path, user=kota_user, region_code="64.74", chunk_rows=chunk)
            results[chunk] = ((batch.imported, batch.merged, batch.unchanged, batch.rejected), _outcomes(batch))
            transaction.set_rollback(True)
    assert results[9] == results[10_000]
    counts, outcomes = results[9]
    assert counts[2] == 3 and counts[3] >= 2, counts
    last = outcomes[-5:]
    assert [o[1] for o in last] == ["unchanged", "rejected", "unchanged", "rejected", "unchanged"]
    # data rows 2, 5 and 40 are the file's rows 4, 7 and 42 (the header is row 1)
    assert last[0][5] == last[2][5] == ["sama dengan baris 4"] and last[4][5] == ["sama dengan baris 7"]
    assert "baris 7" in last[1][4][0] and "baris 42" in last[3][4][0]
