"""Operations on a real SQLite file (issue 16, items 13 and 17): concurrent saves are never lost
to "database is locked", and `tumbuh backup` / `tumbuh restore` round-trip the data.

These run the real settings in subprocesses against a migrated file in a temporary folder
(the test database is in memory and shares one connection, so it cannot show either)."""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SETUP = """
import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumbuh.settings")
import django
django.setup()
from django.db import connection, transaction
from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.regions.models import Region
from tumbuh.registry.models import Household
"""


def env_for(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUMBUH_", "DATABASE_URL", "DJANGO_"))}
    env["TUMBUH_VAR_DIR"] = str(var_dir)
    return env


def run(var_dir: Path, code: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-c", SETUP + textwrap.dedent(code), *args], env=env_for(var_dir),
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def tumbuh(var_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tumbuh.cli", *args], env=env_for(var_dir),
                          capture_output=True, text=True, timeout=300, cwd=ROOT)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("migrated")
    done = tumbuh(var_dir, "migrate", "-v0")
    assert done.returncode == 0, done.stderr
    run(var_dir, """
        with transaction.atomic():
            Region.objects.create(code="64", name="Kalimantan Timur", level="provinsi")
            Region.objects.create(code="64.74", name="Kota Bontang", level="kabupaten", parent_id="64")
            Region.objects.create(code="64.74.01", name="Bontang Utara", level="kecamatan", parent_id="64.74")
            Region.objects.create(code="64.74.01.1001", name="Guntung", level="desa", parent_id="64.74.01")
    """)
    return var_dir / "tumbuh.sqlite3"


@pytest.fixture
def var_dir(migrated, tmp_path):
    shutil.copy(migrated, tmp_path / "tumbuh.sqlite3")
    return tmp_path


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(var_dir):
    out = run(var_dir, """
        with connection.cursor() as c:
            print(c.execute("PRAGMA journal_mode").fetchone()[0], c.execute("PRAGMA busy_timeout").fetchone()[0])
    """).stdout.split()
    assert out[0] == "wal"
    assert int(out[1]) >= 20000


WRITER = """
worker, saves = sys.argv[1], int(sys.argv[2])
errors = 0
for n in range(saves):
    try:
        with transaction.atomic():
            Household.objects.create(desa_id="64.74.01.1001", address=f"w{worker}-{n}")
            record(None, AuditEvent.Action.LOGIN_FAILED, username=f"w{worker}")
    except Exception as exc:
        errors += 1
        print("ERROR", type(exc).__name__, exc)
print("done", worker, errors)
"""

HOLDER = """
# One long write (a big import chunk) holding the write lock longer than Python's default 5 s.
with transaction.atomic():
    Household.objects.create(desa_id="64.74.01.1001", address="holder")
    print("holding", flush=True)
    time.sleep(float(sys.argv[1]))
"""

READER = """
# Readers keep reading while writers write (WAL): none waits, none fails.
seen = 0
for _ in range(int(sys.argv[1])):
    with transaction.atomic():
        seen = Household.objects.count()
    time.sleep(0.02)
print("read", seen)
"""


def spawn(var_dir, code, *args):
    return subprocess.Popen([sys.executable, "-c", SETUP + textwrap.dedent(code), *args], env=env_for(var_dir),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def test_concurrent_saves_are_never_lost(var_dir):
    holder = spawn(var_dir, HOLDER, "6.5")
    assert holder.stdout.readline().strip() == "holding"
    workers = [spawn(var_dir, WRITER, str(i), "25") for i in range(4)]
    reader = spawn(var_dir, READER, "100")
    results = [p.communicate(timeout=240) for p in [holder, *workers, reader]]
    for p, (out, err) in zip([holder, *workers, reader], results, strict=True):
        assert p.returncode == 0, out + err
        assert "ERROR" not in out, out
    counted = run(var_dir, """
        print(Household.objects.count(), AuditEvent.objects.filter(action="login_failed").count())
    """).stdout.split()
    assert counted == ["101", "100"]  # 1 + 4 x 25 households, 4 x 25 audit rows: none lost


def test_backup_and_restore_round_trip(var_dir, tmp_path):
    run(var_dir, """
        for n in range(30):
            Household.objects.create(desa_id="64.74.01.1001", address=f"Jl. Kenari {n}", kk_number=f"647401010120{n:04d}")
    """)
    backup = tmp_path / "copy" / "tumbuh-backup.sqlite3"
    done = tumbuh(var_dir, "backup", str(backup))
    assert done.returncode == 0, done.stderr
    assert backup.is_file() and oct(backup.stat().st_mode & 0o777) == "0o600"
    # Life goes on after the backup: rows change, rows are deleted, rows are added.
    run(var_dir, """
        Household.objects.filter(address="Jl. Kenari 3").update(address="changed")
        Household.objects.filter(address__in=["Jl. Kenari 4", "Jl. Kenari 5"]).delete()
        Household.objects.create(desa_id="64.74.01.1001", address="after the backup")
    """)
    assert tumbuh(var_dir, "restore", str(backup)).returncode != 0  # refuses without --yes
    done = tumbuh(var_dir, "restore", str(backup), "--yes")
    assert done.returncode == 0, done.stderr
    out = run(var_dir, """
        print(Household.objects.count(), Household.objects.filter(address="Jl. Kenari 3").count(),
              Household.objects.filter(address="after the backup").count(),
              Household.objects.filter(kk_number="6474010101200029").count())
    """).stdout.split()
    assert out == ["30", "1", "0", "1"]


def test_restore_refuses_a_file_that_is_not_a_tumbuh_backup(var_dir, tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    done = tumbuh(var_dir, "restore", str(junk), "--yes")
    assert done.returncode != 0 and "not a readable SQLite database" in done.stderr
    other = tmp_path / "other.sqlite3"
    import sqlite3

    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    done = tumbuh(var_dir, "restore", str(other), "--yes")
    assert done.returncode != 0 and "not a Tumbuh database" in done.stderr
    # The live data is untouched.
    assert run(var_dir, "print(Region.objects.count())").stdout.strip() == "4"


def test_backup_refuses_to_overwrite(var_dir, tmp_path):
    target = tmp_path / "exists.sqlite3"
    target.write_text("x")
    done = tumbuh(var_dir, "backup", str(target))
    assert done.returncode != 0 and "exists" in done.stderr


def test_serve_with_several_worker_processes(tmp_path):
    import signal
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**env_for(tmp_path), "TUMBUH_DEMO": "1"}
    server = subprocess.Popen([sys.executable, "-m", "tumbuh.cli", "serve", "--port", str(port), "--workers", "2",
                               "--threads", "2"], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 90
        answers = []
        while time.time() < deadline and len(answers) < 4:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=10) as r:
                    answers.append(r.status)
            except OSError:
                time.sleep(0.5)
        assert answers == [200] * 4
        children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) == 2
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    for pid in children:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()


PG_URL = os.environ.get("DATABASE_URL", "")


@pytest.mark.skipif(not PG_URL.startswith("postgres"), reason="PostgreSQL only (make test-pg, .ci/run)")
def test_backup_and_restore_round_trip_on_postgresql(tmp_path):
    """The pg_dump/pg_restore path of `tumbuh backup` / `tumbuh restore`, on a scratch database of
    the same server (never the test database the other workers use)."""
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = f"tumbuh_backup_{uuid.uuid4().hex[:8]}"
    scratch = urlunsplit(urlsplit(PG_URL)._replace(path="/" + name))
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        var_dir = tmp_path / "var"

        def env():
            return {**env_for(var_dir), "DATABASE_URL": scratch}

        def sh(*args):
            return subprocess.run([sys.executable, "-m", "tumbuh.cli", *args], env=env(), capture_output=True,
                                  text=True, timeout=600, cwd=ROOT)

        def py(code):
            done = subprocess.run([sys.executable, "-c", SETUP + textwrap.dedent(code)], env=env(),
                                  capture_output=True, text=True, timeout=300, cwd=ROOT)
            assert done.returncode == 0, done.stdout + done.stderr
            return done.stdout.split()

        assert sh("migrate", "-v0").returncode == 0
        py("""
            Region.objects.create(code="64", name="Kalimantan Timur", level="provinsi")
            Region.objects.create(code="64.74", name="Kota Bontang", level="kabupaten", parent_id="64")
            Region.objects.create(code="64.74.01", name="Bontang Utara", level="kecamatan", parent_id="64.74")
            Region.objects.create(code="64.74.01.1001", name="Guntung", level="desa", parent_id="64.74.01")
            for n in range(30):
                Household.objects.create(desa_id="64.74.01.1001", address=f"Jl. Kenari {n}", kk_number=f"647401010120{n:04d}")
        """)
        backup = tmp_path / "tumbuh.pgdump"
        done = sh("backup", str(backup))
        assert done.returncode == 0, done.stderr
        assert oct(backup.stat().st_mode & 0o777) == "0o600"
        py("""
            Household.objects.filter(address="Jl. Kenari 3").update(address="changed")
            Household.objects.filter(address__in=["Jl. Kenari 4", "Jl. Kenari 5"]).delete()
            Household.objects.create(desa_id="64.74.01.1001", address="after the backup")
        """)
        done = sh("restore", str(backup), "--yes")
        assert done.returncode == 0, done.stderr
        assert py("""
            print(Household.objects.count(), Household.objects.filter(address="Jl. Kenari 3").count(),
                  Household.objects.filter(address="after the backup").count())
        """) == ["30", "1", "0"]
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
