"""The background worker for django-tasks' database backend, run inside `tumbuh serve` on a
single machine (one thread beside the web server), or on its own: `tumbuh worker`
(= django-tasks-db's `db_worker`). See docs/operations.md."""

from __future__ import annotations

import logging
import os
import threading

from django.conf import settings

logger = logging.getLogger("tumbuh.worker")


def database_backend() -> bool:
    backend = settings.TASKS.get("default", {}).get("BACKEND", "") if hasattr(settings, "TASKS") else ""
    return backend.startswith("django_tasks_db")


def start_in_process() -> threading.Thread | None:
    """Start one worker thread in this process (web server and worker share it: fine for one
    machine; imports are one transaction each, run one after the other). Returns the thread, or
    None when the backend is not the database one (the immediate backend needs no worker)."""
    if not database_backend():
        return None
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(queue_names=["default"], interval=1.0, batch=False, backend_name="default",
                    startup_delay=False, max_tasks=None, worker_id=f"serve-{os.getpid()}",
                    excluded_queue_names=[])
    thread = threading.Thread(target=_run, args=(worker,), name="tumbuh-tasks", daemon=True)
    thread.start()
    return thread


def _run(worker) -> None:
    try:
        worker.run()  # no signal handlers in a thread: the web server's Ctrl+C ends the process
    except Exception:  # pragma: no cover  (logged; the web server goes on)
        logger.exception("background worker stopped")
