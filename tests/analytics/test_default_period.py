"""Issue 8 item 1: the default period is the latest complete one, small samples are greyed and
left out of ranking colours, change and the map, and the period list offers no future period."""

import datetime as dt
import re

import pytest

from tumbuh.analytics import views
from tumbuh.analytics.prevalence import Estimate
from tumbuh.analytics.summary import refresh_summaries
from tumbuh.analytics.testing import make_child
from tumbuh.measurements.models import Measurement
from tumbuh.registry.models import Person

OCT, NOV, DEC_2 = dt.date(2026, 10, 14), dt.date(2026, 11, 12), dt.date(2026, 12, 2)


def _measure_many(pairs):
    """Measurements without the per-row summary refresh; one refresh at the end."""
    for child, on, haz in pairs:
        Measurement.objects.create(
            child=child, measured_on=on, weight_kg=10.0, length_cm=80.0, posyandu=child.posyandu,
            desa=child.desa, age_days=(on - child.birth_date).days, length_for_age_z=haz,
            weight_for_age_z=0.0, weight_for_length_z=0.0, bmi_for_age_z=0.0, source=Measurement.Source.DEMO)
    refresh_summaries(child_ids=sorted({c.pk for c, _, _ in pairs}))


@pytest.fixture
def bontang(area):
    """100 children in Bontang Kuala (Utara) measured in October (15 stunted) and November (10
    stunted), two of them again on 2 December; 3 in Tanjung Laut (Selatan), none stunted in
    October, all in November."""
    kuala, tanjung = area["kuala"], area["tanjung"]
    kids = [Person.objects.create(name=f"Anak {i}", sex="F", birth_date=dt.date(2024, 3, 1), desa=kuala,
                                  posyandu=area["pos_kuala"]) for i in range(100)]
    few = [make_child(tanjung, area["pos_tanjung"], born=dt.date(2024, 3, 1)) for _ in range(3)]
    _measure_many([(c, OCT, -2.5 if i < 15 else 0.1) for i, c in enumerate(kids)]
                  + [(c, NOV, -2.5 if i < 10 else 0.1) for i, c in enumerate(kids)]
                  + [(c, DEC_2, -2.6) for c in kids[:2]]
                  + [(c, dt.date(2026, 10, 20), 0.5) for c in few]
                  + [(c, dt.date(2026, 11, 20), -3.0) for c in few])
    return kids


def today_is(monkeypatch, day):
    monkeypatch.setattr(views, "_today", lambda: day)


def selected_period(html):
    return re.search(r'<option value="([^"]+)" selected>', html[html.index('id="pick-period"'):]).group(1)


def test_month_in_progress_is_not_the_default(client, kota_user, bontang, monkeypatch):
    today_is(monkeypatch, DEC_2)
    client.force_login(kota_user)
    for url in ("/analytics/", "/analytics/bnba/", "/analytics/prevalence/", "/analytics/quality/"):
        html = client.get(url, {"region": "64.74"}).content.decode()
        assert selected_period(html) == "2026-11", url
    html = client.get("/analytics/", {"region": "64.74"}).content.decode()
    assert "November 2026" in html
    # 10 of 40 + 3 of 3 stunted in November, not the 2 of 2 of 2 December
    assert re.search(r'id="kpi-stunting".*?class="kpi-n">13/103<', html, re.S)


def test_a_nearly_empty_finished_month_is_not_the_default(client, kota_user, bontang, monkeypatch):
    today_is(monkeypatch, dt.date(2027, 1, 20))  # December is over, but holds 2 children of 103
    client.force_login(kota_user)
    assert selected_period(client.get("/analytics/", {"region": "64.74"}).content.decode()) == "2026-11"
    # chosen explicitly it is shown, greyed as a small sample
    html = client.get("/analytics/", {"region": "64.74", "period": "2026-12"}).content.decode()
    card = re.search(r'<div class="card kpi-card([^"]*)" id="kpi-stunting"', html).group(1)
    assert "small-sample" in card and "sampel kecil" in html


def test_period_list_never_offers_future_periods(client, kota_user, bontang, monkeypatch):
    today_is(monkeypatch, DEC_2)
    client.force_login(kota_user)
    for params in ({"period": "2026-11"}, {"period": "2026-12"}, {"kind": "quarter"}):
        html = client.get("/analytics/", {"region": "64.74", **params}).content.decode()
        picker = html[html.index('id="pick-period"'):html.index("</select>", html.index('id="pick-period"'))]
        keys = re.findall(r'value="([^"]+)"', picker)
        assert keys and ("2026-12" in keys or "2026-Q4" in keys), keys
        assert not any(k.startswith("2027") for k in keys)
    html = client.get("/analytics/", {"region": "64.74", "period": "2026-12"}).content.decode()
    assert 'id="period-in-progress"' in html


def test_small_samples_are_out_of_ranking_change_and_map(client, kota_user, bontang, monkeypatch):
    today_is(monkeypatch, DEC_2)
    client.force_login(kota_user)
    html = client.get("/analytics/", {"region": "64.74", "period": "2026-11"}).content.decode()
    ranking = html[html.index('id="ranking-table"'):html.index("</table>", html.index('id="ranking-table"'))]
    rows = re.findall(r"<tr( class=\"small-sample\")?><td>([^<]*)</td>\s*<td><a [^>]*>([^<]+)</a>", ranking)
    assert [(bool(s), rank, name) for s, rank, name in rows] == [
        (False, "1", "Bontang Utara"), (True, "–", "Bontang Selatan")]
    # Utara: 15% in October -> 10% in November is a change; Selatan's 0% -> 100% on 3 children is not
    assert "-5,0" in ranking and "+100,0" not in ranking
    change = re.search(r'id="ranking-change">(.*?)</p>', html, re.S).group(1)
    assert "Bontang Utara" in change and "Bontang Selatan" not in change and "Largest rise" not in change
    assert "Kenaikan terbesar" not in change  # nothing rose: no empty "Kenaikan terbesar: ·"
    # the map colours Utara only; Selatan is grey with "sampel kecil" in its tooltip
    selatan_tile = re.search(r"<g[^>]*>(?:(?!</g>).)*Bontang Selatan(?:(?!</g>).)*</g>", html, re.S).group(0)
    assert "#d9d9d9" in selatan_tile and "sampel kecil" in selatan_tile


def test_small_sample_rule():
    assert Estimate("stunting", 100.0, 0.0, 100.0, 100.0, 1, 1).small
    assert Estimate("stunting", 50.0, 8.0, 35.0, 65.1, 20, 40).small  # CI 30 points wide
    assert not Estimate("stunting", 25.0, 2.0, 21.0, 29.0, 100, 400).small
