"""What the child page shows: status badges, the history table and the three WHO growth charts.

Curves come from the growth engine's inverse LMS (`tumbuh.growth.value_for_z`), so the chart and
the z-scores in the table are computed from the same WHO tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .charts import Axis, LineChart

DAYS_PER_MONTH = 30.4375
# WHO standards: length-for-age and weight-for-length up to 730 days; height after.
LENGTH_AGE_LIMIT_DAYS = 731
MAX_AGE_DAYS = 1856
SD_LINES = (-3, -2, -1, 0, 1, 2, 3)

WEIGHT_GAIN_SEVERITY = {"N": "green", "T": "orange", "2T": "red", "O": "yellow", "B": "blue"}


def sex_code(sex: str) -> int:
    """Person.sex ('M'/'F') to the WHO tables' 1 male / 2 female."""
    return 1 if sex == "M" else 2


def language() -> str:
    return (get_language() or "id").split("-")[0]


def category_badge(code: str, index: str, index_label: str = "") -> dict | None:
    """Badge of a Permenkes category code in the regulation's wording for that index
    ("pb_u", "bb_u", "bb_pb"), in the active language, coloured by severity."""
    from tumbuh.growth.categories import INDEX_LABELS, LABELS, SEVERITY

    labels = INDEX_LABELS.get(index, {}).get(code) or LABELS.get(code)
    if not code or not labels:
        return None
    return {"index": index_label, "label": labels.get(language(), labels.get("en", code)),
            "severity": SEVERITY.get(code, ""), "code": code}


def category_label(code: str, index: str) -> str:
    badge = category_badge(code, index)
    return badge["label"] if badge else ""


def status_badges(m) -> list[dict]:
    """Badges for one measurement: Permenkes categories, weight gain, BGM, data-quality flags."""
    if m is None:
        return []
    badges = [
        category_badge(m.length_for_age_category, "pb_u", _("TB/U")),
        category_badge(m.weight_for_age_category, "bb_u", _("BB/U")),
        category_badge(m.weight_for_length_category, "bb_pb", _("BB/TB")),
    ]
    badges = [b for b in badges if b]
    if m.weight_gain:
        badges.append({"index": _("Weight gain"), "label": m.get_weight_gain_display(),
                       "severity": WEIGHT_GAIN_SEVERITY.get(m.weight_gain, ""), "code": m.weight_gain})
    if m.below_red_line:
        badges.append({"index": "", "label": _("BGM: below the red line"), "severity": "red", "code": "BGM"})
    flagged = [name for name, value in (
        (_("TB/U"), m.length_for_age_flag), (_("BB/U"), m.weight_for_age_flag),
        (_("BB/TB"), m.weight_for_length_flag)) if value]
    if flagged:
        badges.append({"index": _("Check"), "label": _("implausible z-score: %(which)s") % {"which": ", ".join(flagged)},
                       "severity": "yellow", "code": "flag"})
    if m.position_flag:
        badges.append({"index": _("Check"), "label": _("measured standing before 9 months"),
                       "severity": "yellow", "code": "c9mo"})
    return badges


def age_days_of(child, m) -> int:
    return m.age_days if m.age_days is not None else (m.measured_on - child.birth_date).days


def plotted_length(m) -> float | None:
    # The z-score uses the length adjusted for position (±0.7 cm); plot the same value so the point
    # sits where its z-score says.
    return m.length_adjusted_cm if m.length_adjusted_cm is not None else m.length_cm


@dataclass
class ChartSpec:
    chart_id: str
    indicator: str
    title: str
    x_axis: Axis
    y_axis: Axis
    x_values: np.ndarray  # what value_for_z takes (age in days, or cm)
    x_plot: np.ndarray  # where it goes on the x axis (months, or cm)


