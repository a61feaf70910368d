"""Measurable commitment targets, computed live from Tumbuh's data (never typed).

A small registry: each metric is a function (region code, period) -> value. Other contexts
register their own (PMT packages delivered, gaps closed) with `register(...)` from their
`AppConfig.ready`. Figures are read through the analytics summary (fresh after every write), under
a system scope restricted to the commitment's region: a commitment's progress is the region's
figure, whoever looks at it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tumbuh.accounts.scoping import Scope

SYSTEM = Scope(everything=True)


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    unit: str
    higher_is_better: bool
    compute: Callable  # (region_code: str, period: Period) -> float | None


REGISTRY: dict[str, Metric] = {}


def register(code: str, label, unit: str, compute: Callable, *, higher_is_better: bool = True) -> Metric:
    metric = Metric(code, label, unit, higher_is_better, compute)
    REGISTRY[code] = metric
    return metric


def choices() -> list[tuple[str, str]]:
    return [("", _("— not measurable from Tumbuh (progress reported) —"))] + [
        (m.code, m.label) for m in REGISTRY.values()]


@dataclass(frozen=True)
class Progress:
    value: float | None
    target: float | None
    met: bool
    percent: float | None  # of the target reached (capped at 100), for a bar
    live: bool  # computed from data (True) or reported by hand (False)


def progress_of(commitment) -> Progress:
    target = float(commitment.target) if commitment.target is not None else None
    metric = REGISTRY.get(commitment.metric)
    live = metric is not None
    if live:
        from tumbuh.analytics.periods import Period

        try:
            period = Period.parse(commitment.metric_period) if commitment.metric_period else \
                Period.containing(commitment.due_date, "month")
        except ValueError:
            return Progress(None, target, False, None, True)
        value = metric.compute(commitment.region_id, period)
        higher = metric.higher_is_better
    else:
        value = float(commitment.reported_value) if commitment.reported_value is not None else None
        higher = True
    if value is None or target is None:
        return Progress(value, target, False, None, live)
    met = value >= target if higher else value <= target
    if higher:
        percent = 100.0 if target <= 0 else min(100.0, 100.0 * value / target)
    else:
        percent = 100.0 if met else (0.0 if value <= 0 else min(100.0, 100.0 * target / value))
    return Progress(round(value, 2), target, met, round(percent, 1), live)


# ---- the metrics that exist now -------------------------------------------------------------

def _region(code: str):
    from tumbuh.regions.models import Region

    return Region.objects.filter(code=code).first()


def children_measured(region_code: str, period) -> float | None:
    from tumbuh.analytics import summary as sm

    _counts, totals = sm.cell_totals(SYSTEM, region_code, period)
    return float(totals["measured"])


def percent_measured(region_code: str, period) -> float | None:
    """Registered under-fives measured in the period (D/S), in percent."""
    from tumbuh.analytics import summary as sm

    registered = int(sm.registered_counts(SYSTEM, region_code, period.end)["n"].sum())
    if not registered:
        return None
    _counts, totals = sm.cell_totals(SYSTEM, region_code, period)
    return 100.0 * totals["weighed"] / registered


def stunting_prevalence(region_code: str, period) -> float | None:
    from tumbuh.analytics import reports

    region = _region(region_code)
    if region is None:
        return None
    est = reports.prevalence_report(SYSTEM, region, period).estimates.get("stunting")
    if est is None or est.rate is None or (isinstance(est.rate, float) and math.isnan(est.rate)) or not est.children:
        return None
    return float(est.rate)


register("percent_measured", _("Percent of registered children measured in the period"), "%", percent_measured)
register("children_measured", _("Number of children measured in the period"), "anak", children_measured)
# The RAN-PASTI indicators (ranpasti_<code>) are registered by tumbuh.indicators (IndicatorsConfig.ready,
# tumbuh/indicators/metrics.py), computed by the same selectors as the /indicators/ page.
register("stunting_prevalence", _("Stunting prevalence in the period (lower is better)"), "%",
         stunting_prevalence, higher_is_better=False)
