"""Row-level reads for the analytics pages that need rows (BNBA lists, data quality, and the
reference computation the summary table is tested against): one query over the user's scoped
measurements (or people) for a region and date range, into a pandas frame the pure modules
compute on. The dashboard and the prevalence table read the summary table instead (summary.py).

Everything starts from `tumbuh.accounts.scoping`, so a user never gets a row outside their scope
whatever region code a URL carries. A measurement belongs to the region and posyandu where its
child lives now (the child's `desa` and `posyandu`), the same place scoping and the summary table
use, so a list and a dashboard figure always count the same children.

No cache: the summary table answers the dashboard in milliseconds, and rows for one period are
read fresh.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import CharField
from django.db.models.functions import Cast

from tumbuh.measurements.selectors import measurements_for
from tumbuh.regions.models import within
from tumbuh.registry.selectors import people_for

from .prevalence import MAX_AGE_DAYS

MEASUREMENT_FIELDS = {
    "id": "id",
    "child_id": "child_id",
    "measured_on": "measured_on",
    "desa": "child__desa_id",
    "posyandu_id": "child__posyandu_id",
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

# How each column comes back from the cursor and becomes a numpy column.
INT_COLUMNS = {"id", "child_id", "age_days"}
NULLABLE_INT_COLUMNS = {"posyandu_id"}  # NULL -> 0
FLOAT_COLUMNS = {"weight_kg", "length_cm", "haz", "waz", "whz", "bmiz"}
BOOL_COLUMNS = {"haz_flag", "waz_flag", "whz_flag", "bmiz_flag", "oedema", "bgm", "active"}  # NULL -> False
DATE_COLUMNS = {"measured_on", "birth_date"}
TEXT_COLUMNS = {"sex", "desa", "weight_gain"}  # NULL -> ""

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


def measurement_frame(user, region_code: str, start: dt.date, end: dt.date,
                      posyandu_id: int | None = None, fields: dict[str, str] = MEASUREMENT_FIELDS) -> pd.DataFrame:
    """Every measurement of a child under five taken in [start, end] whose child lives in the
    region (and posyandu) now, as the user may see them."""
    qs = measurements_for(user).filter(measured_on__gte=start, measured_on__lte=end,
                                       age_days__gte=0, age_days__lte=MAX_AGE_DAYS)
    if region_code:
        qs = qs.filter(within("child__desa_id", region_code))
    if posyandu_id:
        qs = qs.filter(child__posyandu_id=posyandu_id)
    return _fetch(qs.order_by(), fields)


def registered_people(user, region_code: str, on: dt.date, posyandu_id: int | None = None):
    """Children under five on `on` registered (active) in the region: the S of SKDN."""
    qs = people_for(user).filter(active=True, birth_date__lte=on,
                                 birth_date__gt=on - dt.timedelta(days=MAX_AGE_DAYS))
    if region_code:
        qs = qs.filter(within("desa_id", region_code))
    if posyandu_id:
        qs = qs.filter(posyandu_id=posyandu_id)
    return qs.order_by()


def registered_frame(user, region_code: str, on: dt.date, posyandu_id: int | None = None) -> pd.DataFrame:
    return _fetch(registered_people(user, region_code, on, posyandu_id), PEOPLE_FIELDS)


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
