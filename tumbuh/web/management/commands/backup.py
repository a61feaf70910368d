"""tumbuh backup [PATH]: a consistent copy of the database while the server keeps running.

SQLite: the online backup API (pages copied under a read transaction, so a backup taken during
saves is a consistent snapshot), then an integrity check of the copy. PostgreSQL: pg_dump in
its custom format (restore with `tumbuh restore`, i.e. pg_restore). See docs/operations.md.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def database_kind() -> str:
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise CommandError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def pg_url() -> str:
    db = settings.DATABASES["default"]
    from urllib.parse import quote

    auth = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{auth}{'@' if auth else ''}{host}{port}/{db['NAME']}"


def sqlite_check(path: Path) -> None:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = con.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise CommandError(f"{path}: integrity check failed: {result}")
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name='django_migrations'").fetchone():
            raise CommandError(f"{path} is not a Tumbuh database (no django_migrations table)")
    except sqlite3.DatabaseError as exc:
        raise CommandError(f"{path} is not a readable SQLite database: {exc}") from exc
    finally:
        con.close()


class Command(BaseCommand):
    help = "Write a consistent backup of the database (SQLite online backup, or pg_dump)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="file to write (default: var/backups/tumbuh-<time>.…)")

    def handle(self, *args, path=None, **options):
        kind = database_kind()
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        suffix = ".sqlite3" if kind == "sqlite" else ".pgdump"
        target = Path(path) if path else settings.VAR_DIR / "backups" / f"tumbuh-{stamp}{suffix}"
        if target.exists():
            raise CommandError(f"{target} exists; choose another file")
        target.parent.mkdir(parents=True, exist_ok=True)
        if kind == "sqlite":
            source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]), timeout=30)
            dest = sqlite3.connect(str(target))
            try:
                with dest:
                    source.backup(dest)
            finally:
                dest.close()
                source.close()
            sqlite_check(target)
        else:
            import subprocess

            done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}",
                                   f"--dbname={pg_url()}"], capture_output=True, text=True)
            if done.returncode != 0:
                target.unlink(missing_ok=True)
                raise CommandError(f"pg_dump failed: {done.stderr.strip()}")
        target.chmod(0o600)  # children's personal data
        self.stdout.write(f"backup written: {target} ({target.stat().st_size:,} bytes)")
