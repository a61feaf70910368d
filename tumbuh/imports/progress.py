"""Progress and cancel of a running import, readable and writable outside its transaction.

An import is one database transaction, so what it writes to the database is invisible to
anyone else until it commits (and on SQLite the import holds the write lock). Progress and the
cancel request therefore go through a small file per batch in `VAR_DIR/imports/progress/`:
the importer writes `{"state", "done", "total"}` after each chunk (atomically: write + rename)
and checks for `<batch>.cancel` before each chunk. The web page polls the file through the
batch's progress view. One machine (or a shared VAR_DIR) is assumed: see docs/operations.md.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from django.conf import settings


def folder() -> Path:
    path = Path(settings.VAR_DIR) / "imports" / "progress"
    path.mkdir(parents=True, exist_ok=True)
    return path


class Channel:
    def __init__(self, batch_id: int):
        self.batch_id = batch_id
        self.path = folder() / f"{batch_id}.json"
        self.cancel_path = folder() / f"{batch_id}.cancel"
        self._last = 0.0

    def read(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def write(self, **values) -> None:
        data = {**self.read(), **values, "at": time.time()}
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, self.path)

    def advance(self, done: int) -> None:
        now = time.monotonic()
        if now - self._last >= 0.5:  # at most twice a second
            self._last = now
            self.write(state="running", done=done)

    def cancel(self, by: str) -> None:
        self.cancel_path.write_text(by or "?", encoding="utf-8")

    def cancelled_by(self) -> str | None:
        try:
            return self.cancel_path.read_text(encoding="utf-8") or "?"
        except OSError:
            return None
