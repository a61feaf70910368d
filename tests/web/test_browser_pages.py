"""Child page and children list in a real browser (Debian's Chromium via Playwright).

Run with `make test-browser` or `.venv/bin/pytest tests/web -m browser`."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tumbuh.measurements.derivation import recompute_children
from tumbuh.measurements.models import Measurement
from tumbuh.registry.testing import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def test_child_page_draws_three_charts_with_points(page, live_server, login, shot, kec1_user, regions):
    born = timezone.localdate() - dt.timedelta(days=500)
    child = make_person(name="Budi Grafik", sex="M", birth_date=born, desa=regions["desa1"], posyandu=regions["pos1"])
    for days, w, length in [(300, 8.0, 68.0), (330, 8.3, 69.5), (360, 8.5, 71.0)]:
        Measurement.objects.create(child=child, measured_on=born + dt.timedelta(days=days), weight_kg=w,
                                   length_cm=length, position="l", desa=regions["desa1"])
    recompute_children([child.pk])
    login(page, live_server, "kec1", "pw-test-123")
    page.goto(f"{live_server.url}/registry/children/{child.pk}/")
    for chart_id in ("chart-lhfa", "chart-wfa", "chart-wflh"):
        chart = page.locator(f"svg#{chart_id}")
        assert chart.is_visible()
        assert chart.locator("g.child circle").count() == 3
        assert chart.locator("path.sd").count() == 7
        box = chart.bounding_box()
        assert box["width"] > 300 and box["height"] > 180
    assert page.locator("h2", has_text="Riwayat pengukuran").is_visible()
    shot(page, "child_page")


def test_children_list_filters_with_htmx(page, live_server, login, kec1_user, regions):
    today = timezone.localdate()
    for name in ("Ani Cari", "Budi Lain"):
        make_person(name=name, sex="F", birth_date=today - dt.timedelta(days=200), desa=regions["desa1"])
    login(page, live_server, "kec1", "pw-test-123")
    page.goto(f"{live_server.url}/registry/children/")
    assert page.locator("table.children tbody tr").count() == 2
    page.fill("input[name=q]", "Ani")
    # A locator assertion, not wait_for_function: the CSP forbids the page from evaluating strings.
    expect(page.locator("table.children tbody tr")).to_have_count(1)
    assert "q=Ani" in page.url  # hx-push-url keeps the filter in the address bar
    assert page.locator("table.children tbody tr").first.inner_text().startswith("Ani Cari")
