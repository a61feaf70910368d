"""The session screen in Debian's Chromium on a 360 px phone: keyboard only, saved per row.

Run with `.venv/bin/pytest tests/measurements -m browser` (or `make test-browser`)."""

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("TUMBUH_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture
def phone(live_server, client, cadre_a):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}")
    client.force_login(cadre_a)
    cookie = client.cookies["sessionid"].value
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID", is_mobile=True)
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
        page = context.new_page()
        yield page
        browser.close()


def test_keyboard_entry_on_a_phone(phone, live_server, places, make_child, today):
    kids = [make_child("Ani", sex="F", age_days=300), make_child("Bayu", age_days=900),
            make_child("Citra", sex="F", age_days=500)]
    phone.goto(f"{live_server.url}/measurements/session/{places['pos_a'].pk}/?date={today.isoformat()}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    assert "0</strong> dari 3" in phone.inner_html("#session-progress")

    first, second = kids[0].pk, kids[1].pk
    phone.focus(f"#weight-{first}")
    phone.keyboard.type("8,4")
    phone.keyboard.press("Tab")
    phone.keyboard.type("68,5")
    phone.keyboard.press("Enter")
    phone.wait_for_selector(f'#row-{first}[data-result="saved"]')
    phone.wait_for_function(f"document.activeElement && document.activeElement.id === 'weight-{second}'")
    assert phone.locator(f"#row-{first} .badge").count() >= 3
    assert "1</strong> dari 3" in phone.inner_html("#session-progress")

    phone.keyboard.type("12000")  # grams: rejected, focus stays, typed value kept
    phone.keyboard.press("Enter")
    phone.wait_for_selector(f'#row-{second}[data-result="error"]')
    assert "gram" in phone.inner_text(f"#row-{second} .errorlist")
    assert phone.input_value(f"#weight-{second}") == "12000"
    phone.wait_for_function(f"document.activeElement && document.activeElement.id === 'weight-{second}'")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "measurements-session-phone.png"), full_page=True)
    phone.set_viewport_size({"width": 1280, "height": 800})
    phone.screenshot(path=str(ARTIFACTS / "measurements-session-desktop.png"), full_page=True)
    from tumbuh.measurements.models import Measurement

    assert list(Measurement.objects.values_list("child_id", "weight_kg")) == [(first, 8.4)]
