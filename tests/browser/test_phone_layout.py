"""At 390 px (a common phone) no page is wider than the screen, and the menu is a real menu.

Every page comes from walking the URL resolver (tumbuh.web.testing.page_urls) as several roles of
a small synthetic demo, so a page added later is checked too. Screenshots of each page at
390x844 land in test-artifacts/screenshots/phone-*.png.

Run with `make test-browser` or `.venv/bin/pytest -m browser tests/browser/test_phone_layout.py`.
"""

import re

import pytest
from django.test import Client
from playwright.sync_api import Error as PlaywrightError

from tumbuh.accounts.models import User
from tumbuh.web.testing import build_demo, page_urls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ["admin", "kabupaten", "kecamatan", "puskesmas", "cadre"]
WIDTH, HEIGHT = 390, 844

OVERFLOW = """() => {
  const width = Math.min(window.innerWidth, document.documentElement.clientWidth);
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.right > width + 1 && getComputedStyle(e).position !== 'fixed' && !e.closest('.table-wrap, .scroll-x');
  }).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''));
  return {scroll: document.documentElement.scrollWidth, width, wide};
}"""


# A filter form's controls inside the form: a card that scrolls hides a select cut in half, which
# the page-width check above cannot see (stop 25's walk: the item select ended 332 px past its card).
FILTERS_CUT = """() => [...document.querySelectorAll('form.filters')].flatMap(f => {
  const right = f.getBoundingClientRect().right;
  return [...f.querySelectorAll('select, input, button')].filter(e => e.getBoundingClientRect().right > right + 1)
    .map(e => (e.name || e.tagName.toLowerCase()) + ' +' + Math.round(e.getBoundingClientRect().right - right) + 'px');
})"""


def sign_in(page, live_server, user) -> Client:
    """Log `user` in on a Django test client and hand its session cookie to the browser."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    return client


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_demo(children=80, months=4)


def test_no_page_is_wider_than_a_phone(new_page, live_server, shot, demo):
    problems, seen = [], 0
    for role in ROLES:
        user = User.objects.filter(role=role).order_by("pk").first()
        page = new_page(width=WIDTH, height=HEIGHT, mobile=True)
        client = sign_in(page, live_server, user)
        for name, url in page_urls(client, user):
            try:
                response = page.goto(live_server.url + url)
            except PlaywrightError:  # an action that answers with no page (e.g. an empty 4xx)
                continue
            if response is None or response.status != 200 or "html" not in (response.headers.get("content-type") or ""):
                continue
            if not page.evaluate("() => !!document.querySelector('meta[name=viewport]')"):
                continue  # an htmx fragment, not a page
            seen += 1
            result = page.evaluate(OVERFLOW)
            slug = re.sub(r"[^a-z0-9]+", "-", f"{role}-{name}").strip("-")
            if role in ("kabupaten", "cadre"):
                shot(page, f"phone-{slug}")
            width = min(result["width"], WIDTH)
            if result["scroll"] > width:
                shot(page, f"phone-too-wide-{slug}")
                problems.append(f"{role} {url}: {result['scroll'] - width} px too wide {result['wide']}")
            if cut := page.evaluate(FILTERS_CUT):
                shot(page, f"phone-filters-cut-{slug}")
                problems.append(f"{role} {url}: filter controls past their form {cut}")
    assert seen > 30
    assert not problems, "\n".join(problems)


def test_phone_menu_opens_and_reaches_every_link(new_page, live_server, shot, demo):
    user = User.objects.get(role="kabupaten")
    page = new_page(width=WIDTH, height=HEIGHT, mobile=True)
    sign_in(page, live_server, user)
    page.goto(live_server.url + "/")
    nav = page.locator("nav.mainnav")
    assert not nav.is_visible()  # folded away: the page's own content is on the first screen
    toggle = page.locator(".menu-toggle-label")
    assert toggle.is_visible()
    toggle.click()
    assert nav.is_visible()
    links = nav.locator("a")
    assert links.count() >= 6
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, links.nth(i).inner_text()
    shot(page, "phone-menu-open")
    links.filter(has_text="Balita").first.click()
    page.wait_for_load_state()
    assert "/registry/children/" in page.url


def test_desktop_menu_is_always_shown_and_history_fits(new_page, live_server, shot, demo):
    user = User.objects.get(role="kabupaten")
    page = new_page(width=1366, height=900)
    sign_in(page, live_server, user)
    page.goto(live_server.url + "/")
    assert page.locator("nav.mainnav").is_visible()
    assert not page.locator(".menu-toggle-label").is_visible()
    from tumbuh.registry.selectors import people_for

    child = people_for(user).filter(mother__isnull=False, measurements__isnull=False).order_by("pk").first()
    page.goto(f"{live_server.url}/registry/children/{child.pk}/")
    table = page.locator("table.history")
    assert table.is_visible()
    width = page.evaluate("() => { const t = document.querySelector('table.history');"
                          " return [t.scrollWidth, t.parentElement.clientWidth]; }")
    assert width[0] <= width[1], f"history table {width[0]} px in a {width[1]} px card: columns hidden"
    shot(page, "desktop-child-history")
