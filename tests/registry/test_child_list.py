"""Children list: scope, search, status filters on the latest measurement, masking, audit, queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tumbuh.audit.models import AuditEvent
from tumbuh.measurements.derivation import recompute_children
from tumbuh.measurements.models import Measurement
from tumbuh.registry.testing import make_person


def _measure(child, days_ago, weight, length):
    return Measurement.objects.create(child=child, measured_on=timezone.localdate() - dt.timedelta(days=days_ago),
                                      weight_kg=weight, length_cm=length, position="l" if child.age_days() < 731 else "h",
                                      desa=child.desa, posyandu=child.posyandu)


@pytest.fixture
def population(regions):
    today = timezone.localdate()
    d1, p1 = regions["desa1"], regions["pos1"]
    tall = make_person(name="Tinggi Normal", sex="M", birth_date=today - dt.timedelta(days=400), desa=d1, posyandu=p1)
    short = make_person(name="Pendek Sekali", sex="M", birth_date=today - dt.timedelta(days=400), desa=d1, posyandu=p1)
    unmeasured = make_person(name="Belum Diukur", sex="F", birth_date=today - dt.timedelta(days=90), desa=d1, posyandu=p1)
    older = make_person(name="Sudah Enam Tahun", sex="F", birth_date=today - dt.timedelta(days=6 * 365), desa=d1, posyandu=p1)
    south = make_person(name="Anak Selatan", sex="F", birth_date=today - dt.timedelta(days=300), desa=regions["desa2"], posyandu=regions["pos2"])
    # The short child was normal a year ago and is stunted now: the *latest* measurement counts.
    _measure(tall, 10, 9.8, 76.5)
    _measure(short, 380, 3.6, 53.0)
    _measure(short, 10, 8.0, 66.0)
    _measure(south, 10, 7.5, 64.0)
    recompute_children([tall.pk, short.pk, south.pk])
    return {"tall": tall, "short": short, "unmeasured": unmeasured, "older": older, "south": south}


def _names(response):
    return [c.name for c in response.context["page"].object_list]


@pytest.mark.django_db
def test_list_shows_only_balita_in_scope_with_masked_nik(client, kec1_user, population):
    client.force_login(kec1_user)
    response = client.get(reverse("registry:child_list"))
    assert _names(response) == ["Belum Diukur", "Pendek Sekali", "Tinggi Normal"]
    html = response.content.decode()
    nik = population["short"].nik
    assert nik not in html and "•" * 12 + nik[-4:] in html


@pytest.mark.django_db
def test_stunted_filter_uses_latest_measurement(client, kec1_user, population):
    assert Measurement.objects.filter(child=population["short"]).latest("measured_on").is_stunted
    client.force_login(kec1_user)
    assert _names(client.get(reverse("registry:child_list"), {"status": "stunted"})) == ["Pendek Sekali"]
    assert _names(client.get(reverse("registry:child_list"), {"status": "not_measured_2m"})) == ["Belum Diukur"]


@pytest.mark.django_db
def test_search_by_name_and_last_nik_digits(client, kec1_user, population):
    client.force_login(kec1_user)
    assert _names(client.get(reverse("registry:child_list"), {"q": "pendek"})) == ["Pendek Sekali"]
    last4 = population["tall"].nik[-4:]
    assert "Tinggi Normal" in _names(client.get(reverse("registry:child_list"), {"q": last4}))
    # A child of another kecamatan is not found even by full NIK.
    assert _names(client.get(reverse("registry:child_list"), {"q": population["south"].nik})) == []


@pytest.mark.django_db
def test_desa_filter_refuses_desa_outside_scope(client, kec1_user, population):
    client.force_login(kec1_user)
    response = client.get(reverse("registry:child_list"), {"desa": "64.74.02.1001"})
    assert "Anak Selatan" not in _names(response)
    assert response.context["filter"].errors


@pytest.mark.django_db
def test_list_view_is_audited(client, kec1_user, population):
    client.force_login(kec1_user)
    client.get(reverse("registry:child_list"), {"status": "stunted"})
    event = AuditEvent.objects.get(action="view_list")
    assert event.region_code == "64.74.01" and event.detail["filters"] == {"status": "stunted"}
    assert event.detail["shown"] == 1


@pytest.mark.django_db
def test_htmx_request_gets_only_the_rows(client, kec1_user, population):
    client.force_login(kec1_user)
    html = client.get(reverse("registry:child_list"), HTTP_HX_REQUEST="true").content.decode()
    assert "<table" in html and "<html" not in html


@pytest.mark.django_db
def test_query_count_does_not_grow_with_children(client, kec1_user, regions, population):
    client.force_login(kec1_user)
    url = reverse("registry:child_list")
    client.get(url)  # the idle timeout saves the session on the first request of each minute
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(30):
        child = make_person(name=f"Tambahan {i}", sex="M", birth_date=timezone.localdate() - dt.timedelta(days=200 + i),
                            desa=regions["desa1"], posyandu=regions["pos1"])
        _measure(child, 5, 7.5, 66.0)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


@pytest.mark.django_db
def test_pagination(client, kec1_user, regions):
    for i in range(55):
        make_person(name=f"Anak {i:02d}", sex="M", birth_date=timezone.localdate() - dt.timedelta(days=100 + i),
                    desa=regions["desa1"])
    client.force_login(kec1_user)
    first = client.get(reverse("registry:child_list"))
    assert len(first.context["page"].object_list) == 50
    second = client.get(reverse("registry:child_list"), {"page": 2})
    assert _names(second) == [f"Anak {i:02d}" for i in range(50, 55)]


def _listed_names(html):
    import re

    return re.findall(r'<a href="/registry/children/\d+/">([^<]+)</a>', html)


def test_status_column_sorting_and_export(client, kec1_user, population):
    """Issue 8 item 18: a status column, sorting, and an .xlsx export of the scoped, filtered list
    (audited as an export, with a title block and Indonesian headers)."""
    import io

    from openpyxl import load_workbook

    client.force_login(kec1_user)
    html = client.get(reverse("registry:child_list")).content.decode()
    assert "<th>Status</th>" in html
    row = html[html.index("Pendek Sekali"):html.index("</tr>", html.index("Pendek Sekali"))]
    assert 'class="status"' in row and ("Sangat pendek" in row or ">Pendek<" in row)
    tall = html[html.index("Tinggi Normal"):html.index("</tr>", html.index("Tinggi Normal"))]
    assert ">Normal<" in tall
    assert _listed_names(html) == ["Belum Diukur", "Pendek Sekali", "Tinggi Normal"]
    assert _listed_names(client.get(reverse("registry:child_list"), {"sort": "-name"}).content.decode()) == [
        "Tinggi Normal", "Pendek Sekali", "Belum Diukur"]
    assert _listed_names(client.get(reverse("registry:child_list"), {"sort": "haz"}).content.decode()) == [
        "Pendek Sekali", "Tinggi Normal", "Belum Diukur"]
    assert _listed_names(client.get(reverse("registry:child_list"), {"sort": "-age"}).content.decode())[0] == "Belum Diukur"

    resp = client.get(reverse("registry:child_list"), {"status": "stunted", "format": "xlsx"})
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Balita"
    assert "status=stunted" in rows[1][1] and rows[2][3] == kec1_user.username
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Nama")
    assert rows[header][:3] == ("Nama", "NIK", "Jenis kelamin") and rows[header][-1] == "Status"
    data = [r for r in rows[header + 1:] if r[0]]
    assert [r[0] for r in data] == ["Pendek Sekali"]  # filtered, in scope (no "Anak Selatan")
    event = AuditEvent.objects.get(action="export", object_type="registry.person")
    assert event.detail["rows"] == 1 and event.detail["filters"] == {"status": "stunted"}
