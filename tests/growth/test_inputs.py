"""Rule 1 (sex, measure, oedema encodings) and how raw input becomes clean columns."""

import numpy as np
import pandas as pd
import pytest

from tumbuh.growth import anthro_zscore_row, anthro_zscores
from tumbuh.growth.who2006 import RESULT_COLUMNS

BASE = {"age_days": 400, "weight": 9.0, "lenhei": 75.0, "measure": "l"}


@pytest.mark.parametrize("male", [1, 1.0, "1", "m", "M", " m "])
def test_male_encodings(male):
    assert anthro_zscore_row(sex=male, **BASE)["zwei"] == anthro_zscore_row(sex=1, **BASE)["zwei"]
    assert anthro_zscore_row(sex=male, **BASE)["csex"] == 1


@pytest.mark.parametrize("female", [2, 2.0, "2", "f", "F"])
def test_female_encodings(female):
    assert anthro_zscore_row(sex=female, **BASE)["csex"] == 2


@pytest.mark.parametrize(("sex", "reason"), [
    (3, "sex: unknown value 3 (use 1/2/m/f)"),
    ("L", "sex: unknown value 'L' (use 1/2/m/f)"),
    (None, "sex missing"),
    ("", "sex missing"),
    ("NA", "sex missing"),
])  # fmt: skip
def test_unknown_or_missing_sex_is_a_bad_row(sex, reason):
    res = anthro_zscore_row(sex=sex, **BASE)
    assert res["reason"] == reason
    assert all(res[c] is None for c in RESULT_COLUMNS if c != "reason")


@pytest.mark.parametrize(("measure", "cmeasure"), [
    ("l", "l"), ("L", "l"), ("h", "h"), (" H ", "h"), ("x", None), (None, None), ("", None),
])  # fmt: skip
def test_measure_encodings(measure, cmeasure):
    res = anthro_zscore_row(sex=1, age_days=800, lenhei=85.0, measure=measure)
    assert res["cmeasure"] == cmeasure and res["reason"] == ""


def test_numbers_as_text_missing_tokens_and_decimal_comma():
    frame = pd.DataFrame(
        {
            "sex": ["1", "1", "1", "1", "1", "1"],
            "age_days": ["365", "365", "365", "365", "365", "365"],
            "weight": ["9.646", "9,646", "", "-", "abc", "inf"],
        }
    )
    res = anthro_zscores(frame)
    assert res["zwei"].tolist()[:2] == [0.0, 0.0]
    assert res["zwei"].isna().tolist()[2:] == [True] * 4
    assert res["reason"].tolist() == ["", "", "", "", "weight: not a number ('abc')",
                                      "weight: not a finite number"]  # fmt: skip


def test_several_reasons_are_joined():
    res = anthro_zscore_row(sex="x", age_days="old", weight=9)
    assert res["reason"] == "sex: unknown value 'x' (use 1/2/m/f); age_days: not a number ('old')"


def test_categorical_and_mapping_inputs():
    frame = pd.DataFrame({"sex": pd.Categorical(["m", "f", None]), "age_days": [100, 200, 300],
                          "weight": [6.0, 7.0, 8.0],
                          "oedema": pd.Categorical(["n", "y", "n"])})  # fmt: skip
    res = anthro_zscores(frame)
    assert res["csex"].tolist()[:2] == [1, 2] and pd.isna(res["csex"].tolist()[2])
    assert pd.notna(res.loc[0, "zwei"]) and pd.isna(res.loc[1, "zwei"])  # oedema
    mapping = {"sex": np.array([1, 2]), "age_days": np.array([100, 200]), "weight": [6.0, 7.0]}
    assert anthro_zscores(mapping)["zwei"].tolist() == res["zwei"].tolist()[:1] + [
        anthro_zscore_row(sex=2, age_days=200, weight=7.0)["zwei"]
    ]


def test_index_columns_and_types_are_stable():
    frame = pd.DataFrame({"sex": [1, 2], "age_days": [100, 200], "weight": [6.0, 7.0]},
                         index=["a", "b"])  # fmt: skip
    res = anthro_zscores(frame)
    assert res.index.tolist() == ["a", "b"]
    assert res.columns.tolist() == RESULT_COLUMNS
    assert str(res["zwei"].dtype) == "float64" and str(res["fwei"].dtype) == "Int8"
    assert anthro_zscores(frame.iloc[:0]).shape == (0, len(RESULT_COLUMNS))


def test_unknown_field_in_row_call():
    with pytest.raises(TypeError, match="height"):
        anthro_zscore_row(sex=1, height=80)