def sd_curves(indicator: str, sex: int, x_values: np.ndarray) -> dict[int, np.ndarray]:
    from tumbuh.growth import value_for_z

    sexes = np.full(len(x_values), sex)
    return {z: np.asarray(value_for_z(indicator, sexes, x_values, np.full(len(x_values), float(z))), dtype=float)
            for z in SD_LINES}


def _add_reference(chart: LineChart, x_plot, curves: dict[int, np.ndarray]) -> None:
    chart.add_band(x_plot, curves[-2], curves[2], css_class="band-normal")
    for z in SD_LINES:
        css = f"sd sd-{abs(z)}" + (" sd-minor" if abs(z) == 1 else "")
        chart.add_line(x_plot, curves[z], css_class=css, label=f"{z:+d} SD" if z else "0 SD",
                       end_label=f"{z:+d}" if z else "0")


def _months_axis() -> Axis:
    return Axis(_("Age (months)"), 0, 60, ticks=range(0, 61, 6))


def _fit(lo: float, hi: float, values: list[float], step: float) -> tuple[float, float]:
    """Widen a default y range to include the child's values, to whole steps."""
    if values:
        lo = min(lo, np.floor(min(values) / step) * step)
        hi = max(hi, np.ceil(max(values) / step) * step)
    return lo, hi


def growth_charts(child, history: list) -> list[dict]:
    """The three WHO charts for this child's sex, as rendered SVG with their ids."""
    sex = sex_code(child.sex)
    ages = np.arange(0, MAX_AGE_DAYS + 1, 7)
    ages = np.append(ages, MAX_AGE_DAYS) if ages[-1] != MAX_AGE_DAYS else ages
    months = ages / DAYS_PER_MONTH
    points = [m for m in history if age_days_of(child, m) is not None and 0 <= age_days_of(child, m) <= MAX_AGE_DAYS]
    sex_label = _("boys") if sex == 1 else _("girls")
    charts = []

    mo = _("mo")

    def titles(rows, value_text):
        return [f"{m.measured_on:%d-%m-%Y} · {age_days_of(child, m) / DAYS_PER_MONTH:.1f} {mo} · {value_text(m)}"
                for m in rows]

    # Length/height-for-age
    lengths = [m for m in points if plotted_length(m) is not None]
    y_lo, y_hi = _fit(40, 125, [plotted_length(m) for m in lengths], 5)
    chart = LineChart(
        x=_months_axis(), y=Axis(_("Length/height (cm)"), y_lo, y_hi, ticks=np.arange(y_lo, y_hi + 0.1, 10)),
        title=_("Length/height-for-age (TB/U), %(sex)s") % {"sex": sex_label},
        desc=_("WHO curves at -3, -2, -1, 0, +1, +2 and +3 SD with the child's %(n)d measurements.") % {"n": len(lengths)},
        chart_id="chart-lhfa",
    )
    _add_reference(chart, months, sd_curves("lhfa", sex, ages))
    chart.add_points([age_days_of(child, m) / DAYS_PER_MONTH for m in lengths], [plotted_length(m) for m in lengths],
                     css_class="child", label=child.name, titles=titles(lengths, lambda m: f"{plotted_length(m):.1f} cm"))
    charts.append({"id": "chart-lhfa", "svg": chart.render(), "title": chart.title})

    # Weight-for-age
    weights = [m for m in points if m.weight_kg is not None]
    y_lo, y_hi = _fit(0, 30, [m.weight_kg for m in weights], 2)
    chart = LineChart(
        x=_months_axis(), y=Axis(_("Weight (kg)"), y_lo, y_hi, ticks=np.arange(y_lo, y_hi + 0.1, 2)),
        title=_("Weight-for-age (BB/U), %(sex)s") % {"sex": sex_label},
        desc=_("WHO curves at -3, -2, -1, 0, +1, +2 and +3 SD with the child's %(n)d measurements.") % {"n": len(weights)},
        chart_id="chart-wfa",
    )
    _add_reference(chart, months, sd_curves("wfa", sex, ages))
    chart.add_points([age_days_of(child, m) / DAYS_PER_MONTH for m in weights], [m.weight_kg for m in weights],
                     css_class="child", label=child.name, titles=titles(weights, lambda m: f"{m.weight_kg:.1f} kg"))
    charts.append({"id": "chart-wfa", "svg": chart.render(), "title": chart.title})

    # Weight-for-length (under 2) or weight-for-height (2 and over): the table of the child's age now.
    latest_age = age_days_of(child, history[-1]) if history else (timezone.localdate() - child.birth_date).days
    under_two = latest_age < LENGTH_AGE_LIMIT_DAYS
    indicator, (x_lo, x_hi) = ("wfl", (45, 110)) if under_two else ("wfh", (65, 120))
    pairs = [m for m in points if m.weight_kg is not None and plotted_length(m) is not None
             and (age_days_of(child, m) < LENGTH_AGE_LIMIT_DAYS) == under_two
             and x_lo <= plotted_length(m) <= x_hi]
    cms = np.round(np.arange(x_lo, x_hi + 0.01, 0.5), 1)
    y_lo, y_hi = _fit(0 if under_two else 4, 26 if under_two else 32, [m.weight_kg for m in pairs], 2)
    x_name = _("Length (cm)") if under_two else _("Height (cm)")
    title = (_("Weight-for-length (BB/PB), %(sex)s") if under_two else _("Weight-for-height (BB/TB), %(sex)s")) % {"sex": sex_label}
    chart = LineChart(
        x=Axis(x_name, x_lo, x_hi, ticks=range(x_lo, x_hi + 1, 5)),
        y=Axis(_("Weight (kg)"), y_lo, y_hi, ticks=np.arange(y_lo, y_hi + 0.1, 2)),
        title=title,
        desc=_("WHO curves at -3, -2, -1, 0, +1, +2 and +3 SD with the child's %(n)d measurements.") % {"n": len(pairs)},
        chart_id="chart-wflh",
    )
    _add_reference(chart, cms, sd_curves(indicator, sex, cms))
    chart.add_points([plotted_length(m) for m in pairs], [m.weight_kg for m in pairs], css_class="child", label=child.name,
                     titles=titles(pairs, lambda m: f"{plotted_length(m):.1f} cm, {m.weight_kg:.1f} kg"))
    charts.append({"id": "chart-wflh", "svg": chart.render(), "title": chart.title})
    return charts


