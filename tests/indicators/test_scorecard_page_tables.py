"""The kabupaten scorecard page's tables as the page prints them (Tabel 1-3): sub-groups in age
order, growth-mat counts grouped and under their own headers, percentages rounded (not cut).

The kabupaten page reads the per-desa ScorecardCell rows; the rows here are written in the shape
selectors._cell_data gives them, with counts a demo kabupaten has (hundreds of people per item)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tumbuh.accounts.models import Role
from tumbuh.analytics.periods import Period
from tumbuh.analytics.testing import build_area, make_user
from tumbuh.indicators import scorecard as sc
from tumbuh.indicators import selectors
from tumbuh.indicators.models import ScorecardCell

Q2 = Period.parse("2026-Q2")


def _cell(code: str, *, items: dict[str, dict[str, list[int]]], mat: dict[str, int], breakdown: list) -> None:
    """A current cell for one desa: items[group][item] = [Y, T, TS, ND]; other items all zero."""
    groups = {}
    for g in selectors.GROUPS:
        counts = {i: items.get(g, {}).get(i, [0, 0, 0, 0]) for i in sc.group_items(g)}
        people = max((sum(v) for v in counts.values()), default=0)
        groups[g] = {"people": people, "complete": 0, "items": counts}
    data = {"groups": groups, "mat": mat, "breakdown": breakdown}
    for mode in sc.MODES:
        ScorecardCell.objects.create(desa_id=code, period_key=Q2.key, mode=mode, version=sc.version(), data=data)


@pytest.fixture
def page(client, db):
    area = build_area()
    _cell(area["kuala"].code,
          items={"bumil": {"anc": [360, 175, 0, 0], "ttd": [1006, 83, 0, 0]},
                 "anak": {"imunisasi": [1006, 83, 0, 0]}},
          mat={"H": 2000, "K": 400, "M": 32, "TD": 18},
          breakdown=[["anak", "0-5 bln", 300], ["anak", "13-17 bln", 250], ["anak", "18-23 bln", 200],
                     ["anak", "6-12 bln", 339], ["bumil", "TM1", 100], ["bumil", "bersalin", 35],
                     ["bumil", "TM3", 200], ["bumil", "TM2", 200]])
    _cell(area["tanjung"].code,
          items={"anak": {"imunisasi": [2298, 447, 0, 0]}},
          mat={"TD": 1414, "M": 200, "K": 18, "H": 418},
          breakdown=[["anak", "18-23 bln", 10], ["anak", "6-12 bln", 5]])
    client.force_login(make_user(Role.KABUPATEN, region=area["kota"]))
    with translation.override("id"):
        r = client.get(reverse("indicators:scorecard"), {"period": Q2.key, "region": "64.74"})
    assert r.status_code == 200
    return r.content.decode()


def _table_after(body: str, heading: str) -> str:
    start = body.index(heading)
    return body[start:body.index("</table>", start)]


def _cells(html: str, tag: str) -> list[tuple[str, str]]:
    """(attributes, text) of every <tag> cell, tags inside the text dropped."""
    return [(attrs, re.sub(r"<[^>]+>", "", text).strip())
            for attrs, text in re.findall(rf"<{tag}(\s[^>]*)?>(.*?)</{tag}>", html, flags=re.S)]


def test_table3_percentages_rounded_not_cut(page):
    def percent(row_id):
        row = page[page.index(f'id="{row_id}"'):]
        return _cells(row[:row.index("</tr>")], "td")[-1][1]

    assert percent("item-bumil-anc") == "67,3%"  # 360 / 535 = 67,289...%
    assert percent("item-bumil-ttd") == "92,4%"  # 1.006 / 1.089 = 92,378...%
    assert percent("item-anak-imunisasi") == "86,2%"  # 3.304 / 3.834 = 86,176...%
    assert "67,2%" not in page and "92,3%" not in page and "86,1%" not in page


def test_rate_rounds_half_up_and_keeps_its_marks():
    """The shared `rate` filter rounds (half up, as reports and files do) before formatting:
    Django's number_format alone cuts the digits (360/535 = 67,289...% read 67,2%)."""
    from tumbuh.web.templatetags.tumbuh_web import rate as rounded_rate

    with translation.override("id"):
        assert rounded_rate(100 * 360 / 535, 535) == "67,3%"
        assert rounded_rate(12.25, 400) == "12,3%"  # half up, as floatformat prints
        assert rounded_rate(12.24, 400) == "12,2%"
        assert rounded_rate(100.0, 400) == "100,0%"
        assert rounded_rate(None, 0) == "—%"
        small = rounded_rate(100 * 2 / 3, 3)
        assert "66,7%" in small and "small-sample-mark" in small


def test_table1_sub_groups_in_age_order(page):
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td class=\"num\" id=\"target-",
                      _table_after(page, "Tabel 1."))
    assert [sub for _group, sub in rows] == ["0-5 bln", "6-12 bln", "13-17 bln", "18-23 bln",
                                             "TM1", "TM2", "TM3", "bersalin", "PAUD"]


def test_breakdown_key_orders_unknown_sub_groups_last():
    keys = [("anak", "18-23 bln"), ("anak", "lain"), ("anak", "6-12 bln"), ("bumil", "bersalin"), ("bumil", "TM1")]
    assert sorted(keys, key=selectors.breakdown_key) == [
        ("anak", "6-12 bln"), ("anak", "18-23 bln"), ("anak", "lain"), ("bumil", "TM1"), ("bumil", "bersalin")]


def test_table2_counts_grouped_under_their_own_headers(page):
    table = _table_after(page, "Tabel 2.")
    heads, cells = _cells(table, "th"), _cells(table, "td")
    assert [(h[1], c[1]) for h, c in zip(heads, cells, strict=True)] == [
        ("TD · tidak diukur", "1.432"), ("M · merah", "232"), ("K · kuning", "418"), ("H · hijau", "2.418")]
    # Numbers are right-aligned (td.num): their headers must be too, or each value reads as
    # standing under the next column's header.
    assert all('class="num"' in attrs for attrs, _text in heads + cells)
