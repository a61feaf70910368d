"""Fast multi-row inserts for the import's two big tables (Measurement, ImportRow).

Django's bulk_create compiles SQL for every field of every object (Measurement has ~50 columns),
which caps an import near 1,000 rows/s. Here ids are allocated up front (so the caller knows
them, as bulk_create would tell it), the columns the import does not set get their model default
once, and rows go out with COPY on PostgreSQL or one executemany on SQLite.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

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

    if copier is not None and copier.pool is not None:
        copier.queue(f"COPY {table} ({quoted}) FROM STDIN", prepared)
        return list(ids) if need_ids else []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor behind Django's wrapper
            with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for values in prepared():
                    copy.write_row(values)
        else:
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


class BackgroundCopy:
    """COPYs on the current transaction's connection, run by one helper thread while the caller's
    Python goes on, so PostgreSQL's share of the work (index entries, foreign-key checks) runs on
    the other core instead of after it. One transaction still: the thread uses the same
    connection. A connection in COPY can do nothing else, so the caller calls wait() before it
    touches the database itself. On other databases there is no thread and nothing is queued."""

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

    def queue(self, sql: str, rows: Callable[[], Iterable[tuple]]) -> None:
        from psycopg.copy import Copy, FileWriter

        data = io.BytesIO()
        with Copy(self.formatting, writer=FileWriter(data)) as copy:
            for values in rows():
                copy.write_row(values)
        self.jobs.append((sql, data.getvalue()))

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
