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
    # WHO flags only (the stored warnings say which); a far-off value awaiting confirmation is
    # flagged too, but its badge says that instead.
    who = {w.get("indicator") for w in (m.warnings or []) if isinstance(w, dict) and w.get("code") == "implausible"}
    flagged = [name for code, name, value in (
        ("TB/U", _("TB/U"), m.length_for_age_flag), ("BB/U", _("BB/U"), m.weight_for_age_flag),
        ("BB/TB", _("BB/TB"), m.weight_for_length_flag)) if value and code in who]
    if getattr(m, "awaiting_confirmation", False):
        badges.append({"index": _("Check"), "label": _("far from earlier values: not counted until confirmed"),
                       "severity": "yellow", "code": "unconfirmed"})
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


def _month_ticks(hi: int) -> range:
    step = 1 if hi <= 12 else 3 if hi <= 24 else 6
    return range(0, hi + 1, step)


def months_shown(child, points: list) -> int:
    """The x axis of the age charts: from birth to a little past the child's age (whole 6
    months, at most 60), so an 11-month-old fills the chart instead of its first fifth."""
    ages = [age_days_of(child, m) for m in points]
    ages.append(min((timezone.localdate() - child.birth_date).days, MAX_AGE_DAYS))
    months = max(ages) / DAYS_PER_MONTH
    return int(min(60, max(6, np.ceil((months + 0.5) / 6) * 6)))


def _fit(lo: float, hi: float, values: list[float], step: float) -> tuple[float, float]:
    """Widen a default y range to include the child's values, to whole steps."""
    if values:
        lo = min(lo, np.floor(min(values) / step) * step)
        hi = max(hi, np.ceil(max(values) / step) * step)
    return lo, hi


def _curve_range(curves: dict[int, np.ndarray], step: float, floor: float = 0) -> tuple[float, float]:
    low, high = np.nanmin(curves[-3]), np.nanmax(curves[3])
    return max(floor, np.floor(low / step) * step), np.ceil(high / step) * step


def _fmt_num(value: float) -> str:
    from django.utils.formats import number_format

    return number_format(round(value, 1), 1)


LARGE = (960, 600)


