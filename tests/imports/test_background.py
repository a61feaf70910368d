"""Web imports in the background: the request returns at once, progress is polled, a cancel
rolls the import back (nothing imported)."""

import pytest
from django.urls import reverse

from tumbuh.imports.models import ImportBatch
from tumbuh.imports.progress import Channel
from tumbuh.imports.tasks import import_batch
from tumbuh.measurements.models import Measurement
from tumbuh.registry.models import Person

from .helpers import ugly_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def upload(client, user, path):
    client.force_login(user)
    with path.open("rb") as handle:
        return client.post(reverse("imports:upload"), {"file": handle, "region": "64.74"})


def test_the_upload_returns_at_once_and_the_page_polls_until_done(queued, client, kota_user, tmp_path):
    path, rows, _n = ugly_file(tmp_path, "csv_semicolon")
    response = upload(client, kota_user, path)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:report", args=[batch.pk])
    assert batch.status == "queued" and batch.task_id and Measurement.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert f'hx-get="{reverse("imports:progress", args=[batch.pk])}"' in page and "antrean" in page
    assert "Batalkan" in page  # the uploader may cancel

    # the worker runs the task: chunks of 10 rows report progress as they go
    seen = []
    original = Channel.advance
    Channel.advance = lambda self, done: (seen.append(done), original(self, done))[1]
    try:
        from tumbuh.imports import framework
        framework.CHUNK_ROWS, old = 10, framework.CHUNK_ROWS
        import_batch.call(batch.pk)
    finally:
        Channel.advance = original
        framework.CHUNK_ROWS = old
    batch.refresh_from_db()
    assert batch.status == "done" and batch.total_rows + batch.blank_rows == len(rows)
    assert seen and seen == sorted(seen) and seen[-1] == len(rows)
    assert not batch.stored_file  # the stored upload is removed
    state = client.get(reverse("imports:progress", args=[batch.pk]))
    assert state["HX-Refresh"] == "true"  # the page reloads into the report
    assert Channel(batch.pk).read()["state"] == "done"


def test_progress_while_running(queued, client, kota_user, tmp_path):
    path, _rows, _n = ugly_file(tmp_path, "csv_semicolon")
    upload(client, kota_user, path)
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(status="running")
    Channel(batch.pk).write(state="running", done=30, total=120)
    fragment = client.get(reverse("imports:progress", args=[batch.pk]))
    assert "HX-Refresh" not in fragment and 'value="25"' in fragment.content.decode()


def test_a_cancelled_running_import_leaves_nothing(queued, client, kota_user, tmp_path):
    path, _rows, _n = ugly_file(tmp_path, "csv_semicolon")
    upload(client, kota_user, path)
    batch = ImportBatch.objects.get()
    people = Person.objects.count()
    from tumbuh.imports import framework
    from tumbuh.imports.services import EppgbmImporter

    # cancel after the first chunk has been written inside the transaction
    original = EppgbmImporter.process
    calls = []

    def process_then_cancel(self, rows):
        original(self, rows)
        calls.append(len(rows))
        if len(calls) == 1:
            # On PostgreSQL the chunk's COPYs run in the importer's helper thread; the importer
            # waits for them before it touches the database itself, and so must this check (or
            # it can run before the COPY starts and find nothing: a flaky failure under load).
            self.copier.wait()
            assert Measurement.objects.exists()  # written, not committed
            Channel(self.batch.pk).cancel("tpps_bontang")

    framework.CHUNK_ROWS, old = 10, framework.CHUNK_ROWS
    EppgbmImporter.process = process_then_cancel
    try:
        import_batch.call(batch.pk)
    finally:
        EppgbmImporter.process = original
        framework.CHUNK_ROWS = old
    batch.refresh_from_db()
    assert len(calls) == 1 and batch.status == "cancelled" and "tpps_bontang" in batch.error, batch.error
    assert Measurement.objects.count() == 0 and Person.objects.count() == people
    assert "dibatalkan" in client.get(reverse("imports:report", args=[batch.pk])).content.decode().lower()


def test_a_queued_import_cancelled_never_starts(queued, client, kota_user, desa_user, tmp_path):
    path, _rows, _n = ugly_file(tmp_path, "csv_semicolon")
    upload(client, kota_user, path)
    batch = ImportBatch.objects.get()
    client.force_login(desa_user)  # sees the batch, did not upload it
    assert client.post(reverse("imports:cancel", args=[batch.pk])).status_code == 404
    client.force_login(kota_user)
    assert client.post(reverse("imports:cancel", args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    assert batch.status == "cancelled"
    assert import_batch.call(batch.pk) == "cancelled" and Measurement.objects.count() == 0


def test_the_database_backend_and_its_worker_import_a_queued_upload(settings, client, kota_user, tmp_path,
                                                                    monkeypatch):
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.management.commands.db_worker import Worker

    # The worker checks its connection between tasks (close_old_connections), which on PostgreSQL
    # closes the one connection this test holds inside its transaction. A real worker has its own
    # connection; here the check is skipped (a transactional test would flush the database under
    # the session-wide worlds other tests on the same xdist worker share).
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    path, rows, _n = ugly_file(tmp_path, "csv_semicolon")
    upload(client, kota_user, path)
    batch = ImportBatch.objects.get()
    assert batch.status == "queued"
    Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=None, worker_id="test", excluded_queue_names=[]).run()  # what `tumbuh worker` runs
    batch.refresh_from_db()
    assert batch.status == "done" and batch.total_rows + batch.blank_rows == len(rows)
