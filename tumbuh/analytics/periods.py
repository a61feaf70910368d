"""Reporting periods: month, quarter, semester, year and the February/August weighing months.

A period is named by a short key that survives a URL: `2025`, `2025-S1`, `2025-Q3`, `2025-08`,
`2025-B08` (bulan penimbangan serentak, only February and August). No Django imports.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

import numpy as np

KINDS = ("month", "quarter", "semester", "year", "weighing")
WEIGHING_MONTHS = (2, 8)

_KEY = re.compile(r"^(\d{4})(?:-(S[12]|Q[1-4]|B0[28]|\d{2}))?$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str
    index: int  # month 1-12, quarter 1-4, semester 1-2, weighing month 2/8, or 1 for a year

    @classmethod
    def parse(cls, key: str) -> Period:
        m = _KEY.match((key or "").strip())
        if not m:
            raise ValueError(f"not a period key: {key!r}")
        year, rest = int(m.group(1)), m.group(2)
        if rest is None:
            return cls(year, "year", 1)
        if rest[0] == "S":
            return cls(year, "semester", int(rest[1]))
        if rest[0] == "Q":
            return cls(year, "quarter", int(rest[1]))
        if rest[0] == "B":
            return cls(year, "weighing", int(rest[1:]))
        month = int(rest)
        if not 1 <= month <= 12:
            raise ValueError(f"not a period key: {key!r}")
        return cls(year, "month", month)

    @classmethod
    def containing(cls, day: dt.date, kind: str) -> Period:
        if kind == "month":
            return cls(day.year, kind, day.month)
        if kind == "quarter":
            return cls(day.year, kind, (day.month - 1) // 3 + 1)
        if kind == "semester":
            return cls(day.year, kind, 1 if day.month <= 6 else 2)
        if kind == "year":
            return cls(day.year, kind, 1)
        if kind == "weighing":
            # The latest weighing month that has started by `day`.
            if day.month >= 8:
                return cls(day.year, kind, 8)
            if day.month >= 2:
                return cls(day.year, kind, 2)
            return cls(day.year - 1, kind, 8)
        raise ValueError(f"unknown period kind: {kind!r}")

    @property
    def key(self) -> str:
        return {
            "year": f"{self.year}",
            "semester": f"{self.year}-S{self.index}",
            "quarter": f"{self.year}-Q{self.index}",
            "month": f"{self.year}-{self.index:02d}",
            "weighing": f"{self.year}-B{self.index:02d}",
        }[self.kind]

    @property
    def first_month(self) -> int:
        return {"year": 1, "semester": 6 * (self.index - 1) + 1, "quarter": 3 * (self.index - 1) + 1,
                "month": self.index, "weighing": self.index}[self.kind]

    @property
    def months(self) -> int:
        return {"year": 12, "semester": 6, "quarter": 3, "month": 1, "weighing": 1}[self.kind]

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        last = self.first_month + self.months - 1
        return dt.date(self.year, last, calendar.monthrange(self.year, last)[1])

    def shift(self, steps: int) -> Period:
        if self.kind == "weighing":
            pos = self.year * 2 + (0 if self.index == 2 else 1) + steps
            return Period(pos // 2, "weighing", WEIGHING_MONTHS[pos % 2])
        per_year = 12 // self.months
        pos = self.year * per_year + (self.index - 1) + steps
        return Period(pos // per_year, self.kind, pos % per_year + 1)

    def previous(self) -> Period:
        return self.shift(-1)

    def history(self, count: int) -> list[Period]:
        """This period and the `count - 1` before it, oldest first."""
        return [self.shift(-i) for i in range(count - 1, -1, -1)]

    def __str__(self) -> str:
        return self.key


def period_index(dates: np.ndarray, periods: list[Period]) -> np.ndarray:
    """Position in `periods` of each date (datetime64[D]), -1 when it falls in none.

    Periods must not overlap and must be in date order (as `Period.history` returns them)."""
    days = np.asarray(dates, dtype="datetime64[D]")
    starts = np.array([p.start for p in periods], dtype="datetime64[D]")
    ends = np.array([p.end for p in periods], dtype="datetime64[D]")
    pos = np.searchsorted(starts, days, side="right") - 1
    ok = pos >= 0
    ok[ok] = days[ok] <= ends[pos[ok]]
    return np.where(ok, pos, -1)
