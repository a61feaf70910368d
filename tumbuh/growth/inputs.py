"""Turning a table of raw input (numbers or text, WHO Anthro column names) into clean arrays.

A row is *bad* when its sex is missing or unknown, or a number column holds text (or an
infinite number). Bad rows keep their place; every result of a bad row is left empty and the
``reason`` column says why. Everything else follows WHO rule 1 (who-growth-algorithm.md): an
unknown measure is treated as missing, any oedema other than y/Y/1 as no oedema.

Text columns are decoded through their few distinct values (one hash pass, then one vectorised
comparison per value that matters) rather than string operations on every row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

# Text that means "no value" in the files people bring (EPPGBM exports, spreadsheets).
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "-", ".", "#n/a"})

DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")

SEX_CODES = {"1": 1, "2": 2, "m": 1, "f": 2, "1.0": 1, "2.0": 2}
MEASURE_CODES = {"l": 1, "h": 2}
OEDEMA_CODES = {"y": 1, "1": 1, "1.0": 1}


class Issues:
    """Reasons a row is bad, collected per column; joined with '; ' in the ``reason`` column."""

    def __init__(self, n: int):
        self.n = n
        self._found: list[tuple[np.ndarray, list[str]]] = []

    def add(self, mask: np.ndarray, messages: list[str]) -> None:
        """``messages`` has one entry per True in ``mask``, in row order."""
        idx = np.flatnonzero(mask)
        if idx.size:
            self._found.append((idx, messages))

    @property
    def bad(self) -> np.ndarray:
        out = np.zeros(self.n, dtype=bool)
        for idx, _ in self._found:
            out[idx] = True
        return out

    def any(self) -> bool:
        return bool(self._found)

    def reasons(self) -> pd.Categorical:
        """The ``reason`` column: "" for good rows (categorical: cheap for a million rows)."""
        by_row: dict[int, str] = {}
        for idx, messages in self._found:
            for i, message in zip(idx.tolist(), messages, strict=True):
                by_row[i] = f"{by_row[i]}; {message}" if i in by_row else message
        categories = [""] + sorted(set(by_row.values()))
        code_of = {text: code for code, text in enumerate(categories)}
        codes = np.zeros(self.n, dtype=np.int32)
        if by_row:
            rows = np.fromiter(by_row.keys(), dtype=np.intp, count=len(by_row))
            codes[rows] = [code_of[t] for t in by_row.values()]
        return pd.Categorical.from_codes(codes, categories=categories)


def _show(value) -> str:
    """A cell as the user typed it: text quoted, numbers plain (no numpy reprs)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return repr(value) if isinstance(value, str) else str(value)


def _series(frame: pd.DataFrame | Mapping, name: str, n: int) -> pd.Series | None:
    if name not in frame:
        return None
    value = frame[name]
    if isinstance(value, pd.Series):
        return value
    array = np.asarray(value)
    if array.ndim == 0:
        array = np.full(n, array.item(), dtype=array.dtype if array.dtype != object else object)
    return pd.Series(array)


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
        series.dtype
    )


def _is_missing_value(value) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and value.strip().lower() in MISSING_TOKENS


