import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tumbuh.accounts.models import Role
from tumbuh.accounts.scoping import scope_for
from tumbuh.audit.models import AuditEvent
from tumbuh.coordination.models import Agency
from tumbuh.interventions import services
from tumbuh.interventions.models import Delivery, DeliverySource
from tumbuh.interventions.signals import deliveries_changed
from tumbuh.targets.models import Pregnancy

TODAY = timezone.localdate()


def kab(world):
    return world.users[Role.KABUPATEN]


def test_record_delivery_copies_place_defaults_agency_audits_and_signals(world):
    child = world.children["home"]
    seen = []

    def listener(sender, **kw):
        seen.append({k: v for k, v in kw.items() if k != "signal"})

    deliveries_changed.connect(listener)
    try:
        d = services.record_delivery(kab(world), item_code="pmt-balita", person=child, date=TODAY, quantity="14")
    finally:
        deliveries_changed.disconnect(listener)
    assert (d.code, d.unit, d.quantity) == ("PMT-BALITA", "hari", Decimal("14"))
    assert d.desa_id == child.desa_id and d.posyandu_id == child.posyandu_id
    assert d.agency == world.agencies["home"]  # DINKES of the home kota, the item's default OPD
    assert seen == [{"person_ids": [child.pk], "household_ids": [], "desa_codes": [child.desa_id]}]
    event = AuditEvent.objects.get(object_type="interventions.delivery", object_id=str(d.pk))
    assert event.action == "create" and event.region_code == child.desa_id


def test_household_item_takes_the_persons_household_and_person_item_needs_a_person(world):
    child = world.children["home"]
    d = services.record_delivery(kab(world), item_code="JAMBAN", person=child.mother, date=TODAY, quantity=1)
    assert d.household_id == child.household_id
    with pytest.raises(services.InputError) as exc:
        services.record_delivery(kab(world), item_code="VIT-A", household=world.households["home"], date=TODAY,
                                 quantity=1)
    assert "NIK" in exc.value.problems[0]


@pytest.mark.parametrize("kwargs, fragment", [
    ({"date": TODAY + dt.timedelta(days=1)}, "masa depan"),
    ({"quantity": 0}, "lebih dari 0"),
    ({"quantity": "banyak"}, "bukan angka"),
    ({"item_code": "TIDAK-ADA"}, "tidak dikenal"),
    ({"unit": "liter"}, "Satuan"),
    ({"fund_source": "hibah"}, "Sumber dana"),
])
def test_refusals_are_in_indonesian_and_save_nothing(world, kwargs, fragment):
    args = {"item_code": "PMT-BALITA", "person": world.children["home"], "date": TODAY, "quantity": 1, **kwargs}
    with pytest.raises(services.InputError) as exc:
        services.record_delivery(kab(world), **args)
    assert any(fragment.lower() in p.lower() for p in exc.value.problems), exc.value.problems
    assert not Delivery.objects.exists()


def test_person_must_be_in_the_items_target_group(world):
    mother = world.mothers["home"]
    with pytest.raises(services.InputError) as exc:
        services.record_delivery(kab(world), item_code="TTD-BUMIL", person=mother, date=TODAY, quantity=30)
    assert "sasaran" in exc.value.problems[0]
    Pregnancy.objects.create(person=mother, desa_id=mother.desa_id, hpht=TODAY - dt.timedelta(weeks=12),
                             due_on=TODAY + dt.timedelta(weeks=28))
    d = services.record_delivery(kab(world), item_code="TTD-BUMIL", person=mother, date=TODAY, quantity=30)
    assert d.unit == "tablet"
    with pytest.raises(services.InputError):  # a mother is not a balita
        services.record_delivery(kab(world), item_code="VIT-A", person=mother, date=TODAY, quantity=1)


