"""The distribution day on a 390 px phone: a cadre opens the PMT-BALITA list of their posyandu,
ticks who received it, and each row is saved on its own (htmx), with a refusal shown in place."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tumbuh.accounts.models import Role, User
from tumbuh.analytics.testing import build_area, make_child, measure
from tumbuh.interventions.catalogue import load_catalogue
from tumbuh.interventions.models import Delivery

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "kader-rahasia-2026"


@pytest.fixture
def posyandu_day():
    load_catalogue()  # a transactional test's database is flushed: the migration's catalogue rows are gone
    area = build_area()
    today = dt.date.today()
    born = today - dt.timedelta(days=500)
    thin = make_child(area["kuala"], area["pos_kuala"], name="Bima Kurus", born=born)
    measure(thin, today - dt.timedelta(days=20), waz=-2.6, whz=-2.2, haz=-1.0)
    short = make_child(area["kuala"], area["pos_kuala"], name="Citra Pendek", born=born)
    measure(short, today - dt.timedelta(days=10), waz=-1.5, whz=-0.5, haz=-2.8)
    well = make_child(area["kuala"], area["pos_kuala"], name="Dewi Sehat", born=born)
    measure(well, today - dt.timedelta(days=10), waz=0.1, whz=0.2, haz=0.0)
    user = User.objects.create_user("kader.melati", password=PASSWORD, role=Role.CADRE, posyandu=area["pos_kuala"])
    return user, area["pos_kuala"], thin, short


def test_distribution_day_on_a_390px_phone(live_server, new_page, shot, posyandu_day, sign_in):
    user, posyandu, thin, short = posyandu_day
    page = new_page(width=390, height=844, mobile=True)
    sign_in(page, live_server, user.username, PASSWORD)
    page.goto(f"{live_server.url}/interventions/distribution/?code=PMT-BALITA&posyandu={posyandu.pk}"
              f"&date={dt.date.today().isoformat()}")
    rows = page.locator("form.drow")
    expect(rows).to_have_count(2)  # the well-nourished child is not on the PMT list
    expect(page.locator("#distribution-rows")).not_to_contain_text("Dewi Sehat")
    for i in range(2):
        box = rows.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, "rows must fit a phone"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "interventions-01-distribution-phone")
    first = page.locator(f"#drow-p{thin.pk}")
    first.locator("input[name=quantity]").fill("7")
    first.locator("button.drow-save").click()
    expect(page.locator(f"#drow-p{thin.pk} .drow-saved")).to_be_visible()
    assert Delivery.objects.get(person=thin).quantity == 7
    # Unticked, the row is not saved and says so, in place.
    second = page.locator(f"#drow-p{short.pk}")
    second.locator("input[name=received]").uncheck()
    second.locator("button.drow-save").click()
    expect(page.locator(f"#drow-p{short.pk} .drow-status")).to_contain_text("Centang")
    assert not Delivery.objects.filter(person=short).exists()
    page.locator(f"#drow-p{short.pk} input[name=received]").check()
    page.locator(f"#drow-p{short.pk} input[name=quantity]").fill("3,5")
    page.locator(f"#drow-p{short.pk} button.drow-save").click()
    expect(page.locator(f"#drow-p{short.pk} .drow-saved")).to_contain_text("3,5")
    assert str(Delivery.objects.get(person=short).quantity) == "3.50"
    shot(page, "interventions-02-distribution-saved-phone")
    # Reloaded, the list shows both as received.
    page.reload()
    expect(page.locator("form.drow.is-done")).to_have_count(2)
    expect(page.locator("#distribution-progress")).to_contain_text("2 dari 2")


OVERFLOW = """() => {
  const width = Math.min(window.innerWidth, document.documentElement.clientWidth);
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.right > width + 1 && getComputedStyle(e).position !== 'fixed' && !e.closest('.table-wrap, .scroll-x');
  }).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : ''));
  return {scroll: document.documentElement.scrollWidth, width, wide};
}"""


def test_interventions_pages_fit_a_390px_phone(live_server, new_page, shot, posyandu_day, sign_in):
    from tumbuh.coordination.models import Agency
    from tumbuh.interventions import services

    cadre, posyandu, thin, _short = posyandu_day
    kota = posyandu.desa.parent.parent
    dinkes = Agency.objects.create(region=kota, code="DINKES", name="Dinas Kesehatan Kota Bontang")
    kab = User.objects.create_user("tpps.bontang", password=PASSWORD, role=Role.KABUPATEN, region=kota)
    services.record_delivery(kab, item_code="PMT-BALITA", person=thin, date=dt.date.today(), quantity=7)
    course = services.start_course(kab, item_code="PMT-BALITA", person=thin, start=dt.date.today())
    services.save_plan(kab, agency=dinkes, code="PMT-BALITA", desa_code=posyandu.desa_id, year=dt.date.today().year,
                       planned_quantity=56)
    page = new_page(width=390, height=844, mobile=True)
    sign_in(page, live_server, kab.username, PASSWORD)
    problems = []
    for path in ("/interventions/", "/interventions/new/", "/interventions/catalogue/", "/interventions/agencies/",
                 "/interventions/courses/", f"/interventions/course/{course.pk}/", "/interventions/plans/",
                 "/interventions/baas/", f"/interventions/distribution/?code=PMT-BALITA&posyandu={posyandu.pk}",
                 f"/registry/children/{thin.pk}/"):
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        result = page.evaluate(OVERFLOW)
        if result["scroll"] > 390:
            problems.append(f"{path}: {result['scroll'] - 390} px too wide {result['wide']}")
        shot(page, "interventions-phone-" + path.strip("/").split("?")[0].replace("/", "-"))
    assert not problems, "\n".join(problems)
