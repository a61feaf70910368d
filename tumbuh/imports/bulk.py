"""Fast multi-row inserts for the import's two big tables (Measurement, ImportRow).

Django's bulk_create compiles SQL for every field of every object (Measurement has ~50 columns),
which caps an import near 1,000 rows/s. Here ids are allocated up front (so the caller knows
them, as bulk_create would tell it), the columns the import does not set get their model default
once, and rows go out with COPY on PostgreSQL or one executemany on SQLite.
"""

from __future__ import annotations

import datetime as dt
import enum
import io
import json
import re
import sys
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone


def allocate_ids(model: type[models.Model], n: int) -> list[int]:
    if n == 0:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # n values from the sequence, safe against concurrent sessions; usually one unbroken
            # run, sent back as its two ends (fetching 100k ids one per row costs ~1 s).
            cursor.execute(
                "WITH taken AS (SELECT nextval(pg_get_serial_sequence(%s, %s)) AS v FROM generate_series(1, %s)) "
                "SELECT min(v), max(v), CASE WHEN max(v) - min(v) + 1 = count(*) THEN NULL "
                "ELSE array_agg(v) END FROM taken", [table, pk, n])
            low, high, scattered = cursor.fetchone()
            return list(range(low, high + 1)) if scattered is None else list(scattered)
        if connection.vendor == "sqlite":
            # The import's transaction holds SQLite's write lock (BEGIN IMMEDIATE): nobody else
            # can take these ids before we insert them.
            cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')
            top = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            seq = cursor.fetchone()
            start = max(top, seq[0] if seq else 0) + 1
            return list(range(start, start + n))
    raise NotImplementedError(f"fast insert not written for {connection.vendor}")


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence],
                ids: Sequence[int] | None = None, *, need_ids: bool = True,
                json_ready: bool = False, copier: BackgroundCopy | None = None) -> list[int]:
    """Insert `rows` (Python values for `fields`, in order); returns the new ids in row order.
    `ids`: ids already taken with allocate_ids(), one per row. need_ids=False: the database
    numbers the rows itself and nothing is returned (a log nobody points to). json_ready: JSON
    fields are given as JSON text already. copier: on PostgreSQL the COPY is queued there, to
    run beside the caller's next work (see BackgroundCopy); `rows` must not change meanwhile."""
    if not rows:
        return []
    meta = model._meta
    explicit = [meta.get_field(name) for name in fields]
    others = [f for f in meta.concrete_fields if not f.primary_key and f.name not in fields
              and f.attname not in fields]
    now = timezone.now()
    sqlite = connection.vendor == "sqlite"
    constants = []
    for field in others:
        value = now if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) else field.get_default()
        if isinstance(field, models.JSONField):
            constants.append(json.dumps(value))
        else:
            constants.append(field.get_db_prep_save(value, connection))
    converters = [None if json_ready and isinstance(field, models.JSONField) else _converter(field, sqlite)
                  for field in explicit]
    columns = [*(f.column for f in explicit), *(f.column for f in others)]
    if need_ids:
        columns.insert(0, meta.pk.column)
        if ids is None:
            ids = allocate_ids(model, len(rows))
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    table = connection.ops.quote_name(meta.db_table)
    constants = tuple(constants)

    converting = [(i, convert) for i, convert in enumerate(converters) if convert is not None]

    def prepared():
        for row in rows:
            if converting:
                row = list(row)
                for i, convert in converting:
                    if row[i] is not None:
                        row[i] = convert(row[i])
            yield (*row, *constants)

    if need_ids:
        plain = prepared

        def prepared():
            for pk, row in zip(ids, plain(), strict=True):
                yield (pk, *row)

    if connection.vendor == "postgresql":
        sql = f"COPY {table} ({quoted}) FROM STDIN"
        columnar = lambda: copy_columns(rows, converting, constants, ids if need_ids else None)  # noqa: E731
        if copier is not None and copier.pool is not None:
            copier.queue(sql, prepared, columnar)
            return list(ids) if need_ids else []
        data = copy_data(sql, prepared, columnar)
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            copy.write(data)
        return list(ids) if need_ids else []
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})", list(prepared()))
    return list(ids) if need_ids else []


