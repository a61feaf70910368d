"""Pages as real users on the access-test world: the distribution day saves row by row, the OPD
officer lands on their target lists (DINKES items only), catalogue overrides change the effective
catalogue, plans show progress from deliveries, BAAS pages, the child page timeline and chart spans."""

import datetime as dt
import io
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tumbuh.accounts.models import Role
from tumbuh.audit.models import AuditEvent
from tumbuh.coordination.models import Agency
from tumbuh.interventions import selectors, services
from tumbuh.interventions.models import CatalogueItem, Delivery, Plan

TODAY = timezone.localdate()


def test_distribution_day_lists_the_undernourished_and_saves_row_by_row(client, world):
    kab = world.users[Role.KABUPATEN]
    client.force_login(kab)
    home = world.children["home"]
    url = reverse("interventions:distribution")
    r = client.get(url, {"code": "PMT-BALITA", "posyandu": home.posyandu_id, "date": TODAY.isoformat()})
    body = r.content.decode()
    assert r.status_code == 200 and home.name in body
    assert "BB/U &lt; -2" in body or "BB/U < -2" in body
    assert world.siblings["home"].name not in body  # never measured: not on the PMT list
    row = reverse("interventions:distribution_row", args=[home.pk])
    r = client.post(row, {"code": "PMT-BALITA", "date": TODAY.isoformat(), "received": "on", "quantity": "7"},
                    HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "drow-saved" in r.content.decode()
    d = Delivery.objects.get(person=home, code="PMT-BALITA")
    assert d.source == "distribution" and d.quantity == 7
    # The list now shows the row as received.
    r = client.get(url, {"code": "PMT-BALITA", "posyandu": home.posyandu_id, "date": TODAY.isoformat()})
    assert "is-done" in r.content.decode()
    # A refused row says why (date in the future) and saves nothing.
    r = client.post(row, {"code": "PMT-BALITA", "date": (TODAY + dt.timedelta(days=3)).isoformat(), "received": "on",
                          "quantity": "7"}, HTTP_HX_REQUEST="true")
    assert "masa depan" in r.content.decode() and Delivery.objects.count() == 1


def test_distribution_list_carries_what_its_offline_script_needs(client, world):
    """The list shown is kept on the phone by the service worker (docs/offline.md): the page names
    the item, date, unit, the delivery bulk endpoint and the worker with this page's scope; the
    picker alone (no list yet) carries none of it."""
    import json
    import re

    client.force_login(world.users[Role.KABUPATEN])
    home = world.children["home"]
    url = reverse("interventions:distribution")
    assert 'id="offline-config"' not in client.get(url).content.decode()
    body = client.get(url, {"code": "PMT-BALITA", "posyandu": home.posyandu_id, "date": TODAY.isoformat()}).content.decode()
    config = json.loads(re.search(r'<script id="offline-config" type="application/json">(.*?)</script>', body).group(1))
    assert (config["code"], config["date"]) == ("PMT-BALITA", TODAY.isoformat())
    assert config["delivery_bulk_url"] == reverse("api:delivery_bulk") and config["scope"] == url
    assert config["sw_url"] == reverse("measurements:service_worker")
    assert config["total"] == body.count('<form class="drow') and config["unit"] == "hari"
    assert config["strings"]["pending"] == "menunggu terkirim"  # rendered in the reader's language
    assert "interventions/distribution-offline.js" in body and 'id="outbox"' in body


def test_distribution_row_outside_scope_is_404(client, world):
    client.force_login(world.users[Role.DESA])
    other = world.children["other_desa"]
    r = client.post(reverse("interventions:distribution_row", args=[other.pk]),
                    {"code": "VIT-A", "date": TODAY.isoformat(), "received": "on", "quantity": "1"})
    assert r.status_code == 404 and not Delivery.objects.exists()


def test_opd_officer_lands_on_target_lists_of_their_agency(client, world):
    opd = world.users[Role.OPD]
    client.force_login(opd)
    r = client.get(reverse("web:home"))
    assert r.status_code == 302 and r["Location"] == reverse("interventions:opd_home")
    body = client.get(reverse("interventions:opd_home")).content.decode()
    assert "PMT-BALITA" in body and "KIE-PENGASUHAN" not in body  # DPPKB's item is not theirs
    body = client.get(reverse("interventions:opd_home"), {"item": "PMT-BALITA"}).content.decode()
    for key in ("home", "other_posyandu", "other_desa", "other_kecamatan"):
        assert world.children[key].name in body
    for key in ("other_kabupaten", "other_provinsi"):
        assert world.children[key].name not in body
    assert AuditEvent.objects.filter(user=opd, action="view_list", object_type="registry.person").exists()
    # Their registry pages stay empty: a child page is 404.
    assert client.get(reverse("registry:child_detail", args=[world.children["home"].pk])).status_code == 404


def test_opd_sees_only_deliveries_of_their_agencys_items(world):
    kab = world.users[Role.KABUPATEN]
    child = world.children["home"]
    services.record_delivery(kab, item_code="VIT-A", person=child, date=TODAY, quantity=1)
    services.record_delivery(kab, item_code="KIE-PENGASUHAN", person=child, date=TODAY, quantity=1)
    codes = set(selectors.deliveries_for(world.users[Role.OPD]).values_list("code", flat=True))
    assert codes == {"VIT-A"}
    assert selectors.deliveries_for(world.users[Role.KABUPATEN]).count() == 2


def test_local_override_moves_an_item_to_another_agency_for_the_kota_only(client, world):
    kab = world.users[Role.KABUPATEN]
    client.force_login(kab)
    vita = CatalogueItem.objects.get(code="VIT-A", region__isnull=True)
    r = client.post(reverse("interventions:catalogue_item", args=[vita.pk]), {
        "code": "VIT-A", "name": vita.name, "kind": vita.kind, "target_group": vita.target_group, "unit": vita.unit,
        "default_agency_code": "dppkb", "indicator": "", "course_days": "", "description": "", "active": "on"})
    assert r.status_code == 302
    assert selectors.catalogue_for("64.74")["VIT-A"].default_agency_code == "DPPKB"
    assert selectors.catalogue_for("64.72")["VIT-A"].default_agency_code == "DINKES"
    assert "VIT-A" not in selectors.opd_codes(world.users[Role.OPD])
    # A desa team may read the catalogue but not change it.
    client.force_login(world.users[Role.DESA])
    assert client.get(reverse("interventions:catalogue")).status_code == 200
    assert client.post(reverse("interventions:catalogue"), {"code": "X"}).status_code == 403


def test_plan_progress_per_agency_and_desa_from_deliveries(client, world):
    kab = world.users[Role.KABUPATEN]
    client.force_login(kab)
    home = world.children["home"]
    r = client.post(reverse("interventions:plans"), {
        "agency": world.agencies["home"].pk, "code": "VIT-A", "desa": home.desa_id, "year": TODAY.year,
        "planned_quantity": "4", "budget": "1.000.000"})
    assert r.status_code == 200 and Plan.objects.count() == 0  # "1.000.000" is refused, not guessed
    r = client.post(reverse("interventions:plans"), {
        "agency": world.agencies["home"].pk, "code": "VIT-A", "desa": home.desa_id, "year": TODAY.year,
        "planned_quantity": "4", "budget": "1000000"})
    assert r.status_code == 302
    services.record_delivery(kab, item_code="VIT-A", person=home, date=TODAY, quantity=1)
    services.record_delivery(kab, item_code="VIT-A", person=world.children["other_posyandu"], date=TODAY, quantity=1)
    rows = selectors.progress(kab, TODAY.year)
    assert [(r["delivered"], r["percent"]) for r in rows] == [(Decimal(2), 50.0)]
    body = client.get(reverse("interventions:plans")).content.decode()
    assert "50,0%" in body or "50.0%" in body
    # The OPD officer of DINKES sees the plan, a desa team of another desa does not.
    assert len(selectors.progress(world.users[Role.OPD], TODAY.year)) == 1
    assert selectors.progress(world.users[Role.KECAMATAN], TODAY.year)[0]["delivered"] == 2


def test_baas_pledge_deliveries_and_sponsor_page_has_no_names(client, world):
    kab = world.users[Role.KABUPATEN]
    child = world.children["home"]
    sponsor = Agency.objects.create(region=world.regions["64.74"], code="OTA-1", name="Bapak Asuh Satu",
                                    kind="orang_tua_asuh")
    pledge = services.create_pledge(kab, sponsor=sponsor, child=child, amount_per_month=500000, months=6,
                                    start=TODAY - dt.timedelta(days=65))
    d = services.record_delivery(kab, item_code="BAAS", person=child, date=TODAY - dt.timedelta(days=30),
                                 quantity=500000, fund_source="BAAS")
    assert d.pledge == pledge  # linked to the running pledge
    summary = selectors.pledge_summary(pledge)
    assert summary["delivered"] == 500000 and summary["percent"] == 17
    assert summary["gain_kg"] == 0  # 6.6 kg at the start and now
    client.force_login(kab)
    body = client.get(reverse("interventions:sponsor", args=[sponsor.pk])).content.decode()
    assert child.name not in body and 'id="sponsor-children">1<' in body
    assert child.name in client.get(reverse("interventions:pledge_detail", args=[pledge.pk])).content.decode()


def test_deliveries_list_filters_and_xlsx_export_audited(client, world):
    kab = world.users[Role.KABUPATEN]
    services.record_delivery(kab, item_code="VIT-A", person=world.children["home"], date=TODAY, quantity=1,
                             fund_source="APBD")
    services.record_delivery(kab, item_code="JAMBAN", household=world.households["other_desa"], date=TODAY,
                             quantity=1)
    client.force_login(kab)
    url = reverse("interventions:deliveries")
    body = client.get(url, {"desa": world.children["home"].desa_id}).content.decode()
    assert world.children["home"].name in body and "1 pemberian" in body
    r = client.get(url, {"format": "xlsx"})
    ws = load_workbook(io.BytesIO(r.content)).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "Pemberian intervensi" in values and world.children["home"].nik in values
    assert AuditEvent.objects.filter(action="export", object_type="interventions.delivery").exists()


def test_delivery_entry_form_with_decimal_comma(client, world):
    client.force_login(world.users[Role.DESA])
    child = world.children["home"]
    r = client.post(reverse("interventions:delivery_new"), {
        "item_code": "PMT-BALITA", "nik": child.nik, "date": TODAY.isoformat(), "quantity": "2,5", "unit": "kg",
        "fund_source": "APBDes"})
    assert r.status_code == 302
    d = Delivery.objects.get()
    assert d.quantity == Decimal("2.5") and d.unit == "kg" and d.fund_source == "APBDes"
    r = client.post(reverse("interventions:delivery_new"), {
        "item_code": "PMT-BALITA", "nik": world.children["other_desa"].nik, "date": TODAY.isoformat(),
        "quantity": "1"})
    assert "Tidak ada orang dengan NIK ini di wilayah Anda" in r.content.decode()


def test_child_page_shows_the_timeline_and_the_course_span(client, world):
    kab = world.users[Role.KABUPATEN]
    child = world.children["home"]
    course = services.start_course(kab, item_code="PMT-BALITA", person=child, start=TODAY - dt.timedelta(days=40))
    services.record_delivery(kab, item_code="PMT-BALITA", person=child, date=TODAY - dt.timedelta(days=40),
                             quantity=14)
    client.force_login(kab)
    body = client.get(reverse("registry:child_detail", args=[child.pk])).content.decode()
    assert 'id="iv-timeline"' in body and "PMT-BALITA" in body
    assert body.count('class="xspan course"') == 4  # TB/U and BB/U, small and large charts
    assert reverse("interventions:course_detail", args=[course.pk]) in body
    body = client.get(reverse("registry:household_detail", args=[child.household_id])).content.decode()
    assert 'id="ivh-timeline"' in body and "PMT-BALITA" in body


def test_delivery_list_pages_without_counting_the_whole_table(client, world, monkeypatch):
    """The list counts up to a cap ("Lebih dari 2 pemberian") and finds the next page by reading
    one row more than it shows, never a COUNT(*) of everything the user may see."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tumbuh.interventions import views

    kab = world.users[Role.KABUPATEN]
    home = world.children["home"]
    for days in range(5):
        services.record_delivery(kab, item_code="VIT-A", person=home, date=TODAY - dt.timedelta(days=days), quantity=1)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "COUNT_CAP", 3)
    client.force_login(kab)
    url = reverse("interventions:deliveries")
    with CaptureQueriesContext(connection) as queries:
        body = client.get(url).content.decode()
    assert "Lebih dari 3 pemberian" in body and "Halaman 1<" in body and "page=2" in body
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"] and "interventions_delivery" in q["sql"]]
    assert len(counts) == 1 and "LIMIT 4" in counts[0]
    last = client.get(url, {"page": 3}).content.decode()
    assert last.count('href="/interventions/delivery/') == 1 and "page=4" not in last and "page=2" in last
    # a short list still says how many, and how many pages
    few = client.get(url, {"date_from": (TODAY - dt.timedelta(days=1)).isoformat()}).content.decode()
    assert "2 pemberian" in few and "Halaman" not in few


def test_id_filters_with_non_ascii_digits_show_nothing_instead_of_failing(client, world):
    """"²⁴" passes str.isdigit() but not int(): the plans page answered 500 (found by the fuzz
    test). Id filters take ASCII digits only (tumbuh.web.text.ascii_digits)."""
    client.force_login(world.users[Role.KABUPATEN])
    for url, params in ((reverse("interventions:plans"), {"agency": "²⁴"}),
                        (reverse("interventions:deliveries"), {"agency": "²⁴"}),
                        (reverse("interventions:deliveries"), {"posyandu": "²"}),
                        (reverse("targets:register_bumil"), {"posyandu": "²"}),
                        (reverse("registry:child_list"), {"q": "６４７４"})):
        assert client.get(url, params).status_code == 200, (url, params)
