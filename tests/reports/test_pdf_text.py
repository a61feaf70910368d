"""What the PDFs say, read back with poppler (pdftotext/pdftoppm, Debian's poppler-utils, installed
by `make test-browser`): every headline number of the dashboard is in the semester report's text,
and each PDF is turned into PNG pages under test-artifacts/reports/ to look at."""

import io
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from tumbuh.coordination.models import Commitment, Meeting
from tumbuh.reports import services
from tumbuh.reports.models import RenderJob

from .test_semester_report import as_number, dashboard_numbers

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"


@pytest.fixture(autouse=True)
def _poppler():
    assert shutil.which("pdftotext") and shutil.which("pdftoppm"), \
        "poppler-utils missing: `make test-browser` installs it (apt-get install poppler-utils)"


def pdf_text(pdf: bytes, *, layout: bool = False) -> str:
    """The text in reading order (each box's text together), or as laid out on the page."""
    args = ["pdftotext", *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()


def to_png(pdf: bytes, name: str) -> list[Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "70", "-png", "-", str(ARTIFACTS / name)], input=pdf, check=True)
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


def render(client, url, data, capture) -> bytes:
    with capture(execute=True):
        client.post(url, data)
    job = RenderJob.objects.order_by("-pk").first()
    assert job.status == "done", job.message
    return client.get(f"/reports/jobs/{job.pk}/download/").content


def test_semester_report_pdf_and_xlsx_say_what_the_dashboard_says(client, bontang, django_capture_on_commit_callbacks):
    user = bontang["users"]["kota"]
    report = services.create_report(user, region=bontang["kota"], year=2026, semester=1)
    services.update_texts(user, report, problems="Cakupan timbang rendah", follow_up="Sweeping kader")
    report = services.finalise(user, report)
    page = dashboard_numbers(client, user, "64.74", "2026-S1")
    pdf = render(client, f"/reports/{report.pk}/action/", {"action": "pdf"}, django_capture_on_commit_callbacks)
    text = pdf_text(pdf)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "semester-report.txt").write_text(pdf_text(pdf, layout=True))
    flat = re.sub(r"\s+", " ", text)
    for key in ("stunting", "wasting", "underweight", "overweight"):
        rate, n = page[key]
        assert rate in flat and f"{n} balita" in flat, (key, rate, n)
    assert f"{page['ds']} · N/D" in flat  # D/S counts
    for _code, name, rate in page["ranking"]:
        assert re.search(rf"{re.escape(name)}\s.*?{re.escape(rate)}", flat), (name, rate)
    assert "Laporan Penyelenggaraan Percepatan Penurunan Stunting" in flat and "Kota Bontang" in flat
    assert re.search(r"Halaman 1 / \d+", flat) and "oleh tpps.bontang" in flat
    assert "III. Indikator sasaran Lampiran A" in flat and "Kesenjangan terbuka" in flat  # from their apps
    assert "Cakupan timbang rendah" in flat and "DRAF" not in flat  # finalised: no draft mark
    pages = to_png(pdf, "semester-report")
    assert len(pages) >= 3
    xlsx = render(client, f"/reports/{report.pk}/action/", {"action": "xlsx"}, django_capture_on_commit_callbacks)
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    rows = {r[0]: r for r in book.worksheets[1].iter_rows(values_only=True) if r and r[0]}
    assert rows["Stunting"][1] == as_number(page["stunting"][0])
    assert f"{rows['Stunting'][4]}/{rows['Stunting'][5]}" == page["stunting"][1]


def test_rakor_slides_and_print_list_pages(client, bontang, django_capture_on_commit_callbacks):
    import datetime as dt

    user = bontang["users"]["kota"]
    meeting = Meeting.objects.create(title="Rakor TPPS Semester I", date=dt.date(2026, 4, 20), region=bontang["kota"])
    Commitment.objects.create(region=bontang["kota"], meeting=meeting, what="Operasi timbang serentak",
                              due_date=dt.date(2026, 3, 31))
    client.force_login(user)
    slides = render(client, f"/reports/meetings/{meeting.pk}/", {"kind": "slides"}, django_capture_on_commit_callbacks)
    text = re.sub(r"\s+", " ", pdf_text(slides))
    assert "21,6%" in text and "Operasi timbang serentak" in text and "Slide 7 / 7" in text
    assert len(to_png(slides, "rakor-slides")) == 7
    handout = render(client, f"/reports/meetings/{meeting.pk}/", {"kind": "handout"}, django_capture_on_commit_callbacks)
    assert "Kesenjangan per OPD" in pdf_text(handout) and "Belum tersedia: modul konvergensi" not in pdf_text(handout)
    to_png(handout, "rakor-handout")
    client.force_login(bontang["users"]["utara"])
    listing = render(client, "/reports/print/bnba/?region=64.74.01&period=2026-S1", {"category": "stunted"},
                     django_capture_on_commit_callbacks)
    text = pdf_text(listing)
    assert "Anak Kuala 0003" in text and "10 anak dalam daftar ini" in text and "Anak Tanjung" not in text
    to_png(listing, "print-list-bnba")