def decode_text(series: pd.Series, decode: Callable[[object], int | None]) -> np.ndarray:
    """int16 codes per row: ``decode(value)`` of each distinct value; 0 for missing values and
    -1 for values ``decode`` does not know (returns None)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = series.cat.categories
        lookup = np.array(
            [0 if _is_missing_value(v) else (decode(v) if decode(v) is not None else -1)
             for v in cats] + [0],
            dtype=np.int16,
        )  # fmt: skip
        return lookup[series.cat.codes.to_numpy()]  # code -1 (NaN) takes the trailing 0
    values = series.to_numpy(dtype=object) if series.dtype != object else series.to_numpy()
    codes = np.zeros(len(values), dtype=np.int16)
    for value in pd.unique(values):
        if _is_missing_value(value):
            continue
        code = decode(value)
        code = -1 if code is None else code
        if code:
            codes[values == value] = code
    return codes


def _decoder(table: dict[str, int]) -> Callable[[object], int | None]:
    def decode(value) -> int | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, (int, float, np.integer, np.floating)):
            value = repr(float(value)) if float(value) % 1 else str(int(value))
        return table.get(str(value).strip().lower())

    return decode


def number(frame, name: str, n: int, issues: Issues) -> np.ndarray:
    """A float64 column, NaN where missing; text and infinities make the row bad.

    A decimal comma ("6,1", one comma and no point) is accepted as a decimal point.
    """
    series = _series(frame, name, n)
    if series is None:
        return np.full(n, np.nan)
    if _is_numeric(series):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        original = None
    else:
        original = series
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    suspect = np.isnan(values)
    if original is not None and suspect.any():
        idx = np.flatnonzero(suspect)
        cells = original.to_numpy(dtype=object)[idx]
        text_values = [v for v in pd.unique(cells) if not _is_missing_value(v)]
        # "6,1": a decimal comma (Indonesian spreadsheets) is read as a decimal point
        comma = {v: float(v.replace(",", ".")) for v in text_values
                 if isinstance(v, str) and DECIMAL_COMMA.match(v)}  # fmt: skip
        if comma:
            hits = pd.Series(cells).map(comma).to_numpy(dtype=np.float64, na_value=np.nan)
            found = ~np.isnan(hits)
            values = values.copy() if not values.flags.writeable else values
            values[idx[found]] = hits[found]
            text_values = [v for v in text_values if v not in comma]
        if text_values:
            text_idx = idx[pd.Series(cells).isin(text_values).to_numpy()]
            mask = np.zeros(n, dtype=bool)
            mask[text_idx] = True
            shown = original.to_numpy(dtype=object)[text_idx]
            issues.add(mask, [f"{name}: not a number ({_show(v)})" for v in shown])
    infinite = np.isinf(values)
    if infinite.any():
        issues.add(infinite, [f"{name}: not a finite number" for _ in range(int(infinite.sum()))])
        values = np.where(infinite, np.nan, values)
    return values


def sex(frame, n: int, issues: Issues) -> np.ndarray:
    """int8 array: 1 male, 2 female, 0 missing/unknown (rule 1); missing and unknown are bad."""
    series = _series(frame, "sex", n)
    if series is None:
        issues.add(np.ones(n, dtype=bool), ["sex missing"] * n)
        return np.zeros(n, dtype=np.int8)
    if _is_numeric(series):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        codes = np.where(values == 1, 1, np.where(values == 2, 2, 0)).astype(np.int8)
        missing = np.isnan(values)
        unknown = (codes == 0) & ~missing
        shown = values[unknown]
    else:
        raw = decode_text(series, _decoder(SEX_CODES))
        unknown = raw < 0
        missing = raw == 0
        codes = np.maximum(raw, 0).astype(np.int8)
        shown = series[unknown].tolist() if unknown.any() else []
    if missing.any():
        issues.add(missing, ["sex missing"] * int(missing.sum()))
    if unknown.any():
        issues.add(unknown, [f"sex: unknown value {_show(v)} (use 1/2/m/f)" for v in shown])
    return codes


def measure(frame, n: int) -> np.ndarray:
    """int8 array: 1 lying (l), 2 standing (h), 0 missing or anything else (rule 1)."""
    series = _series(frame, "measure", n)
    if series is None:
        return np.zeros(n, dtype=np.int8)
    return np.maximum(decode_text(series, _decoder(MEASURE_CODES)), 0).astype(np.int8)


def oedema(frame, n: int) -> np.ndarray:
    """bool array: y/Y/1 is oedema; anything else, missing too, is not (rule 1)."""
    series = _series(frame, "oedema", n)
    if series is None:
        return np.zeros(n, dtype=bool)
    if _is_numeric(series):
        return series.to_numpy(dtype=np.float64, na_value=np.nan) == 1
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=bool, na_value=False)
    return decode_text(series, _decoder(OEDEMA_CODES)) == 1


def row_count(frame) -> int:
    if isinstance(frame, pd.DataFrame):
        return len(frame)
    lengths = [np.size(v) for v in frame.values() if np.ndim(v) > 0]
    return max(lengths) if lengths else 1
