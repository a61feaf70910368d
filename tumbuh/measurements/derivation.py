"""Everything a measurement row derives from its inputs, computed a whole column at a time.

One function (`compute`) turns a frame of raw inputs into a frame of derived values: WHO z-scores
and flags from `tumbuh.growth`, Permenkes 2/2020 categories, BGM, and (over a child's ordered
series) N/T/2T weight gain and the warnings that compare a row with the child's earlier rows.
The ORM wrappers (`derive`, `recompute_children`) only move columns in and out of the database,
so a single entry and a 100k-row import go through the same code.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tumbuh.web.text import iso_date_shown

from .signals import measurements_changed

# Below 731 days WHO expects length lying; from 731 days height standing (anthro's 0.7 cm switch).
LYING_UNTIL_DAYS = 731
DAYS_PER_MONTH = 30.4375
LENGTH_DROP_WARN_CM = 1.5
WEIGHT_CHANGE_WARN = 0.25
WEIGHT_CHANGE_WINDOW_DAYS = 60
# anthro_prevalence counts oedema as below -3 SD for the weight indices (WHO 2019 recommendations).
OEDEMA_AUX_Z = -3.1

# (model z field, model flag field, growth z column, growth flag column, short Indonesian name)
INDICATORS = [
    ("length_for_age_z", "length_for_age_flag", "zlen", "flen", "TB/U"),
    ("weight_for_age_z", "weight_for_age_flag", "zwei", "fwei", "BB/U"),
    ("weight_for_length_z", "weight_for_length_flag", "zwfl", "fwfl", "BB/TB"),
    ("bmi_for_age_z", "bmi_for_age_flag", "zbmi", "fbmi", "IMT/U"),
    ("head_circumference_for_age_z", "head_circumference_for_age_flag", "zhc", "fhc", "LK/U"),
    ("arm_circumference_for_age_z", "arm_circumference_for_age_flag", "zac", "fac", "LiLA/U"),
]
CATEGORY_FIELDS = [
    "weight_for_age_category", "length_for_age_category",
    "weight_for_length_category", "bmi_for_age_category",
]
# Warnings that compare a row with the child's earlier rows: only a series recompute sets them.
SERIES_WARNINGS = {"length_decrease", "weight_change"}
# Until `values_confirmed`, a row with one of these is flagged (kept out of prevalence and BNBA)
# on the indices that use the suspect value, as a WHO flag would.
CONFIRMABLE_WARNINGS = SERIES_WARNINGS
# What an entry screen asks to confirm before saving (WHO flags stay flagged once confirmed).
CONFIRM_BEFORE_SAVING = {"implausible", *SERIES_WARNINGS}
# Everything `compute` returns and the database stores, in this order.
DERIVED_FIELDS = [
    "age_days", "length_adjusted_cm", "bmi",
    *[z for z, *_ in INDICATORS], *[f for _z, f, *_ in INDICATORS],
    "position_flag", *CATEGORY_FIELDS, "below_red_line", "weight_gain", "warnings",
]
INPUT_COLUMNS = [
    "id", "child_id", "measured_on", "weight_kg", "length_cm", "position",
    "head_circumference_cm", "arm_circumference_cm", "oedema", "birth_date", "sex",
]
# Optional input: rows without it are unconfirmed (the importer's new children).
CONFIRMED_COLUMN = "values_confirmed"
_ORM_INPUTS = [*INPUT_COLUMNS[:-2], "child__birth_date", "child__sex", CONFIRMED_COLUMN]


def _growth():
    # Imported late: the engine is pure numpy and costs nothing until a row is derived.
    from tumbuh import growth
    from tumbuh.growth import categories, weight_gain

    return growth, categories, weight_gain


def _as_float(values) -> np.ndarray:
    series = pd.to_numeric(pd.Series(values), errors="coerce")
    return series.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _as_flag(values) -> np.ndarray:
    """Engine flags (0/1/NaN) -> object array of True/False/None (a missing z has no flag)."""
    arr = _as_float(values)
    out = np.full(arr.shape, None, dtype=object)
    known = ~np.isnan(arr)
    out[known] = arr[known] > 0
    return out


def _codes(values, usable: np.ndarray) -> np.ndarray:
    out = np.asarray(values, dtype=object).copy()
    out[~usable] = ""
    out[pd.isna(out)] = ""
    return out.astype(str).astype(object)


def compute(frame: pd.DataFrame, *, series: bool) -> pd.DataFrame:
    """Derived values for `frame` (columns INPUT_COLUMNS; with series=True, rows sorted by child_id
    then measured_on and holding each child's whole series). Returns DERIVED_FIELDS, same index;
    without series, weight_gain is None and warnings hold only the row's own warnings."""
    growth, categories, weight_gain = _growth()
    n = len(frame)
    measured = frame["measured_on"].to_numpy().astype("datetime64[D]")
    born = frame["birth_date"].to_numpy().astype("datetime64[D]")
    age_days = (measured - born).astype(float)
    age_days[age_days < 0] = np.nan
    weight = _as_float(frame["weight_kg"])
    length = _as_float(frame["length_cm"])
    position = frame["position"].fillna("").astype(str).to_numpy()
    oedema = frame["oedema"].fillna(False).astype(bool).to_numpy()

    z = growth.anthro_zscores(pd.DataFrame({
        "sex": frame["sex"].map({"M": 1, "F": 2}).to_numpy(),
        "age_days": age_days,
        "weight": weight,
        "lenhei": length,
        "measure": np.where(np.isin(position, ["l", "h"]), position, None),
        "oedema": np.where(oedema, "y", "n"),
        "headc": _as_float(frame["head_circumference_cm"]),
        "armc": _as_float(frame["arm_circumference_cm"]),
    }))
    out = pd.DataFrame(index=frame.index)
    out["age_days"] = pd.array(np.where(np.isnan(age_days), pd.NA, age_days), dtype="Int64")
    out["length_adjusted_cm"] = _as_float(z["clenhei"])
    out["bmi"] = _as_float(z["cbmi"])
    zs, flags, who_flags = {}, {}, {}
    for z_field, flag_field, z_col, flag_col, _name in INDICATORS:
        zs[z_col] = _as_float(z[z_col])
        who_flags[z_col] = _as_float(z[flag_col]) > 0
        flags[z_col] = who_flags[z_col].copy()
        out[z_field] = zs[z_col]
        out[flag_field] = _as_flag(z[flag_col])
    c9mo_col = "c9mo" if "c9mo" in z.columns else "c9mo_flag"
    c9mo = _as_float(z[c9mo_col]) > 0
    out["position_flag"] = c9mo

    warnings: list[list[dict]] = [[] for _ in range(n)]
    if series:
        length_suspect, weight_suspect = _series_warnings(
            frame["child_id"].to_numpy(), measured, out["length_adjusted_cm"].to_numpy(), weight, warnings)
        if CONFIRMED_COLUMN in frame.columns:
            confirmed = frame[CONFIRMED_COLUMN].fillna(False).astype(bool).to_numpy()
        else:
            confirmed = np.zeros(n, dtype=bool)
        length_out, weight_out = length_suspect & ~confirmed, weight_suspect & ~confirmed
        suspect = {"zlen": length_out, "zwei": weight_out, "zwfl": length_out | weight_out,
                   "zbmi": length_out | weight_out}
        for _z_field, flag_field, z_col, _fc, _name in INDICATORS:
            extra = suspect.get(z_col)
            if extra is None or not extra.any():
                continue
            extra = extra & ~np.isnan(zs[z_col])
            flags[z_col] = flags[z_col] | extra
            column = out[flag_field].to_numpy(dtype=object).copy()
            column[extra] = True
            out[flag_field] = column

    # A flagged z is an implausible value, not a nutritional status: it gets no category.
    def usable(col):
        return ~np.isnan(zs[col]) & ~flags[col]

    weighed_oedema = oedema & ~np.isnan(weight)
    age_months = age_days / DAYS_PER_MONTH
    waz = np.where(weighed_oedema, OEDEMA_AUX_Z, np.where(usable("zwei"), zs["zwei"], np.nan))
    wfl = np.where(weighed_oedema, OEDEMA_AUX_Z, np.where(usable("zwfl"), zs["zwfl"], np.nan))
    bmz = np.where(weighed_oedema, OEDEMA_AUX_Z, np.where(usable("zbmi"), zs["zbmi"], np.nan))
    laz = np.where(usable("zlen"), zs["zlen"], np.nan)
    out["weight_for_age_category"] = _codes(categories.weight_for_age_category(waz), ~np.isnan(waz))
    out["length_for_age_category"] = _codes(categories.length_for_age_category(laz), ~np.isnan(laz))
    out["weight_for_length_category"] = _codes(categories.weight_for_length_category(wfl), ~np.isnan(wfl))
    out["bmi_for_age_category"] = _codes(
        categories.bmi_for_age_category(bmz, age_months), ~np.isnan(bmz) & ~np.isnan(age_months))
    out["below_red_line"] = np.asarray(weight_gain.below_red_line(np.where(usable("zwei"), zs["zwei"], np.nan)),
                                       dtype=bool)

    own: list[list[dict]] = [[] for _ in range(n)]
    for _z, _f, z_col, _fc, name in INDICATORS:
        for i in np.flatnonzero(who_flags[z_col]):
            own[i].append({"code": "implausible", "indicator": name, "z": round(float(zs[z_col][i]), 2)})
    for i in np.flatnonzero(c9mo):
        own[i].append({"code": "standing_before_9m"})
    has_length = ~np.isnan(length)
    young = age_days < LYING_UNTIL_DAYS
    for i in np.flatnonzero(has_length & (position == "h") & young & ~c9mo):
        own[i].append({"code": "standing_before_24m"})
    for i in np.flatnonzero(has_length & (position == "l") & (age_days >= LYING_UNTIL_DAYS)):
        own[i].append({"code": "lying_after_24m"})
    warnings = [a + b for a, b in zip(own, warnings, strict=True)]

    if series:
        out["weight_gain"] = _weight_gain(frame["child_id"].to_numpy(), measured, age_days, weight, weight_gain)
    else:
        out["weight_gain"] = None
    out["warnings"] = pd.Series(warnings, index=frame.index, dtype=object)
    return out[DERIVED_FIELDS]


def _weight_gain(child, measured, age_days, weight, weight_gain) -> np.ndarray:
    # N/T/2T is about weighings: a length-only visit neither breaks nor makes a series.
    status = np.full(len(child), "", dtype=object)
    weighed = ~np.isnan(weight) & ~np.isnan(age_days)
    if weighed.any():
        result = weight_gain.weight_gain_status(
            child[weighed], measured[weighed], age_days[weighed].astype(int), weight[weighed])
        status[weighed] = np.asarray(result, dtype=object)
    status[pd.isna(status)] = ""
    return status


def _previous(child: np.ndarray, values: np.ndarray, dates: np.ndarray):
    """For each row, the child's most recent earlier non-missing value and its date."""
    keys = pd.Series(child)
    vals = pd.Series(values)
    when = pd.Series(np.where(np.isnan(values), np.datetime64("NaT"), dates).astype("datetime64[ns]"))
    last_val = vals.groupby(keys).ffill().groupby(keys).shift()
    last_date = when.groupby(keys).ffill().groupby(keys).shift()
    return last_val.to_numpy(dtype=float), last_date.to_numpy().astype("datetime64[D]")


def _series_warnings(child, measured, length_adj, weight, warnings) -> tuple[np.ndarray, np.ndarray]:
    """Append the series warnings; return (length suspect, weight suspect) masks."""
    prev_len, prev_len_date = _previous(child, length_adj, measured)
    drop = prev_len - length_adj
    for i in np.flatnonzero(drop > LENGTH_DROP_WARN_CM):
        warnings[i].append({"code": "length_decrease", "previous_cm": round(float(prev_len[i]), 1),
                            "drop_cm": round(float(drop[i]), 1), "previous_on": str(prev_len_date[i])})
    prev_w, prev_w_date = _previous(child, weight, measured)
    gap = (measured - prev_w_date).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        change = np.abs(weight - prev_w) / prev_w
    weight_suspect = (change > WEIGHT_CHANGE_WARN) & (gap <= WEIGHT_CHANGE_WINDOW_DAYS)
    for i in np.flatnonzero(weight_suspect):
        warnings[i].append({"code": "weight_change", "previous_kg": round(float(prev_w[i]), 2),
                            "percent": int(round(change[i] * 100)), "previous_on": str(prev_w_date[i])})
    return drop > LENGTH_DROP_WARN_CM, weight_suspect


def warning_message(w: dict) -> str:
    """The warning stored as a code, in the reader's language."""
    code = w.get("code")
    if code == "implausible":
        return _("%(indicator)s z-score %(z)s is biologically implausible: check the measurement") % {
            "indicator": w.get("indicator", ""), "z": number_format(w.get("z", 0), 2)}
    if code == "standing_before_9m":
        return _("Measured standing before 9 months: measure the baby lying down")
    if code == "standing_before_24m":
        return _("Measured standing before 24 months: 0.7 cm added to get the lying length")
    if code == "lying_after_24m":
        return _("Measured lying at 24 months or older: 0.7 cm subtracted to get the standing height")
    if code == "length_decrease":
        return _("Length/height is %(drop)s cm lower than on %(date)s (%(previous)s cm): check the measurement") % {
            "drop": number_format(w["drop_cm"], 1), "date": iso_date_shown(w["previous_on"]),
            "previous": number_format(w["previous_cm"], 1)}
    if code == "weight_change":
        return _("Weight changed by %(percent)s%% since %(date)s (%(previous)s kg): check the weighing") % {
            "percent": w["percent"], "date": iso_date_shown(w["previous_on"]), "previous": number_format(w["previous_kg"], 2)}
    return str(w.get("text") or code or "")


# ---------------------------------------------------------------------------------------------
# Moving columns in and out of the database.

def frame_from_measurements(measurements: Sequence) -> pd.DataFrame:
    rows = [
        (m.pk, m.child_id, m.measured_on, m.weight_kg, m.length_cm, m.position, m.head_circumference_cm,
         m.arm_circumference_cm, m.oedema, m.child.birth_date, m.child.sex, m.values_confirmed)
        for m in measurements
    ]
    return pd.DataFrame.from_records(rows, columns=[*INPUT_COLUMNS, CONFIRMED_COLUMN])


def derive(measurements: list) -> None:
    """Fill the derived fields of unsaved or saved Measurement objects in place, in one engine
    call. Weight gain and the warnings comparing with earlier rows need the child's whole series:
    they are left as they were (recompute_children sets them)."""
    if not measurements:
        return
    frame = frame_from_measurements(measurements)
    derived = compute(frame, series=False)
    records = derived.drop(columns=["weight_gain", "warnings"]).astype(object)
    records = records.where(records.notna(), None).to_dict("records")
    for m, values, own_warnings in zip(measurements, records, derived["warnings"], strict=True):
        for field, value in values.items():
            setattr(m, field, value)
        if m.age_days is not None:
            m.age_days = int(m.age_days)
        kept = [w for w in (m.warnings or []) if w.get("code") in SERIES_WARNINGS]
        m.warnings = own_warnings + kept


def _columns_as_python(derived: pd.DataFrame, *, warnings_as: str = "db") -> list[list]:
    """DERIVED_FIELDS as lists of database-ready Python values. Warnings: adapted for the
    connection ("db"), JSON text ("json", for COPY) or the Python lists ("python")."""
    cols = []
    for field in DERIVED_FIELDS:
        col = derived[field]
        if field == "warnings":
            if warnings_as == "json":
                cols.append([json.dumps(v) if v else "[]" for v in col])
                continue
            if warnings_as == "python":
                cols.append(col.tolist())
                continue
            prep = _warnings_field().get_db_prep_save
            empty = prep([], connection)  # most rows have no warning: adapt that once
            cols.append([prep(v, connection) if v else empty for v in col])
        elif field in {"weight_gain", *CATEGORY_FIELDS}:
            cols.append(col.fillna("").tolist())
        else:
            values = col.astype(object)
            cols.append(values.where(values.notna(), None).tolist())
    return cols


def derived_columns(frame: pd.DataFrame) -> list[list]:
    """compute(frame, series=True) as one list of plain Python values per DERIVED_FIELDS entry
    (warnings as lists), for a caller that inserts new rows with their derived values already
    set (the importer, for children whose whole series it holds) instead of inserting and then
    recomputing. `frame` as for compute(): INPUT_COLUMNS, sorted by child_id then measured_on."""
    return _columns_as_python(compute(frame, series=True), warnings_as="python")


def _warnings_field():
    from .models import Measurement

    return Measurement._meta.get_field("warnings")


def _write(ids: Sequence[int], derived: pd.DataFrame) -> None:
    from .models import Measurement

    qn = connection.ops.quote_name
    meta = Measurement._meta
    columns = [meta.get_field(f).column for f in DERIVED_FIELDS] + [meta.get_field("updated_at").column]
    if connection.vendor == "postgresql":
        _write_postgresql(ids, derived, columns)
        return
    # executemany of one UPDATE: several times faster than bulk_update's CASE WHEN on 100k rows.
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        qn(meta.db_table), ", ".join(f"{qn(c)} = %s" for c in columns), qn(meta.pk.column))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = list(zip(*_columns_as_python(derived), [now] * len(ids), ids, strict=True))
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