def _converter(field: models.Field, sqlite: bool):
    if isinstance(field, models.JSONField):
        return _json
    if sqlite and isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return lambda value: value.isoformat()
    if sqlite and isinstance(field, models.UUIDField):
        return lambda value: value.hex  # Django stores a UUID as 32 hex characters on SQLite
    if sqlite and isinstance(field, models.DecimalField):
        return str
    return None


def _json(value) -> str:
    # most rows carry empty lists: skip the encoder for them
    if not value:
        return "[]" if isinstance(value, list) else "{}"
    return json.dumps(value)


# -- COPY text a column at a time -------------------------------------------------------------
#
# psycopg's copy.write_row() adapts every cell through its dumpers, row by row (~25 us a row for a
# Measurement's ~50 columns). The import's values are of a few plain types whose text form is
# str() (psycopg's own text dumpers for int, float, str, date, datetime use str() too), so the
# COPY text is built a column at a time: one list of texts per column, joined by tab and newline;
# the model defaults of the columns the import does not set are formatted once. A column holding
# any other type (numpy scalars, bool mixed with numbers) sends the whole COPY
# down psycopg's row path instead. tests/imports/test_copy_text.py checks the two give the same
# bytes on the ugly fixture files.

COLUMNAR = True  # False: every COPY is formatted by psycopg row by row (the reference path)
_COPY_SPECIAL = re.compile("[\b\t\n\v\f\r\\\\]")
_COPY_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r",
                 "\\": "\\\\"}
_STR_TYPES = frozenset({int, float, dt.date, dt.datetime})
_DECIMAL_SPECIAL = {"NaN": "NaN", "-NaN": "NaN", "sNaN": "NaN", "-sNaN": "NaN", "Infinity": "Infinity",
                    "-Infinity": "-Infinity"}


def _escape(text: str) -> str:
    return _COPY_SPECIAL.sub(lambda m: _COPY_ESCAPES[m.group()], text)


def column_text(values: Sequence) -> list[str] | None:
    """COPY text of one column (None: a type this does not format; use psycopg)."""
    types = set(map(type, values))
    types.discard(type(None))
    if not types:
        return ["\\N"] * len(values)
    if types == {str}:
        if any(_COPY_SPECIAL.search(v) for v in set(values) if v is not None):
            return ["\\N" if v is None else _escape(v) for v in values]
        return ["\\N" if v is None else v for v in values]
    if all(t is str or issubclass(t, enum.StrEnum) for t in types):  # Django's TextChoices members
        return column_text([None if v is None else str(v) for v in values])
    if types == {bool}:
        return ["\\N" if v is None else ("t" if v else "f") for v in values]
    if types <= _STR_TYPES:
        return ["\\N" if v is None else str(v) for v in values]
    if types == {Decimal}:
        # psycopg's text dumper: str(), but NaN and the infinities spelt as PostgreSQL reads them
        return ["\\N" if v is None else (str(v) if v.is_finite() else _DECIMAL_SPECIAL[str(v)]) for v in values]
    if types == {uuid.UUID}:
        return ["\\N" if v is None else v.hex for v in values]  # psycopg's UUID text dumper: 32 hex digits
    return None


def copy_columns(rows: Sequence[Sequence], converting, constants: tuple, ids) -> bytes | None:
    """The COPY text of `rows` (+ `constants` on every row, `ids` first), built column by column;
    None when a column holds a type column_text() leaves to psycopg."""
    if not rows:
        return b""
    columns = [list(c) for c in zip(*rows, strict=True)]
    for i, convert in converting:
        columns[i] = [None if v is None else convert(v) for v in columns[i]]
    if ids is not None:
        columns.insert(0, list(ids))
    texts = []
    for col in columns:
        text = column_text(col)
        if text is None:
            return None
        texts.append(text)
    tail = ""
    for value in constants:
        text = column_text([value])
        if text is None:
            return None
        tail += "\t" + text[0]
    end = tail + "\n"
    return (end.join(map("\t".join, zip(*texts, strict=True))) + end).encode()


