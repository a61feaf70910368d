"""The login page of a demo instance and the lockout page, in a real browser (issue 16, items 6
and 8), with the CSP in force: the pages must still work (language switch, login) under it."""

import pytest
from playwright.sync_api import expect

from tumbuh.accounts.models import Role, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_notice_and_lockout_pages(live_server, page, phone_page, shot, settings):
    settings.DEMO_MODE = True
    settings.AXES_FAILURE_LIMIT = 3
    User.objects.create_user("tpps.bontang", password="benar-sekali-2026", role=Role.ADMIN)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator(".demo-notice")).to_contain_text("Instans demo")
    shot(page, "login-demo-1366")
    phone_page.goto(f"{live_server.url}/accounts/login/")
    shot(phone_page, "login-demo-390")
    for _ in range(3):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "tpps.bontang")
        page.fill("input[name=password]", "salah")
        with page.expect_navigation():
            page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Terlalu banyak")
    shot(page, "login-locked-1366")
    assert not [e for e in errors if "Content Security Policy" in e], errors