def growth_charts(child, history: list, *, large: bool = False, spans=()) -> list[dict]:
    """The three WHO charts for this child's sex, as rendered SVG with their ids. The age charts
    span birth to just past the child's age; birth weight and length are the first points.
    `large=True`: the same charts drawn bigger, ids suffixed "-large" (the "open large" view).
    `spans`: (start date, end date, label) periods (PMT courses, from the interventions context)
    shaded on the two age charts, so a nutrition officer sees whether the child grew during them."""
    sex = sex_code(child.sex)
    points = [m for m in history if age_days_of(child, m) is not None and 0 <= age_days_of(child, m) <= MAX_AGE_DAYS]
    x_hi = months_shown(child, points)
    last_day = min(MAX_AGE_DAYS, int(np.ceil(x_hi * DAYS_PER_MONTH)))
    ages = np.arange(0, last_day + 1, 7 if x_hi > 24 else 1)
    ages = np.append(ages, last_day) if ages[-1] != last_day else ages
    months = ages / DAYS_PER_MONTH
    sex_label = _("boys") if sex == 1 else _("girls")
    suffix = "-large" if large else ""  # the dict id: the page's "open large" target
    svg_suffix = "-big" if large else ""  # the SVG's own id, unique on the page
    size = {"width": LARGE[0], "height": LARGE[1]} if large else {}
    charts = []
    mo = _("mo")
    born = _("birth")

    def months_axis():
        return Axis(_("Age (months)"), 0, x_hi, ticks=_month_ticks(x_hi))

    def titles(rows, value_text):
        return [f"{m.measured_on:%d-%m-%Y} · {_fmt_num(age_days_of(child, m) / DAYS_PER_MONTH)} {mo} · {value_text(m)}"
                for m in rows]

    def add_child(chart, xs, ys, tips, birth_value=None, birth_tip="", birth_x=0.0):
        classes = [""] * len(xs)
        if birth_value is not None:
            xs, ys, tips, classes = [birth_x, *xs], [birth_value, *ys], [birth_tip, *tips], ["birth", *classes]
        chart.add_points(xs, ys, css_class="child", label=child.name, titles=tips, point_classes=classes)

    def shade(chart):
        for start, end, label in spans:
            text = f"{label} {start:%d-%m-%Y} – {end:%d-%m-%Y}"
            chart.add_xspan((start - child.birth_date).days / DAYS_PER_MONTH,
                            (end - child.birth_date).days / DAYS_PER_MONTH, label=text, css_class="xspan course")

    def done(chart, chart_id, x, y):
        charts.append({"id": chart_id + suffix, "svg": chart.render(), "title": chart.title,
                       "x": (x.lo, x.hi), "y": (y.lo, y.hi)})

    birth_w = child.birth_weight_kg
    birth_l = child.birth_length_cm
    birth_date = f"{child.birth_date:%d-%m-%Y}"

    # Length/height-for-age
    lengths = [m for m in points if plotted_length(m) is not None]
    curves = sd_curves("lhfa", sex, ages)
    y_lo, y_hi = _fit(*_curve_range(curves, 5, 30), [plotted_length(m) for m in lengths] + ([birth_l] if birth_l else []), 5)
    y_axis = Axis(_("Length/height (cm)"), y_lo, y_hi, ticks=np.arange(y_lo, y_hi + 0.1, 5 if y_hi - y_lo <= 50 else 10))
    x_axis = months_axis()
    chart = LineChart(
        x=x_axis, y=y_axis,
        title=_("Length/height-for-age (TB/U), %(sex)s") % {"sex": sex_label},
        desc=_("WHO curves at -3, -2, -1, 0, +1, +2 and +3 SD with the child's %(n)d measurements.") % {"n": len(lengths)},
        chart_id="chart-lhfa" + svg_suffix, **size,
    )
    _add_reference(chart, months, curves)
    add_child(chart, [age_days_of(child, m) / DAYS_PER_MONTH for m in lengths], [plotted_length(m) for m in lengths],
              titles(lengths, lambda m: f"{_fmt_num(plotted_length(m))} cm"),
              birth_l, f"{birth_date} · {born} · {_fmt_num(birth_l or 0)} cm")
    shade(chart)
    done(chart, "chart-lhfa", x_axis, y_axis)

    # Weight-for-age
    weights = [m for m in points if m.weight_kg is not None]
    curves = sd_curves("wfa", sex, ages)
    y_lo, y_hi = _fit(*_curve_range(curves, 2), [m.weight_kg for m in weights] + ([birth_w] if birth_w else []), 2)
    y_axis = Axis(_("Weight (kg)"), y_lo, y_hi, ticks=np.arange(y_lo, y_hi + 0.1, 1 if y_hi - y_lo <= 12 else 2))
    x_axis = months_axis()
    chart = LineChart(
        x=x_axis, y=y_axis,
        title=_("Weight-for-age (BB/U), %(sex)s") % {"sex": sex_label},
        desc=_("WHO curves at -3, -2, -1, 0, +1, +2 and +3 SD with the child's %(n)d measurements.") % {"n": len(weights)},
        chart_id="chart-wfa" + svg_suffix, **size,
    )
    _add_reference(chart, months, curves)
    add_child(chart, [age_days_of(child, m) / DAYS_PER_MONTH for m in weights], [m.weight_kg for m in weights],
              titles(weights, lambda m: f"{_fmt_num(m.weight_kg)} kg"),
              birth_w, f"{birth_date} · {born} · {_fmt_num(birth_w or 0)} kg")
    shade(chart)
    done(chart, "chart-wfa", x_axis, y_axis)

    # Weight-for-length (under 2) or weight-for-height (2 and over): the table of the child's age now.
    latest_age = age_days_of(child, history[-1]) if history else (timezone.localdate() - child.birth_date).days
    under_two = latest_age < LENGTH_AGE_LIMIT_DAYS
    indicator, (x_lo, x_hi_cm) = ("wfl", (45, 110)) if under_two else ("wfh", (65, 120))
    pairs = [m for m in points if m.weight_kg is not None and plotted_length(m) is not None
             and (age_days_of(child, m) < LENGTH_AGE_LIMIT_DAYS) == under_two
             and x_lo <= plotted_length(m) <= x_hi_cm]
    cms = np.round(np.arange(x_lo, x_hi_cm + 0.01, 0.5), 1)
    y_lo, y_hi = _fit(0 if under_two else 4, 26 if under_two else 32, [m.weight_kg for m in pairs], 2)
    x_name = _("Length (cm)") if under_two else _("Height (cm)")
    title = (_("Weight-for-length (BB/PB), %(sex)s") if under_two else _("Weight-for-height (BB/TB), %(sex)s")) % {"sex": sex_label}
    x_axis = Axis(x_name, x_lo, x_hi_cm, ticks=range(x_lo, x_hi_cm + 1, 5))
    y_axis = Axis(_("Weight (kg)"), y_lo, y_hi, ticks=np.arange(y_lo, y_hi + 0.1, 2))
    chart = LineChart(
        x=x_axis, y=y_axis, title=title,
        desc=_("WHO curves at -3, -2, -1, 0, +1, +2 and +3 SD with the child's %(n)d measurements.") % {"n": len(pairs)},
        chart_id="chart-wflh" + svg_suffix, **size,
    )
    _add_reference(chart, cms, sd_curves(indicator, sex, cms))
    birth_pair = under_two and birth_w and birth_l and x_lo <= birth_l <= x_hi_cm
    add_child(chart, [plotted_length(m) for m in pairs], [m.weight_kg for m in pairs],
              titles(pairs, lambda m: f"{_fmt_num(plotted_length(m))} cm, {_fmt_num(m.weight_kg)} kg"),
              birth_w if birth_pair else None,
              f"{birth_date} · {born} · {_fmt_num(birth_l or 0)} cm, {_fmt_num(birth_w or 0)} kg",
              birth_x=birth_l or 0)
    done(chart, "chart-wflh", x_axis, y_axis)
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


def child_page_context(child, history: list, *, spans=()) -> dict:
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
        "charts": growth_charts(child, history, spans=spans) if show_charts else [],
        "large_charts": growth_charts(child, history, large=True, spans=spans) if show_charts else [],
    }