def test_recipient_outside_scope_is_refused(world):
    desa_user = world.users[Role.DESA]
    other = world.children["other_desa"]
    with pytest.raises(PermissionDenied):
        services.record_delivery(desa_user, item_code="VIT-A", person=other, date=TODAY, quantity=1)
    with pytest.raises(services.OutOfScope):
        services.record_delivery(scope_for(desa_user), item_code="VIT-A", person=other, date=TODAY, quantity=1)


def test_opd_officer_records_only_their_agencys_items_in_their_kota(world):
    opd = world.users[Role.OPD]
    d = services.record_delivery(scope_for(opd), item_code="VIT-A", person=world.children["other_kecamatan"],
                                 date=TODAY, quantity=1)
    assert d.agency == world.agencies["home"] and d.created_by == opd
    with pytest.raises(services.OutOfScope):  # DPPKB's item
        services.record_delivery(opd, item_code="KIE-PENGASUHAN", person=world.children["home"], date=TODAY,
                                 quantity=1)
    with pytest.raises(services.OutOfScope):  # another kota
        services.record_delivery(opd, item_code="VIT-A", person=world.children["other_kabupaten"], date=TODAY,
                                 quantity=1)


def test_agency_must_serve_the_recipient(world):
    far = Agency.objects.create(region=world.regions["64.72"], code="DINKES", name="Dinkes Samarinda")
    with pytest.raises(services.InputError) as exc:
        services.record_delivery(world.users[Role.ADMIN], item_code="VIT-A", person=world.children["home"],
                                 date=TODAY, quantity=1, agency=far)
    assert "tidak melayani" in exc.value.problems[0]


def test_uuid_sent_twice_is_one_delivery(world):
    args = {"item_code": "VIT-A", "person": world.children["home"], "date": TODAY, "quantity": 1,
            "uuid": "0b6f1c7e-9a3e-4c1a-8f0e-3d7c2b1a0f99"}
    a = services.record_delivery(kab(world), **args)
    b = services.record_delivery(kab(world), **args)
    assert a.pk == b.pk and Delivery.objects.count() == 1


def test_bulk_reports_bad_rows_by_index_and_writes_the_rest_once(world):
    home, other = world.children["home"], world.children["other_provinsi"]
    rows = [
        {"item_code": "VIT-A", "person": home.pk, "date": TODAY, "quantity": 1, "import_key": "r2"},
        {"item_code": "VIT-A", "person": other.pk, "date": TODAY, "quantity": 1},  # outside the kota
        {"item_code": "NOPE", "person": home, "date": TODAY, "quantity": 1},
        {"item_code": "AIR-MINUM", "household": world.households["other_desa"].pk, "date": TODAY, "quantity": 1,
         "fund_source": "Dana Desa"},
        {"item_code": "VIT-A", "person": 999999, "date": TODAY, "quantity": 1},
    ]
    seen = []
    deliveries_changed.connect(lambda sender, **kw: seen.append(kw["person_ids"]), weak=False, dispatch_uid="t-bulk")
    try:
        result = services.record_deliveries(kab(world), rows, source=DeliverySource.IMPORT,
                                            audit_action=AuditEvent.Action.IMPORT)
    finally:
        deliveries_changed.disconnect(dispatch_uid="t-bulk")
    assert result.created == 2 and result.created_index == [0, 3]
    assert set(result.errors) == {1, 2, 4}
    assert "luar wilayah" in result.errors[1][0]
    air = Delivery.objects.get(code="AIR-MINUM")
    assert air.fund_source == "APBDes" and air.source == "import" and air.unit == "unit"
    assert Delivery.objects.get(code="VIT-A").import_key == "r2"
    assert seen == [[home.pk]]
    assert AuditEvent.objects.filter(action="import", object_type="interventions.delivery").count() == 1


