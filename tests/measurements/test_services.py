"""record_measurement / delete_measurement / recompute: saving, series effects, warnings, audit."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import translation

from tumbuh.audit.models import AuditEvent
from tumbuh.measurements.models import Measurement
from tumbuh.measurements.services import (
    MeasurementRejected,
    delete_measurement,
    derive,
    recompute_children,
    record_measurement,
    validate_measurement,
)


def month_day(today, months_back, day=15):
    """The `day` of the month `months_back` before today's month (always in the past)."""
    y, m = divmod(today.year * 12 + today.month - 1 - months_back, 12)
    return dt.date(y, m + 1, day)


@pytest.fixture
def child(make_child):
    return make_child("Rina", sex="F", age_days=420)


def weigh(child, on, kg, **kw):
    return record_measurement(child=child, measured_on=on, weight_kg=kg, **kw)


def gains(child):
    return list(Measurement.objects.filter(child=child).order_by("measured_on").values_list("weight_gain", flat=True))


def test_record_creates_with_derived_fields_and_audit(child, cadre_a, today, places):
    m = record_measurement(child=child, measured_on=today, weight_kg=9.1, length_cm=76.0, position="l",
                           user=cadre_a, measurer_name="Bu Kader")
    assert m.pk and m.desa_id == child.desa_id and m.posyandu_id == places["pos_a"].pk
    assert m.measured_by == cadre_a and m.source == "entry"
    assert m.age_days == 420 and m.length_for_age_z is not None and m.weight_gain == "B"
    event = AuditEvent.objects.get(action="create")
    assert event.user == cadre_a and event.object_id == str(m.pk)
    assert event.region_code == child.desa_id
    assert event.detail["values"]["weight_kg"] == 9.1


def test_same_day_updates_and_audits_the_change(child, cadre_a, today):
    first = weigh(child, today, 9.1, user=cadre_a)
    second = weigh(child, today, 9.3, user=cadre_a)
    assert second.pk == first.pk and Measurement.objects.filter(child=child).count() == 1
    event = AuditEvent.objects.get(action="update")
    assert event.detail["changes"] == {"weight_kg": [9.1, 9.3]}


def test_rejected_measurement_saves_nothing(child, cadre_a, today):
    with pytest.raises(MeasurementRejected) as exc:
        weigh(child, today, 10945, user=cadre_a)
    assert exc.value.errors and exc.value.errors[0].field == "weight_kg"
    assert not Measurement.objects.exists() and not AuditEvent.objects.exists()


def test_inserting_an_older_weighing_recomputes_later_weight_gain(child, today):
    # KBM at 11+ months is 200 g: 8.6 -> 8.9 kg is N; equal weight is T.
    weigh(child, month_day(today, 2), 8.6)
    weigh(child, month_day(today, 1), 8.9)
    assert gains(child) == ["B", "N"]
    weigh(child, month_day(today, 3), 8.6)  # older: the former first weighing is no longer first
    assert gains(child) == ["B", "T", "N"]
    weigh(child, month_day(today, 1), 8.6)  # corrected: no gain twice
    assert gains(child) == ["B", "T", "2T"]


def test_deleting_recomputes_the_series_and_audits(child, cadre_a, today):
    first = weigh(child, month_day(today, 2), 8.6)
    weigh(child, month_day(today, 1), 8.6)
    assert gains(child) == ["B", "T"]
    first_pk = first.pk
    delete_measurement(first, cadre_a)
    assert gains(child) == ["B"]
    assert AuditEvent.objects.filter(action="delete", object_id=str(first_pk), user=cadre_a).exists()


def test_length_decrease_warning(child, today):
    record_measurement(child=child, measured_on=month_day(today, 2), weight_kg=8.6, length_cm=76.0, position="l")
    with translation.override("id"):
        _errors, warnings = validate_measurement(child, month_day(today, 1), 8.7, 74.4, "l", None, None, False)
        assert len(warnings) == 1 and "1,6 cm lebih rendah" in warnings[0]
        assert validate_measurement(child, month_day(today, 1), 8.7, 74.6, "l", None, None, False)[1] == []
    saved = record_measurement(child=child, measured_on=month_day(today, 1), weight_kg=8.7, length_cm=74.4, position="l")
    assert [w["code"] for w in saved.warnings] == ["length_decrease"]


def test_weight_change_warning_only_within_60_days(child, today):
    weigh(child, today - dt.timedelta(days=95), 8.0)
    weigh(child, today - dt.timedelta(days=30), 10.5)  # +31%, but 65 days later: no warning
    saved = weigh(child, today, 7.5)  # -29% within 30 days
    earlier = Measurement.objects.get(child=child, measured_on=today - dt.timedelta(days=30))
    assert earlier.warnings == []
    assert [w["code"] for w in saved.warnings] == ["weight_change"]
    assert saved.warnings[0]["percent"] == 29


