"""A small server-side line-chart builder that renders inline SVG.

One chart helper for the whole project (growth charts, trend charts): no JavaScript library, works
without internet, prints, and is readable by screen readers (`<title>`, `<desc>`, labelled axes).

Usage::

    chart = LineChart(
        x=Axis(_("Age (months)"), 0, 60, ticks=range(0, 61, 6)),
        y=Axis(_("Length/height (cm)"), 40, 130, ticks=range(40, 131, 10)),
        title=_("Length/height-for-age"), desc="...", chart_id="chart-lhfa",
    )
    chart.add_band(xs, lower, upper, css_class="band-normal")      # shaded area between two curves
    chart.add_line(xs, ys, css_class="sd sd-0", end_label="0")      # a reference curve
    chart.add_hline(80, label="target", css_class="target")         # a horizontal reference line
    chart.add_points(xs, ys, css_class="child", titles=[...])       # data points joined by a line
    chart.add_xspan(3.0, 6.0, label="PMT-BALITA")                   # a shaded period (a PMT course)
    svg = chart.render()                                             # SafeString for a template

Styling is by CSS class (see tumbuh.css, `.chart ...`); each element also carries a plain
presentation default so the SVG is legible on its own. X tick labels that are period keys
("2025-12", "2026-Q3", "2026-S1", "2026-B08") are written as short Indonesian period names
("Des 2025", "Jan", "T3 2026"), the year shown on the first label and where it changes, and x
labels that would overlap are thinned out (every 2nd, 3rd, ... tick keeps its label, counted from
the last one). The SVG carries `--chart-min-width`, the width below which its smallest text would
be under MIN_TEXT_PX on screen; a page that lets the chart scroll (analytics.css) uses it. Values that are None/NaN break a line
instead of drawing it to zero. `x_px` / `y_px` map data to SVG coordinates (tests use them).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def _fmt(value: float) -> str:
    """Coordinates to one decimal: small SVGs, stable output for tests."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


MIN_TEXT_PX = 10  # the smallest text a chart should show on screen (see --chart-min-width)
TICK_FONT = 11
CHAR_EM = 0.62  # a generous average advance of sans-serif text, in em, to keep labels apart
LABEL_GAP = 6   # px of clear space between two x labels

_PERIOD_KEY = re.compile(r"^(\d{4})-(0[1-9]|1[0-2]|Q[1-4]|S[12]|B0[28])$")


def text_width(text: str, font_size: float) -> float:
    """An upper estimate of the width of `text` drawn at `font_size` (no font metrics server-side)."""
    return len(text) * font_size * CHAR_EM


def _short_period(key: str, with_year: bool) -> str:
    """"2025-12" -> "Des 2025" (or "Des"), "2026-Q3" -> "T3 2026", "2026-S1" -> "S1 2026": the
    month names of the active language (Django's MONTHS_3, as tumbuh.reports.render.short_label)."""
    from django.utils.dates import MONTHS_3
    from django.utils.translation import gettext as _

    m = _PERIOD_KEY.match(key)
    year, rest = m.group(1), m.group(2)
    if rest[0] == "Q":
        full = _("Q%(n)d %(year)d") % {"n": int(rest[1]), "year": int(year)}
        return full if with_year else full.replace(year, "").strip()
    name = f"S{rest[1]}" if rest[0] == "S" else str(MONTHS_3[int(rest[-2:])]).title()
    return f"{name} {year}" if with_year else name


def period_tick_labels(keys: Sequence[str]) -> list[str]:
    """Short period names for consecutive x labels: the year on the first and where it changes."""
    out, last_year = [], None
    for key in keys:
        year = key[:4]
        out.append(_short_period(key, year != last_year))
        last_year = year
    return out