def warning_text(warning) -> str:
    """Measurement warnings are stored as codes; the measurements app words them."""
    if isinstance(warning, dict):
        try:
            from tumbuh.measurements.derivation import warning_message
        except ImportError:  # the measurements app words its own codes; show the code meanwhile
            return str(warning.get("text") or warning.get("code") or warning)
        return warning_message(warning)
    return str(warning)


def history_rows(child, history: list) -> list[dict]:
    rows = []
    for m in reversed(history):  # newest first in the table
        rows.append({
            "m": m,
            "age_months": age_days_of(child, m) / DAYS_PER_MONTH,
            "lfa": category_badge(m.length_for_age_category, "pb_u"),
            "wfa": category_badge(m.weight_for_age_category, "bb_u"),
            "wfl": category_badge(m.weight_for_length_category, "bb_pb"),
            "warnings": [warning_text(w) for w in (m.warnings or [])],
        })
    return rows


def child_page_context(child, history: list) -> dict:
    latest = history[-1] if history else None
    age_days = (timezone.localdate() - child.birth_date).days
    # Mothers and other adults open on the same page; WHO 0-5 charts only mean something for balita.
    show_charts = bool(history) or age_days <= MAX_AGE_DAYS
    return {
        "child": child,
        "age_days": age_days,
        "latest": latest,
        "badges": status_badges(latest),
        "rows": history_rows(child, history),
        "charts": growth_charts(child, history) if show_charts else [],
    }
