"""`tumbuh export parquet`: the database to the Parquet tree of `layout`, streaming (issue 15 item 1).

Per dataset and kab/kota, one query ordered by the record's date (then id), read through
`values_list(...).iterator(chunk_size)` (a server-side cursor on PostgreSQL), turned into a
RecordBatch every `chunk_size` rows or when the month changes and appended to that partition's
file: memory is one chunk whatever the size of the table, and at most one file is open.

Without `with_names` no NIK, name, KK number, address or free text leaves the database (ids,
codes, dates, measurements and derived values do; birth dates stay, the register's S needs
them). Every run is audited (`export`), `with_names` said in the summary. `updated_since`
exports only rows changed since that date (an incremental extract; files are named per run, so
it can be written into the same tree: readers keep the latest `updated_at` per id; deletions are
not carried, a periodic full extract is).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import ExtractMonth, ExtractYear

from tumbuh.audit.services import record
from tumbuh.regions.models import Region, within

from .layout import (
    MEASUREMENT_SCHEMA,
    PEOPLE_NAMES,
    PEOPLE_SCHEMA,
    PartitionWriter,
    month_key,
    run_id,
)
from .partials import check_region

CHUNK_SIZE = 20_000

# Fields that identify a person or are free text; exported only with --with-names.
PERSONAL = {"nik", "name", "kk_number", "head_name", "address", "partner_name", "notes", "measurer_name",
            "kb_refusal_reason", "delivered_by", "void_reason", "warnings", "reasons"}
SKIP = {"created_by", "measured_by", "voided_by", "recorded_by"}  # staff accounts, not analytics

MEASUREMENT_PATHS = {
    "id": "id", "child_id": "child_id", "measured_on": "measured_on", "desa": "child__desa_id",
    "posyandu_id": "child__posyandu_id", "measured_desa": "desa_id", "measured_posyandu_id": "posyandu_id",
    "sex": "child__sex", "age_days": "age_days", "weight_kg": "weight_kg", "length_cm": "length_cm",
    "position": "position", "oedema": "oedema", "head_circumference_cm": "head_circumference_cm",
    "arm_circumference_cm": "arm_circumference_cm", "haz": "length_for_age_z", "waz": "weight_for_age_z",
    "whz": "weight_for_length_z", "bmiz": "bmi_for_age_z", "hcz": "head_circumference_for_age_z",
    "acz": "arm_circumference_for_age_z", "haz_flag": "length_for_age_flag",
    "waz_flag": "weight_for_age_flag", "whz_flag": "weight_for_length_flag", "bmiz_flag": "bmi_for_age_flag",
    "hcz_flag": "head_circumference_for_age_flag", "acz_flag": "arm_circumference_for_age_flag",
    "position_flag": "position_flag", "waz_category": "weight_for_age_category",
    "haz_category": "length_for_age_category", "whz_category": "weight_for_length_category",
    "bmiz_category": "bmi_for_age_category", "weight_gain": "weight_gain", "bgm": "below_red_line",
    "values_confirmed": "values_confirmed", "source": "source", "updated_at": "updated_at",
    "latest_in_month": "latest_in_month",  # annotated in `_rows`
}
PEOPLE_PATHS = {"id": "id", "sex": "sex", "birth_date": "birth_date", "desa": "desa_id",
                "posyandu_id": "posyandu_id", "household_id": "household_id", "mother_id": "mother_id",
                "father_id": "father_id", "active": "active", "inactive_reason": "inactive_reason",
                "birth_weight_kg": "birth_weight_kg", "birth_length_cm": "birth_length_cm",
                "created_at": "created_at", "updated_at": "updated_at", "nik": "nik", "name": "name"}


@dataclass
class Dataset:
    name: str
    model: type[models.Model]
    paths: dict[str, str]  # output column -> ORM path
    schema: pa.Schema
    region_path: str  # the desa code the row is placed (and partitioned) by
    date_path: str | None  # period = month of this date (None: no period level)
    period_path: str | None = None  # a stored period key instead (KRS semester)
    converters: dict[str, object] = field(default_factory=dict)


def _arrow_type(f: models.Field) -> pa.DataType:
    if isinstance(f, models.ForeignKey):
        return _arrow_type(f.target_field)
    if isinstance(f, models.BooleanField):
        return pa.bool_()
    if isinstance(f, models.DateTimeField):
        return pa.timestamp("us", tz="UTC")
    if isinstance(f, models.DateField):
        return pa.date32()
    if isinstance(f, models.FloatField):
        return pa.float64()
    if isinstance(f, models.DecimalField):
        return pa.decimal128(f.max_digits, f.decimal_places)
    if isinstance(f, (models.AutoField, models.BigAutoField, models.IntegerField)):
        return pa.int64()
    return pa.string()  # CharField, TextField, UUIDField, JSONField (as JSON text)


def model_dataset(name: str, model, date_field: str | None, with_names: bool,
                  period_field: str | None = None) -> Dataset:
    """Every concrete field of a target-group model (foreign keys as ids), personal ones only
    with names, plus `desa` (the row's desa) for the partition."""
    paths, fields, converters = {}, [], {}
    for f in model._meta.concrete_fields:
        if f.name in SKIP or (f.name in PERSONAL and not with_names):
            continue
        out = "desa" if f.attname == "desa_id" else f.attname
        paths[out] = f.attname
        fields.append((out, _arrow_type(f)))
        if isinstance(f, models.JSONField):
            converters[out] = lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
        elif isinstance(f, models.UUIDField):
            converters[out] = lambda v: None if v is None else str(v)
        elif isinstance(f, models.DecimalField):
            converters[out] = lambda v: None if v is None else Decimal(v)
    return Dataset(name, model, paths, pa.schema(fields), "desa_id", date_field, period_field, converters)


def datasets(with_names: bool) -> list[Dataset]:
    from tumbuh.measurements.models import Measurement
    from tumbuh.registry.models import Household, Person
    from tumbuh.targets import models as t

    people_schema = PEOPLE_SCHEMA
    people_paths = {k: v for k, v in PEOPLE_PATHS.items() if with_names or k not in ("nik", "name")}
    if with_names:
        people_schema = pa.schema(list(PEOPLE_SCHEMA) + [pa.field(n, ty) for n, ty in PEOPLE_NAMES])
    out = [
        Dataset("measurements", Measurement, MEASUREMENT_PATHS, MEASUREMENT_SCHEMA, "child__desa_id", "measured_on"),
        Dataset("people", Person, people_paths, people_schema, "desa_id", None),
        model_dataset("households", Household, None, with_names),
        model_dataset("pregnancies", t.Pregnancy, "hpht", with_names),
        model_dataset("catin", t.CatinScreening, "screened_on", with_names),
        model_dataset("postpartum", t.Postpartum, "delivered_on", with_names),
        model_dataset("adolescents", t.Adolescent, None, with_names),
        model_dataset("krs", t.KrsSnapshot, None, with_names, period_field="period"),
    ]
    # Deliveries (tumbuh.interventions) when that app is installed.
    if apps.is_installed("tumbuh.interventions"):
        try:
            delivery = apps.get_model("interventions", "Delivery")
        except LookupError:
            delivery = None
        if delivery is not None:
            out.append(model_dataset("deliveries", delivery, "date", with_names))
    return out


@dataclass
class ExportResult:
    out: Path
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0


def kabkota_codes(region_code: str) -> list[str]:
    """The kab/kota the export walks: the region's own when it is one or below, else those in it."""
    if region_code.count(".") >= 1:
        return [region_code[:5]]
    qs = Region.objects.filter(level=Region.Level.KABUPATEN)
    if region_code:
        qs = qs.filter(within("code", region_code))
    return list(qs.order_by("code").values_list("code", flat=True))


def _same_month(model, **extra):
    """Other measurements of the outer row's child in the outer row's calendar month."""
    return model.objects.filter(child_id=OuterRef("child_id"), measured_on__year=ExtractYear(OuterRef("measured_on")),
                                measured_on__month=ExtractMonth(OuterRef("measured_on")), **extra)


def _rows(ds: Dataset, region_filter: str, updated_since: dt.datetime | None) -> Iterable[tuple]:
    qs = ds.model._default_manager.filter(within(ds.region_path, region_filter))
    measurements = ds.name == "measurements"
    if measurements:
        # one index probe per row on (child, measured_on), the unique constraint's index
        qs = qs.annotate(latest_in_month=~Exists(_same_month(ds.model, measured_on__gt=OuterRef("measured_on"))))
    if updated_since is not None and any(f.name == "updated_at" for f in ds.model._meta.concrete_fields):
        changed = Q(updated_at__gte=updated_since)
        if measurements:
            # a new or changed row can change its month-mates' latest_in_month: send them again
            changed |= Q(Exists(_same_month(ds.model, updated_at__gte=updated_since)))
        qs = qs.filter(changed)
    order = [p for p in (ds.date_path, ds.period_path) if p] + ["id"]
    return qs.order_by(*order).values_list(*ds.paths.values()).iterator(chunk_size=CHUNK_SIZE)


def export_dataset(ds: Dataset, root: Path, region_code: str, updated_since: dt.datetime | None, run: str) -> tuple[int, int]:
    writer = PartitionWriter(root, ds.name, ds.schema, run)
    names = list(ds.paths)
    conv = [ds.converters.get(n) for n in names]
    date_i = names.index(_out_name(ds, ds.date_path)) if ds.date_path else None
    period_i = names.index(_out_name(ds, ds.period_path)) if ds.period_path else None
    region_i = names.index("desa")
    dated = ds.date_path is not None or ds.period_path is not None
    for kab in kabkota_codes(region_code):
        region_filter = region_code if region_code.count(".") >= 1 else kab
        buffer: list[tuple] = []
        key = None
        for row in _rows(ds, region_filter, updated_since):
            period = (row[period_i] or "none") if period_i is not None else (
                month_key(row[date_i]) if date_i is not None else None)
            row_key = (row[region_i][:2], row[region_i][:5], period if dated else None)
            if key is not None and (row_key != key or len(buffer) >= CHUNK_SIZE):
                _flush(writer, key, names, conv, buffer)
                buffer = []
            key = row_key
            buffer.append(row)
        if buffer:
            _flush(writer, key, names, conv, buffer)
    writer.close()
    return writer.rows, len(writer.files)


def _out_name(ds: Dataset, path: str) -> str:
    return next(k for k, v in ds.paths.items() if v == path)


def _flush(writer: PartitionWriter, key, names, conv, buffer) -> None:
    columns = {}
    for i, name in enumerate(names):
        values = [r[i] for r in buffer]
        if conv[i] is not None:
            values = [conv[i](v) for v in values]
        columns[name] = values
    writer.write(key, columns)


def export_parquet(region_code: str, out: str | Path, *, with_names: bool = False,
                   updated_since: dt.date | None = None, user=None, username: str = "") -> ExportResult:
    region_code = check_region(region_code)
    if region_code and not Region.objects.filter(code=region_code).exists():
        raise ValueError(f"unknown region {region_code!r}")
    root = Path(out)
    since = (dt.datetime.combine(updated_since, dt.time.min, tzinfo=dt.UTC) if updated_since else None)
    run = run_id()
    result = ExportResult(root)
    for ds in datasets(with_names):
        rows, files = export_dataset(ds, root, region_code, since, run)
        result.rows[ds.name] = rows
        result.files += files
    total = sum(result.rows.values())
    record(user, "export", object_type="scale.parquet", region_code=region_code,
           summary=(f"Parquet export of {region_code or 'all regions'}: {total} rows"
                    + (" WITH NAMES/NIK" if with_names else "")),
           detail={"format": "parquet", "with_names": with_names, "rows": result.rows,
                   "updated_since": updated_since.isoformat() if updated_since else None, "out": str(root)},
           username=username)
    return result
