"""The posyandu session with no connection, in Debian's Chromium on a 390 px phone (issue 14,
items 6-8): opened online, then offline: five children entered, the page reloaded (from the
service worker's cache), back online: exactly five measurements on the server, none twice, the
rows shown saved. A sixth child measured meanwhile on another phone comes back as a conflict,
shown, and the other phone's values are kept.

Run with `.venv/bin/pytest tests/measurements -m browser` (or `make test-browser`)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

@pytest.fixture
def phone(new_page, live_server, client, cadre_a):
    client.force_login(cadre_a)
    page = new_page(width=390, height=844, mobile=True)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return page


def type_row(page, child_id, weight, length):
    page.click(f"#weight-{child_id}")
    page.keyboard.type(weight)
    page.keyboard.press("Enter")
    page.keyboard.type(length)
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # LiLA left empty: Enter saves the complete row


def test_five_children_offline_then_sent_once(phone, live_server, places, make_child, today, cadre_a, shot):
    from tumbuh.audit.models import AuditEvent
    from tumbuh.measurements.models import Measurement
    from tumbuh.measurements.services import record_measurement

    kids = [make_child(f"Anak {name}", sex=sex, age_days=days) for name, sex, days in
            [("Ani", "F", 300), ("Bayu", "M", 420), ("Citra", "F", 610), ("Dewi", "F", 800), ("Eko", "M", 1000)]]
    other = make_child("Fajar Konflik", age_days=700)
    url = f"{live_server.url}/measurements/session/{places['pos_a'].pk}/?date={today.isoformat()}"
    phone.goto(url)
    # The worker is installed and has kept this page: from here on it opens without a network.
    expect(phone.locator("html[data-offline-ready='1']")).to_have_count(1, timeout=15_000)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.context.set_offline(True)
    values = [("7,9", "66,5"), ("9,1", "74"), ("10,2", "79,5"), ("11", "83,2"), ("12,4", "90,1")]
    for kid, (weight, length) in zip(kids, values, strict=True):
        type_row(phone, kid.pk, weight, length)
        expect(phone.locator(f"#row-{kid.pk}")).to_have_attribute("data-result", "queued")
    type_row(phone, other.pk, "10,5", "81")
    expect(phone.locator(f"#row-{other.pk}")).to_have_attribute("data-result", "queued")
    # Shown as waiting, with the z-score badges computed on the phone.
    expect(phone.locator("#outbox")).to_be_visible()
    expect(phone.locator("#outbox .outbox-count")).to_have_text("6 menunggu terkirim")
    assert "menunggu terkirim" in phone.inner_text(f"#row-{kids[0].pk} .srow-status")
    assert phone.locator(f"#row-{kids[0].pk} .srow-status .badge[data-code]").count() == 3
    assert Measurement.objects.count() == 0

    # Reloaded with no connection: the service worker's copy of the page, the outbox still there.
    response = phone.reload()
    assert response is not None and response.from_service_worker
    expect(phone.locator(f"#row-{kids[4].pk}")).to_have_attribute("data-result", "queued")
    expect(phone.locator("#outbox .outbox-count")).to_have_text("6 menunggu terkirim")
    assert phone.input_value(f"#weight-{kids[2].pk}") == "10,2"
    shot(phone, "offline-session-waiting")

    # Meanwhile another phone saved the sixth child for today, with other values.
    theirs = record_measurement(child=other, measured_on=today, weight_kg=10.9, length_cm=82.0, position="l",
                                posyandu=places["pos_a"], user=cadre_a)

    phone.context.set_offline(False)  # the `online` event sends the outbox
    for kid in kids:
        expect(phone.locator(f"#row-{kid.pk}")).to_have_attribute("data-result", "saved", timeout=15_000)
        assert "Tersimpan" in phone.inner_text(f"#row-{kid.pk} .srow-status")
    expect(phone.locator(f"#row-{other.pk}")).to_have_attribute("data-result", "conflict")
    conflict = phone.inner_text(f"#row-{other.pk} .srow-conflict")
    assert "10,9 kg" in conflict and "10,5 kg" in conflict
    expect(phone.locator("#outbox .outbox-count")).to_have_text("Tidak ada yang menunggu terkirim.")
    shot(phone, "offline-session-sent")

    by_child = {m.child_id: m for m in Measurement.objects.filter(child__in=kids)}
    assert Measurement.objects.filter(child__in=kids).count() == 5  # none twice
    assert [(by_child[k.pk].weight_kg, by_child[k.pk].length_cm) for k in kids] == [
        (7.9, 66.5), (9.1, 74.0), (10.2, 79.5), (11.0, 83.2), (12.4, 90.1)]
    assert all(by_child[k.pk].length_for_age_z is not None for k in kids)
    theirs.refresh_from_db()
    assert (theirs.weight_kg, theirs.length_cm) == (10.9, 82.0)  # not overwritten
    # The audit log says these came from the phone's outbox, with the phone's clock.
    created = AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_type="measurements.measurement",
                                        object_id__in=[str(by_child[k.pk].pk) for k in kids])
    assert created.count() == 5
    assert all(e.detail["origin"] == "offline" and e.detail["device_time"] and e.detail["device_id"] for e in created)
    assert Measurement.objects.filter(child=other).count() == 1

    # Online again, reloaded: the server's own page shows the five saved; nothing is sent twice.
    phone.reload()
    for kid in kids:
        expect(phone.locator(f"#row-{kid.pk}")).to_have_class("srow is-measured")
    assert "6</strong> dari 6" in phone.inner_html("#session-progress")  # five from this phone, one from the other
    expect(phone.locator(f"#row-{other.pk}")).to_have_attribute("data-result", "conflict")
    # The cadre keeps the other phone's values: her entry leaves the outbox, nothing changes on the server.
    phone.click(f"#row-{other.pk} .srow-discard")
    expect(phone.locator(f"#row-{other.pk} .srow-conflict")).to_have_count(0)
    assert Measurement.objects.filter(child__in=[*kids, other]).count() == 6


def test_offline_rows_are_checked_like_online_ones(phone, live_server, places, make_child, today):
    """Offline the phone refuses what the server refuses (grams for kilograms), asks the second
    look for an implausible value, and the confirmed value is then accepted by the server."""
    from tumbuh.measurements.models import Measurement

    ani, bayu = make_child("Ani", sex="F", age_days=300), make_child("Bayu", age_days=500)
    phone.goto(f"{live_server.url}/measurements/session/{places['pos_a'].pk}/?date={today.isoformat()}")
    expect(phone.locator("html[data-offline-ready='1']")).to_have_count(1, timeout=15_000)
    phone.context.set_offline(True)

    type_row(phone, ani.pk, "7900", "66")
    expect(phone.locator(f"#row-{ani.pk}")).to_have_attribute("data-result", "error")
    assert "gram" in phone.inner_text(f"#row-{ani.pk} .errorlist")
    expect(phone.locator(f"#weight-{ani.pk}")).to_be_focused()

    # 26 kg at 10 months: BB/U far beyond +5 SD (a WHO flag): not queued before a second look.
    phone.fill(f"#weight-{ani.pk}", "26")
    phone.focus(f"#length-{ani.pk}")
    phone.keyboard.press("Enter")
    phone.keyboard.press("Enter")
    expect(phone.locator(f"#row-{ani.pk}")).to_have_attribute("data-result", "confirm")
    assert "BB/U" in phone.inner_text(f"#row-{ani.pk} .srow-confirm")
    expect(phone.locator(f"#confirm-{ani.pk}")).to_be_focused()
    phone.keyboard.press("Space")
    phone.keyboard.press("Enter")
    expect(phone.locator(f"#row-{ani.pk}")).to_have_attribute("data-result", "queued")

    # Outside 38-130 cm the server judges by WHO's flag rule; so does the phone.
    type_row(phone, bayu.pk, "11", "135")
    expect(phone.locator(f"#row-{bayu.pk}")).to_have_attribute("data-result", "error")
    assert "WHO" in phone.inner_text(f"#row-{bayu.pk} .errorlist")
    phone.click(f"#row-{bayu.pk} .srow-absent")  # needs the server: said so, nothing queued
    expect(phone.locator(f"#row-{bayu.pk} .srow-status")).to_contain_text("perlu sinyal")
    expect(phone.locator("#outbox .outbox-count")).to_have_text("1 menunggu terkirim")

    phone.context.set_offline(False)
    expect(phone.locator(f"#row-{ani.pk}")).to_have_attribute("data-result", "saved", timeout=15_000)
    saved = Measurement.objects.get(child=ani)
    assert (saved.weight_kg, saved.length_cm, saved.values_confirmed) == (26.0, 66.0, True)
    assert saved.weight_for_age_flag is True  # a WHO flag stays a flag once confirmed


def test_background_sync_sends_with_the_page_closed(phone, live_server, places, make_child, today):
    """The phone closed the page while offline; when the connection returns, the service worker's
    Background Sync sends the outbox with no page open (Chromium; triggered here through the
    DevTools protocol, as the browser does on reconnecting)."""
    import time

    from django.db import OperationalError

    from tumbuh.measurements.models import Measurement

    ani = make_child("Ani", sex="F", age_days=300)
    phone.goto(f"{live_server.url}/measurements/session/{places['pos_a'].pk}/?date={today.isoformat()}")
    expect(phone.locator("html[data-offline-ready='1']")).to_have_count(1, timeout=15_000)
    phone.context.set_offline(True)
    type_row(phone, ani.pk, "7,9", "66,5")
    expect(phone.locator(f"#row-{ani.pk}")).to_have_attribute("data-result", "queued")

    context = phone.context
    blank = context.new_page()  # not under the worker's scope: it sends nothing itself
    phone.close()
    context.set_offline(False)
    cdp = context.new_cdp_session(blank)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    scope = f"{live_server.url}/measurements/"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = [r for r in registrations if r["scopeURL"] == scope and not r["isDeleted"]]
        if found:
            break
        blank.wait_for_timeout(100)
    registration = found[0]
    # Chromium may already have fired the sync on reconnecting; a second one then finds nothing
    # waiting and sends nothing.
    cdp.send("ServiceWorker.dispatchSyncEvent", {"origin": live_server.url, "registrationId": registration["registrationId"],
                                                 "tag": "tumbuh-outbox", "lastChance": False})
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        blank.wait_for_timeout(300)
        try:  # the live server writes in the same in-memory SQLite: a busy table is retried
            if Measurement.objects.filter(child=ani).exists():
                break
        except OperationalError:
            continue
    blank.wait_for_timeout(300)
    assert list(Measurement.objects.filter(child=ani).values_list("weight_kg", "length_cm")) == [(7.9, 66.5)]

    # Reopened: the outbox shows the answer (accepted; duplicate if the page's own send on load
    # overtook the worker's write of it); nothing is on the server twice.
    page = context.new_page()
    page.goto(f"{live_server.url}/measurements/session/{places['pos_a'].pk}/?date={today.isoformat()}")
    expect(page.locator("#outbox .outbox-item[data-status='accepted'], #outbox .outbox-item[data-status='duplicate']")
           ).to_have_count(1)
    expect(page.locator(f"#row-{ani.pk}")).to_have_class("srow is-measured")
    assert Measurement.objects.filter(child=ani).count() == 1


def test_rows_saved_online_stay_saved_in_the_offline_copy(phone, live_server, places, make_child, today):
    """The kept copy of the page is from when it was opened; a row saved online afterwards must
    not look unsaved when the page is reopened offline."""
    ani, bayu = make_child("Ani", sex="F", age_days=300), make_child("Bayu", age_days=500)
    phone.goto(f"{live_server.url}/measurements/session/{places['pos_a'].pk}/?date={today.isoformat()}")
    expect(phone.locator("html[data-offline-ready='1']")).to_have_count(1, timeout=15_000)
    type_row(phone, ani.pk, "7,9", "66,5")  # online: saved by htmx, as always
    expect(phone.locator(f"#row-{ani.pk}")).to_have_attribute("data-result", "saved")
    phone.context.set_offline(True)
    response = phone.reload()
    assert response is not None and response.from_service_worker
    expect(phone.locator(f"#row-{ani.pk}")).to_have_class("srow is-measured")
    expect(phone.locator(f"#row-{ani.pk} .badge[data-code]")).to_have_count(4)  # TB/U, BB/U, BB/TB, B
    expect(phone.locator(f"#row-{bayu.pk}")).not_to_have_class("srow is-measured")
    expect(phone.locator("#session-progress strong").first).to_have_text("1")


def test_a_save_the_server_fails_keeps_the_values_and_is_retried(phone, live_server, places, make_child, today):
    """Issue 16 item 13: a row whose save answers 500 (e.g. "database is locked" under load) is not
    lost: it is queued with the typed values and sent again on its own, once."""
    from tumbuh.measurements.models import Measurement

    ani = make_child("Ani", sex="F", age_days=300)
    phone.goto(f"{live_server.url}/measurements/session/{places['pos_a'].pk}/?date={today.isoformat()}")
    expect(phone.locator("html[data-offline-ready='1']")).to_have_count(1, timeout=15_000)
    failed = []

    def fail_once(route):
        if not failed:
            failed.append(route.request.url)
            route.fulfill(status=500, body="Internal Server Error")
        else:
            route.continue_()

    phone.route("**/measurements/session/*/row/*/", fail_once)
    type_row(phone, ani.pk, "7,9", "66,5")
    expect(phone.locator(f"#row-{ani.pk}")).to_have_attribute("data-result", "queued")
    assert failed and phone.input_value(f"#weight-{ani.pk}") == "7,9"  # the typed values stay
    assert Measurement.objects.filter(child=ani).count() == 0
    # No button pressed: the outbox is sent again by itself (first retry after 5 s).
    expect(phone.locator(f"#row-{ani.pk}")).to_have_attribute("data-result", "saved", timeout=20_000)
    m = Measurement.objects.get(child=ani)
    assert (m.weight_kg, m.length_cm) == (7.9, 66.5)
