"""Out-of-scope ids answer 404 and are written in the audit log as attempts (issue 16 item 11),
rate-limited per user so a script walking ids cannot flood the log."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tumbuh.accounts.middleware import ATTEMPTS_PER_WINDOW
from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import build_world
from tumbuh.audit.models import AuditEvent


@pytest.fixture
def world(db):
    cache.clear()
    return build_world()


def denied(user):
    return AuditEvent.objects.filter(user=user, action=AuditEvent.Action.DENIED)


def test_an_outside_child_id_is_a_recorded_attempt(client, world):
    user = world.users[Role.CADRE]
    outside = world.children["other_kabupaten"]
    client.force_login(user)
    assert client.get(f"/registry/children/{outside.pk}/").status_code == 404
    event = denied(user).get()
    assert event.detail["status"] == 404 and event.detail["kwargs"] == {"pk": str(outside.pk)}
    assert str(outside.pk) in event.summary


def test_own_child_is_not_an_attempt(client, world):
    user = world.users[Role.CADRE]
    client.force_login(user)
    assert client.get(f"/registry/children/{world.children['home'].pk}/").status_code == 200
    assert not denied(user).exists()


def test_attempts_are_rate_limited_per_user(client, world):
    user = world.users[Role.CADRE]
    outside = world.children["other_kabupaten"]
    client.force_login(user)
    for _ in range(ATTEMPTS_PER_WINDOW + 10):
        client.get(f"/registry/children/{outside.pk}/")
    events = list(denied(user))
    assert len(events) == ATTEMPTS_PER_WINDOW + 1
    assert sum("not recorded" in e.detail.get("note", "") for e in events) == 1


def test_anonymous_probes_write_nothing(client, world):
    before = AuditEvent.objects.count()
    assert client.get(f"/registry/children/{world.children['home'].pk}/").status_code == 302
    assert AuditEvent.objects.count() == before
