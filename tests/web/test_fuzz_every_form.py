"""Fuzz every page's GET parameters and form fields (issue 16 item 16): zero server errors.

The pages come from walking the URL resolver as a kabupaten team and a cadre
(tumbuh.web.testing.page_urls), so a page added later is fuzzed without anyone editing a list.
For each page the names of its own form fields (inputs, selects, textareas of every form, GET and
POST) and the query parameters of its own links are read from the HTML; hypothesis then sends
hostile values for them: far dates (0001-01-01, 9999-12-31), impossible dates, huge and negative
numbers, inf/nan, Unicode digits, control characters, markup, very long text, `next` without a
leading slash. Any 500 fails the test, with the request that caused it.

Derandomized (the same examples on every run) so CI is repeatable; the examples still come from
hypothesis' strategies, not a hand-picked list only.
"""

from __future__ import annotations

import html.parser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import build_world
from tumbuh.web.testing import page_urls

HOSTILE = [
    "", " ", "0", "-1", "1e309", "inf", "nan", "-0", "99999999999999999999", "3.4,5", "12,5",
    "0001-01-01", "9999-12-31", "2026-02-31", "31/02/2024", "2026-13", "00-00-0000",
    "６４７４０１", "²⁴", "٣", "\x00", "\x02¥\x04", "<script>alert(1)</script>", "' OR 1=1 --",
    "%", "../../etc/passwd", "http://evil.example/", "//evil.example", "javascript:alert(1)",
    "x" * 5000, "64.74", "64.74.01.1001", "stunted", "xlsx", "csv", "true", "on", "[]", "{}",
]
values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40), st.integers().map(str),
                   st.dates().map(lambda d: d.isoformat()))


class FormFields(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: set[str] = set()
        self.link_params: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("input", "select", "textarea") and a.get("name") and a.get("name") != "csrfmiddlewaretoken":
            self.fields.add(a["name"])
        if tag == "a" and a.get("href", "").startswith(("?", "/")):
            self.link_params |= {k for k, _v in parse_qsl(urlsplit(a["href"]).query, keep_blank_values=True)}


def fields_of(body: str) -> list[str]:
    parser = FormFields()
    parser.feed(body)
    return sorted(parser.fields | parser.link_params | {"next", "page", "region", "period", "format"})


@pytest.fixture(scope="module")
def pages(django_db_setup, django_db_blocker):
    """(role, url name, url, field names) of every page the two roles open, from one world."""
    with django_db_blocker.unblock():
        from django.db import transaction

        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_world(full=True)
            out = []
            for role in (Role.KABUPATEN, Role.CADRE):
                client = Client()
                client.force_login(world.users[role])
                for name, url in page_urls(client, world.users[role]):
                    response = client.get(url)
                    body = response.content.decode("utf-8", "replace") if not response.streaming else ""
                    out.append((role, name, url, fields_of(body), world.users[role].pk))
            yield out
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_walk_found_pages(pages):
    assert len({name for _r, name, _u, _f, _pk in pages}) > 30


@pytest.mark.django_db
@settings(max_examples=4, deadline=None, derandomize=True, database=None, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_server_error_on_hostile_input(pages, data):
    from tumbuh.accounts.models import User

    errors = []
    for role, name, url, fields, user_pk in pages:
        user = User.objects.filter(pk=user_pk).first()
        if user is None:
            continue
        client = Client(raise_request_exception=False)
        client.force_login(user)
        params = {f: data.draw(values, label=f"{name}.{f}") for f in fields}
        for method in ("get", "post"):
            response = getattr(client, method)(url, params)
            if response.status_code >= 500:
                errors.append(f"{role} {method.upper()} {url} {params!r} -> {response.status_code}")
    assert not errors, "\n".join(errors[:20])
