"""The import report as a desa team sees someone else's upload (rejected rows hidden) and as the
uploader sees a header-only file (warning), on desktop and phone."""

import pytest
from playwright.sync_api import expect

from tumbuh.accounts.models import Role, User
from tumbuh.imports import testing as t
from tumbuh.imports.columns import EPPGBM_HEADER
from tumbuh.imports.services import import_eppgbm
from tumbuh.regions.models import Posyandu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "rahasia-impor-2026"


def test_report_hides_rows_and_warns(live_server, new_page, shot, login, tmp_path):
    t.create_regions()
    Posyandu.objects.create(name="Posyandu Melati 1", desa_id="64.74.01.1001")
    kec = User.objects.create_user("kec.bontangutara", password=PASSWORD, role=Role.KECAMATAN, region_id="64.74.01")
    User.objects.create_user("kel.bontangkuala", password=PASSWORD, role=Role.DESA, region_id="64.74.01.1001")
    base = t.make_rows(t.make_children(1), months=1)[0]
    rows = [{**base, "Desa/Kel": "Bontang Kuala", "NIK": "", "Nama": "Anak Kuala", "Posyandu": "Posyandu Melati 1",
             "Berat": "10945"},
            {**base, "Desa/Kel": "Guntung", "NIK": "", "Nama": "Anak Guntung"}]
    batch = import_eppgbm(t.write_csv(tmp_path / "campur.csv", rows, comma_decimals=False), user=kec,
                          region_code="64.74.01.1001")
    header_only = tmp_path / "judul.csv"
    header_only.write_text(";".join(EPPGBM_HEADER) + "\n", encoding="utf-8")
    empty = import_eppgbm(header_only, user=kec, region_code="64.74.01.1001")

    for width, height, label in ((1366, 900, "desktop"), (390, 844, "phone")):
        page = new_page(width=width, height=height, mobile=label == "phone")
        login(page, live_server, "kel.bontangkuala", PASSWORD)
        page.goto(f"{live_server.url}/imports/{batch.pk}/")
        expect(page.locator("#rejected-hidden")).to_be_visible()
        assert "Anak Guntung" not in page.content() and "Anak Kuala" in page.content()
        shot(page, f"imports-report-hidden-rows-{label}")
        page.goto(f"{live_server.url}/imports/{empty.pk}/")
        expect(page.locator("#import-warning")).to_be_visible()
        shot(page, f"imports-report-header-only-{label}")
        page.goto(f"{live_server.url}/imports/{batch.pk}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # the SHA-256 wraps
