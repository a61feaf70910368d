import datetime as dt

import numpy as np
import pytest

from tumbuh.analytics.periods import Period, period_index
from tumbuh.analytics.stats import normal_quantile, t_quantile


@pytest.mark.parametrize(("df", "expected"), [
    # R: qt(0.975, df)
    (1, 12.706204736), (2, 4.302652730), (4, 2.776445105), (9, 2.262157163), (29, 2.045229642),
    (100, 1.983971519), (5000, 1.960438552), (10**7, 1.959964222),
])
def test_t_quantile_matches_r(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-7)


def test_normal_quantile():
    assert normal_quantile(0.975) == pytest.approx(1.959963984540054, abs=1e-12)
    assert normal_quantile(0.001) == pytest.approx(-3.090232306167813, abs=1e-9)


def test_period_keys_round_trip_and_dates():
    for key, start, end in [("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
                            ("2025-S2", dt.date(2025, 7, 1), dt.date(2025, 12, 31)),
                            ("2024-Q1", dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
                            ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
                            ("2025-B08", dt.date(2025, 8, 1), dt.date(2025, 8, 31))]:
        p = Period.parse(key)
        assert (p.key, p.start, p.end) == (key, start, end)
    with pytest.raises(ValueError):
        Period.parse("2025-13")


def test_period_shift_and_containing():
    assert Period.parse("2025-01").previous().key == "2024-12"
    assert Period.parse("2025-Q1").shift(-5).key == "2023-Q4"
    assert Period.parse("2025-B02").previous().key == "2024-B08"
    assert Period.parse("2025-B08").shift(1).key == "2026-B02"
    assert Period.containing(dt.date(2025, 1, 20), "weighing").key == "2024-B08"
    assert Period.containing(dt.date(2025, 5, 20), "weighing").key == "2025-B02"
    assert [p.key for p in Period.parse("2025-S1").history(3)] == ["2024-S1", "2024-S2", "2025-S1"]


def test_period_index_leaves_gaps_out():
    periods = [Period.parse("2025-B02"), Period.parse("2025-B08")]
    days = np.array(["2025-01-31", "2025-02-01", "2025-02-28", "2025-05-05", "2025-08-31", "2025-09-01"],
                    dtype="datetime64[D]")
    assert period_index(days, periods).tolist() == [-1, 0, 0, -1, 1, -1]
