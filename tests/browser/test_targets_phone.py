"""Entering an ANC visit for a pregnant woman on a 390 px phone, decimal commas as typed, then
correcting it there (the edit form, the change history)."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tumbuh.accounts.models import Role, User
from tumbuh.regions.models import Posyandu, Region
from tumbuh.registry.models import Person
from tumbuh.targets import services
from tumbuh.targets.models import AncVisit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "bidan-rahasia-2026"


@pytest.fixture
def pregnancy():
    prov = Region.objects.create(code="64", name="Kalimantan Timur", level="provinsi")
    kota = Region.objects.create(code="64.74", name="Kota Bontang", level="kabupaten", parent=prov)
    kec = Region.objects.create(code="64.74.01", name="Bontang Utara", level="kecamatan", parent=kota)
    desa = Region.objects.create(code="64.74.01.1001", name="Bontang Kuala", level="desa", parent=kec)
    posyandu = Posyandu.objects.create(name="Posyandu Melati 1", desa=desa)
    today = dt.date.today()
    mother = Person.objects.create(name="Sari Hamil", sex="F", birth_date=today.replace(year=today.year - 28),
                                   desa=desa, posyandu=posyandu)
    user = User.objects.create_user("kader.melati1", password=PASSWORD, role=Role.CADRE, posyandu=posyandu)
    preg = services.register_pregnancy(user, mother, {"hpht": today - dt.timedelta(weeks=14), "lila_cm": 24.0})
    return user, preg


def test_anc_visit_on_a_390px_phone(live_server, page, new_page, shot, pregnancy, sign_in):
    user, preg = pregnancy
    desk = page
    sign_in(desk, live_server, user.username, PASSWORD)
    page = new_page(width=390, height=844, mobile=True)
    sign_in(page, live_server, user.username, PASSWORD)
    page.goto(f"{live_server.url}/targets/pregnancy/{preg.pk}/")
    form = page.locator("#anc-form")
    expect(form).to_be_visible()
    box = form.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, "the visit form must fit a phone"
    page.fill("input[name=weight_kg]", "61,5")
    page.fill("input[name=lila_cm]", "23,2")
    page.fill("input[name=hb_gdl]", "10,4")
    page.fill("input[name=ttd_given]", "30")
    shot(page, "targets-01-anc-phone")
    page.click("#anc-form button[type=submit]")
    expect(page.locator("#anc-contacts")).to_have_text("K1")
    expect(page.locator("#ttd-total")).to_have_text("30")
    shot(page, "targets-02-anc-saved-phone")
    visit = AncVisit.objects.get()
    assert visit.weight_kg == pytest.approx(61.5) and visit.hb_gdl == pytest.approx(10.4)
    preg.refresh_from_db()
    assert preg.anaemia and preg.high_risk
    # A typo in grams is refused on the phone with the Indonesian fix, and nothing is added.
    page.fill("input[name=weight_kg]", "61500")
    page.click("#anc-form button[type=submit]")
    expect(page.locator(".errorlist").first).to_contain_text("61,5")
    assert AncVisit.objects.count() == 1
    shot(page, "targets-03-anc-error-phone")
    # Correcting the visit on the phone: the edit form, decimal comma, the verdict re-derived.
    page.goto(f"{live_server.url}/targets/pregnancy/{preg.pk}/")
    page.click(f"a[href='/targets/edit/anc/{visit.pk}/']")
    form = page.locator("#edit-form")
    expect(form).to_be_visible()
    box = form.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390, "the edit form must fit a phone"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.fill("input[name=hb_gdl]", "11,2")
    shot(page, "targets-07-anc-correct-phone")
    page.click("#edit-form button[type=submit]")
    expect(page.locator("#anc-contacts")).to_have_text("K1")
    visit.refresh_from_db()
    preg.refresh_from_db()
    assert visit.hb_gdl == pytest.approx(11.2) and not preg.anaemia
    page.goto(f"{live_server.url}/targets/person/{preg.person_id}/")
    expect(page.locator("table.changes")).to_contain_text("10,4")
    shot(page, "targets-08-history-phone")
    # The register and overview on a desktop, for the record.
    desk.goto(f"{live_server.url}/targets/register/bumil/")
    expect(desk.locator("table.register")).to_contain_text("Sari Hamil")
    shot(desk, "targets-04-register-desktop")
    desk.goto(f"{live_server.url}/targets/")
    shot(desk, "targets-05-overview-desktop")
    page.goto(f"{live_server.url}/targets/register/bumil/")
    shot(page, "targets-06-register-phone")
