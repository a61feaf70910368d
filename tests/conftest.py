import datetime as dt
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import timezone, translation

from tumbuh.registry.testing import Role, make_person, make_user, region_tree


def _travel_to_test_clock():
    """TUMBUH_TEST_CLOCK=HH:MM (UTC, today) or a full ISO instant: the whole run, from collection
    on, sees that time of day, ticking. Between 15:00 and 17:00 UTC the date differs between WIB
    (the server default), WITA (Bontang) and WIT, so a test that compares a figure computed in
    a request (the region's zone) with one computed outside it (WIB) fails there; CI runs the
    PostgreSQL stage at 16:30 UTC so such a test fails every time, not once a day."""
    value = os.environ.get("TUMBUH_TEST_CLOCK", "").strip()
    if not value:
        return None
    import time_machine

    if len(value) <= 5:  # HH:MM
        hour, minute = (int(part) for part in value.split(":"))
        instant = dt.datetime.now(dt.UTC).replace(hour=hour, minute=minute, second=0, microsecond=0)
    else:
        instant = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    traveller = time_machine.travel(instant, tick=True)
    traveller.start()
    return instant


TEST_CLOCK = _travel_to_test_clock()


@pytest.fixture(autouse=True)
def _indonesian_by_default():
    # Tests read Indonesian (the default language); a test that switches language must not leak
    # its choice into the next test through the thread's active translation.
    with translation.override("id"):
        yield


# A small region tree (tumbuh.registry.testing.region_tree) with users and one child in each
# kecamatan, shared by the registry and web tests.
@pytest.fixture
def regions(db):
    return region_tree()


@pytest.fixture
def kec1_user(regions):
    return make_user("kec1", Role.KECAMATAN, region=regions["kec1"])


@pytest.fixture
def kec2_user(regions):
    return make_user("kec2", Role.KECAMATAN, region=regions["kec2"])


@pytest.fixture
def cadre1(regions):
    return make_user("cadre1", Role.CADRE, posyandu=regions["pos1"])


@pytest.fixture
def child1(regions):
    born = timezone.localdate() - dt.timedelta(days=400)
    return make_person(name="Anak Satu", sex="M", birth_date=born, desa=regions["desa1"], posyandu=regions["pos1"])


@pytest.fixture
def child2(regions):
    born = timezone.localdate() - dt.timedelta(days=800)
    return make_person(name="Anak Dua", sex="F", birth_date=born, desa=regions["desa2"], posyandu=regions["pos2"])


# --- Browser tests (marker `browser`, run by `make test-browser`) --------------------------------
# Debian's Chromium driven by Playwright against Django's live server. Every page must work with
# no internet: any request that leaves the live server is aborted and fails the test.

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are
# still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("TUMBUH_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test-browser` (installs Debian's chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Factory: new_page(width=1280, height=900, mobile=False) -> a Playwright page whose
    requests may only reach the live server."""
    contexts, external = [], []
    allowed = urlsplit(live_server.url).netloc

    def guard(route):
        if urlsplit(route.request.url).netloc == allowed:
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    def make(width=1280, height=900, mobile=False):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID", is_mobile=mobile)
        context.route("**/*", guard)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert external == [], f"pages tried to reach the internet: {external}"


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def phone_page(new_page):
    return new_page(width=360, height=740, mobile=True)


@pytest.fixture
def login():
    def log_in(page, live_server, username, password):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.keyboard.press("Enter")
        page.wait_for_load_state("networkidle")
        assert "/accounts/login/" not in page.url, f"login as {username} failed"

    return log_in


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def pytest_report_header(config):
    if TEST_CLOCK is not None:
        return f"TUMBUH_TEST_CLOCK: the run starts at {TEST_CLOCK.isoformat()} (time-machine)"
    return None
