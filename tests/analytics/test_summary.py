"""The summary table: equal to the row-level computation on random data (counts exactly, means,
SDs and CIs to 1e-9), fresh after every write through the services, scoped like the rows, and
rebuilt by the management command."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command

from tumbuh.accounts.models import Role
from tumbuh.analytics import reports
from tumbuh.analytics.models import PeriodSummary
from tumbuh.analytics.periods import Period
from tumbuh.analytics.summary import rebuild_summaries
from tumbuh.analytics.testing import make_child, make_user, measure
from tumbuh.measurements.models import Measurement
from tumbuh.regions.models import Posyandu, Region
from tumbuh.registry.models import Person

JAN = dt.date(2025, 1, 15)


@pytest.fixture
def random_area(area):
    """Three desa (two kecamatan), five posyandu, 70 children with random sex, birth dates,
    activity and home; ~600 measurements over 2024-2025 with random z-scores, flags, oedema, gains
    and BGM, some taken while the child lived elsewhere and some several in one month."""
    rng = np.random.default_rng(20250)
    kota = area["kota"]
    extra = Region.objects.create(code="64.74.01.1002", name="Guntung", level="desa", parent=area["utara"])
    desas = [area["kuala"], extra, area["tanjung"]]
    posyandu = [area["pos_kuala"], Posyandu.objects.create(name="Kenanga", desa=area["kuala"]),
                Posyandu.objects.create(name="Dahlia", desa=extra), area["pos_tanjung"],
                Posyandu.objects.create(name="Teratai", desa=area["tanjung"])]
    people = []
    for _ in range(70):
        p = posyandu[rng.integers(0, len(posyandu))]
        home_pos = None if rng.random() < 0.1 else p
        born = dt.date(2020, 6, 1) + dt.timedelta(days=int(rng.integers(0, 1900)))
        people.append(Person.objects.create(
            name=f"R{len(people)}", sex=str(rng.choice(["M", "F"])), birth_date=born, desa=p.desa,
            posyandu=home_pos, active=bool(rng.random() > 0.1)))
    rows = []
    gains = ["N", "T", "2T", "O", "B", ""]
    for child in people:
        for day in rng.choice(730, size=int(rng.integers(0, 16)), replace=False):  # one a day
            on = dt.date(2024, 1, 1) + dt.timedelta(days=int(day))
            age = (on - child.birth_date).days
            z = rng.normal([-1.2, -0.8, -0.2, -0.1], 1.3)
            missing = rng.random(4) < 0.08
            where = desas[rng.integers(0, 3)] if rng.random() < 0.1 else child.desa  # measured elsewhere
            rows.append(Measurement(
                child=child, measured_on=on, weight_kg=10, length_cm=80, desa=where,
                posyandu=child.posyandu, age_days=age if rng.random() > 0.02 else None,
                length_for_age_z=None if missing[0] else float(z[0]),
                weight_for_age_z=None if missing[1] else float(z[1]),
                weight_for_length_z=None if missing[2] else float(z[2]),
                bmi_for_age_z=None if missing[3] else float(z[3]),
                length_for_age_flag=bool(rng.random() < 0.05), weight_for_age_flag=bool(rng.random() < 0.05),
                weight_for_length_flag=bool(rng.random() < 0.05), bmi_for_age_flag=bool(rng.random() < 0.05),
                oedema=bool(rng.random() < 0.03), weight_gain=gains[rng.integers(0, len(gains))],
                below_red_line=bool(rng.random() < 0.1), source=Measurement.Source.DEMO))
    Measurement.objects.bulk_create(rows)
    rebuild_summaries()
    return {"kota": kota, "desas": desas, "posyandu": posyandu, "people": people}


def _same_frame(a: pd.DataFrame, b: pd.DataFrame):
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for col in a.columns:
        x, y = a[col].to_numpy(), b[col].to_numpy()
        if np.issubdtype(np.asarray(x).dtype, np.number) and np.issubdtype(np.asarray(y).dtype, np.number):
            assert np.allclose(x.astype(float), y.astype(float), rtol=0, atol=1e-9, equal_nan=True), col
        else:
            assert [str(v) for v in x] == [str(v) for v in y], col


def _same_estimate(a, b):
    if a is None or b is None:
        assert a is None and b is None
        return
    assert (a.indicator, a.cases, a.children) == (b.indicator, b.cases, b.children)
    for f in ("rate", "se", "lower", "upper"):
        x, y = getattr(a, f), getattr(b, f)
        assert (math.isnan(x) and math.isnan(y)) or abs(x - y) < 1e-9, f


def _same_dashboard(user, region, period):
    s = reports.dashboard(user, region, period)
    r = reports.dashboard_from_rows(user, region, period)
    # The row-level dashboard never read BMI (not on the page); the prevalence page test below
    # compares the BMI columns.
    no_bmi = [c for c in s.report.table.columns if not c.startswith("BMI")]
    _same_frame(s.report.table[no_bmi], r.report.table[no_bmi])
    assert s.report.coverage == r.report.coverage
    for k in s.report.estimates:
        _same_estimate(s.report.estimates[k], r.report.estimates[k])
    assert [p.period for p in s.trend] == [p.period for p in r.trend]
    for a, b in zip(s.trend, r.trend, strict=True):
        _same_estimate(a.estimate, b.estimate)
    _same_frame(s.ranking, r.ranking)
    _same_frame(s.skdn, r.skdn)
    assert s.unit_kind == r.unit_kind
    return s


PERIODS = ["2024-03", "2024-08", "2025-11", "2024-Q2", "2025-Q4", "2024-S2", "2025-S1", "2024", "2025",
           "2024-B02", "2025-B08"]


def test_summary_equals_row_level_on_random_data(random_area):
    d = random_area
    users = [make_user(Role.KABUPATEN, region=d["kota"]), make_user(Role.ADMIN),
             make_user(Role.KECAMATAN, region=Region.objects.get(code="64.74.01")),
             make_user(Role.CADRE, posyandu=d["posyandu"][1])]
    regions = [d["kota"], Region.objects.get(code="64.74.01"), d["desas"][0]]
    measured = 0
    for user in users:
        for region in regions:
            for key in PERIODS:
                board = _same_dashboard(user, region, Period.parse(key))
                measured += board.report.coverage.weighed + board.report.coverage.measured_unregistered
    assert measured > 1000  # the comparison ran over real numbers, not empty pages
    # The prevalence page with a posyandu filter, summary vs rows.
    user = users[0]
    for pos in d["posyandu"]:
        for key in ("2024-05", "2025"):
            period = Period.parse(key)
            s = reports.prevalence_report(user, d["kota"], period, pos.pk)
            r = reports.prevalence_report_from_rows(user, d["kota"], period, pos.pk)
            _same_frame(s.table, r.table)
            assert s.coverage == r.coverage


def _kpi(client, region="64.74", period="2025-01"):
    """(rate shown, cases, children) of stunting on the dashboard page; ("", 0, 0) when nobody."""
    from .test_pages import kpi

    html = client.get("/analytics/", {"region": region, "period": period}).content.decode()
    try:
        return kpi(html, "stunting")
    except AttributeError:  # no estimate to show
        assert 'id="kpi-stunting"' in html
        return ("", 0, 0)


def test_saving_a_measurement_through_the_service_shows_on_the_next_request(client, area, kota_user):
    from tumbuh.measurements.services import delete_measurement, record_measurement

    child = make_child(area["kuala"], area["pos_kuala"], born=dt.date(2023, 1, 10))
    client.force_login(kota_user)
    assert _kpi(client)[1:] == (0, 0)
    # 2-year-old girl, 70 cm: far below -2 SD length-for-age (engine-computed z).
    m = record_measurement(child=child, measured_on=JAN, weight_kg=8.0, length_cm=70.0, position="h",
                           posyandu=area["pos_kuala"], user=kota_user)
    assert m.length_for_age_z < -2
    assert _kpi(client)[1:] == (1, 1)
    delete_measurement(m, user=kota_user)
    assert _kpi(client)[1:] == (0, 0)


def test_moving_a_child_changes_both_desas_cells(client, area, kota_user):
    from tumbuh.registry.services import update_person

    child = make_child(area["kuala"], area["pos_kuala"])
    measure(child, JAN, haz=-2.5, whz=0, waz=0)
    client.force_login(kota_user)
    assert _kpi(client, "64.74.01")[1:] == (1, 1) and _kpi(client, "64.74.02")[1:] == (0, 0)
    update_person(kota_user, child, {"desa": area["tanjung"], "posyandu": area["pos_tanjung"]})
    assert _kpi(client, "64.74.01")[1:] == (0, 0) and _kpi(client, "64.74.02")[1:] == (1, 1)
    assert not PeriodSummary.objects.filter(desa=area["kuala"]).exists()
    # Deactivating the child: still measured, no longer registered (S and D of D/S drop).
    html = client.get("/analytics/", {"region": "64.74.02", "period": "2025-01"}).content.decode()
    assert 'id="coverage-ds">1/1<' in html
    update_person(kota_user, child, {"active": False})
    html = client.get("/analytics/", {"region": "64.74.02", "period": "2025-01"}).content.decode()
    assert 'id="coverage-ds">0/0<' in html and _kpi(client, "64.74.02")[1:] == (1, 1)


def test_registering_a_child_counts_in_s(client, area, kota_user):
    from tumbuh.registry.services import register_child

    client.force_login(kota_user)
    register_child(kota_user, {"name": "Baru", "sex": "F", "birth_date": dt.date(2024, 3, 1),
                               "desa": area["kuala"], "posyandu": area["pos_kuala"]})
    html = client.get("/analytics/", {"region": "64.74", "period": "2025-01"}).content.decode()
    assert 'id="coverage-ds">0/1<' in html


def test_scoping_cells_never_include_another_region(client, random_area):
    d = random_area
    kuala_cadre = make_user(Role.CADRE, posyandu=d["posyandu"][0])
    utara = make_user(Role.KECAMATAN, region=Region.objects.get(code="64.74.01"))
    kota = make_user(Role.KABUPATEN, region=d["kota"])
    period = Period.parse("2025")
    total = reports.dashboard(kota, d["kota"], period).report.coverage
    own = reports.dashboard(utara, d["kota"], period).report.coverage  # asks for the whole kota
    tanjung = reports.dashboard(kota, Region.objects.get(code="64.74.02"), period).report.coverage
    mine = reports.dashboard(utara, Region.objects.get(code="64.74.01"), period).report.coverage
    assert own == mine  # nothing from Selatan, whatever region is asked for
    assert mine.weighed + tanjung.weighed == total.weighed
    assert mine.registered + tanjung.registered == total.registered
    cadre = reports.dashboard(kuala_cadre, d["kota"], period)
    kids = Person.objects.filter(posyandu=d["posyandu"][0])
    measured = Measurement.objects.filter(child__in=kids, measured_on__year=2025, age_days__gte=0,
                                          age_days__lte=1826).values("child").distinct().count()
    c = cadre.report.coverage
    assert c.weighed + c.measured_unregistered == measured
    assert set(cadre.skdn["posyandu_id"]) <= {d["posyandu"][0].pk}


def test_refresh_analytics_command_rebuilds_the_same_cells(random_area, capsys):
    def cells():
        rows = PeriodSummary.objects.values_list("period_type", "period_key", "desa_id", "posyandu_id", "sex",
                                                 "age_group", "measured", "ha_b1", "weighed", "wh_sum")
        return sorted((*r[:3], r[3] or 0, *r[4:]) for r in rows)

    before = cells()
    assert before
    PeriodSummary.objects.all().delete()
    call_command("refresh_analytics")
    assert cells() == before
    PeriodSummary.objects.filter(desa__pk__startswith="64.74.02").delete()
    call_command("refresh_analytics", "--region", "64.74.02")
    assert cells() == before
    assert "summary cells written" in capsys.readouterr().out