def default_tick_label(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass
class Axis:
    label: str
    lo: float
    hi: float
    ticks: Iterable[float] = ()
    tick_label: Callable[[float], str] = default_tick_label
    grid: bool = True

    def __post_init__(self) -> None:
        if not self.hi > self.lo:
            raise ValueError(f"axis {self.label!r}: hi ({self.hi}) must be greater than lo ({self.lo})")
        self.ticks = [t for t in self.ticks if self.lo <= t <= self.hi]


def _finite(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and math.isfinite(float(value))


@dataclass
class LineChart:
    x: Axis
    y: Axis
    title: str
    desc: str = ""
    chart_id: str = ""
    width: int = 640
    height: int = 400
    # top, right, bottom, left: room for the title, end labels, and axis labels
    margin: tuple[int, int, int, int] = (34, 46, 52, 58)
    css_class: str = "chart"
    _layers: list[str] = field(default_factory=list, repr=False)
    _overlays: list[str] = field(default_factory=list, repr=False)

    # -- geometry ---------------------------------------------------------------------------
    @property
    def plot_left(self) -> float:
        return self.margin[3]

    @property
    def plot_right(self) -> float:
        return self.width - self.margin[1]

    @property
    def plot_top(self) -> float:
        return self.margin[0]

    @property
    def plot_bottom(self) -> float:
        return self.height - self.margin[2]

    def x_px(self, value: float) -> float:
        span = self.plot_right - self.plot_left
        return round(self.plot_left + (float(value) - self.x.lo) / (self.x.hi - self.x.lo) * span, 1)

    def y_px(self, value: float) -> float:
        span = self.plot_bottom - self.plot_top
        return round(self.plot_bottom - (float(value) - self.y.lo) / (self.y.hi - self.y.lo) * span, 1)

    def _segments(self, xs: Sequence, ys: Sequence) -> list[list[tuple[float, float]]]:
        if len(xs) != len(ys):
            raise ValueError(f"x and y have different lengths ({len(xs)} and {len(ys)})")
        segments, current = [], []
        for xv, yv in zip(xs, ys, strict=True):
            if _finite(xv) and _finite(yv):
                current.append((self.x_px(xv), self.y_px(yv)))
            elif current:
                segments.append(current)
                current = []
        if current:
            segments.append(current)
        return segments

    @staticmethod
    def _path(points: list[tuple[float, float]]) -> str:
        return "M" + " L".join(f"{_fmt(px)},{_fmt(py)}" for px, py in points)

    # -- content ----------------------------------------------------------------------------
    def add_line(self, xs: Sequence, ys: Sequence, *, css_class: str = "line", label: str = "",
                 end_label: str | None = None, dashed: bool = False) -> LineChart:
        """A curve (reference line or series) without markers; `end_label` is written at its right end."""
        dash = ' stroke-dasharray="4 3"' if dashed else ""
        name = f' data-label="{escape(label)}"' if label else ""
        for segment in self._segments(xs, ys):
            self._layers.append(
                f'<path class="{escape(css_class)}"{name} d="{self._path(segment)}" fill="none" '
                f'stroke="#5b6475" stroke-width="1.2"{dash}/>'
            )
        if end_label is not None:
            segments = self._segments(xs, ys)
            if segments:
                px, py = segments[-1][-1]
                if self.plot_top <= py <= self.plot_bottom:
                    self._overlays.append(
                        f'<text class="end-label {escape(css_class)}" x="{_fmt(px + 4)}" y="{_fmt(py + 4)}" '
                        f'font-size="11">{escape(end_label)}</text>'
                    )
        return self

    def add_band(self, xs: Sequence, lower: Sequence, upper: Sequence, *, css_class: str = "band",
                 label: str = "") -> LineChart:
        """A shaded area between two curves over the same xs (e.g. -2..+2 SD)."""
        low = self._segments(xs, lower)
        high = self._segments(xs, upper)
        if len(low) == 1 and len(high) == 1 and len(low[0]) == len(high[0]):
            outline = low[0] + list(reversed(high[0]))
            name = f' data-label="{escape(label)}"' if label else ""
            self._layers.append(
                f'<path class="{escape(css_class)}"{name} d="{self._path(outline)} Z" fill="#dcfae6" '
                f'fill-opacity="0.6" stroke="none"/>'
            )
        return self

    def add_xspan(self, x0: float, x1: float, *, label: str = "", css_class: str = "xspan") -> LineChart:
        """A shaded vertical band from x0 to x1 (e.g. the months of a PMT course on an age chart),
        drawn behind the curves and points and clipped to the x axis; `label` is its tooltip."""
        lo, hi = max(min(x0, x1), self.x.lo), min(max(x0, x1), self.x.hi)
        if hi <= lo:
            return self
        left, right = self.x_px(lo), self.x_px(hi)
        name = f' data-label="{escape(label)}"' if label else ""
        tip = f"<title>{escape(label)}</title>" if label else ""
        self._layers.insert(0, (
            f'<rect class="{escape(css_class)}"{name} x="{_fmt(left)}" y="{_fmt(self.plot_top)}" '
            f'width="{_fmt(max(right - left, 1.0))}" height="{_fmt(self.plot_bottom - self.plot_top)}" '
            f'fill="#fdb022" fill-opacity="0.18" stroke="none">{tip}</rect>'))
        return self

    def add_hline(self, y: float, *, label: str = "", css_class: str = "hline") -> LineChart:
        if not (self.y.lo <= y <= self.y.hi):
            return self
        py = self.y_px(y)
        self._layers.append(
            f'<line class="{escape(css_class)}" x1="{_fmt(self.plot_left)}" x2="{_fmt(self.plot_right)}" '
            f'y1="{_fmt(py)}" y2="{_fmt(py)}" stroke="#b42318" stroke-dasharray="6 3"/>'
        )
        if label:
            self._overlays.append(
                f'<text class="hline-label" x="{_fmt(self.plot_right - 4)}" y="{_fmt(py - 4)}" '
                f'text-anchor="end" font-size="11">{escape(label)}</text>'
            )
        return self

    def add_points(self, xs: Sequence, ys: Sequence, *, css_class: str = "series", label: str = "",
                   titles: Sequence[str] | None = None, connect: bool = True,
                   point_classes: Sequence[str] | None = None, radius: float = 3.5) -> LineChart:
        """Data points (circles, each with an optional tooltip `<title>`), joined by a line."""
        if len(xs) != len(ys):
            raise ValueError(f"x and y have different lengths ({len(xs)} and {len(ys)})")
        group = [f'<g class="{escape(css_class)}"' + (f' data-label="{escape(label)}"' if label else "") + ">"]
        if connect:
            for segment in self._segments(xs, ys):
                if len(segment) > 1:
                    group.append(f'<path d="{self._path(segment)}" fill="none" stroke="#175cd3" stroke-width="2"/>')
        for i, (xv, yv) in enumerate(zip(xs, ys, strict=True)):
            if not (_finite(xv) and _finite(yv)):
                continue
            extra = f' class="{escape(point_classes[i])}"' if point_classes and point_classes[i] else ""
            tip = f"<title>{escape(titles[i])}</title>" if titles else ""
            group.append(
                f'<circle{extra} cx="{_fmt(self.x_px(xv))}" cy="{_fmt(self.y_px(yv))}" r="{radius:g}" '
                f'fill="#175cd3" stroke="#fff" stroke-width="1">{tip}</circle>'
            )
        group.append("</g>")
        self._overlays.append("".join(group))
        return self

    # -- output -----------------------------------------------------------------------------
    def x_tick_labels(self) -> dict[float, str]:
        """The x ticks that get a label, and its text: period keys as short period names, and no
        two labels closer than their widths (every k-th tick, counted back from the last)."""
        ticks = list(self.x.ticks)
        raw = [str(self.x.tick_label(t)) for t in ticks]
        periods = bool(raw) and all(_PERIOD_KEY.match(r) for r in raw)
        for k in range(1, len(ticks) + 1):
            keep = [i for i in range(len(ticks)) if (len(ticks) - 1 - i) % k == 0]
            texts = period_tick_labels([raw[i] for i in keep]) if periods else [raw[i] for i in keep]
            spans = [(self.x_px(ticks[i]), text_width(text, TICK_FONT)) for i, text in zip(keep, texts, strict=True)]
            if all(b[0] - a[0] >= (a[1] + b[1]) / 2 + LABEL_GAP for a, b in pairwise(spans)):
                return {ticks[i]: text for i, text in zip(keep, texts, strict=True)}
        return {}

    def _axes(self) -> str:
        parts = []
        left, right, top, bottom = self.plot_left, self.plot_right, self.plot_top, self.plot_bottom
        x_labels = self.x_tick_labels()
        for t in self.x.ticks:
            px = self.x_px(t)
            if self.x.grid:
                parts.append(f'<line class="grid" x1="{_fmt(px)}" x2="{_fmt(px)}" y1="{_fmt(top)}" y2="{_fmt(bottom)}" stroke="#eef0f4"/>')
            parts.append(f'<line class="tick" x1="{_fmt(px)}" x2="{_fmt(px)}" y1="{_fmt(bottom)}" y2="{_fmt(bottom + 4)}" stroke="#5b6475"/>')
            if t in x_labels:
                parts.append(f'<text class="tick-label" x="{_fmt(px)}" y="{_fmt(bottom + 16)}" text-anchor="middle" font-size="{TICK_FONT}">{escape(x_labels[t])}</text>')
        for t in self.y.ticks:
            py = self.y_px(t)
            if self.y.grid:
                parts.append(f'<line class="grid" x1="{_fmt(left)}" x2="{_fmt(right)}" y1="{_fmt(py)}" y2="{_fmt(py)}" stroke="#eef0f4"/>')
            parts.append(f'<line class="tick" x1="{_fmt(left - 4)}" x2="{_fmt(left)}" y1="{_fmt(py)}" y2="{_fmt(py)}" stroke="#5b6475"/>')
            parts.append(f'<text class="tick-label" x="{_fmt(left - 7)}" y="{_fmt(py + 4)}" text-anchor="end" font-size="11">{escape(self.y.tick_label(t))}</text>')
        parts.append(f'<rect class="frame" x="{_fmt(left)}" y="{_fmt(top)}" width="{_fmt(right - left)}" height="{_fmt(bottom - top)}" fill="none" stroke="#5b6475"/>')
        parts.append(f'<text class="axis-label" x="{_fmt((left + right) / 2)}" y="{_fmt(self.height - 10)}" text-anchor="middle" font-size="12">{escape(self.x.label)}</text>')
        cy = (top + bottom) / 2
        parts.append(f'<text class="axis-label" transform="translate(14 {_fmt(cy)}) rotate(-90)" text-anchor="middle" font-size="12">{escape(self.y.label)}</text>')
        return "".join(parts)

    @property
    def min_width(self) -> int:
        """The on-screen width (px) at which the smallest text (the 11-unit tick labels) is drawn at
        MIN_TEXT_PX: narrower, the chart should scroll rather than shrink."""
        return math.ceil(self.width * MIN_TEXT_PX / TICK_FONT)

    def render(self) -> SafeString:
        uid = escape(self.chart_id or f"chart-{id(self):x}")
        clip = f"{uid}-clip"
        left, top = self.plot_left, self.plot_top
        svg = (
            f'<svg xmlns="http://www.w3.org/2000/svg" id="{uid}" class="{escape(self.css_class)}" '
            f'viewBox="0 0 {self.width} {self.height}" role="img" aria-labelledby="{uid}-title {uid}-desc" '
            f'preserveAspectRatio="xMidYMid meet" style="--chart-min-width:{self.min_width}px">'
            f'<title id="{uid}-title">{escape(self.title)}</title>'
            f'<desc id="{uid}-desc">{escape(self.desc)}</desc>'
            f'<defs><clipPath id="{clip}"><rect x="{_fmt(left)}" y="{_fmt(top)}" '
            f'width="{_fmt(self.plot_right - left)}" height="{_fmt(self.plot_bottom - top)}"/></clipPath></defs>'
            f'<text class="chart-title" x="{_fmt(left)}" y="20" font-size="14" font-weight="600">{escape(self.title)}</text>'
            f"{self._axes()}"
            f'<g class="layers" clip-path="url(#{clip})">{"".join(self._layers)}</g>'
            f'<g class="overlays">{"".join(self._overlays)}</g>'
            "</svg>"
        )
        return mark_safe(svg)  # every interpolated text above is escaped