def test_course_links_deliveries_and_outcome_reads_measurements(world):
    child = world.children["home"]  # measured 60, 30 and 0 days ago at 6.6 kg
    start = TODAY - dt.timedelta(days=59)
    course = services.start_course(kab(world), item_code="PMT-BALITA", person=child, start=start, days=90)
    assert course.end == start + dt.timedelta(days=89) and course.planned_amount == 56
    assert course.eligibility["waz"] < -2
    services.record_delivery(kab(world), item_code="PMT-BALITA", person=child, date=start, quantity=28)
    services.record_delivery(kab(world), item_code="PMT-BALITA", person=child, date=TODAY, quantity=14)
    out = services.course_outcome(course)
    assert out["delivered"] == 42 and out["percent"] == 75
    assert out["baseline"].measured_on == TODAY - dt.timedelta(days=60)
    assert out["closing"].measured_on == TODAY
    assert out["weight_gain_kg"] == 0 and out["days"] == 60
    assert out["dhaz"] is not None and out["dwaz"] < 0  # same weight two months older: WAZ falls
    with pytest.raises(services.InputError):
        services.start_course(kab(world), item_code="PMT-BALITA", person=child, start=TODAY, days=56)


def test_delivery_totals_follow_every_write_path(world):
    from tumbuh.interventions import totals
    from tumbuh.interventions.models import DeliveryTotal

    kab = world.users[Role.KABUPATEN]
    home = world.children["home"]
    a = services.record_delivery(kab, item_code="VIT-A", person=home, date=TODAY, quantity=1)
    services.record_deliveries(kab, [{"item_code": "VIT-A", "person": world.children["other_posyandu"], "date": TODAY,
                                      "quantity": 2}])
    row = DeliveryTotal.objects.get(code="VIT-A", desa_id=home.desa_id, year=TODAY.year)
    assert (row.quantity, row.deliveries, row.agency) == (3, 2, world.agencies["home"])
    services.void_delivery(kab, a, "salah orang")
    row.refresh_from_db()
    assert (row.quantity, row.deliveries) == (2, 1)
    before = list(DeliveryTotal.objects.values_list("agency_id", "code", "desa_id", "year", "quantity", "deliveries"))
    assert totals.rebuild("64.74") == 1
    assert list(DeliveryTotal.objects.values_list("agency_id", "code", "desa_id", "year", "quantity",
                                                  "deliveries")) == before


def test_validate_deliveries_checks_rows_from_plain_columns_and_writes_nothing(world):
    """The public bulk validation an importer calls: `Recipient`s (the columns it already holds)
    are checked like Person instances; per row the values to write or the Indonesian problems."""
    home, other = world.children["home"], world.children["other_provinsi"]

    def facts(p):
        return services.Recipient(p.pk, name=p.name, birth_date=p.birth_date, sex=p.sex, desa_id=p.desa_id,
                                  posyandu_id=p.posyandu_id, household_id=p.household_id)

    ctx = services.validation_context(kab(world))
    rows = [
        {"item_code": "VIT-A", "person": facts(home), "date": TODAY, "quantity": "1", "import_key": "k1"},
        {"item_code": "VIT-A", "person": facts(other), "date": TODAY, "quantity": 1},  # outside the kota
        {"item_code": "VIT-A", "person": facts(home), "date": TODAY + dt.timedelta(days=2), "quantity": 1},
        {"item_code": "TTD-BUMIL", "person": facts(home), "date": TODAY, "quantity": 30},  # a child is not bumil
        {"item_code": "VIT-A", "person": facts(home), "date": TODAY, "quantity": "0"},
    ]
    out = services.validate_deliveries(ctx, rows)
    assert len(out) == len(rows)
    values, problems = out[0]
    assert problems == [] and values["person_id"] == home.pk and values["desa_id"] == home.desa_id
    assert values["agency_id"] == world.agencies["home"].pk and values["import_key"] == "k1"
    assert values["unit"] == "kapsul" and values["quantity"] == 1
    assert out[1][0] is None and "luar wilayah" in out[1][1][0]
    assert out[2][0] is None and "masa depan" in " ".join(out[2][1])
    assert out[3][0] is None and "sasaran" in " ".join(out[3][1])
    assert out[4][0] is None and "lebih dari 0" in " ".join(out[4][1])
    assert Delivery.objects.count() == 0
