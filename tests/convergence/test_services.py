"""The maintained gap table: refreshed from the signals in the writer's transaction, versioned by
rule set, closed by deliveries or "not applicable", and refreshed when a day has passed."""

import datetime as dt
from decimal import Decimal

import pytest

from tumbuh.analytics.testing import build_area, make_child, measure
from tumbuh.convergence import rules as R
from tumbuh.convergence import selectors, services
from tumbuh.convergence.models import Completeness, Freshness, Gap, NotApplicable
from tumbuh.interventions.catalogue import load_catalogue
from tumbuh.interventions.models import CatalogueItem, Delivery
from tumbuh.interventions.signals import deliveries_changed
from tumbuh.measurements.signals import measurements_changed
from tumbuh.targets.models import KrsSnapshot, Pregnancy

pytestmark = pytest.mark.django_db
TODAY = services.today("64.74")  # Bontang's date (WITA): stored gaps are for the region's day


@pytest.fixture
def area():
    load_catalogue()
    return build_area()


def stunted_child(area, **kw):
    child = make_child(area["kuala"], area["pos_kuala"], born=TODAY - dt.timedelta(days=600), **kw)
    measure(child, TODAY - dt.timedelta(days=3), haz=-2.6, waz=-1.0, whz=-0.5)
    measurements_changed.send(sender=None, child_ids=[child.pk])
    return child


def deliver(person, code, on, household=None):
    item = CatalogueItem.objects.get(code=code, region__isnull=True)
    d = Delivery.objects.create(item=item, code=code, person=None if household else person, household=household,
                                date=on, quantity=Decimal(1), unit=item.unit, desa=person.desa,
                                posyandu=person.posyandu)
    deliveries_changed.send(sender=Delivery, person_ids=[person.pk] if not household else [],
                            household_ids=[household.pk] if household else [], desa_codes=[person.desa_id])
    return d


def gaps_of(person) -> set[str]:
    return set(Gap.objects.filter(person=person).values_list("item_code", flat=True))


def test_signals_keep_the_table_fresh_and_record_the_rule_version(area):
    child = stunted_child(area)
    assert {"PMT-BALITA", "RUJUKAN", "IMUNISASI-DASAR", "VIT-A"} <= gaps_of(child)
    gap = Gap.objects.get(person=child, item_code="PMT-BALITA")
    assert gap.rule_version == R.default_ruleset().version and gap.agency_code == "DINKES"
    assert gap.desa_id == child.desa_id and gap.posyandu_id == child.posyandu_id
    assert gap.since == TODAY - dt.timedelta(days=3)
    household_gaps = set(Gap.objects.filter(household=child.household).values_list("item_code", flat=True))
    assert household_gaps == {"PENDAMPINGAN-TPK", "JKN-PBI"}  # no KRS data: water/latrine unknown
    deliver(child, "PMT-BALITA", TODAY)
    assert "PMT-BALITA" not in gaps_of(child)
    comp = Completeness.objects.get(person=child)
    assert comp.required == comp.received + Gap.objects.filter(person=child).count()
    assert not comp.complete


def test_household_water_gap_from_the_krs_snapshot_signal(area):
    child = stunted_child(area)
    KrsSnapshot.objects.create(household=child.household, desa=child.desa, period=f"{TODAY.year}-S{1 if TODAY.month <= 6 else 2}",
                               water_source="sungai", latrine="own_septic", krs=True)
    hh = set(Gap.objects.filter(household=child.household).values_list("item_code", flat=True))
    assert "AIR-MINUM" in hh and "JAMBAN" not in hh
    deliver(child, "AIR-MINUM", TODAY - dt.timedelta(days=400), household=child.household)
    assert not Gap.objects.filter(household=child.household, item_code="AIR-MINUM").exists()


