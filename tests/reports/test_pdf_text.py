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
    assert "Belum tersedia" in flat  # the sections whose sources are not installed say so
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
    assert "Kesenjangan per OPD" in pdf_text(handout)
    to_png(handout, "rakor-handout")
    client.force_login(bontang["users"]["utara"])
    listing = render(client, "/reports/print/bnba/?region=64.74.01&period=2026-S1", {"category": "stunted"},
                     django_capture_on_commit_callbacks)
    text = pdf_text(listing)
    assert "Anak Kuala 0003" in text and "10 anak dalam daftar ini" in text and "Anak Tanjung" not in text
    to_png(listing, "print-list-bnba")
