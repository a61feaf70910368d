"""Production defaults (issue 16, items 7 and 8): no serving on the published key, a documented
production configuration that `check --deploy` accepts, security headers on every page, and a
demo notice only on demo instances."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tumbuh.accounts.models import Role, User
from tumbuh.accounts.testing import build_world

ROOT = Path(__file__).resolve().parents[2]


def documented_production_env() -> dict[str, str]:
    text = (ROOT / "docs" / "operations.md").read_text()
    block = text.split("<!-- production-env -->")[1].split("<!-- /production-env -->")[0]
    pairs = re.findall(r"^export (\w+)='([^']*)'|^export (\w+)=(\S+)", block, flags=re.M)
    env = {}
    for a, b, c, d in pairs:
        env[a or c] = b or d
    assert "TUMBUH_SECRET_KEY" in env and len(env) >= 5
    return env


def tumbuh(args, env_extra, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUMBUH_", "DATABASE_URL", "DJANGO_"))}
    env.update({"TUMBUH_VAR_DIR": str(tmp_path), **env_extra})
    return subprocess.run([sys.executable, "-m", "tumbuh.cli", *args], env=env, capture_output=True,
                          text=True, timeout=120, cwd=ROOT)


def test_check_deploy_is_clean_in_the_documented_production_configuration(tmp_path):
    env = documented_production_env()
    env.pop("DATABASE_URL")  # the check needs no database; keep the test independent of a server
    done = tumbuh(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_fails_on_the_defaults(tmp_path):
    done = tumbuh(["check", "--deploy"], {}, tmp_path)
    assert done.returncode != 0
    out = done.stdout + done.stderr
    assert "tumbuh.E001" in out  # the published key
    assert "security.W004" in out or "security.W008" in out  # no HSTS / no https redirect


def test_check_deploy_refuses_demo_mode(tmp_path):
    env = {**documented_production_env(), "TUMBUH_DEMO": "1"}
    env.pop("DATABASE_URL")
    assert "tumbuh.E002" in tumbuh(["check", "--deploy"], env, tmp_path).stderr


def test_default_allowed_hosts_leave_out_testserver(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", "import tumbuh.settings as s; print(s.ALLOWED_HOSTS, s.SECRET_KEY)"],
        env={"PATH": os.environ["PATH"], "TUMBUH_VAR_DIR": str(tmp_path)}, capture_output=True, text=True,
        cwd=ROOT,
    )
    assert "testserver" not in done.stdout and "localhost" in done.stdout


def test_a_demo_instance_gets_its_own_key(tmp_path):
    code = "import tumbuh.settings as s; print(s.SECRET_KEY)"
    env = {"PATH": os.environ["PATH"], "TUMBUH_VAR_DIR": str(tmp_path), "TUMBUH_DEMO": "1"}
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    again = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    assert first.stdout == again.stdout  # kept, so sessions survive a restart
    assert "insecure" not in first.stdout and len(first.stdout.strip()) >= 50


def test_serve_refuses_the_published_key_outside_demo_mode(settings):
    settings.SECRET_KEY = settings.INSECURE_DEFAULT_SECRET_KEY
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="TUMBUH_SECRET_KEY"):
        call_command("serve", "--port", "1")


@pytest.mark.django_db
def test_pages_and_downloads_carry_security_headers_and_no_store(client):
    world = build_world(with_measurements=False)
    client.force_login(world.users[Role.KABUPATEN])
    for url in [reverse("web:home"), reverse("registry:child_list"), reverse("analytics:bnba") + "?format=xlsx",
                reverse("accounts:login")]:
        answer = client.get(url)
        assert answer.status_code in (200, 302), url
        assert "no-store" in answer["Cache-Control"], url
        csp = answer["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert "camera=()" in answer["Permissions-Policy"]
        assert answer["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_login_page_announces_a_demo_instance_only_in_demo_mode(client, settings):
    settings.DEMO_MODE = True
    assert "Instans demo" in client.get(reverse("accounts:login")).content.decode()
    settings.DEMO_MODE = False
    assert "Instans demo" not in client.get(reverse("accounts:login")).content.decode()


@pytest.mark.django_db
def test_no_superuser_exists_unless_the_demo_creates_it():
    # Migrations and the app's start-up create no account at all; only `tumbuh demo` makes `admin`.
    assert not User.objects.filter(is_superuser=True).exists()
    assert not User.objects.filter(username="admin").exists()
