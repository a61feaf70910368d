"""Issue 8 items 2 and 4: data quality groups posyandu by id (names repeat across desa), every
posyandu picker names the desa, and a puskesmas officer gets the analytics pages for the whole
service area (its desa together, and each desa)."""

import datetime as dt
import re

import pytest

from tumbuh.accounts.models import Role, User
from tumbuh.analytics.testing import make_child, make_user, measure
from tumbuh.regions.models import Posyandu, Puskesmas, Region

NOV = dt.date(2025, 11, 10)


@pytest.fixture
def twins(area):
    """Two "Posyandu Anggrek 1", in Bontang Kuala and in Guntung (both Bontang Utara), plus
    Tanjung Laut's Mawar in Bontang Selatan."""
    guntung = Region.objects.create(code="64.74.01.1002", name="Guntung", level="desa", parent=area["utara"])
    a1 = Posyandu.objects.create(name="Posyandu Anggrek 1", desa=area["kuala"])
    a2 = Posyandu.objects.create(name="Posyandu Anggrek 1", desa=guntung)
    for pos, haz in ((a1, -2.5), (a1, 0.0), (a2, 0.1), (a2, 0.2), (a2, -3.0)):
        measure(make_child(pos.desa, pos), NOV, haz=haz, whz=0, waz=0)
    measure(make_child(area["tanjung"], area["pos_tanjung"]), NOV, haz=-2.2, whz=0, waz=0)
    return {"guntung": guntung, "a1": a1, "a2": a2}


def test_quality_keeps_posyandu_of_the_same_name_apart(client, kota_user, twins):
    client.force_login(kota_user)
    html = client.get("/analytics/quality/", {"region": "64.74", "period": "2025-11"}).content.decode()
    table = html[html.index('id="quality-table"'):html.index("</table>", html.index('id="quality-table"'))]
    names = re.findall(r"<tr>\s*<td>([^<]+)</td>", table)
    assert sorted(names) == ["Mawar (Tanjung Laut)", "Posyandu Anggrek 1 (Bontang Kuala)",
                             "Posyandu Anggrek 1 (Guntung)"]
    counts = dict(re.findall(r"<td>([^<]+)</td>\s*<td class=\"num\"><span[^>]*>[^<]*</span></td>\s*"
                             r"<td class=\"num\">(\d+)</td>", table))
    assert counts["Posyandu Anggrek 1 (Bontang Kuala)"] == "2" and counts["Posyandu Anggrek 1 (Guntung)"] == "3"


def test_posyandu_pickers_name_the_desa(client, utara_user, twins):
    client.force_login(utara_user)
    for url in ("/analytics/bnba/", "/analytics/prevalence/"):
        html = client.get(url, {"region": "64.74.01", "period": "2025-11"}).content.decode()
        picker = html[html.index('id="pick-posyandu"'):html.index("</select>", html.index('id="pick-posyandu"'))]
        assert "Posyandu Anggrek 1 (Bontang Kuala)</option>" in picker
        assert "Posyandu Anggrek 1 (Guntung)</option>" in picker
    html = client.get("/registry/children/").content.decode()
    picker = html[html.index('name="posyandu"'):html.index("</select>", html.index('name="posyandu"'))]
    assert "Posyandu Anggrek 1 (Bontang Kuala)</option>" in picker and "Posyandu Anggrek 1 (Guntung)</option>" in picker


@pytest.fixture
def pkm_user(area, twins):
    pkm = Puskesmas.objects.create(code="P1", name="Puskesmas Bontang Utara 1", kecamatan=area["utara"])
    pkm.service_area.set([area["kuala"], twins["guntung"]])
    return User.objects.create_user("pkm.utara1", password="x-pass-123456", role=Role.PUSKESMAS, puskesmas=pkm)


def kpi_n(html):
    return re.search(r'id="kpi-stunting".*?class="kpi-n">(\d+/\d+)<', html, re.S).group(1)


def test_puskesmas_officer_gets_the_whole_service_area(client, pkm_user, twins):
    client.force_login(pkm_user)
    for url in ("/analytics/", "/analytics/bnba/", "/analytics/quality/", "/analytics/prevalence/"):
        resp = client.get(url, {"period": "2025-11"})
        assert resp.status_code == 200, url
        assert "Wilayah kerja Puskesmas Bontang Utara 1" in resp.content.decode(), url
    html = client.get("/analytics/", {"period": "2025-11"}).content.decode()
    assert kpi_n(html) == "2/5"  # both desa together, nothing of Bontang Selatan
    ranking = html[html.index('id="ranking-table"'):html.index("</table>", html.index('id="ranking-table"'))]
    assert "Bontang Kuala" in ranking and "Guntung" in ranking and "Tanjung" not in ranking
    # the area answers to its covering code too, and each desa on its own
    assert kpi_n(client.get("/analytics/", {"region": "64.74.01", "period": "2025-11"}).content.decode()) == "2/5"
    desa = client.get("/analytics/", {"region": "64.74.01.1002", "period": "2025-11"}).content.decode()
    assert kpi_n(desa) == "1/3" and 'value="64.74.01"' in desa  # the picker leads back to the area
    html = client.get("/analytics/bnba/", {"period": "2025-11"}).content.decode()
    assert html.count("data-child=") == 2
    # still nothing outside the service area
    assert client.get("/analytics/", {"region": "64.74.02.1001", "period": "2025-11"}).status_code == 404
    assert client.get("/analytics/", {"region": "64.74", "period": "2025-11"}).status_code == 404


def test_kecamatan_code_is_still_refused_to_other_roles(client, area, twins):
    cadre = make_user(Role.CADRE, posyandu=twins["a1"])
    client.force_login(cadre)
    assert client.get("/analytics/", {"region": "64.74.01", "period": "2025-11"}).status_code == 404
