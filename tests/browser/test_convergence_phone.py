"""The gap list on a desktop and a 390 px phone, and marking a gap not applicable there; the
child page's package box. Screenshots for docs/convergence.md (test-artifacts/screenshots)."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tumbuh.accounts.models import Role, User
from tumbuh.analytics.testing import build_area, make_child, measure
from tumbuh.convergence.models import Gap, NotApplicable
from tumbuh.coordination.models import Agency
from tumbuh.interventions.catalogue import load_catalogue
from tumbuh.measurements.signals import measurements_changed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "tpps-rahasia-2026"
NAMES = ["Ayu Lestari", "Bima Saputra", "Citra Dewi", "Dimas Pratama", "Eka Putri", "Fajar Nugroho"]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"), timeout=20_000)


@pytest.fixture
def kota():
    load_catalogue()
    area = build_area()
    today = dt.date.today()
    kids = []
    for i, name in enumerate(NAMES):
        desa, pos = (area["kuala"], area["pos_kuala"]) if i % 2 == 0 else (area["tanjung"], area["pos_tanjung"])
        kid = make_child(desa, pos, name=name, born=today - dt.timedelta(days=300 + 90 * i))
        measure(kid, today - dt.timedelta(days=5 + i), haz=-2.4 - i / 10, waz=-2.1 if i % 3 == 0 else -1.2,
                whz=-1.0)
        kids.append(kid)
    measurements_changed.send(sender=None, child_ids=[k.pk for k in kids])
    for code, name in (("DINKES", "Dinas Kesehatan Kota Bontang"), ("DPPKB", "DPPKB Kota Bontang"),
                       ("DINSOS", "Dinas Sosial Kota Bontang")):
        Agency.objects.create(region=area["kota"], code=code, name=name)
    user = User.objects.create_user("tpps.bontang", password=PASSWORD, role=Role.KABUPATEN, region=area["kota"])
    return user, kids


def test_gap_list_desktop_and_phone(live_server, page, new_page, shot, kota):
    user, kids = kota
    log_in(page, live_server, user.username)
    page.goto(f"{live_server.url}/convergence/")
    table = page.locator("table.gaps")
    expect(table).to_contain_text("PMT-BALITA")
    expect(table).to_contain_text("Ayu Lestari")
    expect(page.locator("#gap-count")).to_contain_text("kesenjangan")
    shot(page, "convergence-01-gaps-desktop")
    page.goto(f"{live_server.url}/registry/children/{kids[0].pk}/")
    expect(page.locator(".completeness")).to_contain_text("Paket belum lengkap")
    shot(page, "convergence-02-child-package-desktop")
    page.goto(f"{live_server.url}/convergence/rules/")
    expect(page.locator("table.register")).to_contain_text("balita-pmt")
    shot(page, "convergence-03-rules-desktop")

    phone = new_page(width=390, height=844, mobile=True)
    log_in(phone, live_server, user.username)
    phone.goto(f"{live_server.url}/convergence/?item=PMT-BALITA")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page scrolls sideways on a phone ({width}px): the table must scroll in its box"
    shot(phone, "convergence-04-gaps-phone")
    gap = Gap.objects.filter(item_code="PMT-BALITA").order_by("pk").first()
    phone.goto(f"{live_server.url}/convergence/gaps/{gap.pk}/")
    phone.select_option("select[name=reason]", "covered")
    phone.fill("input[name=note]", "PMT dari puskesmas kecamatan lain")
    shot(phone, "convergence-05-not-applicable-phone")
    phone.click("form[method=post] button[type=submit]")
    expect(phone).to_have_url(re.compile(r"/convergence/$"))
    assert NotApplicable.objects.filter(item_code="PMT-BALITA", reason="covered").count() == 1
    assert not Gap.objects.filter(pk=gap.pk).exists()
