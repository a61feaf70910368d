"""The distribution-day print list: the people `interventions.selectors.distribution_rows` puts on
the distribution page for one item at a posyandu or desa, as an A4 PDF with boxes to tick; scoped
by the interventions picker, rendered under the user's own scope, audited."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import build_world
from tumbuh.audit.models import AuditEvent
from tumbuh.interventions import selectors as isel
from tumbuh.reports import render
from tumbuh.reports.models import RenderJob

TODAY = timezone.localdate()


@pytest.fixture
def world(db):
    return build_world()


def _names_on_page(client, query) -> set[str]:
    body = client.get(reverse("interventions:distribution"), query).content.decode()
    return set(re.findall(r'<div class="drow-who">\s*<strong>([^<]+)</strong>', body))


def test_the_print_list_is_the_distribution_page_list(client, world, django_capture_on_commit_callbacks):
    kab = world.users[Role.KABUPATEN]
    home = world.children["home"]
    client.force_login(kab)
    query = {"code": "PMT-BALITA", "posyandu": str(home.posyandu_id), "date": TODAY.isoformat()}
    on_page = _names_on_page(client, query)
    assert home.name in on_page and world.siblings["home"].name not in on_page
    picker = client.get(reverse("reports:distribution_print")).content.decode()
    assert 'name="code"' in picker and 'name="posyandu"' in picker  # the interventions picker
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("reports:distribution_print"), query)
    job = RenderJob.objects.get()
    assert r.status_code == 302 and r.url == reverse("reports:job", args=[job.pk])
    assert job.status == "done" and job.kind == "list" and job.region_id == home.desa_id, job.message
    assert bytes(job.output).startswith(b"%PDF") and job.filename.startswith("daftar-distribution-")
    html, n = render.list_html(kab, job.region, render.Period.parse(job.params["period"]), "distribution",
                               job.params["posyandu"], params=job.params)
    printed = set(re.findall(r"<tr><td>\d+</td><td>([^<]+)</td>", html))
    assert printed == on_page and n == len(on_page)
    assert html.count('<span class="box"></span>') == 2 * n  # present, received (and a column for the quantity)
    assert "Hari distribusi: PMT-BALITA" in html and "orang dalam daftar ini" in html
    assert home.nik not in html and "Jumlah (" in html  # no NIK on a posyandu-day list
    asked = AuditEvent.objects.get(user=kab, action="export", object_type="reports.renderjob")
    assert asked.detail["params"]["code"] == "PMT-BALITA" and asked.detail["params"]["posyandu"] == home.posyandu_id
    assert client.get(reverse("reports:download", args=[job.pk])).content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(user=kab, action="export", object_type="reports.renderjob").count() == 2
    # A by-name list: only whoever asked for it reads it.
    client.force_login(world.users[Role.PROVINSI])
    assert client.get(reverse("reports:download", args=[job.pk])).status_code == 404


def test_desa_and_household_items(client, world):
    kab = world.users[Role.KABUPATEN]
    home = world.children["home"]
    from tumbuh.accounts.scoping import scope_for
    from tumbuh.targets import rules
    from tumbuh.targets.models import KrsSnapshot

    hh = home.household
    hh.head_name = "Kepala Rumah Uji"
    hh.save()
    KrsSnapshot.objects.create(household=hh, desa_id=home.desa_id, period=rules.semester_of(TODAY),
                               latrine="", risk_factors=[rules.LATRINE_UNSAFE], krs=True)
    scope = scope_for(kab)
    for code in ("VIT-A", "JAMBAN"):
        item = isel.item_for(scope, code)
        rows = isel.distribution_rows(scope, item, on=TODAY, desa=home.desa_id)
        params = {"code": code, "date": TODAY.isoformat(), "desa": home.desa_id}
        html, n = render.list_html(kab, home.desa, render.Period.containing(TODAY, "month"), "distribution",
                                   None, params=params)
        assert n == len(rows) > 0, code
        if item.is_household_item:
            assert "Kepala keluarga" in html and all((r["household"].head_name or "–") in html for r in rows)
        else:
            assert "Tanggal lahir" in html and all(r["person"].name in html for r in rows)


def test_outside_posyandu_or_future_date_queues_nothing(client, world):
    desa_user = world.users[Role.DESA]
    client.force_login(desa_user)
    other = world.children["other_desa"]
    url = reverse("reports:distribution_print")
    r = client.post(url, {"code": "VIT-A", "posyandu": str(other.posyandu_id), "date": TODAY.isoformat()})
    assert r.status_code == 200 and not RenderJob.objects.exists()  # not a choice of this user: form error
    r = client.post(url, {"code": "VIT-A", "desa": other.desa_id, "date": TODAY.isoformat()})
    assert r.status_code == 200 and not RenderJob.objects.exists()
    home = world.children["home"]
    r = client.post(url, {"code": "VIT-A", "desa": home.desa_id, "date": (TODAY + dt.timedelta(days=2)).isoformat()})
    assert "masa depan" in r.content.decode() and not RenderJob.objects.exists()
    r = client.post(url, {"code": "VIT-A", "date": TODAY.isoformat()})
    assert "Pilih posyandu atau desa/kelurahan." in r.content.decode() and not RenderJob.objects.exists()


def test_bnba_page_links_to_it_and_does_not_offer_it_as_a_plain_list(client, world):
    client.force_login(world.users[Role.KABUPATEN])
    body = client.get(reverse("reports:bnba_print")).content.decode()
    assert 'id="distribution-print-link"' in body and 'value="list:distribution"' not in body
