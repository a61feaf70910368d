"""Sections III-V come from the apps that own them, with the numbers their pages show."""

import re

from tumbuh.reports import render, services

from .conftest import TODAY


def test_indicators_interventions_and_convergence_sections_match_their_pages(client, bontang):
    user = bontang["users"]["kota"]
    report = services.create_report(user, region=bontang["kota"], year=2026, semester=1)
    data = services.compute(report, today=TODAY)["sections"]
    assert data["indicators"]["available"] and data["interventions"]["available"] and data["convergence"]["available"]
    client.force_login(user)
    page = client.get("/indicators/?region=64.74&period=2026-S1").content.decode()
    html = render.semester_html(report, {"sections": data}, user)
    checked = 0
    for v in data["indicators"]["indicators"]:
        shown = re.search(rf'id="val-{re.escape(v["code"])}">(.*?)</td>', page)
        mine = re.search(rf'(?s)id="report-ind-{re.escape(v["code"])}">.*?</tr>', html).group(0)
        if shown and v["computable"] and not v["is_count"]:
            rate = re.sub(r"<[^>]+>", " ", shown.group(1)).split()[0]
            assert rate in mine, (v["code"], rate)
            nd = re.search(rf'id="nd-{re.escape(v["code"])}">([^<]*)<', page).group(1)
            assert nd in mine
            checked += 1
    assert checked >= 1  # the growth-monitoring indicator at least (children measured)
    gaps_page = client.get("/convergence/?region=64.74").content.decode()
    count = int(re.search(r'id="gap-count">\s*(\d+)', gaps_page).group(1))
    assert count > 0 and data["convergence"]["gaps"] == count
    assert sum(row[1] for row in data["convergence"]["rows"]) == count


def test_the_gap_print_list_is_the_gap_list(client, bontang):
    user = bontang["users"]["utara"]
    client.force_login(user)
    page = client.get("/convergence/?region=64.74.01").content.decode()
    count = int(re.search(r'id="gap-count">\s*(\d+)', page).group(1))
    html, n = render.list_html(user, bontang["utara"], render.Period.parse("2026-S1"), "gaps")
    assert n == count > 0 and html.count('<span class="box"></span>') == 2 * n
    assert "Anak Kuala" in html and "Anak Tanjung" not in html
