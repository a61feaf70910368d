"""The target-group summary cells (tumbuh/targets/summary.py, issue 9 item 11): the dashboard's
target-group counts come from them, equal the registers' row-level counts for every scope and
region, follow every write at once, and a desa user sums only their desa's cells."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import HOME_DESA, build_world
from tumbuh.regions.models import Region
from tumbuh.registry.testing import make_person
from tumbuh.targets import corrections, selectors, services, summary
from tumbuh.targets.models import TargetGroupSummary, TpkTeam
from tumbuh.targets.testing import build_targets
from tumbuh.web.timezones import zone_for_region

TODAY = timezone.localdate()
ROLES = (Role.DESA, Role.KECAMATAN, Role.KABUPATEN, Role.PROVINSI, Role.PUSKESMAS, Role.ADMIN)
REGIONS = ("", "64.74", "64.74.01", HOME_DESA)


@pytest.fixture
def world(db):
    w = build_world()
    build_targets(w)
    return w


def cells() -> set[tuple]:
    fields = ["period_type", "period_key", "desa_id", "posyandu_id", "household", *summary.SUMMARY_FIELDS]
    return set(TargetGroupSummary.objects.values_list(*fields))


def dashboard_counts(client, user, region="64.74") -> dict:
    client.force_login(user)
    response = client.get(f"/analytics/?region={region}")
    assert response.status_code == 200
    return response.context["target_counts"]


def test_summary_counts_equal_the_row_counts_for_every_scope_and_region(world):
    assert TargetGroupSummary.objects.exists()  # filled by the writes of build_targets (signals)
    for role in ROLES:
        user = world.users[role]
        for region in REGIONS:
            assert selectors.group_counts(user, region=region) == selectors.group_counts_from_rows(
                user, region=region), (role, region)
    kab = selectors.group_counts(world.users[Role.KABUPATEN], region="64.74")
    assert kab["bumil"]["n"] >= 2 and kab["bumil"]["kek"] >= 2 and kab["krs"]["visited"] >= 1


def test_time_passing_needs_no_refresh(world):
    """The rolling windows (12 months, 42 days of nifas, this month's TPK visits) are sums of day
    cells chosen at read time: another day gives the row counts of that day."""
    user = world.users[Role.KABUPATEN]
    for days in (-400, -30, 20, 45, 200, 380):
        on = TODAY + dt.timedelta(days=days)
        assert selectors.group_counts(user, region="64.74", on=on) == selectors.group_counts_from_rows(
            user, region="64.74", on=on), days


def test_the_kabupaten_is_the_sum_of_its_desa(world):
    user = world.users[Role.ADMIN]
    desas = Region.objects.filter(code__startswith="64.74.", level=Region.Level.DESA).values_list("code", flat=True)
    kab = summary.totals(user, region="64.74", on=TODAY)
    parts = [summary.totals(user, region=d, on=TODAY) for d in desas]
    assert kab == {k: sum(p[k] for p in parts) for k in kab}


def test_full_rebuild_gives_the_cells_the_writes_left(world):
    incremental = cells()
    assert incremental
    TargetGroupSummary.objects.all().delete()
    call_command("refresh_analytics")
    assert cells() == incremental
    summary.refresh_target_summaries(region_code="64.74.01")
    assert cells() == incremental


def test_dashboard_figures_follow_each_write_at_once(client, world):
    kab, desa_user = world.users[Role.KABUPATEN], world.users[Role.DESA]
    before = dashboard_counts(client, kab)
    # The dashboard counts "today" in the user's zone (WITA in Bontang, tumbuh.web.timezones);
    # the selectors called here run in the server's (WIB): compare on the dashboard's day.
    on = before["on"]
    assert before == selectors.group_counts_from_rows(kab, region="64.74", on=on)
    # A new pregnancy, then an ANC visit whose LiLA (22 cm) makes it KEK.
    mother = make_person(name="Sari Ringkasan", sex="F", birth_date=TODAY.replace(year=TODAY.year - 27),
                         desa=Region.objects.get(code=HOME_DESA), posyandu=world.posyandu["mawar"])
    preg = services.register_pregnancy(desa_user, mother, {"hpht": TODAY - dt.timedelta(weeks=16)})
    after = dashboard_counts(client, kab)["bumil"]
    assert (after["n"], after["kek"]) == (before["bumil"]["n"] + 1, before["bumil"]["kek"])
    services.add_anc_visit(desa_user, preg, {"visited_on": TODAY - dt.timedelta(days=1), "place": "posyandu",
                                             "lila_cm": 22.0})
    after = dashboard_counts(client, kab)["bumil"]
    assert (after["n"], after["kek"]) == (before["bumil"]["n"] + 1, before["bumil"]["kek"] + 1)
    assert after["kek_pct"] == round(100.0 * after["kek"] / after["n"], 1)
    # Voided: it leaves the figures.
    corrections.void_record(desa_user, "pregnancy", preg, "Salah orang")
    assert dashboard_counts(client, kab)["bumil"] == before["bumil"]
    # A TPK visit voided, then entered again: the share of KRS families visited this month.
    visit = world.target_groups["visit"]["home"]
    corrections.void_record(desa_user, "tpk", visit, "Tidak terjadi")
    assert dashboard_counts(client, kab)["krs"]["visited"] == before["krs"]["visited"] - 1
    with timezone.override(zone_for_region(HOME_DESA)):  # "this month" is the desa's month
        services.add_tpk_visit(desa_user, visit.household, {"team": TpkTeam.objects.get(pk=visit.team_id),
                                                            "visited_on": on, "counselling": True})
    assert dashboard_counts(client, kab)["krs"] == before["krs"]
    assert dashboard_counts(client, kab) == selectors.group_counts_from_rows(kab, region="64.74", on=on)


def test_a_desa_user_sums_only_their_desa(client, world):
    desa_user, kab = world.users[Role.DESA], world.users[Role.KABUPATEN]
    assert set(summary.cells_for(desa_user).values_list("desa_id", flat=True)) == {HOME_DESA}
    own = dashboard_counts(client, desa_user, region=HOME_DESA)
    on = own["on"]  # the desa user's day (their zone), see the test above
    assert own == selectors.group_counts(kab, region=HOME_DESA, on=on)
    assert own["bumil"]["n"] < selectors.group_counts(kab, region="64.74", on=on)["bumil"]["n"]
    # A write in another desa changes the kabupaten's figures, not the desa's.
    other = next(p for k, p in world.target_groups["pregnancy"].items() if p.desa_id != HOME_DESA
                 and p.desa_id.startswith("64.74."))
    kab_before = selectors.group_counts(kab, region="64.74", on=on)["bumil"]["n"]
    corrections.void_record(kab, "pregnancy", other, "Salah orang")
    assert selectors.group_counts(kab, region="64.74", on=on)["bumil"]["n"] == kab_before - 1
    assert dashboard_counts(client, desa_user, region=HOME_DESA) == own


def test_a_person_moving_takes_their_records_cells_along(world):
    kab = world.users[Role.ADMIN]
    person = world.target_groups["pregnancy"]["home"].person
    home_before = selectors.group_counts(kab, region=HOME_DESA)["bumil"]["n"]
    person.desa = Region.objects.get(code="64.74.01.1002")
    person.posyandu = None
    person.save()
    assert selectors.group_counts(kab, region=HOME_DESA)["bumil"]["n"] == home_before - 1
    for region in REGIONS:
        assert selectors.group_counts(kab, region=region) == selectors.group_counts_from_rows(kab, region=region)
