"""The session screen in Debian's Chromium on a 360 px phone: keyboard only, saved per row.

Enter (the phone's "next") moves weight -> length/height -> LiLA -> save; a half-typed row is never
saved by Enter, so a height typed next can never land on another child (issue 8, item 7).

Run with `.venv/bin/pytest tests/measurements -m browser` (or `make test-browser`)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(new_page, live_server, client, cadre_a):
    client.force_login(cadre_a)
    page = new_page(width=360, height=740, mobile=True)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return page


def focused(page, element_id):
    # A locator assertion, not wait_for_function: the CSP forbids the page from evaluating strings.
    expect(page.locator(f"#{element_id}")).to_be_focused()


def test_keyboard_entry_on_a_phone(phone, live_server, shot, places, make_child, today):
    from tumbuh.measurements.models import Absence, Measurement

    kids = [make_child("Ani", sex="F", age_days=300), make_child("Bayu", age_days=900),
            make_child("Citra", sex="F", age_days=500)]
    phone.goto(f"{live_server.url}/measurements/session/{places['pos_a'].pk}/?date={today.isoformat()}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    assert "0</strong> dari 3" in phone.inner_html("#session-progress")
    first, second, third = (k.pk for k in kids)
    assert phone.get_attribute(f"#weight-{first}", "enterkeyhint") == "next"
    assert phone.get_attribute(f"#length-{first}", "enterkeyhint") == "next"
    assert phone.get_attribute(f"#lila-{first}", "enterkeyhint") == "done"

    # Enter in the weight goes to the same child's length: nothing is saved yet.
    phone.focus(f"#weight-{first}")
    phone.keyboard.type("8,4")
    phone.keyboard.press("Enter")
    focused(phone, f"length-{first}")
    assert not Measurement.objects.exists()
    phone.keyboard.type("68,5")
    phone.keyboard.press("Enter")
    focused(phone, f"lila-{first}")
    phone.keyboard.type("13,5")
    phone.keyboard.press("Enter")
    phone.wait_for_selector(f'#row-{first}[data-result="saved"]')
    focused(phone, f"weight-{second}")
    assert phone.locator(f"#row-{first} .badge").count() >= 3
    assert "1</strong> dari 3" in phone.inner_html("#session-progress")
    assert list(Measurement.objects.values_list("child_id", "weight_kg", "length_cm", "arm_circumference_cm")) == [
        (first, 8.4, 68.5, 13.5)]

    # A weight alone and Enter through the empty length: still nothing saved, the cursor waits there.
    phone.keyboard.type("12,5")
    phone.keyboard.press("Enter")
    focused(phone, f"length-{second}")
    phone.keyboard.press("Enter")  # -> LiLA
    phone.keyboard.press("Enter")  # incomplete: back to the length, with a hint
    focused(phone, f"length-{second}")
    assert phone.is_visible(f"#row-{second} .srow-hint")
    assert Measurement.objects.filter(child_id=second).count() == 0

    # Grams typed: rejected, focus back on the weight, typed value kept.
    phone.fill(f"#weight-{second}", "12000")
    phone.focus(f"#length-{second}")
    phone.keyboard.type("86")
    phone.keyboard.press("Enter")
    phone.keyboard.press("Enter")
    phone.wait_for_selector(f'#row-{second}[data-result="error"]')
    assert "gram" in phone.inner_text(f"#row-{second} .errorlist")
    assert phone.input_value(f"#weight-{second}") == "12000"
    focused(phone, f"weight-{second}")

    # The cadre says so: Save keeps a row with a weight only.
    phone.fill(f"#weight-{third}", "9,1")
    phone.click(f"#row-{third} .srow-save")
    phone.wait_for_selector(f'#row-{third}[data-result="saved"]')
    assert Measurement.objects.get(child_id=third).length_cm is None

    # Absent ("tidak hadir").
    phone.click(f"#row-{second} .srow-absent")
    phone.wait_for_selector(f"#row-{second}.is-absent")
    assert Absence.objects.filter(child_id=second, on=today).exists()
    assert "tidak hadir: <strong>1</strong>" in phone.inner_html("#session-progress")

    shot(phone, "measurements-session-phone")
    phone.set_viewport_size({"width": 1366, "height": 900})
    shot(phone, "measurements-session-desktop")