_RECOMPUTE_TABLE = "tumbuh_recompute"


def _write_postgresql(ids: Sequence[int], derived: pd.DataFrame, columns: list[str]) -> None:
    """COPY the derived values into a temporary table, then one UPDATE ... FROM join: one
    statement instead of one per row (an executemany of 100k UPDATEs costs ~100 s of round trips
    and per-statement overhead on PostgreSQL; this is a few seconds)."""
    from .models import Measurement

    qn = connection.ops.quote_name
    meta = Measurement._meta
    table, pk, tmp = qn(meta.db_table), qn(meta.pk.column), qn(_RECOMPUTE_TABLE)
    listed = ", ".join(qn(c) for c in columns)
    now = timezone.now()
    with connection.cursor() as cursor:
        # Created once per transaction (recompute_children always runs inside one), emptied per call.
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {tmp} ON COMMIT DROP AS "
                       f"SELECT {pk}, {listed} FROM {table} WITH NO DATA")
        cursor.execute(f"TRUNCATE {tmp}")
        raw = cursor.cursor  # the psycopg cursor behind Django's wrapper
        with raw.copy(f"COPY {tmp} ({pk}, {listed}) FROM STDIN") as copy:
            for row in zip(ids, *_columns_as_python(derived, warnings_as="json"), strict=True):
                copy.write_row((*row, now))
        cursor.execute(
            f"UPDATE {table} AS m SET {', '.join(f'{qn(c)} = t.{qn(c)}' for c in columns)} "
            f"FROM {tmp} AS t WHERE m.{pk} = t.{pk}")


