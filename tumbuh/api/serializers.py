"""Shapes of the API's answers and requests. Read serializers only move fields out; writes go
through `services` (which go through each context's services)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tumbuh.measurements.models import Measurement
from tumbuh.regions.models import Posyandu, Region
from tumbuh.registry.models import Household, Person
from tumbuh.web.text import mask_nik

MAX_BULK_ITEMS = 2000


# --- measurements ----------------------------------------------------------------------------------


class MeasurementSerializer(serializers.ModelSerializer):
    """A measurement with everything derived from it (WHO z-scores and flags, Permenkes
    categories, N/T/2T, BGM, warnings)."""

    date = serializers.DateField(source="measured_on")
    height_cm = serializers.FloatField(source="length_cm", allow_null=True)
    height_adjusted_cm = serializers.FloatField(source="length_adjusted_cm", allow_null=True)
    measured_lying = serializers.SerializerMethodField()
    lila_cm = serializers.FloatField(source="arm_circumference_cm", allow_null=True)
    head_cm = serializers.FloatField(source="head_circumference_cm", allow_null=True)
    haz = serializers.FloatField(source="length_for_age_z", allow_null=True)
    waz = serializers.FloatField(source="weight_for_age_z", allow_null=True)
    whz = serializers.FloatField(source="weight_for_length_z", allow_null=True)
    bmiz = serializers.FloatField(source="bmi_for_age_z", allow_null=True)
    hcz = serializers.FloatField(source="head_circumference_for_age_z", allow_null=True)
    lilaz = serializers.FloatField(source="arm_circumference_for_age_z", allow_null=True)
    haz_flag = serializers.BooleanField(source="length_for_age_flag", allow_null=True)
    waz_flag = serializers.BooleanField(source="weight_for_age_flag", allow_null=True)
    whz_flag = serializers.BooleanField(source="weight_for_length_flag", allow_null=True)
    bmiz_flag = serializers.BooleanField(source="bmi_for_age_flag", allow_null=True)
    hcz_flag = serializers.BooleanField(source="head_circumference_for_age_flag", allow_null=True)
    lilaz_flag = serializers.BooleanField(source="arm_circumference_for_age_flag", allow_null=True)
    waz_category = serializers.CharField(source="weight_for_age_category")
    haz_category = serializers.CharField(source="length_for_age_category")
    whz_category = serializers.CharField(source="weight_for_length_category")
    bmiz_category = serializers.CharField(source="bmi_for_age_category")
    bgm = serializers.BooleanField(source="below_red_line")
    stunted = serializers.BooleanField(source="is_stunted")
    warnings = serializers.ListField(source="warning_texts", child=serializers.CharField())
    warning_codes = serializers.SerializerMethodField()
    awaiting_confirmation = serializers.BooleanField()

    class Meta:
        model = Measurement
        fields = [
            "id", "child", "date", "weight_kg", "height_cm", "measured_lying", "height_adjusted_cm", "lila_cm",
            "head_cm", "oedema", "posyandu", "desa", "age_days", "bmi", "haz", "waz", "whz", "bmiz", "hcz",
            "lilaz", "haz_flag", "waz_flag", "whz_flag", "bmiz_flag", "hcz_flag", "lilaz_flag", "position_flag",
            "waz_category", "haz_category", "whz_category", "bmiz_category", "weight_gain", "bgm", "stunted",
            "warnings", "warning_codes", "awaiting_confirmation", "values_confirmed", "source", "created_at",
            "updated_at",
        ]

    def get_measured_lying(self, m) -> bool | None:
        return {"l": True, "h": False}.get(m.position)

    def get_warning_codes(self, m) -> list[str]:
        return [w.get("code", "") for w in m.warnings or []]


class MeasurementSummarySerializer(serializers.ModelSerializer):
    """What a conflict names: the measurement already there."""

    date = serializers.DateField(source="measured_on")
    height_cm = serializers.FloatField(source="length_cm", allow_null=True)
    measured_lying = serializers.SerializerMethodField()
    lila_cm = serializers.FloatField(source="arm_circumference_cm", allow_null=True)

    class Meta:
        model = Measurement
        fields = ["id", "child", "date", "weight_kg", "height_cm", "measured_lying", "lila_cm", "oedema", "source",
                  "created_at"]

    def get_measured_lying(self, m) -> bool | None:
        return {"l": True, "h": False}.get(m.position)


class DeviceTimeField(serializers.DateTimeField):
    """The phone's clock as the phone said it: its offset is kept, not converted."""

    def enforce_timezone(self, value):
        return value if value.tzinfo is not None else super().enforce_timezone(value)


