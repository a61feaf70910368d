"""The distribution day with no connection, in Debian's Chromium on a 390 px phone (issue 14, item
6: "and the distribution-day screen"): the PMT-BALITA list opened online, then offline: three
children ticked (one with a decimal comma), one left unticked says so, the page reloaded from the
service worker's copy, back online: exactly three deliveries on the server, none twice, each
with the phone's UUID, the rows shown received."""

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
def thin_children():
    load_catalogue()  # a transactional test's database is flushed: the migration's catalogue rows are gone
    area = build_area()
    today = dt.date.today()
    kids = []
    for i, name in enumerate(["Bima Kurus", "Citra Kurus", "Dodi Kurus", "Eka Kurus"]):
        kid = make_child(area["kuala"], area["pos_kuala"], name=name, born=today - dt.timedelta(days=500 + i * 40))
        measure(kid, today - dt.timedelta(days=20), waz=-2.6, whz=-2.2, haz=-1.0)  # on the PMT list
        kids.append(kid)
    user = User.objects.create_user("kader.offline", password=PASSWORD, role=Role.CADRE, posyandu=area["pos_kuala"])
    return user, area["pos_kuala"], kids


def test_three_ticks_offline_then_sent_once(live_server, new_page, shot, thin_children, sign_in):
    user, posyandu, kids = thin_children
    page = new_page(width=390, height=844, mobile=True)
    sign_in(page, live_server, user.username, PASSWORD)
    page.goto(f"{live_server.url}/interventions/distribution/?code=PMT-BALITA&posyandu={posyandu.pk}"
              f"&date={dt.date.today().isoformat()}")
    expect(page.locator("form.drow")).to_have_count(4)
    # The worker is installed and has kept this list: from here on it opens without a network.
    expect(page.locator("html[data-offline-ready='1']")).to_have_count(1, timeout=15_000)

    page.context.set_offline(True)
    quantities = ["7", "3,5", ""]  # empty: the row's default (7 days of PMT), as online
    for kid, quantity in zip(kids[:3], quantities, strict=True):
        row = page.locator(f"#drow-p{kid.pk}")
        row.locator("input[name=quantity]").fill(quantity)
        row.locator("button.drow-save").click()
        expect(row).to_have_attribute("data-result", "queued")
        expect(row.locator(".drow-status")).to_contain_text("menunggu terkirim")
    # Unticked, nothing is queued and the row says why, in Indonesian, as online.
    last = page.locator(f"#drow-p{kids[3].pk}")
    last.locator("input[name=received]").uncheck()
    last.locator("button.drow-save").click()
    expect(last.locator(".drow-status")).to_contain_text("Centang")
    expect(page.locator("#outbox")).to_be_visible()
    expect(page.locator("#outbox .outbox-count")).to_have_text("3 menunggu terkirim")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert Delivery.objects.count() == 0

    # Reloaded with no connection: the worker's copy of the list, the ticks still waiting.
    response = page.reload()
    assert response is not None and response.from_service_worker
    for kid in kids[:3]:
        expect(page.locator(f"#drow-p{kid.pk}")).to_have_attribute("data-result", "queued")
    expect(page.locator("#outbox .outbox-count")).to_have_text("3 menunggu terkirim")
    assert page.input_value(f"#drow-p{kids[1].pk} input[name=quantity]") == "3,50"  # what was typed, not the default
    shot(page, "offline-distribution-waiting")

    page.context.set_offline(False)  # the `online` event sends the outbox
    for kid in kids[:3]:
        expect(page.locator(f"#drow-p{kid.pk}")).to_have_attribute("data-result", "saved", timeout=15_000)
    expect(page.locator(f"#drow-p{kids[1].pk} .drow-saved")).to_contain_text("3,50")
    expect(page.locator("#outbox .outbox-count")).to_have_text("Tidak ada yang menunggu terkirim.")
    expect(page.locator("#distribution-progress")).to_contain_text("3 dari 4")
    shot(page, "offline-distribution-sent")

    deliveries = {d.person_id: d for d in Delivery.objects.filter(item__code="PMT-BALITA")}
    assert Delivery.objects.count() == 3 and set(deliveries) == {k.pk for k in kids[:3]}  # none twice
    assert [str(deliveries[k.pk].quantity) for k in kids[:3]] == ["7.00", "3.50", "7.00"]
    assert all(d.source == "distribution" and d.date == dt.date.today() for d in deliveries.values())
    # Stored under the UUIDs the phone gave them (so a send repeated after a lost answer is a duplicate).
    phone_uuids = page.evaluate("TumbuhOutbox.all().then(items => items.filter(i => i.kind === 'delivery').map(i => i.uuid))")
    assert sorted(phone_uuids) == sorted(str(d.uuid) for d in deliveries.values())

    # Online again, reloaded: the server's own page shows the three received; nothing is sent twice.
    page.reload()
    expect(page.locator("form.drow.is-done")).to_have_count(3)
    expect(page.locator("#distribution-progress")).to_contain_text("3 dari 4")
    page.wait_for_timeout(500)
    assert Delivery.objects.count() == 3
