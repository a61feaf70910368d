"""Issue 8 item 14: Indonesian number and date formats on the analytics pages."""

import datetime as dt
import re

from tumbuh.analytics.services import seed_reference_figures
from tumbuh.analytics.testing import make_child, measure
from tumbuh.web.templatetags.tumbuh_web import zscore

JAN = dt.date(2025, 1, 15)


def test_numbers_and_dates_are_indonesian(client, kota_user, area):
    seed_reference_figures()
    kid = make_child(area["kuala"], area["pos_kuala"], name="Anak Pendek")
    measure(kid, JAN, haz=-2.284, whz=-0.5, waz=-1.25, weight=9.35, length=71.4)
    client.force_login(kota_user)
    html = client.get("/analytics/bnba/", {"region": "64.74", "period": "2025-01"}).content.decode()
    row = html[html.index('data-child="'):html.index("</tr>", html.index('data-child="'))]
    assert "-2,28" in row and "-2.28" not in row and "15 Jan 2025" in row and "71,4" in row
    dash = client.get("/analytics/", {"region": "64.74", "period": "2025-01"}).content.decode()
    external = dash[dash.index('id="external-figures"'):dash.index("</table>", dash.index('id="external-figures"'))]
    assert "Agustus 2024" in external and "2024 Aug 2024" not in external and "Aug 2024" not in external
    assert "Januari 2025" in dash  # the period in words
    # no empty "Penurunan terbesar: ·" when nothing moved
    assert not re.search(r"Penurunan terbesar</strong>:\s*·", dash) and "Penurunan terbesar" not in dash
    tile = re.search(r"<g data-key=\"64.74.01\">.*?</g>", dash, re.S).group(0)
    assert "100.0" not in tile and "." not in re.sub(r"<[^>]+>", "", tile).replace("64.74", "")


def test_zscore_filter_uses_the_decimal_comma():
    assert zscore(-2.284) == "-2,28" and zscore(0.5) == "+0,50" and zscore(-0.001) == "+0,00" and zscore(None) == ""
