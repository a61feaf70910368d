"""The trend chart's x labels (Indonesian short months, never overlapping) and its text on a phone."""

import re
from itertools import pairwise
from types import SimpleNamespace

import pytest
from django.utils import translation

from tumbuh.analytics.periods import Period
from tumbuh.analytics.views import _trend_chart
from tumbuh.web.charts import MIN_TEXT_PX, Axis, LineChart, text_width

MONTHS_ID = {"Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"}
LABEL = re.compile(r'<text class="tick-label" x="([\d.]+)" y="([\d.]+)" text-anchor="middle" font-size="(\d+)">([^<]*)</text>')


def _trend(last: str, count: int):
    periods = Period.parse(last).history(count)
    est = SimpleNamespace(rate=20.0, lower=17.0, upper=23.0, available=True, small=False, cases=40, children=200)
    return [SimpleNamespace(period=p, estimate=est) for p in periods]


def _x_labels(svg: str) -> list[tuple[float, str, int]]:
    """(x, text, font-size) of the x-axis labels (the ones under the plot, the lowest y)."""
    found = [(float(x), float(y), int(fs), text) for x, y, fs, text in LABEL.findall(svg)]
    bottom = max(y for _x, y, _fs, _t in found)
    return [(x, text, fs) for x, y, fs, text in found if y == bottom]


@pytest.mark.parametrize("count", [6, 12, 24])
def test_dashboard_trend_labels_are_indonesian_months_with_the_year_where_it_changes(count):
    with translation.override("id"):
        svg, _legend = _trend_chart(_trend("2026-11", count), [])
    labels = [text for _x, text, _fs in _x_labels(str(svg))]
    assert labels, svg
    assert not any(re.fullmatch(r"\d{4}-\d{2}", t) for t in labels), labels
    assert all(t.split()[0] in MONTHS_ID for t in labels), labels
    assert labels[-1].startswith("Nov")
    assert re.fullmatch(r"\w{3} \d{4}", labels[0]), labels  # the first label says its year
    years = [t.split()[1] for t in labels if " " in t]
    assert years == sorted(set(years)), labels  # each year written once, where it starts


@pytest.mark.parametrize("count", [6, 8, 12, 13, 18, 24])
def test_dashboard_trend_labels_never_overlap(count):
    with translation.override("id"):
        svg, _legend = _trend_chart(_trend("2026-11", count), [])
    labels = _x_labels(str(svg))
    for (x1, t1, fs1), (x2, t2, fs2) in pairwise(labels):
        assert x2 - x1 >= (text_width(t1, fs1) + text_width(t2, fs2)) / 2, (t1, t2, labels)
    assert "2026-102026-11" not in str(svg)


def test_crowded_labels_are_thinned_to_every_kth_counted_from_the_last():
    keys = Period.parse("2026-11").history(24)
    chart = LineChart(x=Axis("Periode", -0.5, 23.5, ticks=range(24), tick_label=lambda i: keys[int(i)].key),
                      y=Axis("%", 0, 40, ticks=range(0, 41, 10)), title="T", chart_id="t", width=640, height=300)
    with translation.override("id"):
        shown = chart.x_tick_labels()
    positions = sorted(shown)
    assert positions[-1] == 23 and len(positions) < 24
    steps = {b - a for a, b in pairwise(positions)}
    assert len(steps) == 1 and steps.pop() >= 2
    assert shown[23] in {"Nov", "Nov 2026"}


def test_quarters_and_weighing_months_get_short_names():
    keys = ["2025-Q3", "2025-Q4", "2026-Q1"]
    chart = LineChart(x=Axis("Periode", -0.5, 2.5, ticks=range(3), tick_label=lambda i: keys[int(i)]),
                      y=Axis("%", 0, 40), title="T", chart_id="q")
    with translation.override("id"):
        assert list(chart.x_tick_labels().values()) == ["T3 2025", "T4", "T1 2026"]
    keys = ["2025-B08", "2026-B02"]
    chart.x = Axis("Periode", -0.5, 1.5, ticks=range(2), tick_label=lambda i: keys[int(i)])
    with translation.override("id"):
        assert list(chart.x_tick_labels().values()) == ["Agu 2025", "Feb 2026"]


def test_numeric_axes_keep_their_labels():
    chart = LineChart(x=Axis("Umur", 0, 60, ticks=range(0, 61, 6)), y=Axis("cm", 40, 130), title="T", chart_id="g")
    assert list(chart.x_tick_labels().values()) == [str(m) for m in range(0, 61, 6)]


def test_text_stays_readable_on_a_phone():
    """The SVG says how narrow it may get (--chart-min-width) before its smallest text is under
    MIN_TEXT_PX; a 390 px phone (about 330 px for the chart) would otherwise draw it at ~5-6 px."""
    with translation.override("id"):
        svg = str(_trend_chart(_trend("2026-11", 24), [])[0])
    width = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    min_width = int(re.search(r"--chart-min-width:(\d+)px", svg).group(1))
    smallest = min(int(fs) for fs in re.findall(r'font-size="(\d+)"', svg))
    assert smallest * min_width / width >= MIN_TEXT_PX
    assert min_width <= width  # on a desktop card (wider) the chart still scales as before