def rows_text(cursor, rows: Callable[[], Iterable[tuple]]) -> bytes:
    """The COPY text psycopg makes of `rows`, one write_row() per row (the reference path)."""
    from psycopg.copy import Copy, FileWriter

    data = io.BytesIO()
    with Copy(cursor, writer=FileWriter(data)) as copy:
        for values in rows():
            copy.write_row(values)
    return data.getvalue()


def copy_data(sql: str, rows: Callable[[], Iterable[tuple]], columnar: Callable[[], bytes | None] | None,
              cursor=None) -> bytes:
    """The text of one COPY: column by column when COLUMNAR and the types allow, else psycopg's."""
    data = columnar() if (COLUMNAR and columnar is not None) else None
    if data is None:
        if cursor is None:
            connection.ensure_connection()
            with connection.connection.cursor() as own:
                return rows_text(own, rows)
        return rows_text(cursor, rows)
    return data


class BackgroundCopy:
    """COPYs on the current transaction's connection, run by one helper thread while the caller's
    Python goes on, so PostgreSQL's share of the work (index entries, foreign-key checks) runs on
    the other core instead of after it. One transaction still: the thread uses the same
    connection. A connection in COPY can do nothing else, so the caller calls wait() before it
    touches the database itself. On other databases there is no thread and nothing is queued."""

    # While a COPY runs, the helper thread needs the GIL back each time its socket takes more
    # data (every ~100 kB) and once at the end; with the caller's thread busy in Python each of
    # those waits up to the switch interval (5 ms by default). A shorter one while the copier
    # lives lets the COPY keep the server fed; the caller's thread only pays when the helper
    # actually asks for the GIL.
    SWITCH_INTERVAL = 0.0005

    def __init__(self):
        postgresql = connection.vendor == "postgresql"
        if postgresql:
            connection.ensure_connection()
        self.raw = connection.connection if postgresql else None
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="tumbuh-copy") if postgresql else None
        # Rows are turned into COPY text here, in the caller's thread: formatting them in the
        # helper thread would make the two threads take turns on the GIL, each wait as long as
        # Python's switch interval, which made the copies several times slower.
        self.formatting = self.raw.cursor() if postgresql else None
        self.jobs: list[tuple[str, bytes]] = []
        self.running: Future | None = None
        self.switch_interval = None
        if postgresql:
            # Every query Django sends on this connection first waits for a running COPY (a
            # connection in COPY can do nothing else): the caller need not wait() before its
            # own reads, and its Python work up to the next query runs beside the COPY.
            connection.execute_wrappers.append(self._after_copy)
            if self.SWITCH_INTERVAL:
                self.switch_interval = sys.getswitchinterval()
                sys.setswitchinterval(min(self.SWITCH_INTERVAL, self.switch_interval))

    def _after_copy(self, execute, sql, params, many, context):
        self.wait()
        return execute(sql, params, many, context)

    def queue(self, sql: str, rows: Callable[[], Iterable[tuple]],
              columnar: Callable[[], bytes | None] | None = None) -> None:
        self.jobs.append((sql, copy_data(sql, rows, columnar, self.formatting)))

    def start(self) -> None:
        """Run the queued COPYs in the helper thread (after the previous ones)."""
        if not self.jobs:
            return
        self.wait()
        jobs, self.jobs = self.jobs, []
        self.running = self.pool.submit(self._run, jobs)

    def _run(self, jobs) -> None:
        with self.raw.cursor() as cursor:
            for sql, data in jobs:
                with cursor.copy(sql) as copy:
                    copy.write(data)

    def wait(self) -> None:
        """Until the running COPYs are done; raises what went wrong in them."""
        if self.running is not None:
            running, self.running = self.running, None
            running.result()

    def close(self) -> None:
        """Wait for the thread and stop it (queued jobs not started are dropped)."""
        self.jobs = []
        try:
            if self.running is not None:
                self.running.exception()  # wait without raising: the caller is failing or done
        finally:
            self.running = None
            if self.pool is not None:
                self.pool.shutdown(wait=True)
                self.pool = None
            if self._after_copy in connection.execute_wrappers:
                connection.execute_wrappers.remove(self._after_copy)
            if self.switch_interval is not None:
                sys.setswitchinterval(self.switch_interval)
                self.switch_interval = None
