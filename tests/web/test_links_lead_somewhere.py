"""Every link a page shows leads to a page the user may open.

The demo walk of stop 25 (scripts/walk_demo.py, every role, desktop and phone) found links that
answered 404: BNBA's child names pointed at a URL that does not exist, the OPD officer's menu
offered the dashboard, BNBA, data quality, the children list and the print lists (none of them
theirs), a delivery's recipient linked the child page an OPD officer may not open, and the
coordination page linked the kab/kota's public page while it was switched off. This walks the
small demo as every role: each menu entry must open (200), and every link on those pages and on
one page of each kind they lead to must answer without a 404 or a server error. Links are taken
once per shape (ids replaced), so a list of fifty children costs one request, not fifty.
"""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from tumbuh.accounts.models import User
from tumbuh.web.testing import build_demo

# not pages: actions, files and the language switch (they are checked elsewhere)
SKIP = re.compile(r"^/(static|media|accounts/logout|i18n|admin)/|format=|download=|/export|\.xlsx|\.pdf|\.csv")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.all: list[str] = []
        self.menu: list[str] = []
        self._in_menu = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and "mainnav" in (attrs.get("class") or ""):
            self._in_menu += 1
        if tag == "a" and (href := attrs.get("href") or "").startswith("/"):
            self.all.append(href)
            if self._in_menu:
                self.menu.append(href)

    def handle_endtag(self, tag):
        if tag == "nav" and self._in_menu:
            self._in_menu -= 1


def links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def shape(url: str) -> str:
    return re.sub(r"\d+", "N", url.split("?")[0].split("#")[0])


@pytest.fixture
def demo(db, settings):
    logging.getLogger("django.request").setLevel(logging.ERROR)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_demo()


def test_every_menu_entry_opens_and_no_link_leads_to_a_404(demo):
    problems: list[str] = []
    for username in [u.username for u in demo.users]:
        user = User.objects.get(username=username)
        client = Client(raise_request_exception=False)
        client.force_login(user)
        home = client.get("/", follow=True)  # an OPD officer's home is their worklist
        assert home.status_code == 200, username
        menu = list(dict.fromkeys(links(home.content.decode()).menu))
        assert menu, f"{username}: no menu"
        seen: set[str] = set()
        frontier: list[tuple[str, str]] = []
        for url in menu:
            seen.add(shape(url))
            response = client.get(url, follow=True)  # "/" sends an OPD officer to their worklist
            if response.status_code != 200:
                problems.append(f"{username}: menu entry {url} -> {response.status_code}")
                continue
            frontier += [(url, href) for href in links(response.content.decode()).all]
        for depth in range(2):  # the menu's pages, then one page of each kind they link to
            following = []
            for source, href in frontier:
                if SKIP.search(href) or shape(href) in seen:
                    continue
                seen.add(shape(href))
                response = client.get(href)
                if response.status_code == 404 or response.status_code >= 500:
                    problems.append(f"{username}: {source} links {href} -> {response.status_code}")
                elif response.status_code == 200 and depth == 0 and "html" in response.get("Content-Type", ""):
                    following += [(href, h) for h in links(response.content.decode()).all]
            frontier = following
    assert not problems, "\n".join(problems)


def test_the_current_menu_entry_is_the_page_itself_not_also_its_parent(demo, client):
    """On BNBA (/analytics/bnba/) only "BNBA" is marked current, not "Dasbor" (/analytics/) too."""
    user = User.objects.get(role="kabupaten")
    client.force_login(user)
    html = client.get("/analytics/bnba/").content.decode()
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', html.split('class="mainnav"', 1)[1].split("</nav>", 1)[0])
    assert current == ["/analytics/bnba/"], current
    html = client.get("/analytics/").content.decode()
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', html.split('class="mainnav"', 1)[1].split("</nav>", 1)[0])
    assert current == ["/analytics/"], current