def test_pregnancy_saved_through_the_orm_opens_its_gaps(area):
    child = stunted_child(area)
    mother = make_child(area["kuala"], area["pos_kuala"], sex="F", born=dt.date(1996, 3, 1))
    Pregnancy.objects.create(person=mother, desa=mother.desa, posyandu=mother.posyandu,
                             hpht=TODAY - dt.timedelta(weeks=20), due_on=TODAY + dt.timedelta(weeks=20), kek=True)
    assert {"ANC", "TTD-BUMIL", "PMT-BUMIL"} <= gaps_of(mother)
    assert Gap.objects.get(person=mother, item_code="ANC").target_group == "bumil"
    del child


def test_not_applicable_closes_this_occurrence_only(area, django_user_model):
    user = django_user_model.objects.create_user("kab", password="x-pass-123456", role="kabupaten",
                                                 region=area["kota"])
    child = stunted_child(area)
    gap = Gap.objects.get(person=child, item_code="PMT-BALITA")
    services.mark_not_applicable(user, gap, NotApplicable.Reason.REFUSED, "keluarga menolak")
    assert "PMT-BALITA" not in gaps_of(child)
    assert Completeness.objects.get(person=child).not_applicable == 1
    # a later measurement is a new occurrence: the gap opens again
    measure(child, TODAY - dt.timedelta(days=1), haz=-2.7, waz=-1.0, whz=-0.5)
    measurements_changed.send(sender=None, child_ids=[child.pk])
    assert "PMT-BALITA" in gaps_of(child)
    na = NotApplicable.objects.get(person=child)
    services.revoke_not_applicable(user, na)
    assert NotApplicable.objects.get(pk=na.pk).revoked_at is not None
    from tumbuh.audit.models import AuditEvent

    assert AuditEvent.objects.filter(summary__icontains="PMT-BALITA").count() >= 2


def test_gap_ids_stay_when_a_refresh_changes_nothing(area):
    child = stunted_child(area)
    before = dict(Gap.objects.filter(person=child).values_list("item_code", "pk"))
    services.refresh_subjects([child.pk])
    assert dict(Gap.objects.filter(person=child).values_list("item_code", "pk")) == before


def test_local_rule_versions_the_gaps_and_adds_baas(area, django_user_model):
    user = django_user_model.objects.create_user("kab", password="x-pass-123456", role="kabupaten",
                                                 region=area["kota"])
    child = stunted_child(area)
    services.save_local_rule(user, area["kota"], {
        "id": "lokal-baas", "group": "balita", "item": "BAAS", "label": "BAAS untuk setiap anak stunting",
        "condition": {"kind": "child_undernourished", "indices": ["haz"], "weight_gain": [], "bgm": False},
        "window": {"kind": "days_before", "days": 180}})
    version = f"{R.default_ruleset().version}+64.74.r1"
    gap = Gap.objects.get(person=child, item_code="BAAS")
    assert gap.rule_version == version and gap.agency_code == "DPPKB"
    assert set(Gap.objects.filter(person=child).values_list("rule_version", flat=True)) == {version}
    services.save_local_rule(user, area["kota"], {"id": "balita-vita"}, disabled=True)
    assert "VIT-A" not in gaps_of(child)
    assert Gap.objects.get(person=child, item_code="BAAS").rule_version.endswith(".r2")
    row = services.LocalRule.objects.get(rule_id="balita-vita")
    services.delete_local_rule(user, row)
    assert "VIT-A" in gaps_of(child)
    with pytest.raises(ValueError):
        services.save_local_rule(user, area["kota"], {"id": "x", "group": "balita", "item": "BAAS",
                                                      "condition": {"kind": "nope"}, "window": {"kind": "ever"}})