class MeasurementItemSerializer(serializers.Serializer):
    """One measurement sent by a client. `uuid` (a uuid4 the client made) makes it idempotent."""

    uuid = serializers.UUIDField(required=False, allow_null=True)
    child = serializers.IntegerField(min_value=1, max_value=2**62)
    date = serializers.DateField()
    weight_kg = serializers.FloatField(required=False, allow_null=True, min_value=-1e6, max_value=1e6)
    height_cm = serializers.FloatField(required=False, allow_null=True, min_value=-1e6, max_value=1e6)
    lila_cm = serializers.FloatField(required=False, allow_null=True, min_value=-1e6, max_value=1e6)
    head_cm = serializers.FloatField(required=False, allow_null=True, min_value=-1e6, max_value=1e6)
    measured_lying = serializers.BooleanField(required=False, allow_null=True, default=None)
    oedema = serializers.BooleanField(required=False, default=False)
    confirm = serializers.BooleanField(required=False, default=False)
    device_time = DeviceTimeField(required=False, allow_null=True)


class BulkRequestSerializer(serializers.Serializer):
    device_id = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
    items = MeasurementItemSerializer(many=True, max_length=MAX_BULK_ITEMS)


class BulkEnvelopeSerializer(serializers.Serializer):
    """The request's outer shape; each item is checked on its own, so one bad item never refuses
    the others."""

    device_id = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
    items = serializers.ListField(child=serializers.JSONField(), max_length=MAX_BULK_ITEMS, allow_empty=True)

    def validate_items(self, value):
        for item in value:
            if not isinstance(item, dict):
                raise serializers.ValidationError(_("Each item must be an object"))
        return value


class ResultSerializer(serializers.Serializer):
    uuid = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["accepted", "duplicate", "rejected", "conflict"])
    id = serializers.IntegerField(allow_null=True)
    code = serializers.CharField(allow_blank=True)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    warnings = serializers.ListField(child=serializers.CharField())
    measurement = MeasurementSerializer(allow_null=True)
    conflict_with = MeasurementSummarySerializer(allow_null=True)


class BulkResponseSerializer(serializers.Serializer):
    results = ResultSerializer(many=True)


def measurement_rows(measurements) -> list[dict]:
    """MeasurementSerializer's output for many rows, without DRF's per-field machinery (a bulk
    answer has 1,000 of them). tests/api/test_bulk.py proves it equal to the serializer's, which
    stays the schema's source."""
    serializer = MeasurementSerializer()
    fields = serializer.fields
    created, updated = fields["created_at"], fields["updated_at"]
    plain = [(name, field.source) for name, field in fields.items()
             if name not in ("date", "measured_lying", "warning_codes", "warnings", "created_at", "updated_at",
                             "child", "posyandu", "desa")]
    lying = {"l": True, "h": False}
    out = []
    for m in measurements:
        row = {name: getattr(m, source) for name, source in plain}
        row.update({
            "child": m.child_id, "posyandu": m.posyandu_id, "desa": m.desa_id,
            "date": m.measured_on.isoformat(), "measured_lying": lying.get(m.position),
            "warnings": [str(t) for t in m.warning_texts],
            "warning_codes": [w.get("code", "") for w in m.warnings or []],
            "created_at": created.to_representation(m.created_at), "updated_at": updated.to_representation(m.updated_at),
        })
        out.append({name: row[name] for name in fields})
    return out


