"""DuckDB over the generated Parquet == the web app's analytics on the same rows in the database,
for prevalence (WHO table with CIs), coverage (D/S, N/D) and the convergence aggregate."""

import datetime as dt

import numpy as np
import pytest

from tumbuh.analytics.periods import Period
from tumbuh.analytics.testing import make_user
from tumbuh.scale import partials
from tumbuh.scale.duck import DuckEngine
from tumbuh.scale.testing import load_into_db

from .reference import assert_tables_equal, rebuild, web_convergence, web_prevalence

LAST = Period.parse("2026-10")
QUARTER = Period.parse("2026-Q3")


@pytest.fixture
def loaded(db, generated):
    counts = load_into_db(generated)
    assert counts["measurements"] > 1000
    return counts


@pytest.fixture
def duck(generated):
    engine = DuckEngine(generated, threads=2, memory_limit="512MB")
    yield engine
    engine.close()


def _regions(duck):
    kab = sorted(duck("SELECT DISTINCT kabkota FROM measurements")["kabkota"])
    desa = duck(f"SELECT desa, count(*) n FROM measurements WHERE kabkota = '{kab[0]}' "
                "GROUP BY desa ORDER BY n DESC, desa LIMIT 1")["desa"][0]
    return [kab[0][:2], kab[0], kab[1], desa[:8], desa]


def test_prevalence_and_coverage_equal_the_web_app_row_level_and_summary(loaded, duck):
    admin = make_user("admin")
    rebuild()
    checked = 0
    for region in _regions(duck):
        for period in (LAST, QUARTER):
            ours = partials.prevalence(duck, region, [period])
            table = ours[(period.key, region)]
            for summary_table in (False, True):
                web = web_prevalence(admin, region, period, summary_table=summary_table)
                assert_tables_equal(table, web.table)
                cov = partials.coverage(duck, region, [period]).iloc[0]
                assert (cov["registered"], cov["weighed"], cov["gained"]) == (
                    web.coverage.registered, web.coverage.weighed, web.coverage.gained)
                assert cov["measured_unregistered"] == web.coverage.measured_unregistered
                checked += 1
            # the data exercise what is compared
            all_row = table.iloc[0]
            assert all_row["HA_2_n"] > 0
    assert checked == 20
    # Oedema, flags, children over five and inactive children are in the data.
    assert duck("SELECT count(*) c FROM measurements WHERE oedema")["c"][0] > 10
    assert duck("SELECT count(*) c FROM measurements WHERE haz_flag")["c"][0] > 0
    assert duck("SELECT count(*) c FROM measurements WHERE age_days > 1826")["c"][0] > 0
    assert partials.coverage(duck, "", [LAST])["measured_unregistered"].sum() > 0


def test_by_unit_and_trend_equal_one_region_at_a_time(loaded, duck):
    periods = [Period.parse("2026-08"), Period.parse("2026-09"), LAST]
    by_kab = partials.prevalence(duck, "", periods, by="kabkota")
    kabs = sorted({u for _, u in by_kab})
    assert len(kabs) == 2 and len(by_kab) == 6
    admin = make_user("admin")
    for p in periods:
        for kab in kabs:
            assert_tables_equal(by_kab[(p.key, kab)], web_prevalence(admin, kab, p).table)
            assert_tables_equal(by_kab[(p.key, kab)], partials.prevalence(duck, kab, [p])[(p.key, kab)],
                                exact_means=True)
    cov = partials.coverage(duck, "", periods, by="kabkota")
    assert len(cov) == 6
    one = partials.coverage(duck, kabs[1], [periods[0]]).iloc[0]
    row = cov[(cov["pkey"] == periods[0].key) & (cov["unit"] == kabs[1])].iloc[0]
    assert row[["registered", "weighed", "gained"]].tolist() == one[["registered", "weighed", "gained"]].tolist()


def test_convergence_equals_the_row_level_reference(loaded, duck):
    admin = make_user("admin")
    on = LAST.end
    for region, by in (("", "kabkota"), (_regions(duck)[1], None), (_regions(duck)[1], "desa")):
        ours = partials.convergence(duck, region, on, by).sort_values("key").reset_index(drop=True)
        ref = web_convergence(admin, region, on, by)
        assert ours["key"].tolist() == ref["key"].tolist()
        for col in ("cases", "children"):
            assert ours[col].tolist() == ref[col].tolist()
        for col in ("rate", "se", "lower", "upper"):
            assert np.array_equal(ours[col].to_numpy(float), ref[col].to_numpy(float), equal_nan=True)
    national = partials.convergence(duck, "", on, "kabkota")
    assert national["children"].sum() > 5 and 0 < national["cases"].sum() < national["children"].sum()


def test_convergence_window_edges():
    """Followed up = latest measurement within the last 60 days, cohort = latest in the past 365."""
    import pandas as pd

    on = dt.date(2026, 10, 31)
    frame = pd.DataFrame({
        "id": [1, 2, 3, 4, 5, 6], "child_id": [1, 2, 3, 4, 4, 5],
        "measured_on": pd.to_datetime(["2026-09-02", "2026-09-01", "2025-11-01", "2026-10-01", "2026-10-02",
                                       "2025-10-31"]),
        "age_days": [300, 300, 300, 300, 301, 300], "haz": [-2.5, -2.5, -2.5, -2.5, -1.0, -2.5],
        "haz_flag": [False, False, False, False, False, False], "desa": ["64.74.01.1001"] * 6,
    })
    out = partials.convergence_from_rows(frame, on, lambda s: s.str[:5])
    # child 1: 60th day counting `on` (followed); child 2: the 61st (not); child 3: first day of
    # the 365-day window (in the cohort); child 4 recovered at the latest; child 5 out of the window.
    assert out[["key", "cases", "children"]].values.tolist() == [["64.74", 1, 3]]


def test_latest_in_month_fast_path_equals_the_window(duck):
    """Monthly figures filter on the extract's latest_in_month; the window gives the same."""
    periods = [Period.parse("2026-09"), LAST]
    assert partials.use_flag(duck, periods) and not partials.use_flag(duck, [QUARTER])
    assert duck("SELECT count(*) c FROM measurements WHERE NOT latest_in_month")["c"][0] > 10
    for flagged in (True, False):
        sql = partials.prevalence_sql("", periods, "kabkota", flagged)
        assert ("latest_in_month" in sql) == flagged and ("row_number" in sql) != flagged
    fast = duck(partials.prevalence_sql("", periods, "kabkota", True)).sort_values(["pkey", "unit", "cell"])
    slow = duck(partials.prevalence_sql("", periods, "kabkota", False)).sort_values(["pkey", "unit", "cell"])
    assert fast.reset_index(drop=True).equals(slow.reset_index(drop=True))
    fast = duck(partials.coverage_sql("", periods, "kabkota", True)).sort_values(["pkey", "unit"])
    slow = duck(partials.coverage_sql("", periods, "kabkota", False)).sort_values(["pkey", "unit"])
    assert fast.reset_index(drop=True).equals(slow.reset_index(drop=True))
