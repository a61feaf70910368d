"""Turning a table of raw input (numbers or text, WHO Anthro column names) into clean arrays.

A row is *bad* when its sex is missing or unknown, or a number column holds text (or an
infinite number). Bad rows keep their place; every result of a bad row is left empty and the
``reason`` column says why. Everything else follows WHO rule 1 (who-growth-algorithm.md): an
unknown measure is treated as missing, any oedema other than y/Y/1 as no oedema.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

# Text that means "no value" in the files people bring (EPPGBM exports, spreadsheets).
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "-", ".", "#n/a"})

SEX_CODES = {"1": 1, "2": 2, "m": 1, "f": 2, "1.0": 1, "2.0": 2}


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

    def reasons(self) -> np.ndarray:
        out = np.full(self.n, "", dtype=object)
        for idx, messages in self._found:
            for i, message in zip(idx.tolist(), messages, strict=True):
                out[i] = message if not out[i] else f"{out[i]}; {message}"
        return out


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


def _normalised_text(values: pd.Series) -> pd.Series:
    return values.astype("string").str.strip().str.lower()


def _missing_text(values: pd.Series) -> np.ndarray:
    text = _normalised_text(values)
    return (text.isna() | text.isin(MISSING_TOKENS)).to_numpy(dtype=bool, na_value=True)


def number(frame, name: str, n: int, issues: Issues) -> np.ndarray:
    """A float64 column, NaN where missing; text and infinities make the row bad."""
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
        missing = _missing_text(original.iloc[idx])
        text_idx = idx[~missing]
        if text_idx.size:
            mask = np.zeros(n, dtype=bool)
            mask[text_idx] = True
            shown = original.iloc[text_idx].tolist()
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
        unknown = (codes == 0) & ~np.isnan(values)
        missing = np.isnan(values)
        shown_text = [_show(v) for v in values[unknown]]
    else:
        text = _normalised_text(series)
        mapped = text.map(SEX_CODES)
        codes = mapped.to_numpy(dtype=np.float64, na_value=0).astype(np.int8)
        missing = (text.isna() | text.isin(MISSING_TOKENS)).to_numpy(dtype=bool, na_value=True)
        unknown = (codes == 0) & ~missing
        shown_text = [_show(v) for v in series[unknown].tolist()]
    if missing.any():
        issues.add(missing, ["sex missing"] * int(missing.sum()))
    if unknown.any():
        issues.add(unknown, [f"sex: unknown value {v} (use 1/2/m/f)" for v in shown_text])
    return codes


def measure(frame, n: int) -> np.ndarray:
    """int8 array: 1 lying (l), 2 standing (h), 0 missing or anything else (rule 1)."""
    series = _series(frame, "measure", n)
    if series is None:
        return np.zeros(n, dtype=np.int8)
    text = _normalised_text(series)
    return text.map({"l": 1, "h": 2}).to_numpy(dtype=np.float64, na_value=0).astype(np.int8)


def oedema(frame, n: int) -> np.ndarray:
    """bool array: y/Y/1 is oedema; anything else, missing too, is not (rule 1)."""
    series = _series(frame, "oedema", n)
    if series is None:
        return np.zeros(n, dtype=bool)
    if _is_numeric(series):
        return series.to_numpy(dtype=np.float64, na_value=np.nan) == 1
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=bool, na_value=False)
    text = _normalised_text(series)
    return text.isin({"y", "1", "1.0"}).to_numpy(dtype=bool, na_value=False)


def row_count(frame) -> int:
    if isinstance(frame, pd.DataFrame):
        return len(frame)
    lengths = [np.size(v) for v in frame.values() if np.ndim(v) > 0]
    return max(lengths) if lengths else 1
