"""The WHO LMS tables shipped in ``data/``, loaded once into flat numpy arrays.

Each table is stored flat so that a whole column of children is looked up with one
``np.take``: row ``(sex - 1) * size + (x - first)`` holds the L, M, S of that sex and x, and one
extra last row of NaN (``sentinel``) is where every invalid lookup (unknown sex, x outside the
table) is sent, so a bad lookup yields NaN instead of an exception.
"""

from __future__ import annotations

import csv
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent / "data"
MANIFEST = "SHA256SUMS.txt"

# WHO 2006 tables by age in days (rule 2: looked up by the exact rounded day).
AGE_TABLES_2006 = {
    "lhfa": "who2006_lhfa.csv",
    "wfa": "who2006_wfa.csv",
    "bfa": "who2006_bfa.csv",
    "hcfa": "who2006_hcfa.csv",
    "acfa": "who2006_acfa.csv",
    "tsfa": "who2006_tsfa.csv",
    "ssfa": "who2006_ssfa.csv",
}
# WHO 2006 weight-for-length/height, by tenth of a centimetre.
LENGTH_TABLES_2006 = {"wfl": "who2006_wfl.csv", "wfh": "who2006_wfh.csv"}
# WHO 2007 tables by completed month (rule 17 interpolates between months).
AGE_TABLES_2007 = {
    "hfa": "who2007_hfa.csv",
    "wfa": "who2007_wfa.csv",
    "bfa": "who2007_bfa.csv",
}

DAYS = 1857  # WHO 2006 age tables cover days 0..1856


@dataclass(frozen=True)
class LmsTable:
    """One indicator's L, M, S for both sexes, flat, with a trailing NaN sentinel row.

    ``first`` is the x of each sex's first row in table units (day, month or tenth of cm) and
    ``size`` the number of rows per sex; ``first_data``/``last_data`` bound the rows actually
    published (arm circumference and skinfolds start at day 91, stored as NaN before).
    """

    name: str
    first: int
    size: int
    first_data: int
    last_data: int
    l: np.ndarray  # noqa: E741 - WHO's name for the Box-Cox power
    m: np.ndarray
    s: np.ndarray
    sl: np.ndarray  # s * l, the denominator of rule 8; same double as computing it per row
    l_is_one: bool  # every L == 1 (length, head circumference): ((y/m)^1 - 1)/s needs no pow

    @property
    def sentinel(self) -> int:
        return 2 * self.size

    def flat_index(self, sex: np.ndarray, x: np.ndarray, valid: np.ndarray) -> np.ndarray:
        """Row of (sex, x) for integer x in table units; the sentinel where not ``valid``,
        the sex is not 1/2, or x is outside the table."""
        offset = x - self.first
        ok = valid & ((sex == 1) | (sex == 2)) & (offset >= 0) & (offset < self.size)
        idx = np.where(ok, (sex.astype(np.int64) - 1) * self.size + offset, self.sentinel)
        return idx.astype(np.intp, copy=False)


def _read_rows(filename: str) -> tuple[str, list[tuple[int, str, float, float, float]]]:
    with open(DATA_DIR / filename, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [(int(r[0]), r[1], float(r[2]), float(r[3]), float(r[4])) for r in reader]
    return header[1], rows


def _build(name: str, filename: str, scale: int) -> LmsTable:
    """``scale`` turns the x text into integer table units (1 for days/months, 10 for cm)."""
    _, rows = _read_rows(filename)
    units = [round(float(x) * scale) for _, x, _, _, _ in rows]
    first, last = min(units), max(units)
    first_data = first
    if scale == 1 and filename.startswith("who2006_"):
        first = 0  # index every age table from day 0 so one index serves all of them
    size = last - first + 1
    arrays = {k: np.full(2 * size + 1, np.nan) for k in "lms"}
    for (sex, _, lv, mv, sv), unit in zip(rows, units, strict=True):
        i = (sex - 1) * size + unit - first
        arrays["l"][i], arrays["m"][i], arrays["s"][i] = lv, mv, sv
    published = ~np.isnan(arrays["l"])
    l_vals = arrays["l"][published]
    return LmsTable(
        name=name,
        first=first,
        size=size,
        first_data=first_data,
        last_data=last,
        l=arrays["l"],
        m=arrays["m"],
        s=arrays["s"],
        sl=arrays["s"] * arrays["l"],
        l_is_one=bool(np.all(l_vals == 1.0)),
    )


@functools.cache
def who2006_age_table(indicator: str) -> LmsTable:
    return _build(indicator, AGE_TABLES_2006[indicator], 1)


@functools.cache
def who2006_length_table(indicator: str) -> LmsTable:
    return _build(indicator, LENGTH_TABLES_2006[indicator], 10)


@functools.cache
def who2007_table(indicator: str) -> LmsTable:
    return _build(indicator, AGE_TABLES_2007[indicator], 1)


def read_manifest() -> dict[str, str]:
    lines = (DATA_DIR / MANIFEST).read_text("utf-8").splitlines()
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines if line)}


def file_sha256(filename: str) -> str:
    return hashlib.sha256((DATA_DIR / filename).read_bytes()).hexdigest()