def results_data(results) -> list[dict]:
    """The answers of a request, the measurements serialized in one pass (one serializer's fields
    for all rows: 1,000 rows are a bulk upload's normal size)."""
    measurements = [r.measurement for r in results if r.measurement is not None]
    conflicts = [r.conflict_with for r in results if r.conflict_with is not None]
    full = iter(measurement_rows(measurements))
    short = iter(MeasurementSummarySerializer(conflicts, many=True).data)
    return [{
        "uuid": r.uuid, "status": r.status, "id": r.id, "code": r.code,
        "errors": {k: [str(m) for m in v] for k, v in r.errors.items()},
        "warnings": [str(w) for w in r.warnings],
        "measurement": next(full) if r.measurement is not None else None,
        "conflict_with": next(short) if r.conflict_with is not None else None,
    } for r in results]


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {field: [messages]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for k, v in detail.items():
            for kk, vv in flatten_errors(v, f"{prefix}{k}.").items():
                out.setdefault(kk, []).extend(vv)
    elif isinstance(detail, list) and detail and all(not isinstance(d, (dict, list)) for d in detail):
        out[prefix.rstrip(".") or "non_field_errors"] = [str(d) for d in detail]
    elif isinstance(detail, list):
        for i, v in enumerate(detail):
            for kk, vv in flatten_errors(v, f"{prefix}{i}.").items():
                out.setdefault(kk, []).extend(vv)
    else:
        out[prefix.rstrip(".") or "non_field_errors"] = [str(detail)]
    return out


# --- roster -------------------------------------------------------------------------------------------


class LastMeasurementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField()
    weight_kg = serializers.FloatField(allow_null=True)
    height_cm = serializers.FloatField(allow_null=True)
    measured_lying = serializers.BooleanField(allow_null=True)
    lila_cm = serializers.FloatField(allow_null=True)


class RosterChildSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    sex = serializers.ChoiceField(choices=Person.Sex.choices)
    birth_date = serializers.DateField()
    default_measured_lying = serializers.BooleanField()
    last_measurement = LastMeasurementSerializer(allow_null=True)
    today = MeasurementSummarySerializer(allow_null=True)


class RosterSerializer(serializers.Serializer):
    posyandu = serializers.DictField()
    date = serializers.DateField()
    children = RosterChildSerializer(many=True)


# --- places and people --------------------------------------------------------------------------------


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


class PosyanduSerializer(serializers.ModelSerializer):
    class Meta:
        model = Posyandu
        fields = ["id", "name", "desa", "puskesmas", "rw", "active"]


class MaskedNumbers:
    """NIK/KK numbers as the requester may see them (Scope.sees_full_nik: province teams see
    them masked, "••••••••••••0001", as on the pages; docs/access.md "NIK masking")."""

    number_fields: tuple[str, ...] = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        scope = self.context.get("scope")
        if scope is None or not scope.sees_full_nik:
            for name in self.number_fields:
                data[name] = mask_nik(data.get(name) or "")
        return data


class PersonSerializer(MaskedNumbers, serializers.ModelSerializer):
    number_fields = ("nik",)

    class Meta:
        model = Person
        fields = ["id", "nik", "name", "sex", "birth_date", "birth_weight_kg", "birth_length_cm", "household",
                  "mother", "father", "desa", "posyandu", "active", "inactive_reason", "jkn_status", "jkn_checked_on",
                  "created_at", "updated_at"]


class HouseholdSerializer(MaskedNumbers, serializers.ModelSerializer):
    number_fields = ("kk_number",)

    class Meta:
        model = Household
        fields = ["id", "kk_number", "head_name", "address", "rt", "rw", "desa", "created_at", "updated_at"]
