"""The semester report: its numbers are the dashboard's, it freezes when finalised, it travels up
the chain desa -> kecamatan -> kab/kota with deadlines, and every step is scoped and audited."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tumbuh.analytics.testing import make_child, measure
from tumbuh.audit.models import AuditEvent
from tumbuh.coordination.models import Deadline
from tumbuh.reports import render, selectors, services
from tumbuh.reports.models import RenderJob, SemesterReport, Status
from tumbuh.web.xlsx import workbook_bytes

from .conftest import TODAY


def dashboard_numbers(client, user, region_code, period):
    client.force_login(user)
    body = client.get(f"/analytics/?region={region_code}&period={period}").content.decode()
    out = {}
    for key in ("stunting", "wasting", "underweight", "overweight"):
        block = re.search(rf'(?s)id="kpi-{key}">(.*?)</div>\s*</div>', body).group(1)
        out[key] = (re.search(r'class="kpi">([^<]*)<', block).group(1).strip(),
                    re.search(r'class="kpi-n">([^<]*)<', block).group(1))
    out["ds"] = re.search(r'id="coverage-ds">([^<]*)<', body).group(1)
    out["ranking"] = re.findall(r'(?s)<tr[^>]*><td>[^<]*</td>\s*<td><a href="\?region=([\d.]+)[^"]*">([^<]+)</a>.*?'
                                r'<td class="num">([^<]*)</td>', body)
    return out


def as_number(text: str) -> float:
    return float(text.replace("%", "").replace(".", "").replace(",", "."))


def test_every_number_equals_the_dashboard(client, bontang):
    user = bontang["users"]["kota"]
    report = services.create_report(user, region=bontang["kota"], year=2026, semester=1)
    data = services.compute(report, today=TODAY)
    prev = data["sections"]["prevalence"]
    page = dashboard_numbers(client, user, "64.74", "2026-S1")
    assert page["stunting"] == ("21,6%", "16/74")  # 10 of 40 + 6 of 34: a real, checkable figure
    for key in ("stunting", "wasting", "underweight", "overweight"):
        e = prev["headline"][key]
        rate, n = page[key]
        assert n == f"{e['cases']}/{e['children']}"
        assert (rate == "–") if e["rate"] is None else (as_number(rate) == e["rate"])
    assert page["ds"] == f"{prev['coverage']['weighed']}/{prev['coverage']['registered']}" == "74/74"
    # The ranking: same units, same rates, same order.
    assert [(code, name, as_number(rate)) for code, name, rate in page["ranking"]] == [
        (x["key"], x["name"], x["rate"]) for x in prev["ranking"]]
    # The screen version of the report prints the same digits.
    client.force_login(user)
    body = client.get(f"/reports/{report.pk}/").content.decode()
    block = re.search(r'(?s)id="report-kpi-stunting">(.*?)</div>\s*</div>', body).group(1)
    assert "21,6%" in block and ">16/74<" in block
    # And the xlsx cells hold the same numbers.
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(render.semester_sheets(report, data, user))))
    sheet = book["Prevalensi"] if "Prevalensi" in book.sheetnames else book.worksheets[1]
    cells = {row[0]: row[1:] for row in sheet.iter_rows(min_row=2, values_only=True) if row and row[0]}
    assert cells["Stunting"][0] == 21.6 and cells["Stunting"][3:5] == (16, 74)
    ranking = book.worksheets[3]
    assert [(r[1], r[2]) for r in ranking.iter_rows(min_row=2, values_only=True)] == [
        (name, as_number(rate)) for _c, name, rate in page["ranking"]]


def test_a_finalised_report_never_changes(client, bontang):
    user = bontang["users"]["kota"]
    report = services.create_report(user, region=bontang["kota"], year=2026, semester=1)
    services.update_texts(user, report, problems="Cakupan posyandu rendah di Tanjung Laut", follow_up="Sweeping")
    report = services.finalise(user, report)
    frozen = report.snapshot
    assert frozen["sections"]["prevalence"]["headline"]["stunting"]["rate"] == 21.6
    assert frozen["sections"]["problems"]["problems"] == "Cakupan posyandu rendah di Tanjung Laut"
    # New data: five more stunted children measured in the semester.
    for _i in range(5):
        child = make_child(bontang["kuala"], bontang["pos_kuala"], born=dt.date(2023, 3, 1))
        measure(child, dt.date(2026, 5, 2), haz=-3.1, waz=-1, whz=0, bmiz=0)
    live = services.compute(report)
    assert live["sections"]["prevalence"]["headline"]["stunting"]["cases"] == 21
    report.refresh_from_db()
    assert report.snapshot == frozen
    with pytest.raises(ValidationError):
        services.update_texts(user, report, problems="ganti", follow_up="")
    with pytest.raises(ValidationError):
        services.finalise(user, report)
    client.force_login(user)
    body = client.get(f"/reports/{report.pk}/").content.decode()
    assert ">16/74<" in body and ">21/79<" not in body
    html = render.semester_html(report, report.snapshot, user)
    assert "21,6%" in html and "Cakupan posyandu rendah" in html
    # A POST that would edit it is refused with a message, and nothing changes.
    client.post(f"/reports/{report.pk}/action/", {"action": "save", "problems": "x", "follow_up": "y"})
    report.refresh_from_db()
    assert report.problems == "Cakupan posyandu rendah di Tanjung Laut" and report.snapshot == frozen


def test_submission_chain_lateness_send_back_and_roll_up(client, bontang):
    u = bontang["users"]
    Deadline.objects.create(region=bontang["utara"], title="Laporan semester I desa ke kecamatan",
                            due_date=dt.date(2026, 7, 10))
    Deadline.objects.create(region=bontang["kota"], title="Laporan semester II ke Gubernur", due_date=dt.date(2026, 12, 20))
    Deadline.objects.create(region=bontang["kota"], title="Laporan semester II kecamatan ke kota",
                            due_date=dt.date(2026, 12, 10))
    assert selectors.due_date(bontang["kuala"], 2026, 1) == dt.date(2026, 7, 10)  # the kecamatan's deadline
    assert selectors.due_date(bontang["tanjung"], 2026, 1) is None  # the kota's are for semester II
    assert selectors.due_date(bontang["kuala"], 2026, 2) is None  # addressed to others
    assert selectors.due_date(bontang["utara"], 2026, 2) == dt.date(2026, 12, 10)  # "kecamatan ke kota"
    assert selectors.due_date(bontang["kota"], 2026, 2) == dt.date(2026, 12, 20)  # "ke Gubernur"
    desa = services.create_report(u["kuala"], region=bontang["kuala"], year=2026, semester=1)
    services.update_texts(u["kuala"], desa, problems="Timbangan rusak", follow_up="Minta timbangan baru")
    with pytest.raises(ValidationError):
        services.submit(u["kuala"], desa)  # a draft cannot be submitted
    desa = services.finalise(u["kuala"], desa)
    # Before submitting, past the due date: late in the kecamatan's inbox.
    inbox = {c["region"].code: c for c in selectors.incoming_for(u["utara"], 2026, 1, TODAY)}
    assert inbox["64.74.01.1001"]["late"] and inbox["64.74.01.1001"]["status"] == Status.FINAL
    assert selectors.incoming_for(u["selatan"], 2026, 1, TODAY)[0]["region"].code == "64.74.02.1001"
    services.submit(u["kuala"], desa)
    desa.refresh_from_db()
    assert desa.status == Status.SUBMITTED
    # Submitted today (2 Dec in real time) > 10 Jul: still late, now as "submitted late".
    assert selectors.is_late(desa, dt.date(2026, 7, 10), TODAY)
    assert not selectors.is_late(desa, desa.submitted_at.date(), TODAY)
    # Another kecamatan may not decide on it; the desa itself neither.
    with pytest.raises(PermissionDenied):
        services.decide(u["selatan"], desa, accept=True)
    with pytest.raises(PermissionDenied):
        services.decide(u["kuala"], desa, accept=True)
    with pytest.raises(ValidationError):
        services.decide(u["utara"], desa, accept=False, reason=" ")  # a reason is required
    client.force_login(u["utara"])
    r = client.post(f"/reports/{desa.pk}/action/", {"action": "return", "reason": "Lengkapi tindak lanjut"})
    assert r.status_code == 302
    desa.refresh_from_db()
    assert desa.status == Status.RETURNED and desa.return_reason == "Lengkapi tindak lanjut"
    frozen = desa.snapshot
    # The desa makes a new version from it; the returned one stays as it was.
    v2 = services.create_report(u["kuala"], region=bontang["kuala"], year=2026, semester=1)
    assert v2.version == 2 and v2.problems == "Timbangan rusak" and v2.status == Status.DRAFT
    desa.refresh_from_db()
    assert desa.snapshot == frozen and desa.status == Status.RETURNED
    services.update_texts(u["kuala"], v2, problems="Timbangan rusak", follow_up="Timbangan baru dari APBDes")
    v2 = services.finalise(u["kuala"], v2)
    services.submit(u["kuala"], v2)
    services.decide(u["utara"], v2, accept=True)
    # The kecamatan rolls it up into its own report.
    kec = services.create_report(u["utara"], region=bontang["utara"], year=2026, semester=1)
    assert services.roll_up(u["utara"], kec) == [v2.pk]
    assert services.roll_up(u["utara"], kec) == []  # once
    kec.refresh_from_db()
    assert "Bontang Kuala: Timbangan baru dari APBDes" in kec.follow_up
    data = services.compute(kec, today=TODAY)
    row = data["sections"]["rollup"]["rows"][0]
    assert row["rolled_up"] and row["stunting"] == 25.0 and row["status"] == Status.ACCEPTED
    assert row["follow_up"] == "Timbangan baru dari APBDes"
    # The kecamatan's page lists it as received, and the kota sees one kecamatan drafting, the other not started.
    body = client.get("/reports/?year=2026&semester=1").content.decode()
    assert "Bontang Kuala" in body and "Diterima" in body
    kota_inbox = selectors.incoming_for(u["kota"], 2026, 1, TODAY)
    assert [c["status"] for c in kota_inbox] == ["draft", "none"]


def test_reports_are_scoped_and_audited(client, bontang):
    u = bontang["users"]
    report = services.create_report(u["utara"], region=bontang["utara"], year=2026, semester=1)
    assert AuditEvent.objects.filter(action="create", object_type="reports.semesterreport").count() == 1
    # Only the region's own team writes it; the kota above reads it, the other kecamatan does not.
    with pytest.raises(PermissionDenied):
        services.create_report(u["selatan"], region=bontang["utara"], year=2026, semester=1)
    with pytest.raises(PermissionDenied):
        services.update_texts(u["kota"], report, problems="x", follow_up="")
    client.force_login(u["selatan"])
    assert client.get(f"/reports/{report.pk}/").status_code == 404
    assert client.post(f"/reports/{report.pk}/action/", {"action": "pdf"}).status_code == 404
    assert client.post("/reports/new/", {"region": "64.74.01", "year": 2026, "semester": 1}).status_code == 404
    client.force_login(u["kota"])
    assert client.get(f"/reports/{report.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="view", object_type="reports.semesterreport", user=u["kota"]).exists()
    assert client.post(f"/reports/{report.pk}/action/", {"action": "finalise"}).status_code == 403
    assert SemesterReport.objects.get(pk=report.pk).status == Status.DRAFT


def test_render_in_the_background_with_progress(client, bontang, django_capture_on_commit_callbacks):
    user = bontang["users"]["kota"]
    report = services.create_report(user, region=bontang["kota"], year=2026, semester=1)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/reports/{report.pk}/action/", {"action": "xlsx"})
    job = RenderJob.objects.get()
    assert r.url == f"/reports/jobs/{job.pk}/"
    assert job.status == "done" and job.progress == 100 and job.filename.endswith(".xlsx")
    fragment = client.get(f"/reports/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'value="100"' in fragment and "hx-trigger" not in fragment  # finished: polling stops
    download = client.get(f"/reports/jobs/{job.pk}/download/")
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="export", object_type="reports.renderjob").count() == 2  # asked, fetched
    # A queued job (no worker yet) polls.
    queued = RenderJob.objects.create(kind="semester_pdf", region=bontang["kota"], report=report, requested_by=user)
    fragment = client.get(f"/reports/jobs/{queued.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and 'value="0"' in fragment
    # Another region's team cannot fetch it.
    client.force_login(bontang["users"]["selatan"])
    assert client.get(f"/reports/jobs/{job.pk}/download/").status_code == 404
