"""Login as the kota TPPS -> new Rakor -> two commitments (one measured from data) -> overdue shown."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tumbuh.accounts.models import Role, User
from tumbuh.coordination.models import Commitment, Meeting
from tumbuh.regions.models import Region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "tpps-rahasia-2026"


@pytest.fixture
def kota_team():
    prov = Region.objects.create(code="64", name="Kalimantan Timur", level="provinsi")
    kota = Region.objects.create(code="64.74", name="Kota Bontang", level="kabupaten", parent=prov)
    return User.objects.create_user("tpps.bontang", password=PASSWORD, role=Role.KABUPATEN, region=kota)


def test_create_rakor_with_commitments(live_server, new_page, shot, login, kota_team):
    page = new_page(width=1366, height=900)
    login(page, live_server, "tpps.bontang", PASSWORD)
    page.goto(f"{live_server.url}/coordination/meetings/new/")
    page.select_option("select[name=kind]", "rakor")
    page.fill("input[name=title]", "Rakor TPPS Kota Bontang Semester II")
    page.fill("input[name=date]", dt.date.today().isoformat())
    page.select_option("select[name=region]", "64.74")
    page.fill("input[name=chair]", "Wakil Wali Kota")
    page.click("#meeting-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Rakor TPPS Kota Bontang Semester II")
    meeting = Meeting.objects.get()
    assert meeting.materials_frozen_at is not None

    page.click("text=Tambah komitmen")
    form = page.locator("#commitment-form")
    form.locator("select[name=agency]").select_option(label="Dinas Kesehatan")
    form.locator("input[name=what]").fill("Pemberian PMT 562 paket")
    form.locator("input[name=target]").fill("562")
    form.locator("input[name=unit]").fill("paket")
    form.locator("input[name=due_date]").fill((dt.date.today() - dt.timedelta(days=3)).isoformat())
    form.locator("button[type=submit]").click()
    expect(page.locator("table.commitments")).to_contain_text("Pemberian PMT 562 paket")
    expect(page.locator("tr.overdue")).to_contain_text("terlambat")

    page.click("text=Tambah komitmen")
    form = page.locator("#commitment-form")
    form.locator("input[name=what]").fill("Cakupan penimbangan Agustus minimal 90%")
    form.locator("select[name=metric]").select_option("percent_measured")
    form.locator("input[name=metric_period]").fill(f"{dt.date.today().year}-B08")
    form.locator("input[name=target]").fill("90")
    form.locator("input[name=due_date]").fill((dt.date.today() + dt.timedelta(days=30)).isoformat())
    form.locator("button[type=submit]").click()
    expect(page.locator("table.commitments")).to_contain_text("Cakupan penimbangan")
    assert Commitment.objects.filter(meeting=meeting).count() == 2
    shot(page, "coordination-browser-rakor")
