"""Counts in page text are grouped: 10.000 in Indonesian, 10,000 in English (the `count` filter,
tumbuh.web.text.format_count); attributes, URLs and codes are not (USE_THOUSAND_SEPARATOR off)."""

import decimal

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from tumbuh.audit.models import AuditEvent
from tumbuh.registry import selectors
from tumbuh.web.templatetags.tumbuh_web import count
from tumbuh.web.text import format_count


@pytest.mark.parametrize(("lang", "expected"), [("id", ["1.234", "10.000", "-1.234", "1.234.567"]),
                                                ("en", ["1,234", "10,000", "-1,234", "1,234,567"])])
def test_counts_are_grouped_in_the_active_language(lang, expected):
    with translation.override(lang):
        assert [format_count(n) for n in (1234, "10000", -1234, 1234567)] == expected
        assert count(decimal.Decimal("1234")) == expected[0] and count(1234.0) == expected[0]
        assert [count(n) for n in (0, 7, 999, "999")] == ["0", "7", "999", "999"]  # below 1000 unchanged


def test_missing_values_and_non_counts():
    with translation.override("id"):
        assert count(None) == "—" and count("") == ""  # "—" as the `rate` filter's "—%"
        for other in ("64.74", "007", "abc", "12a", "2026-01", 12.5, True):
            assert count(other) == other  # codes, zero-padded RT/RW, decimals, text: unchanged


def test_thousand_separator_stays_off_for_attributes():
    assert settings.USE_THOUSAND_SEPARATOR is False
    html = Template('{% load tumbuh_web %}<p id="row-{{ n }}" data-n="{{ n }}">{{ n|count }}</p>').render(
        Context({"n": 12345}))
    assert html == '<p id="row-12345" data-n="12345">12.345</p>'


def test_blocktranslate_arguments_and_plurals_in_a_template():
    source = ("{% load i18n tumbuh_web %}"
              "{% blocktranslate count number=n with counter=n|count %}{{ counter }} child{% plural %}"
              "{{ counter }} children{% endblocktranslate %} · "
              "{% blocktranslate with n=page|count total=pages|count %}Page {{ n }} of {{ total }}{% endblocktranslate %}")
    context = {"n": 2686, "page": 1, "pages": 1234}
    with translation.override("id"):
        assert Template(source).render(Context(context)) == "2.686 balita · Halaman 1 dari 1.234"
    with translation.override("en"):
        assert Template(source).render(Context(context)) == "2,686 children · Page 1 of 1,234"
        assert Template(source).render(Context({**context, "n": 1})) == "1 child · Page 1 of 1,234"


@pytest.mark.django_db
def test_audit_log_groups_its_event_count(client, regions):
    from tumbuh.registry.testing import Role, make_user

    AuditEvent.objects.bulk_create(AuditEvent(username="bulk", action=AuditEvent.Action.VIEW_LIST,
                                              summary=f"bulk-{i}") for i in range(1234))
    client.force_login(make_user("admin_count", Role.ADMIN))
    html = client.get(reverse("audit:list"), {"action": "view_list"}).content.decode()
    assert "1.234 peristiwa" in html and "1234 peristiwa" not in html
    assert "Halaman 1 dari 25" in html and "page=2" in html  # the pager's URL stays a plain number
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("audit:list"), {"action": "view_list"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1,234 events" in html and "1234 events" not in html


@pytest.mark.django_db
def test_home_kpis_group_large_counts(client, kec1_user, monkeypatch):
    real = selectors.home_counts

    def big(user, today):
        return {**real(user, today), "children": 10000, "children_last_month": 10000,
                "measured_last_month": 2686, "measured_this_month": 1234, "stunted": 1003, "valid_latest": 2686}

    monkeypatch.setattr(selectors, "home_counts", big)
    client.force_login(kec1_user)
    html = client.get(reverse("web:home")).content.decode()
    assert 'id="kpi-children">10.000<' in html and 'id="kpi-measured">2.686<' in html
    assert 'id="kpi-stunted">1.003<' in html and "(bulan berjalan): 1.234" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="kpi-children">10,000<' in html and 'id="kpi-stunted">1,003<' in html and ": 1,234" in html
