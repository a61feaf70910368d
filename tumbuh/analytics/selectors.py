"""Reads for the analytics pages: one query over the user's scoped measurements (or people) for a
region and date range, into a pandas frame the pure modules compute on.

Everything starts from `tumbuh.accounts.scoping`, so a user never gets a row outside their scope
whatever region code a URL carries. Frames are kept in a small in-process cache keyed by the
user's scope, the region, the dates and a cheap fingerprint of the tables (row counts, highest
ids, a counter bumped on every save), with a short lifetime for bulk updates that send no signal.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import CharField, Count, Max
from django.db.models.functions import Cast
from django.db.models.signals import post_delete, post_save

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
PEOPLE_FIELDS = {"child_id": "id", "desa": "desa_id", "posyandu_id": "posyandu_id",
                 "sex": "sex", "birth_date": "birth_date"}
CACHE_SECONDS = 120
CACHE_ENTRIES = 16

_cache: OrderedDict = OrderedDict()
_lock = threading.Lock()
_version = [0]


def _bump(**_kwargs) -> None:
    _version[0] += 1


for _model in (Measurement, Person):
    post_save.connect(_bump, sender=_model, dispatch_uid=f"analytics-cache-{_model.__name__}")
    post_delete.connect(_bump, sender=_model, dispatch_uid=f"analytics-cache-del-{_model.__name__}")


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _fingerprint() -> tuple:
    # Table-wide counts, not personal data: only used to notice that something changed.
    m = Measurement.objects.aggregate(n=Count("id"), top=Max("id"))
    p = Person.objects.aggregate(n=Count("id"), top=Max("id"))
    return (_version[0], m["n"], m["top"], p["n"], p["top"])


def _scope_key(user) -> tuple:
    return (user.pk, getattr(user, "role", ""), getattr(user, "region_id", None),
            getattr(user, "posyandu_id", None), getattr(user, "puskesmas_id", None),
            user.is_superuser, scope_region_code(user))


def _cached(key: tuple, build):
    full = (*key, _fingerprint())
    now = time.monotonic()
    with _lock:
        hit = _cache.get(full)
        if hit and now - hit[0] < CACHE_SECONDS:
            _cache.move_to_end(full)
            return hit[1]
    value = build()
    with _lock:
        _cache[full] = (now, value)
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)
    return value


def _fetch(queryset, fields: dict[str, str]) -> pd.DataFrame:
    """Run a values_list query straight through the cursor: Django's per-row converters cost
    more than the query itself on a few hundred thousand rows; pandas converts whole columns."""
    # Dates come back as text (no declared type, so no per-row converter); pandas parses them.
    text_dates = {f"{k}_txt": Cast(v, CharField()) for k, v in fields.items() if k in ("measured_on", "birth_date")}
    names = [f"{k}_txt" if f"{k}_txt" in text_dates else v for k, v in fields.items()]
    sql, params = queryset.annotate(**text_dates).values_list(*names).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    frame = pd.DataFrame.from_records(rows, columns=list(fields), coerce_float=True)
    return frame


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    for col in ("measured_on", "birth_date"):
        if col in frame:
            frame[col] = pd.to_datetime(frame[col]).astype("datetime64[s]")
    for col in ("haz_flag", "waz_flag", "whz_flag", "bmiz_flag", "oedema", "bgm"):
        if col in frame:
            frame[col] = frame[col].astype("boolean").fillna(False).astype(bool)
    for col in ("age_days", "weight_kg", "length_cm", "haz", "waz", "whz", "bmiz"):
        if col in frame:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    for col in ("sex", "desa", "weight_gain"):
        if col in frame:
            frame[col] = frame[col].fillna("").astype("category")
    if "posyandu_id" in frame:
        frame["posyandu_id"] = pd.to_numeric(frame["posyandu_id"]).fillna(0).astype(np.int64)
    return frame


def cached(kind: str, user, *key, build):
    """Any computed result, cached like the frames (e.g. a whole dashboard)."""
    return _cached((kind, _scope_key(user), *key), build)


def measurement_frame(user, region_code: str, start: dt.date, end: dt.date,
                      posyandu_id: int | None = None) -> pd.DataFrame:
    """Every measurement of a child under five taken in [start, end] in the region, as the user
    may see them. Region is where the child was measured (the measurement's desa)."""

    def build():
        qs = measurements_for(user).filter(measured_on__gte=start, measured_on__lte=end,
                                           age_days__gte=0, age_days__lte=MAX_AGE_DAYS)
        if region_code:
            qs = qs.filter(within("desa_id", region_code))
        if posyandu_id:
            qs = qs.filter(posyandu_id=posyandu_id)
        return _normalise(_fetch(qs.order_by(), MEASUREMENT_FIELDS))

    return _cached(("m", _scope_key(user), region_code, start, end, posyandu_id), build)


def registered_frame(user, region_code: str, on: dt.date, posyandu_id: int | None = None) -> pd.DataFrame:
    """Children under five on `on` registered (active) in the region: the S of SKDN."""

    def build():
        qs = people_for(user).filter(active=True, birth_date__lte=on,
                                     birth_date__gt=on - dt.timedelta(days=MAX_AGE_DAYS))
        if region_code:
            qs = qs.filter(within("desa_id", region_code))
        if posyandu_id:
            qs = qs.filter(posyandu_id=posyandu_id)
        return _normalise(_fetch(qs.order_by(), PEOPLE_FIELDS))

    return _cached(("p", _scope_key(user), region_code, on, posyandu_id), build)


def latest_measured_on(user, region_code: str) -> dt.date | None:
    qs = measurements_for(user)
    if region_code:
        qs = qs.filter(within("desa_id", region_code))
    return qs.aggregate(last=Max("measured_on"))["last"]


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
