"""Outcome beside coverage: of the children who were stunted, wasted or underweight about six
months ago, how many are no longer so now, split by whether they received the package. Pure
functions over measurement rows; descriptive only (see CAVEAT)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

CONDITIONS = ("stunted", "wasted", "underweight")
CUTOFF = -2.0
UNDER_FIVE_DAYS = 1826

CAVEAT = ("Descriptive only. Children who improved after receiving an intervention did not necessarily "
          "improve because of it: children are not assigned at random, those who received more are often "
          "the ones followed more closely, a low z-score tends to move back towards the mean on a second "
          "measurement (regression to the mean), and children without a measurement in the last two months "
          "are left out (counted as 'no follow-up'). Do not read a difference between the two columns as the "
          "effect of the package.")


class MeasurementRow(NamedTuple):
    child_id: int
    measured_on: dt.date
    age_days: int | None
    haz: float | None
    haz_flag: bool | None
    whz: float | None
    whz_flag: bool | None
    waz: float | None
    waz_flag: bool | None

    def z(self, condition: str) -> float | None:
        value, flag = {"stunted": (self.haz, self.haz_flag), "wasted": (self.whz, self.whz_flag),
                       "underweight": (self.waz, self.waz_flag)}[condition]
        return None if value is None or flag else value


@dataclass
class Cell:
    followed: int = 0
    improved: int = 0

    @property
    def percent(self) -> float | None:
        return 100.0 * self.improved / self.followed if self.followed else None


@dataclass
class ConditionOutcome:
    condition: str
    at_baseline: int = 0
    no_follow_up: int = 0
    received: Cell = field(default_factory=Cell)
    not_received: Cell = field(default_factory=Cell)

    @property
    def followed(self) -> int:
        return self.received.followed + self.not_received.followed


@dataclass
class OutcomeReport:
    base_from: dt.date
    base_to: dt.date
    follow_from: dt.date
    as_of: dt.date
    split: str  # "completeness" (convergence's complete package) or "pmt" (PMT-BALITA received)
    conditions: list[ConditionOutcome]
    caveat: str = CAVEAT


def convergence_completeness(child_ids, as_of) -> dict[int, bool] | None:
    """Complete package per child from the convergence context (its maintained Completeness rows,
    `completeness_map`), when that context is installed; else None (the report then splits by PMT
    received, and says so). Completeness is the current one, not as of the baseline: a child who
    no longer qualifies may need less now (written in docs/indicators.md)."""
    try:
        from tumbuh.convergence import selectors as convergence
    except ImportError:
        return None
    fn = getattr(convergence, "completeness_map", None)
    if fn is None:
        return None
    return {pid: bool(c.complete) for pid, c in fn(child_ids).items()}


def report(rows: list[MeasurementRow], base_from: dt.date, base_to: dt.date, follow_from: dt.date, as_of: dt.date,
           pmt: dict[int, list[dt.date]], completeness: dict[int, bool] | None = None) -> OutcomeReport:
    baseline: dict[int, MeasurementRow] = {}
    follow: dict[int, MeasurementRow] = {}
    for r in rows:  # ordered by child and date: the latest of each window wins
        if r.age_days is not None and r.age_days >= UNDER_FIVE_DAYS:
            continue
        if base_from <= r.measured_on <= base_to:
            baseline[r.child_id] = r
        if follow_from <= r.measured_on <= as_of:
            follow[r.child_id] = r
    out = {c: ConditionOutcome(c) for c in CONDITIONS}
    for child, base in baseline.items():
        later = follow.get(child)
        if later is not None and later.measured_on <= base.measured_on:
            later = None
        if completeness is not None:
            got = bool(completeness.get(child))
        else:
            end = later.measured_on if later is not None else as_of
            got = any(base.measured_on - dt.timedelta(days=30) <= d <= end for d in pmt.get(child, ()))
        for c in CONDITIONS:
            z0 = base.z(c)
            if z0 is None or z0 >= CUTOFF:
                continue
            o = out[c]
            o.at_baseline += 1
            z1 = later.z(c) if later is not None else None
            if z1 is None:
                o.no_follow_up += 1
                continue
            cell = o.received if got else o.not_received
            cell.followed += 1
            cell.improved += z1 >= CUTOFF
    return OutcomeReport(base_from, base_to, follow_from, as_of, "completeness" if completeness is not None else "pmt",
                         [out[c] for c in CONDITIONS])
