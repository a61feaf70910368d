"""N / T / 2T / O / B between monthly weighings, KBM table, and the red line."""

import numpy as np
import pytest

from tumbuh.growth.weight_gain import below_red_line, kbm_grams, kbm_table, weight_gain_status


@pytest.mark.parametrize(
    ("age_months", "grams"),
    [(0, 800), (0.99, 800), (1, 800), (2, 900), (3, 800), (4, 600), (5, 500), (6, 400),
     (7.9, 400), (8, 300), (10.5, 300), (11, 200), (24, 200), (59, 200), (80, 200)],
)  # fmt: skip
def test_kbm_by_completed_month(age_months, grams):
    assert kbm_grams([age_months]).tolist() == [grams]


def test_kbm_missing_age():
    assert np.isnan(kbm_grams([np.nan, -1])).all()


def test_kbm_file_marks_the_mapping():
    rows = kbm_table()
    assert [r[2] for r in rows] == [800, 800, 900, 800, 600, 500, 400, 300, 200]
    assert {r[3] for r in rows} == {"inferred", "extension"}


def status(rows):
    """rows: (child, 'YYYY-MM-DD', age_days, weight)"""
    key, day, age, weight = zip(*rows, strict=True)
    return weight_gain_status(
        np.array(key), np.array(day, dtype="datetime64[D]"), np.array(age, float),
        np.array(weight, float),
    ).tolist()  # fmt: skip


def test_sequence_of_one_child():
    rows = [
        ("a", "2024-01-10", 40, 4.0),  # first weighing
        ("a", "2024-02-10", 71, 4.9),  # +900 g at 2 months (KBM 900): N
        ("a", "2024-03-11", 101, 5.6),  # +700 g at 3 months (KBM 800): T
        ("a", "2024-04-10", 131, 6.1),  # +500 g at 4 months (KBM 600): T again -> 2T
        ("a", "2024-05-10", 161, 6.5),  # +400 g at 5 months (KBM 500): previous was 2T -> 2T
        ("a", "2024-06-10", 192, 7.0),  # +500 g at 6 months (KBM 400): N
        ("a", "2024-08-10", 253, 7.5),  # no weighing in July: O
        ("a", "2024-09-10", 284, 7.7),  # 9 months, KBM 300: +200 T (previous O: not 2T)
    ]
    assert status(rows) == ["B", "N", "T", "2T", "2T", "N", "O", "T"]


def test_gain_equal_to_kbm_is_n_despite_float_weights():
    # 4.0 - 3.2 is 0.7999999999999998 in binary; the gain is rounded to grams first
    assert 4.0 - 3.2 < 0.8
    rows = [("a", "2024-01-05", 1, 3.2), ("a", "2024-02-05", 32, 4.0)]  # 1 month: KBM 800
    assert status(rows) == ["B", "N"]
    rows = [("a", "2024-01-05", 31, 8.5), ("a", "2024-02-05", 62, 9.3)]  # 2 months: KBM 900
    assert status(rows) == ["B", "T"]
    rows = [("a", "2024-01-05", 300, 8.5), ("a", "2024-02-05", 331, 8.5)]  # no gain: T
    assert status(rows) == ["B", "T"]


def test_weight_loss_is_t():
    rows = [("a", "2024-01-05", 400, 9.0), ("a", "2024-02-05", 431, 8.7)]
    assert status(rows) == ["B", "T"]


def test_several_children_and_missing_weight():
    rows = [
        ("a", "2024-01-05", 400, 9.0),
        ("a", "2024-02-05", 431, np.nan),  # not a weighing
        ("a", "2024-03-05", 460, 9.5),  # last weighing was January: O
        ("b", "2024-02-20", 700, 10.0),  # a new child: B, whatever came before
        ("b", "2024-03-20", 729, 10.3),  # +300 g at 23 months (KBM 200): N
    ]
    assert status(rows) == ["B", "", "O", "B", "N"]


def test_same_month_reweighing_compares_with_last_month():
    rows = [
        ("a", "2024-01-05", 400, 9.0),
        ("a", "2024-02-03", 429, 9.1),  # +100 g (KBM 200): T
        ("a", "2024-02-25", 451, 9.3),  # same month: compared with January's 9.0: +300 N
        ("a", "2024-03-20", 475, 9.4),  # last in February was N (9.3): +100 T
    ]
    assert status(rows) == ["B", "T", "N", "T"]


def test_missing_age_leaves_n_t_undecided():
    rows = [("a", "2024-01-05", 400, 9.0), ("a", "2024-02-05", np.nan, 9.5)]
    assert status(rows) == ["B", ""]


def test_year_boundary_is_previous_month():
    rows = [("a", "2023-12-28", 400, 9.0), ("a", "2024-01-02", 405, 9.3)]
    assert status(rows) == ["B", "N"]


def test_unsorted_rows_are_refused():
    rows = [("a", "2024-02-05", 431, 9.0), ("a", "2024-01-05", 400, 9.5)]
    with pytest.raises(ValueError, match="sorted"):
        status(rows)


def test_below_red_line():
    assert below_red_line([-3.01, -3.0, 0.5, np.nan]).tolist() == [True, False, False, False]
