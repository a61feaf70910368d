"""Login -> posyandu session entry -> child page with growth chart, in a real browser."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tumbuh.accounts.models import Role, User
from tumbuh.measurements.models import Measurement
from tumbuh.regions.models import Posyandu, Region
from tumbuh.registry.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "kader-rahasia-2026"


@pytest.fixture
def posyandu_with_children():
    prov = Region.objects.create(code="64", name="Kalimantan Timur", level="provinsi")
    kota = Region.objects.create(code="64.74", name="Kota Bontang", level="kabupaten", parent=prov)
    kec = Region.objects.create(code="64.74.01", name="Bontang Utara", level="kecamatan", parent=kota)
    desa = Region.objects.create(code="64.74.01.1001", name="Bontang Kuala", level="desa", parent=kec)
    posyandu = Posyandu.objects.create(name="Posyandu Melati 1", desa=desa)
    today = dt.date.today()
    first = Person.objects.create(
        name="Ani Wulandari", sex="F", birth_date=today - dt.timedelta(days=400), desa=desa, posyandu=posyandu
    )
    second = Person.objects.create(
        name="Budi Santoso", sex="M", birth_date=today - dt.timedelta(days=900), desa=desa, posyandu=posyandu
    )
    cadre = User.objects.create_user("kader.melati1", password=PASSWORD, role=Role.CADRE, posyandu=posyandu)
    return posyandu, first, second, cadre


def test_login_session_entry_and_child_chart(live_server, page, phone_page, shot, login, posyandu_with_children):
    posyandu, first, second, cadre = posyandu_with_children

    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    shot(page, "01-login")
    login(page, live_server, cadre.username, PASSWORD)

    page.goto(f"{live_server.url}/measurements/session/{posyandu.pk}/")
    expect(page.locator(f"#row-{first.pk}")).to_be_visible()
    # Keyboard only: weight, Enter, length, Enter, (no LiLA) Enter saves the row (comma decimals
    # as cadres type them).
    page.click(f"#weight-{first.pk}")
    page.keyboard.type("8,9")
    page.keyboard.press("Enter")
    page.keyboard.type("74,5")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(page.locator(f"#row-{first.pk} .badge").first).to_be_visible(timeout=10_000)
    # Focus moved on to the next child's weight, ready for the next entry.
    expect(page.locator(f"#weight-{second.pk}")).to_be_focused()
    shot(page, "02-session-entry")

    saved = Measurement.objects.get(child=first)
    assert saved.weight_kg == pytest.approx(8.9)
    assert saved.length_cm == pytest.approx(74.5)
    assert saved.length_for_age_z is not None

    page.goto(f"{live_server.url}/registry/children/{first.pk}/")
    chart = page.locator("svg#chart-lhfa")
    expect(chart).to_be_visible()
    # The child's own points (not any circle of the chart): one per saved measurement, on each chart.
    points = Measurement.objects.filter(child=first).count()
    assert points == 1
    for chart_id in ("chart-lhfa", "chart-wfa", "chart-wflh"):
        expect(page.locator(f"svg#{chart_id}")).to_be_visible()
        assert page.locator(f"svg#{chart_id} g.child circle").count() == points, chart_id
    shot(page, "03-child-page")

    # The same session screen on a 360 px phone, logged in through the phone context.
    login(phone_page, live_server, cadre.username, PASSWORD)
    phone_page.goto(f"{live_server.url}/measurements/session/{posyandu.pk}/")
    row = phone_page.locator(f"#row-{second.pk}")
    expect(row).to_be_visible()
    box = row.bounding_box()
    assert box is not None and box["width"] <= 360, "session rows must fit a phone screen"
    shot(phone_page, "04-session-phone")