def test_position_warnings(make_child, today):
    toddler = make_child("Dodi", age_days=1000)
    baby = make_child("Bayi", age_days=400)
    with translation.override("id"):
        assert "dikurangi 0,7 cm" in validate_measurement(toddler, today, 12.0, 88.0, "l", None, None, False)[1][0]
        assert "ditambah 0,7 cm" in validate_measurement(baby, today, 9.0, 75.0, "h", None, None, False)[1][0]
        assert validate_measurement(baby, today, 9.0, 75.0, "l", None, None, False)[1] == []


def test_implausible_value_is_kept_with_a_warning(child, today):
    with translation.override("id"):
        errors, warnings = validate_measurement(child, today, 3.0, 76.0, "l", None, None, False)
    assert errors == [] and any("BB/U" in w and "tidak masuk akal" in w for w in warnings)
    m = weigh(child, today, 3.0, length_cm=76.0, position="l")
    assert m.weight_for_age_flag is True and m.weight_for_age_category == ""


def test_correcting_onto_another_days_measurement_is_rejected(child, today):
    a = weigh(child, today - dt.timedelta(days=10), 9.0)
    weigh(child, today, 9.2)
    with pytest.raises(MeasurementRejected):
        record_measurement(child=child, measured_on=today, weight_kg=9.0, instance=a)
    moved = record_measurement(child=child, measured_on=today - dt.timedelta(days=5), weight_kg=9.0, instance=a)
    assert moved.pk == a.pk and moved.measured_on == today - dt.timedelta(days=5)


def test_bulk_recompute_matches_single_derive(make_child, today):
    children = [make_child(f"Anak {i}", sex="MF"[i % 2], age_days=300 + 90 * i) for i in range(6)]
    rows = []
    for i, c in enumerate(children):
        for k in range(3):
            rows.append(Measurement(child=c, desa_id=c.desa_id, measured_on=month_day(today, 3 - k),
                                    weight_kg=7.5 + 0.4 * i + 0.25 * k, length_cm=66 + 2.5 * i + k,
                                    position="l" if i < 4 else "h", source="import"))
    Measurement.objects.bulk_create(rows)
    assert recompute_children([c.pk for c in children], batch_size=4) == 18
    saved = list(Measurement.objects.select_related("child").order_by("child_id", "measured_on"))
    assert all(m.age_days is not None and m.weight_gain in {"B", "N", "T", "2T", "O"} for m in saved)
    expected = [Measurement(child=m.child, desa_id=m.desa_id, measured_on=m.measured_on, weight_kg=m.weight_kg,
                            length_cm=m.length_cm, position=m.position) for m in saved]
    derive(expected)
    for got, want in zip(saved, expected, strict=True):
        assert got.length_for_age_z == want.length_for_age_z
        assert got.weight_for_length_z == want.weight_for_length_z
        assert got.length_for_age_category == want.length_for_age_category
        assert got.length_for_age_flag == want.length_for_age_flag


def test_recompute_command_limited_to_region(make_child, today):
    a = make_child("Di A", posyandu="pos_a")
    b = make_child("Di B", posyandu="pos_b")
    Measurement.objects.bulk_create([
        Measurement(child=a, desa_id=a.desa_id, measured_on=today, weight_kg=9.0),
        Measurement(child=b, desa_id=b.desa_id, measured_on=today, weight_kg=9.0),
    ])
    call_command("recompute_measurements", region=a.desa_id)
    assert Measurement.objects.get(child=a).weight_gain == "B"
    assert Measurement.objects.get(child=b).weight_gain == ""
    call_command("recompute_measurements")
    assert Measurement.objects.get(child=b).weight_for_age_z is not None


def test_audit_summaries_and_messages_write_indonesian_dates(child, today):
    """The demo walk of stop 25 found "Measurement of <name> on 2026-11-05" in the audit log and
    ISO dates inside Indonesian messages: both now read Indonesian, with dd-mm-yyyy dates."""
    day = month_day(today, 2)
    with translation.override("id"):
        record_measurement(child=child, measured_on=day, weight_kg=8.6, length_cm=76.0, position="l")
        summary = AuditEvent.objects.filter(object_type="measurements.measurement").latest("pk").summary
        assert summary == f"Pengukuran {child.name} tanggal {day:%d-%m-%Y}"
        _errors, warnings = validate_measurement(child, month_day(today, 1), 8.7, 74.4, "l", None, None, False)
        assert f"daripada tanggal {day:%d-%m-%Y}" in warnings[0] and day.isoformat() not in warnings[0]
