"""Shared steps of the browser tests (the browser, pages and screenshots are in tests/conftest.py)."""

import re

import pytest
from playwright.sync_api import expect


@pytest.fixture
def sign_in():
    """sign_in(page, live_server, username, password): log in through the login page and wait for
    the redirect away from it (networkidle can come before it on a loaded machine)."""

    def log_in(page, live_server, username, password):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.keyboard.press("Enter")
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"), timeout=20_000)

    return log_in
