"""Fast multi-row inserts for the import's two big tables (Measurement, ImportRow).

Django's bulk_create compiles SQL for every field of every object (Measurement has ~50 columns),
which caps an import near 1,000 rows/s. Here ids are allocated up front (so the caller knows
them, as bulk_create would tell it), the columns the import does not set get their model default
once, and rows go out with COPY on PostgreSQL or one executemany on SQLite.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection, models
from django.utils import timezone


def allocate_ids(model: type[models.Model], n: int) -> list[int]:
    if n == 0:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, pk, n])
            return [row[0] for row in cursor.fetchall()]
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
                ids: Sequence[int] | None = None) -> list[int]:
    """Insert `rows` (Python values for `fields`, in order); returns the new ids in row order.
    `ids`: ids already taken with allocate_ids(), one per row."""
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
    converters = [_converter(field, sqlite) for field in explicit]
    columns = [meta.pk.column, *(f.column for f in explicit), *(f.column for f in others)]
    if ids is None:
        ids = allocate_ids(model, len(rows))
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    table = connection.ops.quote_name(meta.db_table)
    constants = tuple(constants)

    def prepared():
        for pk, row in zip(ids, rows, strict=True):
            yield (pk, *[(convert(v) if convert and v is not None else v) for convert, v in zip(converters, row, strict=True)],
                   *constants)

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor behind Django's wrapper
            with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for values in prepared():
                    copy.write_row(values)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})", list(prepared()))
    return ids


def _converter(field: models.Field, sqlite: bool):
    if isinstance(field, models.JSONField):
        return _json
    if sqlite and isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return lambda value: value.isoformat()
    return None


def _json(value) -> str:
    # most rows carry empty lists: skip the encoder for them
    if not value:
        return "[]" if isinstance(value, list) else "{}"
    return json.dumps(value)