def _recompute_queryset(qs) -> int:
    # The ORM's SQL, read with a plain cursor: per-row field converters cost more than the
    # whole z-score computation. compute() accepts dates as date objects or ISO text.
    sql, params = qs.order_by("child_id", "measured_on").values_list(*_ORM_INPUTS).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return 0
    frame = pd.DataFrame.from_records(rows, columns=[*INPUT_COLUMNS, CONFIRMED_COLUMN])
    derived = compute(frame, series=True)
    _write(frame["id"].tolist(), derived)
    return len(rows)


def _chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def recompute_children(child_ids: Iterable[int], batch_size: int = 500, notify: bool = True) -> int:
    """Recompute every derived field of every measurement of these children (whole series, so
    weight gain and series warnings are right). Returns the number of rows written.

    `notify=False` leaves sending `measurements_changed` to a caller that changes more children
    in the same transaction and tells listeners once."""
    from .models import Measurement

    ids = sorted({int(c) for c in child_ids})
    total = 0
    for chunk in _chunks(ids, batch_size):
        with transaction.atomic():
            total += _recompute_queryset(Measurement.objects.filter(child_id__in=chunk))
    if notify:
        measurements_changed.send(sender=Measurement, child_ids=ids)  # analytics' summary table
    return total


def recompute_all(region_code: str | None = None, batch_size: int = 2000, progress=None) -> int:
    """Recompute every measurement (of children living in `region_code`), a child-id range at a
    time so no batch carries a long parameter list."""
    from tumbuh.regions.models import within

    from .models import Measurement

    qs = Measurement.objects.all()
    if region_code:
        qs = qs.filter(within("child__desa_id", region_code))
    child_ids = list(qs.order_by("child_id").values_list("child_id", flat=True).distinct())
    total = 0
    for chunk in _chunks(child_ids, batch_size):
        with transaction.atomic():
            total += _recompute_queryset(qs.filter(child_id__gte=chunk[0], child_id__lte=chunk[-1]))
        if progress:
            progress(total)
    measurements_changed.send(sender=Measurement, child_ids=None, region_code=region_code or "")
    return total


def age_in_months(birth_date: dt.date, on: dt.date) -> int:
    """Completed months, as a cadre counts them."""
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month
    return months - (on.day < birth_date.day)
