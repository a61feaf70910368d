"""The COPY text built a column at a time (bulk.copy_columns) must be byte for byte what psycopg's
row-by-row write_row() makes, and an import through it must leave the same database rows.

PostgreSQL only (COPY); `make test-pg` runs it. On SQLite the importer uses executemany."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import connection, transaction

from tumbuh.imports import bulk
from tumbuh.imports import testing as t
from tumbuh.imports.models import ImportRow
from tumbuh.imports.services import import_eppgbm
from tumbuh.measurements.models import Measurement

from .helpers import FORMATS, ugly_file
from .test_deliveries import HEADER, ugly_rows

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")


def _psycopg_text(rows) -> bytes:
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        return bulk.rows_text(cursor, lambda: rows)


@pytest.mark.django_db
def test_column_text_escapes_like_psycopg():
    now = dt.datetime(2026, 12, 2, 17, 5, 1, 123456, tzinfo=dt.UTC)
    rows = [
        ("plain", 1, 1.5, dt.date(2025, 1, 2), now, True, ImportRow.Outcome.REJECTED),
        ("tab\there", -7, float("nan"), None, None, False, ImportRow.Outcome.MERGED),
        ('back\\slash "q" \r\n\b\f\v', 10**15, float("inf"), dt.date(1999, 12, 31), now, None, None),
        (None, None, None, None, None, None, None),
        ("Ñame ünïcode \u00a0", 0, -0.0, dt.date(2024, 2, 29), now, True, ImportRow.Outcome.IMPORTED),
        ("[\"a\\\\b\"]", 3, 1e-7, dt.date(2020, 1, 1), now, False, "unchanged"),
    ]
    built = bulk.copy_columns(rows, [], ("\\N-like \\", 0, "{}"), [11, 12, 13, 14, 15, 16])
    reference = _psycopg_text([(pk, *r, "\\N-like \\", 0, "{}") for pk, r in zip(range(11, 17), rows, strict=True)])
    assert built == reference
    # a type it does not format goes to psycopg instead of being guessed
    assert bulk.copy_columns([(1,), (dt.timedelta(days=1),)], [], (), None) is None


@pytest.mark.django_db
def test_decimal_and_uuid_columns_are_formatted_like_psycopg():
    """A delivery's quantity (Decimal) and uuid (UUID) go out a column at a time too: the same
    bytes as psycopg's dumpers, special values included."""
    decimals = [Decimal("30"), Decimal("1.50"), Decimal("-0.25"), Decimal("1E+3"), Decimal("0E-2"), None,
                Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity"),
                Decimal("12345678901234.99")]
    uuids = [uuid.UUID(int=i * 7919) for i in range(len(decimals) - 1)] + [None]
    rows = list(zip(decimals, uuids, strict=True))
    built = bulk.copy_columns(rows, [], (), list(range(1, len(rows) + 1)))
    assert built is not None
    assert built == _psycopg_text([(pk, *r) for pk, r in enumerate(rows, start=1)])
    # a column mixing Decimal with another type is not guessed at
    assert bulk.copy_columns([(Decimal("1"),), (1.5,)], [], (), None) is None


@pytest.fixture
def copies(monkeypatch):
    """Every COPY of the import, formatted both ways."""
    seen = []
    real = bulk.copy_data

    def both(sql, rows, columnar, cursor=None):
        data = real(sql, rows, columnar, cursor)
        seen.append((sql, data, _psycopg_text(list(rows())), columnar() if columnar else None))
        return data

    monkeypatch.setattr(bulk, "copy_data", both)
    return seen


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_copy_of_an_import_is_byte_identical_to_the_row_path(fmt, copies, kota_user, tmp_path):
    path, rows, _numbers = ugly_file(tmp_path, fmt)
    batch = import_eppgbm(path, user=kota_user, region_code="64.74")
    assert batch.rejected and batch.imported and batch.rows_with_notes
    tables = {sql.split()[1] for sql, *_rest in copies}
    assert {'"measurements_measurement"', '"imports_importrow"'} <= tables, tables
    for sql, sent, psycopg_text, columnar in copies:
        assert columnar is not None, f"{sql}: fell back to the row path"
        assert sent == columnar == psycopg_text, sql
    # a second file that merges, repeats and adds: merged rows carry `previous`
    later = [dict(r, Berat="13,1") if i % 3 == 0 else r for i, r in enumerate(rows)]
    copies.clear()
    second = import_eppgbm(t.write_csv(tmp_path / "later.csv", later), user=kota_user, region_code="64.74")
    assert second.merged and second.unchanged
    for sql, sent, psycopg_text, columnar in copies:
        assert sent == columnar == psycopg_text, sql


