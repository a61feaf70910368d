"""Child page and children list in a real browser (Debian's Chromium via Playwright).

Run with `make test-browser` or `.venv/bin/pytest tests/web -m browser`."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from tumbuh.measurements.derivation import recompute_children
from tumbuh.measurements.models import Measurement
from tumbuh.registry.testing import make_person

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("TUMBUH_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
        # Offline of the internet: any request leaving the test server fails the page.
        external = []
        context.route("**/*", lambda route: (external.append(route.request.url), route.abort())
                      if not route.request.url.startswith("http://localhost") else route.continue_())
        yield context.new_page()
        assert external == []
        browser.close()


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-test-123")
    page.click("button")


def test_child_page_draws_three_charts_with_points(page, live_server, kec1_user, regions):
    born = timezone.localdate() - dt.timedelta(days=500)
    child = make_person(name="Budi Grafik", sex="M", birth_date=born, desa=regions["desa1"], posyandu=regions["pos1"])
    for days, w, length in [(300, 8.0, 68.0), (330, 8.3, 69.5), (360, 8.5, 71.0)]:
        Measurement.objects.create(child=child, measured_on=born + dt.timedelta(days=days), weight_kg=w,
                                   length_cm=length, position="l", desa=regions["desa1"])
    recompute_children([child.pk])
    _login(page, live_server, "kec1")
    page.goto(f"{live_server.url}/registry/children/{child.pk}/")
    for chart_id in ("chart-lhfa", "chart-wfa", "chart-wflh"):
        chart = page.locator(f"svg#{chart_id}")
        assert chart.is_visible()
        assert chart.locator("g.child circle").count() == 3
        assert chart.locator("path.sd").count() == 7
        box = chart.bounding_box()
        assert box["width"] > 300 and box["height"] > 180
    assert page.locator("h2", has_text="Riwayat pengukuran").is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "child_page.png"), full_page=True)


def test_children_list_filters_with_htmx(page, live_server, kec1_user, regions):
    today = timezone.localdate()
    for name in ("Ani Cari", "Budi Lain"):
        make_person(name=name, sex="F", birth_date=today - dt.timedelta(days=200), desa=regions["desa1"])
    _login(page, live_server, "kec1")
    page.goto(f"{live_server.url}/registry/children/")
    assert page.locator("table.children tbody tr").count() == 2
    page.fill("input[name=q]", "Ani")
    page.wait_for_function("document.querySelectorAll('table.children tbody tr').length === 1")
    assert "q=Ani" in page.url  # hx-push-url keeps the filter in the address bar
    assert page.locator("table.children tbody tr").first.inner_text().startswith("Ani Cari")
