"""The web app's own figures on the data loaded into the test database, and the comparisons the
engine tests make against them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tumbuh.analytics import reports, summary
from tumbuh.analytics.prevalence import INDICES
from tumbuh.analytics.selectors import measurement_frame
from tumbuh.regions.models import Region
from tumbuh.scale import partials

# Columns computed from z sums (mean, its SE/CI, SD): float sums in numpy vs exact integer sums
# in the engines differ by rounding only: the mean by < 1e-9; SE and SD go through
# ss = sum(z^2) - sum(z) * mean, whose rounding noise (~1e-16 * sum(z^2)) becomes ~1e-8 under the
# square root where ss is 0 (a cell whose children share one z). Every other column comes from
# integer counts and is compared exactly.
MEAN_COLUMNS = {f"{label}_r": 1e-9 for label, _, _ in INDICES} | {
    f"{label}_{s}": 1e-7 for label, _, _ in INDICES for s in ("se", "ll", "ul", "stdev")}


def assert_tables_equal(a: pd.DataFrame, b: pd.DataFrame, exact_means: bool = False) -> None:
    assert list(a.columns) == list(b.columns)
    assert a["Group"].tolist() == b["Group"].tolist()
    for col in a.columns[3:]:
        x, y = a[col].to_numpy(float), b[col].to_numpy(float)
        if col in MEAN_COLUMNS and not exact_means:
            close = np.isclose(x, y, rtol=0, atol=MEAN_COLUMNS[col], equal_nan=True)
            assert close.all(), (col, a["Group"][~close].tolist(), x[~close], y[~close])
        else:
            assert np.array_equal(x, y, equal_nan=True), (col, x, y)


def web_prevalence(user, region_code: str, period, summary_table: bool = False):
    region = Region.objects.get(code=region_code)
    if summary_table:
        return reports.prevalence_report(user, region, period)
    return reports.prevalence_report_from_rows(user, region, period)


def web_convergence(user, region_code: str, on, by: str | None):
    frame = measurement_frame(user, region_code, on - pd.Timedelta(days=800), on)
    length = partials.UNIT_LENGTHS[by] if by else None
    return partials.convergence_from_rows(
        frame, on, (lambda s: s.astype(str).str[:length]) if length else (lambda s: pd.Series([region_code] * len(s))))


def rebuild():
    summary.rebuild_summaries()
