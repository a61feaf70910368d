"""Web uploads imported in the background (django-tasks; the database backend by default, run
by `tumbuh worker` / `tumbuh db_worker`, or in-process by `tumbuh serve`).

The upload request stores the file, creates the batch as `queued` and enqueues `import_batch`;
it returns at once. The task imports the file with the same `run_import` as the command line:
one transaction, progress in the batch's progress file (polled by the report page), cancel
between chunks (rolled back: nothing imported)."""

from __future__ import annotations

from pathlib import Path

from django_tasks import task

from .framework import ImportFailed, ImportRefused, run_import
from .models import ImportBatch


@task()
def import_batch(batch_id: int) -> str:
    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.QUEUED).update(
        status=ImportBatch.Status.RUNNING)
    batch = ImportBatch.objects.select_related("user", "region").filter(pk=batch_id).first()
    if batch is None or not claimed:  # cancelled while queued, or already taken
        return batch.status if batch else "missing"
    path = Path(batch.stored_file)
    try:
        run_import(batch.source, path, user=batch.user, region_code=batch.region_id, batch=batch)
    except ImportRefused as exc:
        ImportBatch.objects.filter(pk=batch_id).update(status=ImportBatch.Status.FAILED, error=str(exc))
    except ImportFailed:
        pass  # the batch says why (failed or cancelled); nothing was imported
    finally:
        path.unlink(missing_ok=True)
        ImportBatch.objects.filter(pk=batch_id).update(stored_file="")
    return ImportBatch.objects.get(pk=batch_id).status


def enqueue(batch: ImportBatch) -> None:
    """Queue the batch (created and committed by the upload request: the worker must see it)."""
    result = import_batch.enqueue(batch.pk)
    ImportBatch.objects.filter(pk=batch.pk, task_id="").update(task_id=str(result.id)[:64])
