"""`tumbuh export parquet`: the Parquet round trip (generated -> database -> export -> same rows,
same figures), no identifiers unless asked (audited), incremental by updated-since, target groups
and deliveries."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from tumbuh.analytics.periods import Period
from tumbuh.audit.models import AuditEvent
from tumbuh.measurements.models import Measurement
from tumbuh.registry.models import Person
from tumbuh.scale import partials
from tumbuh.scale.duck import DuckEngine
from tumbuh.scale.export import export_parquet
from tumbuh.scale.layout import read_table
from tumbuh.scale.testing import load_into_db

from .reference import assert_tables_equal

CORE = ["id", "child_id", "measured_on", "desa", "posyandu_id", "sex", "age_days", "weight_kg", "length_cm",
        "oedema", "haz", "waz", "whz", "bmiz", "haz_flag", "waz_flag", "whz_flag", "bmiz_flag",
        "haz_category", "weight_gain", "bgm", "latest_in_month"]


def _table(root, dataset):
    return read_table(root, dataset)


@pytest.fixture
def loaded(db, generated):
    load_into_db(generated)
    return generated


def test_round_trip_same_rows_same_figures(loaded, tmp_path):
    province = Person.objects.order_by("desa_id").values_list("desa_id", flat=True).first()[:2]
    result = export_parquet(province, tmp_path, username="cli:test")
    src = _table(loaded, "measurements").to_pandas()
    src = src[src["province"] == province]
    out = _table(tmp_path, "measurements").to_pandas()
    assert result.rows["measurements"] == len(src) == len(out) > 500
    a = src.sort_values("id")[CORE].reset_index(drop=True)
    b = out.sort_values("id")[CORE].reset_index(drop=True)
    assert a.astype(str).equals(b.astype(str))
    # partitions: province / kab-kota / month of the measurement, codes as text
    assert set(out["period"]) == set(src["period"]) and set(out["kabkota"]) == set(src["kabkota"])
    assert all("." in k for k in out["kabkota"])
    assert result.rows["people"] == len(_table(loaded, "people").to_pandas().query("province == @province"))
    periods = [Period.parse("2026-09"), Period.parse("2026-10")]
    ours, theirs = DuckEngine(tmp_path), DuckEngine(loaded)
    before = partials.prevalence(theirs, province, periods, by="kabkota")
    after = partials.prevalence(ours, province, periods, by="kabkota")
    assert sorted(before) == sorted(after)
    for key in before:
        assert_tables_equal(after[key], before[key], exact_means=True)
    assert partials.coverage(ours, province, periods).equals(partials.coverage(theirs, province, periods))


def test_no_identifiers_unless_asked_and_audited(loaded, tmp_path):
    Person.objects.filter(pk=1).update(nik="6474011001230001")
    export_parquet("", tmp_path / "plain", username="cli:test")
    people = _table(tmp_path / "plain", "people")
    households = _table(tmp_path / "plain", "households")
    for forbidden in ("nik", "name"):
        assert forbidden not in people.column_names
    for forbidden in ("kk_number", "head_name", "address"):
        assert forbidden not in households.column_names
    everything = b"".join(p.read_bytes() for p in (tmp_path / "plain").rglob("*.parquet"))
    assert b"6474011001230001" not in everything and b"Anak 1" not in everything

    export_parquet("", tmp_path / "named", with_names=True, username="cli:test")
    named = _table(tmp_path / "named", "people").to_pandas()
    assert named.loc[named["id"] == 1, "nik"].item() == "6474011001230001"
    assert "address" in _table(tmp_path / "named", "households").column_names
    events = list(AuditEvent.objects.filter(action="export", object_type="scale.parquet").order_by("pk"))
    assert len(events) == 2
    assert not events[0].detail["with_names"] and events[1].detail["with_names"]
    assert "WITH NAMES" in events[1].summary and events[1].username == "cli:test"


def test_updated_since_and_the_command(loaded, tmp_path):
    old = timezone.now() - dt.timedelta(days=30)
    Measurement.objects.update(updated_at=old)
    Person.objects.update(updated_at=old)
    changed = list(Measurement.objects.order_by("id").values_list("id", flat=True)[:7])
    Measurement.objects.filter(id__in=changed).update(updated_at=timezone.now())
    call_command("export", "parquet", "--region", "", "--out", str(tmp_path),
                 "--updated-since", timezone.now().date().isoformat())
    out = _table(tmp_path, "measurements").to_pandas()
    assert sorted(out["id"]) == changed
    assert "people" not in [p.name for p in tmp_path.iterdir()] or _table(tmp_path, "people").num_rows == 0


def test_target_groups_and_deliveries(loaded, tmp_path):
    from tumbuh.targets.models import Pregnancy

    person = Person.objects.order_by("pk").first()
    Pregnancy.objects.create(person=person, desa_id=person.desa_id, hpht=dt.date(2026, 3, 2),
                             due_on=dt.date(2026, 12, 7), notes="Ibu Sari, rumah biru")
    datasets = ["pregnancies"]
    try:
        from tumbuh.interventions.models import CatalogueItem, Delivery
    except ImportError:  # the exporter runs without the interventions app
        Delivery = None
    if Delivery is not None:
        item = CatalogueItem.objects.order_by("pk").first()
        Delivery.objects.create(item=item, code=item.code, person=person, desa_id=person.desa_id,
                                date=dt.date(2026, 10, 5), quantity="30.00", unit=item.unit,
                                delivered_by="Bidan Rina")
        datasets.append("deliveries")
    export_parquet("", tmp_path, username="cli:test")
    for name in datasets:
        t = _table(tmp_path, name).to_pandas()
        assert len(t) == 1 and t["desa"].item() == person.desa_id
        assert "notes" not in t.columns and "delivered_by" not in t.columns
    preg = _table(tmp_path, "pregnancies").to_pandas()
    assert preg["period"].item() == "2026-03" and preg["person_id"].item() == person.pk
