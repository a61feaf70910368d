"""`tumbuh rederive_targets`: time passing re-derives KRS verdicts (a baby ages out of baduta)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from tumbuh.accounts.testing import build_world
from tumbuh.registry.models import Person
from tumbuh.targets import rules
from tumbuh.targets.models import KrsSnapshot


@pytest.fixture
def world(db):
    return build_world(with_measurements=False)


def test_a_baby_ages_out_of_baduta_without_any_write(world):
    household = world.households["home"]
    start, _end = rules.semester_bounds(rules.semester_of(dt.date.today()))
    day1, day2 = start + dt.timedelta(days=10), start + dt.timedelta(days=20)
    members = Person.objects.filter(household=household)
    # Everyone in the household past five except one baby, who turns two between day1 and day2.
    members.exclude(pk=world.children["home"].pk).update(birth_date=day1 - dt.timedelta(days=365 * 30))
    Person.objects.filter(pk=world.children["home"].pk).update(birth_date=day1 - dt.timedelta(days=725))
    snap = KrsSnapshot.objects.create(household=household, desa_id=household.desa_id,
                                      period=rules.semester_of(day1))
    out = io.StringIO()
    call_command("rederive_targets", "--on", day1.isoformat(), "--region", "64.74", stdout=out)
    snap.refresh_from_db()
    assert snap.baduta == 1 and snap.balita == 0  # balita here: 24-59 months (PK21)
    out = io.StringIO()
    call_command("rederive_targets", "--on", day2.isoformat(), "--region", "64.74", stdout=out)
    snap.refresh_from_db()
    assert snap.baduta == 0 and snap.balita == 1
    assert "1 berubah" in out.getvalue()
    # Nothing moved the second time on the same day.
    out = io.StringIO()
    call_command("rederive_targets", "--on", day2.isoformat(), stdout=out)
    assert "0 berubah" in out.getvalue()


def test_a_bad_date_is_refused_in_indonesian(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="bukan tanggal"):
        call_command("rederive_targets", "--on", "31-02-2026")
