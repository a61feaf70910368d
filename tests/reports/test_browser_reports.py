"""In Chromium: the kota team starts its semester report, writes the problems, asks for the PDF;
the page shows the job waiting, a worker renders it, and the page (htmx, polling) turns into the
download link by itself. At phone width too."""

import pytest
from playwright.sync_api import expect

from tumbuh.accounts.models import Role
from tumbuh.analytics.testing import build_area, make_user
from tumbuh.reports.models import RenderJob

from .conftest import populate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kota(transactional_db):
    """The live server reads committed rows: the area built outside a test transaction."""
    area = build_area()
    populate(area)
    return make_user(Role.KABUPATEN, region=area["kota"], username="tpps.bontang")


def test_report_pdf_rendered_in_the_background_page_polls(live_server, new_page, shot, login, kota, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # a real queue, no worker yet
    page = new_page(width=390, height=844, mobile=True)
    login(page, live_server, "tpps.bontang", "x-pass-123456")
    page.goto(f"{live_server.url}/reports/?year=2026&semester=1")
    page.click("#own-report button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Laporan semester: Kota Bontang")
    expect(page.locator("#report-kpi-stunting")).to_contain_text("21,6%")
    page.fill("textarea[name=problems]", "Cakupan penimbangan belum merata")
    page.click("button[value=save]")
    expect(page.locator(".messages")).to_contain_text("Tersimpan")
    page.click("#render-pdf")
    expect(page.locator("#job-state")).to_contain_text("Menunggu")
    shot(page, "reports-job-waiting-phone")
    job = RenderJob.objects.get()
    assert job.status == "queued"
    from tumbuh.reports.tasks import render_job

    render_job.call(job.pk)  # what `tumbuh db_worker` does with the queued task
    expect(page.locator("#job-download")).to_be_visible(timeout=10_000)
    expect(page.locator("#job-progress")).to_have_attribute("value", "100")
    shot(page, "reports-job-ready-phone")
    with page.expect_download() as download:
        page.click("#job-download")
    assert download.value.suggested_filename == "laporan-semester-1-2026-6474-v1.pdf"
    page.goto(f"{live_server.url}/reports/{job.report_id}/")
    shot(page, "reports-detail-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400  # no sideways scrolling at 390 px