def test_gap_and_indicator_numbers_in_the_pdf_and_xlsx_equal_their_pages(client, bontang,
                                                                         django_capture_on_commit_callbacks):
    """Sections III and V as printed (pdftotext) and as xlsx cells: the /indicators/ page's values
    and numerator/denominator, the /convergence/ page's gap count, and the day the gaps were counted."""
    user = bontang["users"]["kota"]
    report = services.finalise(user, services.create_report(user, region=bontang["kota"], year=2026, semester=1))
    client.force_login(user)
    pdf = render(client, f"/reports/{report.pk}/action/", {"action": "pdf"}, django_capture_on_commit_callbacks)
    flat = re.sub(r"\s+", " ", pdf_text(pdf))
    gaps_page = client.get("/convergence/?region=64.74").content.decode()
    count = int(re.search(r'id="gap-count">\s*(\d+)', gaps_page).group(1))
    conv = report.snapshot["sections"]["convergence"]
    assert count > 0 and conv["gaps"] == count and f"{count} kesenjangan terbuka" in flat
    laid_out = pdf_text(pdf, layout=True)  # a table row on one line
    for opd, n, overdue in conv["rows"]:
        assert re.search(rf"(?m)^\s*{re.escape(opd)}\s+{n}\s+{overdue}\s*$", laid_out), (opd, n, overdue)
    assert "Jumlah kesenjangan per" in flat and "bukan pada akhir semester (30 Jun 2026)" in flat
    page = client.get("/indicators/?region=64.74&period=2026-S1").content.decode()
    checked = 0
    for v in report.snapshot["sections"]["indicators"]["indicators"]:
        shown = re.search(rf'id="val-{re.escape(v["code"])}">(.*?)</td>', page)
        if shown and v["computable"] and not v["is_count"] and v["denominator"]:
            rate = re.sub(r"<[^>]+>", " ", shown.group(1)).split()[0]
            nd = re.search(rf'id="nd-{re.escape(v["code"])}">([^<]*)<', page).group(1).strip()
            num, den = (x.strip() for x in nd.split("/"))
            assert re.search(rf"{re.escape(num)} / {re.escape(den)} {re.escape(rate)}", flat), (v["code"], nd, rate)
            checked += 1
    assert checked >= 1
    xlsx = render(client, f"/reports/{report.pk}/action/", {"action": "xlsx"}, django_capture_on_commit_callbacks)
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    gaps = book["Konvergensi"]
    assert sum(r[1] for r in gaps.iter_rows(min_row=2, values_only=True) if r and r[0]) == count
    ind = {r[0]: r for r in book["Indikator"].iter_rows(min_row=2, values_only=True) if r and r[0]}
    for v in report.snapshot["sections"]["indicators"]["indicators"]:
        if v["computable"] and not v["is_count"]:
            assert (ind[v["name"]][2], ind[v["name"]][3]) == (v["numerator"], v["denominator"])


def test_distribution_day_list_pdf_pages(client, db, django_capture_on_commit_callbacks):
    """The distribution-day print list read back: the names the distribution page lists, boxes to
    tick; its pages go to test-artifacts/reports/ (docs/img/reports-distribution-list.png)."""
    from django.utils import timezone

    from tumbuh.accounts.models import Role
    from tumbuh.accounts.testing import build_world

    world = build_world()
    home = world.children["home"]
    client.force_login(world.users[Role.KABUPATEN])
    query = {"code": "PMT-BALITA", "posyandu": str(home.posyandu_id), "date": timezone.localdate().isoformat()}
    body = client.get("/interventions/distribution/", query).content.decode()
    names = set(re.findall(r'<div class="drow-who">\s*<strong>([^<]+)</strong>', body))
    pdf = render(client, "/reports/print/distribution/", query, django_capture_on_commit_callbacks)
    text = re.sub(r"\s+", " ", pdf_text(pdf))
    (ARTIFACTS / "print-list-distribution.txt").write_text(pdf_text(pdf, layout=True))
    assert names and all(word in text for name in names for word in name.split())  # a long name wraps in its cell
    assert f"{len(names)} orang dalam daftar ini" in text and "Hari distribusi: PMT-BALITA" in text
    assert world.siblings["home"].name not in text and world.children["other_desa"].name not in text
    assert len(to_png(pdf, "print-list-distribution")) >= 1