def test_a_day_passing_is_caught_on_read(area, monkeypatch):
    child = stunted_child(area)
    deliver(child, "PMT-BALITA", TODAY - dt.timedelta(days=90))
    services.refresh_region("64.74")
    assert "PMT-BALITA" not in gaps_of(child)
    assert set(Freshness.objects.values_list("as_of", flat=True)) == {TODAY}
    tomorrow = TODAY + dt.timedelta(days=1)
    monkeypatch.setattr(services, "today", lambda region_code=None: tomorrow)
    assert services.stale_desa("64.74") == ["64.74.01.1001", "64.74.02.1001"]
    assert services.ensure_fresh("64.74.01") == 1
    assert "PMT-BALITA" in gaps_of(child)  # the 90-day window closed overnight
    assert services.stale_desa("64.74.01") == []


def test_direct_computation_for_another_date_is_not_stored(area):
    child = stunted_child(area)
    stored = Gap.objects.count()
    gaps, comps, versions = services.compute(TODAY - dt.timedelta(days=10), region_code="64.74")
    assert Gap.objects.count() == stored
    assert not any(g.person_id == child.pk and g.item_code == "PMT-BALITA" for g in gaps)  # not yet measured
    assert versions == {"64.74": R.default_ruleset().version}


def test_completeness_map_for_other_contexts(area):
    child = stunted_child(area)
    got = selectors.completeness_map([child.pk])
    assert got[child.pk].required >= 4 and got[child.pk].share < 1


def test_jkn_membership_edit_closes_and_reopens_the_household_gap_in_the_same_write(area, django_user_model):
    """The person edit (registry.services.update_person) refreshes the household's gaps inside
    its transaction: recorded membership closes keluarga-jkn, "no JKN" opens it again, and a
    rolled-back edit leaves the gap as it was."""
    from django.db import transaction

    from tumbuh.audit.models import AuditEvent
    from tumbuh.registry import services as registry

    user = django_user_model.objects.create_user("kab-jkn", password="x-pass-123456", role="kabupaten",
                                                 region=area["kota"])
    child = stunted_child(area)
    home = child.household

    def jkn_gap():
        return Gap.objects.filter(household=home, rule_id="keluarga-jkn").first()

    opened = jkn_gap()
    assert opened is not None and opened.reason_args == {"child": child.pk}
    assert opened.rule_version == R.default_ruleset().version
    registry.update_person(user, child, {"jkn_status": "pbi_apbd", "jkn_checked_on": TODAY})
    assert jkn_gap() is None
    comp = Completeness.objects.get(household=home)
    assert comp.received >= 1
    registry.update_person(user, child, {"jkn_status": "none"})
    assert jkn_gap() is not None
    with pytest.raises(RuntimeError), transaction.atomic():
        registry.update_person(user, child, {"jkn_status": "mandiri"})
        assert jkn_gap() is None  # closed inside the write...
        raise RuntimeError("the caller's transaction fails")
    assert jkn_gap() is not None  # ...and open again with it rolled back
    edits = AuditEvent.objects.filter(action="update", object_type="registry.person", object_id=str(child.pk))
    changes = [e.detail["changes"] for e in edits.order_by("pk")]
    assert changes[0]["jkn_status"] == ["", "pbi_apbd"] and changes[0]["jkn_checked_on"] == [None, TODAY.isoformat()]
    assert changes[1]["jkn_status"] == ["pbi_apbd", "none"]


def test_membership_closing_a_gap_does_not_need_a_mother_with_jkn(area, django_user_model):
    # The household's other members' membership is shown on the household page but the rule asks
    # for the child's own (docs/convergence.md, "JKN membership").
    from tumbuh.registry import services as registry

    user = django_user_model.objects.create_user("kab-jkn2", password="x-pass-123456", role="kabupaten",
                                                 region=area["kota"])
    child = stunted_child(area)
    mother = make_child(area["kuala"], area["pos_kuala"], sex="F", born=dt.date(1994, 5, 1))
    registry.update_person(user, mother, {"household": child.household, "jkn_status": "ppu"})
    assert Gap.objects.filter(household=child.household, rule_id="keluarga-jkn").exists()
    registry.update_person(user, child, {"jkn_status": "ppu"})
    assert not Gap.objects.filter(household=child.household, rule_id="keluarga-jkn").exists()