@pytest.mark.django_db(transaction=False)
def test_every_copy_of_a_delivery_import_is_byte_identical_to_the_row_path(copies, kota_user, place, tmp_path):
    from tumbuh.imports.framework import run_import

    rows, _n = ugly_rows(place)
    path = t.write_table(tmp_path / "pmt", HEADER, rows, "csv")
    batch = run_import("deliveries", path, user=kota_user, region_code="64.74")
    assert batch.imported and batch.rejected and batch.merged == 0
    tables = {sql.split()[1] for sql, *_rest in copies}
    assert '"interventions_delivery"' in tables, tables
    for sql, sent, psycopg_text, columnar in copies:
        assert columnar is not None, f"{sql}: fell back to the row path"
        assert sent == columnar == psycopg_text, sql


def _snapshot() -> tuple[list, list]:
    skip = {"id", "created_at", "updated_at", "child", "posyandu", "desa", "measured_by"}
    fields = [f.attname for f in Measurement._meta.concrete_fields if f.name not in skip]
    measurements = sorted(
        tuple(str(v) for v in row) for row in Measurement.objects.values_list(
            "child__name", "child__nik", "child__birth_date", "posyandu__name", "desa_id", *fields))
    import_rows = sorted(
        tuple(str(v) for v in row) for row in ImportRow.objects.values_list(
            "batch__file_name", "row_number", "outcome", "person__name", "measurement__measured_on",
            "reasons", "notes", "cells", "previous"))
    return measurements, import_rows


@pytest.mark.django_db
def test_columnar_import_leaves_the_same_rows_as_the_row_path(kota_user, tmp_path, monkeypatch):
    path, rows, _numbers = ugly_file(tmp_path, "csv_semicolon")
    later = t.write_csv(tmp_path / "later.csv", [dict(r, Berat="13,1") if i % 3 == 0 else r
                                                  for i, r in enumerate(rows)])
    snapshots = {}
    for columnar in (False, True):
        monkeypatch.setattr(bulk, "COLUMNAR", columnar)
        with transaction.atomic():
            import_eppgbm(path, user=kota_user, region_code="64.74", chunk_rows=17)
            import_eppgbm(later, user=kota_user, region_code="64.74", chunk_rows=17)
            snapshots[columnar] = _snapshot()
            transaction.set_rollback(True)
    assert snapshots[True][0] and snapshots[True][1]
    assert snapshots[True] == snapshots[False]


@pytest.mark.django_db
def test_zscore_comparison_in_the_database_equals_the_in_memory_one(kota_user, tmp_path, monkeypatch):
    """On PostgreSQL EPPGBM's z-scores go to a temporary table and are compared by one query
    (nothing per row in memory): the same summary as the arrays' numpy code."""
    from tumbuh.imports.services import EppgbmImporter

    rows = t.make_rows(t.make_children(40, seed=5), months=3)
    t.add_eppgbm_zscores(rows, offset_every=4, offset=0.3)
    for i in range(0, len(rows), 9):  # EPPGBM values missing, and the odd big disagreement
        rows[i]["ZS TB/U"] = ""
    for i in range(2, len(rows), 13):
        rows[i]["ZS BB/TB"] = "2,9"
    path = t.write_csv(tmp_path / "z.csv", rows)
    summaries = {}
    for in_database in (False, True):
        monkeypatch.setattr(EppgbmImporter, "zscores_in_database", in_database)
        with transaction.atomic():
            summaries[in_database] = import_eppgbm(path, user=kota_user, region_code="64.74",
                                                   chunk_rows=23).zscore_summary
            transaction.set_rollback(True)
    memory, database = summaries[False], summaries[True]
    assert database["indicators"] == memory["indicators"]
    assert sum(i["differ"] for i in database["indicators"]) > 20
    diffs = [item["diff"] for item in database["largest"]]  # largest first (ties: any order in numpy)
    assert diffs == sorted(diffs, reverse=True)
    assert {item["diff"] for item in database["largest"]} == {item["diff"] for item in memory["largest"]}
    assert len(database["largest"]) == len(memory["largest"]) == 20


@pytest.mark.django_db
def test_a_query_sent_while_a_copy_runs_waits_for_it(kota_user):
    """The caller no longer waits for the background COPY before its next query: every query
    Django sends first waits for it (the connection can do nothing else meanwhile), and close()
    takes that wrapper and the shorter switch interval away again."""
    import sys

    from tumbuh.registry.models import Household

    before = sys.getswitchinterval()
    copier = bulk.BackgroundCopy()
    try:
        assert sys.getswitchinterval() == min(bulk.BackgroundCopy.SWITCH_INTERVAL, before)
        rows = [(f"64740199{i:08d}", "Jl. Salin", "64.74.01.1001") for i in range(20_000)]
        bulk.insert_rows(Household, ("kk_number", "address", "desa_id"), rows, copier=copier)
        copier.start()
        assert copier.running is not None
        # no wait(): the query must still see every row of the COPY, not fail on a busy connection
        assert Household.objects.filter(address="Jl. Salin").count() == 20_000
        assert copier.running is None
    finally:
        copier.close()
    assert copier._after_copy not in connection.execute_wrappers
    assert sys.getswitchinterval() == before
