"""prevalence_table against numbers worked out by hand from anthro's formulas
(R/prevalence-simple.R): r = k/n, se = sqrt(N/(N-1)) * sqrt(r(1-r)/n), logit CI with
t(0.975, N-1), N = every record in the design."""

import math

import numpy as np
import pandas as pd
import pytest

from tumbuh.analytics.prevalence import (
    WHO_COLUMNS,
    headline,
    latest_per_child,
    prevalence_table,
    rate_by,
)

T_9 = 2.262157162798516  # R: qt(0.975, 9)
T_11 = 2.200985160082949  # R: qt(0.975, 11)


def frame(rows):
    base = {"sex": "F", "age_days": 400, "haz": np.nan, "waz": np.nan, "whz": np.nan, "bmiz": np.nan,
            "haz_flag": False, "waz_flag": False, "whz_flag": False, "bmiz_flag": False, "oedema": False}
    return pd.DataFrame([{**base, **r} for r in rows])


def logit_ci(k, n, big_n, t):
    r = k / n
    se_logit = math.sqrt(big_n / (big_n - 1) / (n * r * (1 - r)))
    lo = 1 / (1 + math.exp(-(math.log(r / (1 - r)) - t * se_logit)))
    hi = 1 / (1 + math.exp(-(math.log(r / (1 - r)) + t * se_logit)))
    return 100 * lo, 100 * hi


def all_row(table):
    return table[table["Group"] == "All"].iloc[0]


def test_ten_children_stunting_rate_se_and_ci():
    haz = [-3.5, -2.5, -2.1, -1.0, -0.5, 0.0, 0.3, 1.2, 2.5, -1.9]
    t = prevalence_table(frame([{"haz": z} for z in haz]))
    row = all_row(t)
    # 3 of 10 below -2 (the -2.1, -2.5, -3.5); 1 below -3.
    assert row["HAZ_unwpop"] == 10 and row["HA_2_n"] == 3 and row["HA_3_n"] == 1
    assert row["HA_2_r"] == pytest.approx(30.0)
    assert row["HA_2_se"] == pytest.approx(100 * math.sqrt(10 / 9) * math.sqrt(0.3 * 0.7 / 10))
    lo, hi = logit_ci(3, 10, 10, T_9)
    assert (row["HA_2_ll"], row["HA_2_ul"]) == (pytest.approx(lo), pytest.approx(hi))
    # > +2: one child (2.5); > +1: two (1.2, 2.5)
    assert row["HA2_r"] == pytest.approx(10.0) and row["HA1_r"] == pytest.approx(20.0)
    # z mean, its SE (sqrt(N/(N-1))/n * sqrt(SS)) and CI, and the SD
    mean = sum(haz) / 10
    ss = sum((z - mean) ** 2 for z in haz)
    se = math.sqrt(10 / 9) / 10 * math.sqrt(ss)
    assert row["HA_r"] == pytest.approx(mean)
    assert row["HA_se"] == pytest.approx(se)
    assert row["HA_ll"] == pytest.approx(mean - T_9 * se)
    assert row["HA_stdev"] == pytest.approx(math.sqrt(ss / 9))


def test_cut_offs_are_strict():
    t = prevalence_table(frame([{"haz": z} for z in (-3.0, -2.0, -1.0, 1.0, 2.0, 3.0)]))
    row = all_row(t)
    assert [row[f"HA{s}_n"] for s in ("_3", "_2", "_1", "1", "2", "3")] == [0, 1, 2, 2, 1, 0]


def test_flagged_values_excluded_per_index_but_stay_in_design_size():
    rows = [{"haz": -2.5, "waz": -1.0}] * 3 + [{"haz": 0.0, "waz": -1.0}] * 7
    rows += [{"haz": -7.0, "haz_flag": True, "waz": -2.5}, {"haz": -2.5, "waz": -6.5, "waz_flag": True}]
    row = all_row(prevalence_table(frame(rows)))
    assert row["HAZ_unwpop"] == 11 and row["HA_2_n"] == 4  # flagged -7.0 left out
    assert row["WAZ_unwpop"] == 11 and row["WA_2_n"] == 1  # flagged -6.5 left out
    # N is 12 (every record), so t has 11 degrees of freedom and the scale is 12/11
    assert row["HA_2_se"] == pytest.approx(100 * math.sqrt(12 / 11) * math.sqrt((4 / 11) * (7 / 11) / 11))
    lo, hi = logit_ci(4, 11, 12, T_11)
    assert row["HA_2_ll"] == pytest.approx(lo) and row["HA_2_ul"] == pytest.approx(hi)


def test_oedema_counts_below_minus_three_but_not_in_the_mean():
    rows = [{"whz": 0.5, "waz": 0.0}] * 4 + [{"whz": np.nan, "waz": 1.0, "oedema": True}]
    row = all_row(prevalence_table(frame(rows)))
    assert row["WHZ_unwpop"] == 5 and row["WH_3_n"] == 1 and row["WH_2_n"] == 1
    assert row["WA_3_n"] == 1  # its measured weight (z 1.0) is ignored
    assert row["WH_r"] == pytest.approx(0.5)  # mean over the four without oedema
    assert row["WA_r"] == pytest.approx(0.0)
    assert row["HAZ_unwpop"] == 0 and math.isnan(row["HA_2_r"])


