"""Issue 8, item 8: a value far from the child's earlier ones (a height 14.5 cm lower than 18
days before, a weight 27% lower) is flagged like a WHO flag until someone confirms it: kept out of
the prevalence summary and the BNBA lists; counted once confirmed."""

import datetime as dt

import numpy as np
import pytest

from tumbuh.analytics import reports
from tumbuh.analytics.periods import Period
from tumbuh.analytics.summary import cell_totals
from tumbuh.analytics.testing import make_child
from tumbuh.measurements.models import Measurement
from tumbuh.measurements.services import record_measurement

BORN = dt.date(2023, 1, 10)
FIRST, SECOND = dt.date(2025, 1, 5), dt.date(2025, 1, 23)
JAN = Period(2025, "month", 1)


@pytest.fixture
def child(area):
    return make_child(area["kuala"], area["pos_kuala"], sex="F", born=BORN)


def _enter(child, on, weight, length, **kw):
    return record_measurement(child=child, measured_on=on, weight_kg=weight, length_cm=length,
                              position="h", source=Measurement.Source.IMPORT, **kw)


@pytest.mark.django_db
def test_a_far_off_value_is_left_out_until_confirmed(area, child, kota_user):
    _enter(child, dt.date(2024, 12, 18), 11.8, 86.0)
    _enter(child, FIRST, 12.0, 87.0)
    drop = _enter(child, SECOND, 8.76, 72.5)
    assert {w["code"] for w in drop.warnings} >= {"length_decrease", "weight_change"}
    assert drop.length_for_age_z < -3  # without the rule: sangat pendek, on the BNBA
    assert drop.awaiting_confirmation
    assert drop.length_for_age_flag and drop.weight_for_age_flag and drop.weight_for_length_flag
    assert drop.length_for_age_category == "" and not drop.below_red_line

    counts, totals = cell_totals(kota_user, area["kota"].code, JAN)
    assert totals["measured"] == 1  # the child is in the month ...
    assert counts["HA_n"].sum() == 0 and counts["WA_n"].sum() == 0  # ... its suspect indices are not
    assert reports.bnba(kota_user, area["kota"], JAN, "stunted").empty
    assert reports.bnba(kota_user, area["kota"], JAN, "BGM").empty

    confirmed = _enter(child, SECOND, 8.76, 72.5, confirmed=True)
    assert not confirmed.awaiting_confirmation and not confirmed.length_for_age_flag
    assert confirmed.length_for_age_category != ""
    counts, _totals = cell_totals(kota_user, area["kota"].code, JAN)
    assert counts["HA_n"].sum() == 1 and counts["WA_n"].sum() == 1
    stunted = reports.bnba(kota_user, area["kota"], JAN, "stunted")
    assert list(stunted["child_id"]) == [child.pk]


@pytest.mark.django_db
def test_a_who_flag_stays_out_even_when_confirmed(area, child):
    m = _enter(child, FIRST, 12.0, 40.0, confirmed=True)  # LAZ far below -6 at 2 years
    assert m.length_for_age_flag and np.isfinite(m.length_for_age_z)
    assert any(w["code"] == "implausible" for w in m.warnings)
