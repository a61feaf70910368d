"""Reads for the analytics pages: one query over the user's scoped measurements (or people) for a
region and date range, into a pandas frame the pure modules compute on.

Everything starts from `tumbuh.accounts.scoping`, so a user never gets a row outside their scope
whatever region code a URL carries.

Caching: frames and computed results are kept in a small in-process cache keyed by the user's
scope, the region, the dates and a *change key* read in one query per request: the row count and
the latest `updated_at` of the measurement and person tables. Any insert or update moves
`updated_at` (auto_now on save; `measurements.services.recompute_children` and the bulk writers
set it), any delete lowers the count, so a cached value is never served after a change. There are
no signals: they cost a row-by-row delete and missed bulk writes anyway. A write that bypasses
`updated_at` (a bare `QuerySet.update(...)` without it) is not seen; writers must set it.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import threading
from collections import OrderedDict

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import CharField, Q
from django.db.models.functions import Cast

from tumbuh.accounts.scoping import measurements_for, people_for, scope_region_code
from tumbuh.measurements.models import Measurement
from tumbuh.regions.models import within
from tumbuh.registry.models import Person

from .prevalence import MAX_AGE_DAYS

MEASUREMENT_FIELDS = {
    "id": "id",
    "child_id": "child_id",
    "measured_on": "measured_on",
    "desa": "desa_id",
    "posyandu_id": "posyandu_id",
    "age_days": "age_days",
    "sex": "child__sex",
    "birth_date": "child__birth_date",
    "weight_kg": "weight_kg",
    "length_cm": "length_cm",
    "haz": "length_for_age_z",
    "waz": "weight_for_age_z",
    "whz": "weight_for_length_z",
    "bmiz": "bmi_for_age_z",
    "haz_flag": "length_for_age_flag",
    "waz_flag": "weight_for_age_flag",
    "whz_flag": "weight_for_length_flag",
    "bmiz_flag": "bmi_for_age_flag",
    "oedema": "oedema",
    "weight_gain": "weight_gain",
    "bgm": "below_red_line",
}
# What the dashboard needs (prevalence of the HA/WA/WH indices, coverage, SKDN, ranking): the
# columns it does not use are not read, the fetch costs per cell.
DASHBOARD_FIELDS = {k: v for k, v in MEASUREMENT_FIELDS.items()
                    if k not in ("birth_date", "weight_kg", "length_cm", "bmiz", "bmiz_flag")}
PEOPLE_FIELDS = {"child_id": "id", "desa": "desa_id", "posyandu_id": "posyandu_id",
                 "sex": "sex", "birth_date": "birth_date"}
CACHE_ENTRIES = 16

# How each column comes back from the cursor and becomes a numpy column.
INT_COLUMNS = {"id", "child_id", "age_days"}
NULLABLE_INT_COLUMNS = {"posyandu_id"}  # NULL -> 0
FLOAT_COLUMNS = {"weight_kg", "length_cm", "haz", "waz", "whz", "bmiz"}
BOOL_COLUMNS = {"haz_flag", "waz_flag", "whz_flag", "bmiz_flag", "oedema", "bgm"}  # NULL -> False
DATE_COLUMNS = {"measured_on", "birth_date"}
TEXT_COLUMNS = {"sex", "desa", "weight_gain"}  # NULL -> ""

_cache: OrderedDict = OrderedDict()
_lock = threading.Lock()
# The change key read for the outermost cached call, reused by the calls nested in its build, so
# one request reads it once.
_current_key: contextvars.ContextVar[tuple | None] = contextvars.ContextVar("analytics_change_key", default=None)


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def change_key() -> tuple:
    """(count, latest updated_at) of measurements and of people, in one query. Table-wide counts,
    not personal data: only used to notice that something changed."""
    m, p = Measurement._meta.db_table, Person._meta.db_table
    sql = (f"SELECT (SELECT COUNT(*) FROM {m}), (SELECT MAX(updated_at) FROM {m}), "
           f"(SELECT COUNT(*) FROM {p}), (SELECT MAX(updated_at) FROM {p})")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(str(v) for v in cursor.fetchone())


def _scope_key(user) -> tuple:
    return (user.pk, getattr(user, "role", ""), getattr(user, "region_id", None),
            getattr(user, "posyandu_id", None), getattr(user, "puskesmas_id", None),
            user.is_superuser, scope_region_code(user))


def _cached(key: tuple, build):
    outer = _current_key.get() is None
    version = change_key() if outer else _current_key.get()
    full = (*key, version)
    with _lock:
        hit = _cache.get(full)
        if hit is not None:
            _cache.move_to_end(full)
            return hit
    token = _current_key.set(version) if outer else None
    try:
        value = build()
    finally:
        if token is not None:
            _current_key.reset(token)
    with _lock:
        _cache[full] = value
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)
    return value


def _column(name: str, values: tuple, n: int):
    if name in INT_COLUMNS:
        return np.fromiter(values, dtype=np.int64, count=n)
    if name in NULLABLE_INT_COLUMNS:
        return np.nan_to_num(np.array(values, dtype=float), nan=0.0).astype(np.int64)
    if name in FLOAT_COLUMNS:
        return np.array(values, dtype=float)  # None -> NaN
    if name in BOOL_COLUMNS:
        return np.array(values, dtype=bool)  # None -> False; SQLite's 0/1 and PostgreSQL's bools
    if name in DATE_COLUMNS:
        return np.array(values, dtype="datetime64[D]").astype("datetime64[s]")
    if name in TEXT_COLUMNS:
        return pd.Categorical([v or "" for v in values])
    return np.array(values, dtype=object)


def _fetch(queryset, fields: dict[str, str]) -> pd.DataFrame:
    """Run a values_list query straight through the cursor and build each column in one numpy
    call: Django's per-row converters and pandas' row-wise record parsing cost far more than the
    query on a few hundred thousand rows."""
    # Dates come back as ISO text (no per-row converter); numpy parses the whole column.
    text_dates = {f"{k}_txt": Cast(v, CharField()) for k, v in fields.items() if k in DATE_COLUMNS}
    names = [f"{k}_txt" if f"{k}_txt" in text_dates else v for k, v in fields.items()]
    sql, params = queryset.annotate(**text_dates).values_list(*names).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    n = len(rows)
    columns = list(zip(*rows, strict=True)) if n else [()] * len(fields)
    del rows
    return pd.DataFrame({name: _column(name, values, n) for name, values in zip(fields, columns, strict=True)})


def in_region(field: str, region_code: str) -> Q:
    """Rows whose region-code column lies in `region_code`, as a range on the column rather than
    `LIKE 'code.%'`, so SQLite uses the (desa, measured_on) index ('/' sorts right after '.')."""
    return Q(**{field: region_code}) | Q(**{f"{field}__gte": region_code + ".", f"{field}__lt": region_code + "/"})


def cached(kind: str, user, *key, build):
    """Any computed result, cached like the frames (e.g. a whole dashboard)."""
    return _cached((kind, _scope_key(user), *key), build)


def measurement_frame(user, region_code: str, start: dt.date, end: dt.date,
                      posyandu_id: int | None = None, fields: dict[str, str] = MEASUREMENT_FIELDS) -> pd.DataFrame:
    """Every measurement of a child under five taken in [start, end] in the region, as the user
    may see them. Region is where the child was measured (the measurement's desa)."""

    def build():
        qs = measurements_for(user).filter(measured_on__gte=start, measured_on__lte=end,
                                           age_days__gte=0, age_days__lte=MAX_AGE_DAYS)
        if region_code:
            qs = qs.filter(in_region("desa_id", region_code))
        if posyandu_id:
            qs = qs.filter(posyandu_id=posyandu_id)
        return _fetch(qs.order_by(), fields)

    return _cached(("m", _scope_key(user), region_code, start, end, posyandu_id, tuple(fields)), build)


def registered_frame(user, region_code: str, on: dt.date, posyandu_id: int | None = None) -> pd.DataFrame:
    """Children under five on `on` registered (active) in the region: the S of SKDN."""

    def build():
        qs = people_for(user).filter(active=True, birth_date__lte=on,
                                     birth_date__gt=on - dt.timedelta(days=MAX_AGE_DAYS))
        if region_code:
            qs = qs.filter(in_region("desa_id", region_code))
        if posyandu_id:
            qs = qs.filter(posyandu_id=posyandu_id)
        return _fetch(qs.order_by(), PEOPLE_FIELDS)

    return _cached(("p", _scope_key(user), region_code, on, posyandu_id), build)


def latest_measured_on(user, region_code: str) -> dt.date | None:
    qs = measurements_for(user)
    if region_code:
        # `within` (LIKE) on purpose: the planner then walks the measured_on index from the end
        # and stops at the first row in the region; with the range it reads the region's rows.
        qs = qs.filter(within("desa_id", region_code))
    return qs.order_by("-measured_on").values_list("measured_on", flat=True).first()


def people_details(user, child_ids) -> pd.DataFrame:
    """Name-and-address columns for a BNBA list, only for people inside the user's scope."""
    ids = [int(i) for i in child_ids]
    fields = {
        "child_id": "id", "nik": "nik", "name": "name", "mother": "mother__name",
        "address": "household__address", "rt": "household__rt", "rw": "household__rw",
        "desa_name": "desa__name", "home_posyandu": "posyandu__name",
    }
    if not ids:
        return pd.DataFrame(columns=list(fields))
    parts = []
    for i in range(0, len(ids), 900):  # SQLite's bound-parameter limit on older builds
        qs = people_for(user).filter(id__in=ids[i:i + 900]).order_by()
        parts.append(pd.DataFrame.from_records(list(qs.values_list(*fields.values())), columns=list(fields)))
    return pd.concat(parts, ignore_index=True)