def test_over_1826_days_dropped_and_age_groups():
    rows = [{"haz": -2.5, "age_days": 100}, {"haz": -2.5, "age_days": 182}, {"haz": 0, "age_days": 183},
            {"haz": 0, "age_days": 731, "sex": "M"}, {"haz": -2.5, "age_days": 1826, "sex": "M"},
            {"haz": -2.5, "age_days": 1827}]
    t = prevalence_table(frame(rows)).set_index("Group")
    assert t.loc["All", "HAZ_unwpop"] == 5
    assert t.loc["Age group: 00-05 mo", "HAZ_unwpop"] == 2
    assert t.loc["Age group: 06-11 mo", "HAZ_unwpop"] == 1
    assert t.loc["Age group: 24-35 mo", "HAZ_unwpop"] == 1
    assert t.loc["Age group: 48-59 mo", "HA_2_r"] == pytest.approx(100)
    assert t.loc["Sex: Male", "HAZ_unwpop"] == 2 and t.loc["Sex: Female", "HAZ_unwpop"] == 3
    assert t.loc["Age + sex: 00-05 mo.Female", "HA_2_n"] == 2
    assert t.loc["Age (Indonesia): Baduta 00-23 mo", "HAZ_unwpop"] == 3
    assert t.loc["Age (Indonesia): Balita 00-59 mo", "HAZ_unwpop"] == 5
    # a rate of 100% has anthro's degenerate interval [100, 100]
    assert t.loc["Age group: 00-05 mo", "HA_2_ll"] == 100 and t.loc["Age group: 00-05 mo", "HA_2_ul"] == 100


def test_layout_matches_anthro():
    t = prevalence_table(frame([{"haz": -1, "waz": -1, "whz": -1, "bmiz": -1}]))
    assert list(t.columns[:1]) == ["Group"]
    who = [c for c in WHO_COLUMNS if c != "Group"]
    assert [c for c in t.columns if c in set(who)] == who
    for col in ("HAZ_pop", "HA_3_r", "HA_2_se", "HA_1_ll", "HA1_ul", "HA2_r", "HA3_r", "HA_r", "HA_stdev",
                "WAZ_unwpop", "WH2_r", "BMIZ_pop", "BMI_2_r", "HA_2_WH_2_r", "HA_2_WH2_ul"):
        assert col in t.columns
    assert t["Group"].tolist()[:8] == ["All", "Age group: 00-05 mo", "Age group: 06-11 mo",
                                        "Age group: 12-23 mo", "Age group: 24-35 mo", "Age group: 36-47 mo",
                                        "Age group: 48-59 mo", "Sex: Female"]
    assert len(t) == 1 + 6 + 2 + 12 + 2


def test_combined_stunted_and_wasted():
    rows = [{"haz": -2.5, "whz": -2.5}, {"haz": -2.5, "whz": 2.5}, {"haz": 0, "whz": -2.5},
            {"haz": -2.5, "whz": np.nan}]
    row = all_row(prevalence_table(frame(rows)))
    assert row["HA_2_WH_2_unwpop"] == 3
    assert row["HA_2_WH_2_r"] == pytest.approx(100 / 3) and row["HA_2_WH2_r"] == pytest.approx(100 / 3)


def test_headline_and_rate_by_agree_with_table():
    rng = np.random.default_rng(7)
    n = 400
    f = frame([{"haz": z, "whz": w, "waz": a, "sex": s, "age_days": int(d)} for z, w, a, s, d in zip(
        rng.normal(-1, 1.2, n), rng.normal(0, 1, n), rng.normal(-0.5, 1, n), rng.choice(["F", "M"], n),
        rng.integers(0, 1826, n), strict=True)])
    t = prevalence_table(f)
    est = headline(t)
    assert est["stunting"].rate == pytest.approx(all_row(t)["HA_2_r"])
    assert est["wasting"].cases == all_row(t)["WH_2_n"]
    by = rate_by(f, f["sex"].to_numpy()).set_index("key")
    # each key its own design: equal to running the table on that sex alone
    female = all_row(prevalence_table(f[f["sex"] == "F"]))
    assert by.loc["F", "rate"] == pytest.approx(female["HA_2_r"])
    assert by.loc["F", "lower"] == pytest.approx(female["HA_2_ll"])


def test_latest_per_child_keeps_the_last_measurement_per_period():
    f = pd.DataFrame({"child_id": [1, 1, 1, 2], "measured_on": pd.to_datetime(
        ["2025-01-05", "2025-01-20", "2025-02-03", "2025-01-10"]), "period": [0, 0, 1, 0],
        "haz": [-3.0, -1.0, -2.5, 0.0], "id": [1, 2, 3, 4]})
    latest = latest_per_child(f, by=("period",))
    assert sorted(zip(latest["period"], latest["child_id"], latest["haz"], strict=True)) == [
        (0, 1, -1.0), (0, 2, 0.0), (1, 1, -2.5)]
