"""The session screen in Debian's Chromium on a 360 px phone: keyboard only, saved per row.

Run with `.venv/bin/pytest tests/measurements -m browser` (or `make test-browser`)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(new_page, live_server, client, cadre_a):
    client.force_login(cadre_a)
    page = new_page(width=360, height=740, mobile=True)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return page


def test_keyboard_entry_on_a_phone(phone, live_server, shot, places, make_child, today):
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

    shot(phone, "measurements-session-phone")
    phone.set_viewport_size({"width": 1280, "height": 800})
    shot(phone, "measurements-session-desktop")
    from tumbuh.measurements.models import Measurement

    assert list(Measurement.objects.values_list("child_id", "weight_kg")) == [(first, 8.4)]
