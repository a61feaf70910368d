"""Screenshots of the dashboard, a BNBA list and the data-quality page in Chromium
(`make test-browser`; pictures in test-artifacts/screenshots/)."""

import datetime as dt

import pytest

from tumbuh.accounts.models import Role
from tumbuh.analytics.services import seed_reference_figures
from tumbuh.analytics.testing import make_child, make_user, measure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_bnba_and_quality_screens(live_server, area, page, shot):
    seed_reference_figures()
    june_haz = {}  # child name -> HAZ of the June measurement (the latest in the period)
    for i in range(24):
        desa, pos = (area["kuala"], area["pos_kuala"]) if i % 2 else (area["tanjung"], area["pos_tanjung"])
        child = make_child(desa, pos, name=f"Balita Contoh {i}", sex="MF"[i % 2],
                           born=dt.date(2021, 3, 1) + dt.timedelta(days=53 * i))
        for m in range(1, 7):
            measure(child, dt.date(2025, m, 10), haz=-2.6 + 0.1 * i - 0.05 * m, whz=-0.5 + 0.08 * i,
                    waz=-1.2 + 0.05 * i, weight=9.0 + 0.37 * i, length=78.0 + 0.9 * i + 0.5 * m,
                    gain=("N", "T", "2T")[(i + m) % 3], bgm=i == 3)
        june_haz[child.name] = -2.6 + 0.1 * i - 0.05 * 6
    stunted = sorted(name for name, haz in june_haz.items() if haz < -2)  # no flags in these rows
    rate = 100 * len(stunted) / len(june_haz)
    make_user(Role.KABUPATEN, region=area["kota"], username="tpps-bontang")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "tpps-bontang")
    page.fill("input[name=password]", "x-pass-123456")
    page.click("button[type=submit], input[type=submit]")
    page.goto(f"{live_server.url}/analytics/?region=64.74&period=2025-06")
    # The KPI is the figure computed from the rows above (Indonesian decimal comma), of all 24.
    assert len(stunted) == 9
    assert page.locator("#kpi-stunting .kpi").inner_text().strip() == f"{rate:.1f}%".replace(".", ",")
    assert page.locator("#kpi-stunting .kpi-n").inner_text().strip() == f"{len(stunted)}/{len(june_haz)}"
    assert page.locator("#trend-chart").count() == 1
    shot(page, "analytics-dashboard")
    page.goto(f"{live_server.url}/analytics/bnba/?region=64.74&period=2025-06&category=stunted")
    rows = page.locator("#bnba-table tbody tr")
    assert rows.count() == len(stunted)
    assert all(any(name in rows.nth(i).inner_text() for i in range(rows.count())) for name in stunted)
    shot(page, "analytics-bnba")
    page.goto(f"{live_server.url}/analytics/quality/?region=64.74&period=2025-06")
    assert page.locator("#quality-table tbody tr").count() == 2
    shot(page, "analytics-quality")
