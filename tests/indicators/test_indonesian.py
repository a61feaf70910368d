"""The indicator pages and files speak Indonesian (the project guard's checks, on this app's pages
only, with hand-built data: the full guard walks every page of the demo)."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest
from django.urls import reverse

from tumbuh.accounts.models import Role
from tumbuh.analytics.testing import build_area, make_child, make_user, measure

_spec = importlib.util.spec_from_file_location(
    "indonesian_guard", Path(__file__).resolve().parents[1] / "web" / "test_indonesian_everywhere.py")
guard = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(guard)
missing_msgids = guard.missing_msgids  # the guard's fixture: every untranslated gettext lookup


@pytest.mark.parametrize("role", [Role.DESA, Role.KABUPATEN])
def test_indicator_pages_speak_indonesian(client, db, missing_msgids, role):
    area = build_area()
    kid = make_child(area["kuala"], area["pos_kuala"], born=dt.date(2026, 1, 1))
    measure(kid, dt.date(2026, 5, 10), haz=-2.5, whz=0)
    client.force_login(make_user(role, region=area["kuala"] if role == Role.DESA else area["kota"]))
    problems = []
    for name, queries in [("indicators:scorecard", [{"period": "2026-Q2"}, {"period": "2026-Q2", "format": "xlsx"},
                                                    {"period": "2026-Q2", "print": "1", "mode": "opensid"}]),
                          ("indicators:scorecard_trend", [{"period": "2026-Q2"}]),
                          ("indicators:ranpasti", [{"period": "2026-S1"}, {"period": "2026-S1", "format": "xlsx"}]),
                          ("indicators:outcome", [{}]), ("indicators:settings", [{}])]:
        for query in queries:
            response = client.get(reverse(name), query)
            assert response.status_code == 200, (name, query)
            problems += guard.problems_of(response, reverse(name))
    assert not problems, problems
    assert not missing_msgids, missing_msgids
