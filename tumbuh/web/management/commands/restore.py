"""tumbuh restore PATH --yes: replace the database with a backup made by `tumbuh backup`.

Stop `tumbuh serve` first. SQLite: the backup is checked (integrity, a Tumbuh database) before
anything is touched, then copied into the live file with the backup API (one transaction: a
failed restore leaves the old data). PostgreSQL: pg_restore --clean. Then run `tumbuh migrate`
(a backup from an older version is brought up to date) and `tumbuh refresh_analytics`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from .backup import database_kind, pg_url, sqlite_check


class Command(BaseCommand):
    help = "Replace the database with a backup made by `tumbuh backup` (stop the server first)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--yes", action="store_true", help="really replace the current data")

    def handle(self, *args, path, yes, **options):
        source_path = Path(path)
        if not source_path.is_file():
            raise CommandError(f"{source_path}: no such file")
        kind = database_kind()
        if not yes:
            raise CommandError("restore replaces every row of the current database; add --yes")
        connection.close()
        if kind == "sqlite":
            sqlite_check(source_path)
            source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
            dest = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]), timeout=30)
            try:
                source.backup(dest)
            finally:
                dest.close()
                source.close()
        else:
            import subprocess

            done = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner",
                                   f"--dbname={pg_url()}", str(source_path)], capture_output=True, text=True)
            if done.returncode != 0:
                raise CommandError(f"pg_restore failed: {done.stderr.strip()}")
        self.stdout.write(f"restored from {source_path}; now run `tumbuh migrate`")
