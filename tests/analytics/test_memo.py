"""The memoized dashboard (analytics/memo.py): reused while nothing was written, fresh on the
first request after any write, never shared between scopes.

The memo is bypassed inside a transaction, and every test here runs inside the test's own
transaction, so the fixture lifts that rule (`_in_transaction`); the last test checks the rule
itself. (A transactional test would flush the database under the session-wide worlds other tests
on the same xdist worker share.) Writes here go through the same signals as in production, and
the data version row is read on the same connection, so a write is seen as committed."""

import datetime as dt
import re

import pytest

from tumbuh.accounts.models import Role
from tumbuh.analytics import memo, reports
from tumbuh.analytics.testing import build_area, make_child, make_user, measure
from tumbuh.audit.models import AuditEvent

JAN = dt.date(2025, 1, 20)


def stunting(html):
    m = re.search(r'id="kpi-stunting".*?class="kpi-n">(\d+)/(\d+)<', html, re.S)
    return int(m.group(1)), int(m.group(2))


@pytest.fixture
def counted(monkeypatch):
    calls = []
    real = reports.dashboard

    def spy(*args, **kwargs):
        calls.append(args[1].code)
        return real(*args, **kwargs)

    monkeypatch.setattr(reports, "dashboard", spy)
    monkeypatch.setattr(memo, "_in_transaction", lambda: False)
    memo.clear()
    yield calls
    memo.clear()


@pytest.mark.django_db
def test_the_dashboard_is_computed_once_until_a_write_then_shows_it(client, counted):
    area = build_area()
    child = make_child(area["kuala"], area["pos_kuala"])
    measure(child, JAN, haz=-2.5, whz=0.0, waz=-1.0)
    client.force_login(make_user(Role.KABUPATEN, region=area["kota"]))
    query = {"region": "64.74", "period": "2025-01"}

    assert stunting(client.get("/analytics/", query).content.decode()) == (1, 1)
    assert stunting(client.get("/analytics/", query).content.decode()) == (1, 1)
    assert len(counted) == 1  # the second request reused the figures
    # Reads write the audit log: that is not a data change.
    assert AuditEvent.objects.exists()
    before = memo.version()
    client.get("/analytics/", query)
    assert memo.version() == before and len(counted) == 1

    other = make_child(area["tanjung"], area["pos_tanjung"])
    measure(other, JAN, haz=0.5, whz=0.0, waz=0.0)
    assert memo.version() > before
    assert stunting(client.get("/analytics/", query).content.decode()) == (1, 2)
    assert len(counted) == 2


@pytest.mark.django_db
def test_two_scopes_never_share_figures_and_colleagues_do(client, counted):
    area = build_area()
    measure(make_child(area["kuala"], area["pos_kuala"]), JAN, haz=-2.5, whz=0.0, waz=-1.0)
    measure(make_child(area["tanjung"], area["pos_tanjung"]), JAN, haz=-2.5, whz=0.0, waz=-1.0)
    kota_a = make_user(Role.KABUPATEN, region=area["kota"])
    kota_b = make_user(Role.KABUPATEN, region=area["kota"])
    utara = make_user(Role.KECAMATAN, region=area["utara"])
    query = {"period": "2025-01"}

    client.force_login(kota_a)
    assert stunting(client.get("/analytics/", query).content.decode()) == (2, 2)
    client.force_login(utara)
    assert stunting(client.get("/analytics/", query).content.decode()) == (1, 1)
    client.force_login(kota_b)
    assert stunting(client.get("/analytics/", query).content.decode()) == (2, 2)
    assert counted == ["64.74", "64.74.01"]  # kota_b shared kota_a's figures, utara had its own


@pytest.mark.django_db
def test_inside_a_transaction_nothing_is_kept(monkeypatch):
    from django.db import transaction

    memo.clear()
    with transaction.atomic():
        assert memo._in_transaction()  # the real rule sees the transaction
    n = []
    assert memo.memoized("t", 1, lambda: n.append(1) or len(n)) == 1
    assert memo.memoized("t", 1, lambda: n.append(1) or len(n)) == 2  # computed again, nothing kept
    monkeypatch.setattr(memo, "_in_transaction", lambda: False)
    assert memo.memoized("t", 1, lambda: n.append(1) or len(n)) == 3
    assert memo.memoized("t", 1, lambda: n.append(1) or len(n)) == 3  # now kept
    memo.clear()
