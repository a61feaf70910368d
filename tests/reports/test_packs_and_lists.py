"""The Rakor pack (handout and 16:9 slides) of a meeting and the A4 print lists, rendered through
the background job as real PDFs."""

import datetime as dt
import re

from tumbuh.audit.models import AuditEvent
from tumbuh.coordination.models import Commitment, Meeting
from tumbuh.reports import render
from tumbuh.reports.models import RenderJob


def _page_count(html: str) -> int:
    from weasyprint import HTML

    return len(HTML(string=html, url_fetcher=render._no_network).render().pages)


def test_rakor_pack_as_of_the_meeting_date(client, bontang, django_capture_on_commit_callbacks):
    user = bontang["users"]["kota"]
    meeting = Meeting.objects.create(title="Rakor TPPS Semester I", date=dt.date(2026, 4, 20), region=bontang["kota"])
    Commitment.objects.create(region=bontang["kota"], meeting=meeting, what="Operasi timbang 100%",
                              due_date=dt.date(2026, 3, 31))
    Commitment.objects.create(region=bontang["kota"], meeting=meeting, what="Entri data pusat",
                              due_date=dt.date(2026, 9, 30), status="selesai")
    data = render.rakor_data(meeting)
    assert data["period"].key == "2026-04"  # the meeting's month has data
    assert data["prevalence"]["headline"]["stunting"]["cases"] == 16  # April: the semester's measurements
    assert data["overdue"] == 1 and [c["n"] for c in data["commitment_counts"]] == [1, 0, 1, 0]
    assert not data["convergence"]["available"]
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/reports/meetings/{meeting.pk}/", {"kind": "slides"})
    job = RenderJob.objects.get()
    assert r.url == f"/reports/jobs/{job.pk}/" and job.status == "done", job.message
    pdf = client.get(f"/reports/jobs/{job.pk}/download/").content
    assert pdf.startswith(b"%PDF")
    # title, dashboard, trend, ranking, targets, gaps, commitments: one slide each
    assert _page_count(render.rakor_html(meeting, user, slides=True)) == 7
    html = render.rakor_html(meeting, user, slides=False)
    assert "21,6%" in html and "Operasi timbang 100%" in html and "lewat tenggat saat rapat: 1" in html
    open("/tmp/rakor_slides_test.pdf", "wb").write(pdf)
    # A kecamatan team sees the meetings of its own area only: not the kota's pack.
    client.force_login(bontang["users"]["selatan"])
    assert client.get(f"/reports/meetings/{meeting.pk}/").status_code == 404
    assert client.get(f"/reports/jobs/{job.pk}/").status_code == 404


def test_bnba_print_list_is_the_analytics_list(client, bontang, django_capture_on_commit_callbacks):
    user = bontang["users"]["utara"]
    client.force_login(user)
    page = client.get("/analytics/bnba/?region=64.74.01&period=2026-S1&category=stunted").content.decode()
    total = int(re.search(r'id="bnba-total">(\d+)<', page).group(1))
    html, n = render.bnba_html(user, bontang["utara"], render.Period.parse("2026-S1"), "stunted")
    assert n == total == 10
    assert html.count('<span class="box"></span>') == 3 * n  # present, weighed, referred
    assert "Anak Kuala 0003" in html and "Anak Tanjung" not in html  # the other kecamatan's children are not listed
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/reports/print/bnba/?region=64.74.01&period=2026-S1", {"category": "stunted"})
    job = RenderJob.objects.get()
    assert job.status == "done", job.message
    open("/tmp/bnba_test.pdf", "wb").write(bytes(job.output))
    assert AuditEvent.objects.filter(action="export", object_type="reports.renderjob", user=user).exists()
    # A by-name list is readable only by whoever asked for it, even inside the same area.
    client.force_login(bontang["users"]["kota"])
    assert client.get(f"/reports/jobs/{job.pk}/download/").status_code == 404


def test_a_list_another_app_registers_prints_the_same_way(client, bontang, django_capture_on_commit_callbacks):
    from tumbuh.reports import lists

    seen = {}

    def build(user, region, period, posyandu_id):
        seen["args"] = (user.username, region.code, period.key)
        return {"columns": ["Nama", "Layanan"], "rows": [["Anak Uji Satu", "PMT"], ["Anak Uji Dua", "Imunisasi"]],
                "checks": ["Diberikan"]}

    lists.register_list("uji", "Daftar distribusi uji", build)
    try:
        client.force_login(bontang["users"]["utara"])
        assert "Daftar distribusi uji" in client.get("/reports/print/bnba/?region=64.74.01").content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/reports/print/bnba/?region=64.74.01&period=2026-S1", {"category": "list:uji"})
        job = RenderJob.objects.get()
        assert job.kind == "list" and job.status == "done", job.message
        assert seen["args"] == ("kec.utara", "64.74.01", "2026-S1")
        html, n = render.list_html(bontang["users"]["utara"], bontang["utara"], render.Period.parse("2026-S1"), "uji")
        assert n == 2 and html.count('<span class="box"></span>') == 2 and "Anak Uji Dua" in html
        assert client.post("/reports/print/bnba/?region=64.74.01", {"category": "list:none"}).status_code == 404
    finally:
        lists.LISTS.pop("uji")
