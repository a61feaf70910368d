"""The generic SVG line-chart builder and the WHO growth charts built on it."""

import datetime as dt
import re

import numpy as np
import pytest
from django.utils import timezone

from tumbuh.growth import value_for_z
from tumbuh.measurements.models import Measurement
from tumbuh.registry.testing import make_person
from tumbuh.web.charts import Axis, LineChart
from tumbuh.web.child_page import DAYS_PER_MONTH, growth_charts


def _chart(**kw):
    return LineChart(x=Axis("Age", 0, 60, ticks=range(0, 61, 12)), y=Axis("cm", 40, 120, ticks=range(40, 121, 20)),
                     title="T <&>", desc="D", chart_id="c1", **kw)


def test_scale_maps_axis_ends_to_plot_edges():
    chart = _chart()
    assert chart.x_px(0) == chart.plot_left and chart.x_px(60) == chart.plot_right
    assert chart.y_px(40) == chart.plot_bottom and chart.y_px(120) == chart.plot_top
    assert chart.x_px(30) == (chart.plot_left + chart.plot_right) / 2


def test_svg_is_accessible_and_escaped():
    svg = str(_chart().render())
    assert svg.startswith("<svg") and 'id="c1"' in svg and 'role="img"' in svg
    assert '<title id="c1-title">T &lt;&amp;&gt;</title>' in svg and '<desc id="c1-desc">D</desc>' in svg
    assert 'aria-labelledby="c1-title c1-desc"' in svg
    assert ">Age</text>" in svg and ">cm</text>" in svg  # axis labels
    assert [m for m in re.findall(r'class="tick-label"[^>]*>([^<]+)<', svg)] == \
        ["0", "12", "24", "36", "48", "60", "40", "60", "80", "100", "120"]


def test_missing_values_break_the_line():
    chart = _chart().add_line([0, 10, 20, 30], [50, None, 60, float("nan")], css_class="s")
    svg = str(chart.render())
    paths = re.findall(r'<path class="s" d="([^"]+)"', svg)
    assert len(paths) == 2 and all(p.count("L") == 0 for p in paths)


def test_points_land_on_their_coordinates_with_tooltips():
    chart = _chart().add_points([12, 24], [75.0, 87.5], css_class="child", titles=["a", "b"])
    svg = str(chart.render())
    circles = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"[^>]*><title>(\w)</title>', svg)
    assert circles == [(f"{chart.x_px(12):.1f}", f"{chart.y_px(75):.1f}", "a"),
                       (f"{chart.x_px(24):.1f}", f"{chart.y_px(87.5):.1f}", "b")]
    assert f"M{chart.x_px(12):.1f},{chart.y_px(75):.1f} L{chart.x_px(24):.1f},{chart.y_px(87.5):.1f}" in svg


def test_mismatched_series_and_bad_axis_are_refused():
    with pytest.raises(ValueError):
        _chart().add_points([1, 2], [3])
    with pytest.raises(ValueError):
        Axis("x", 5, 5)


def _path_points(svg: str, css: str) -> list[tuple[float, float]]:
    d = re.search(rf'<path class="{css}"[^>]* d="([^"]+)"', svg).group(1)
    return [tuple(map(float, p.split(","))) for p in re.findall(r"[-\d.]+,[-\d.]+", d)]


@pytest.mark.django_db
def test_growth_charts_draw_who_curves_and_the_childs_point(regions):
    born = timezone.localdate() - dt.timedelta(days=700)
    child = make_person(name="Anak Grafik", sex="F", birth_date=born, desa=regions["desa1"])
    on = born + dt.timedelta(days=365)
    m = Measurement.objects.create(child=child, measured_on=on, weight_kg=8.1, length_cm=71.0, position="l",
                                   desa=regions["desa1"], age_days=365, length_adjusted_cm=71.0)
    charts = {c["id"]: str(c["svg"]) for c in growth_charts(child, [m])}
    assert set(charts) == {"chart-lhfa", "chart-wfa", "chart-wflh"}
    lhfa = charts["chart-lhfa"]
    # Rebuild the chart's scale from its axes to check where things are drawn.
    probe = LineChart(x=Axis("", 0, 60), y=Axis("", 40, 125), title="")
    # The median curve passes through the WHO girls' median at 364 days (first point after 0 on a 7-day grid = 7 d).
    ages = np.arange(0, 1857, 7)
    median = value_for_z("lhfa", np.full(len(ages), 2), ages, np.zeros(len(ages)))
    points = _path_points(lhfa, "sd sd-0")
    i = list(ages).index(364)
    assert points[i] == (probe.x_px(364 / DAYS_PER_MONTH), probe.y_px(median[i]))
    assert 73.5 < median[i] < 74.5  # WHO girls' length median at 12 months is about 74.0 cm
    minus3 = value_for_z("lhfa", np.array([2]), np.array([364]), np.array([-3.0]))[0]
    assert _path_points(lhfa, "sd sd-3")[i] == (probe.x_px(364 / DAYS_PER_MONTH), probe.y_px(minus3))
    for z in ("sd-1 sd-minor", "sd-2"):
        assert len(_path_points(lhfa, f"sd {z}")) == len(ages) + 1  # +1: the closing 1856 d
    # The child's point: 71.0 cm at 365 days.
    assert f'cx="{probe.x_px(365 / DAYS_PER_MONTH):.1f}" cy="{probe.y_px(71.0):.1f}"' in lhfa
    # Under two: weight-for-length (girls), x in cm, the point at (71.0 cm, 8.1 kg).
    wflh = charts["chart-wflh"]
    probe = LineChart(x=Axis("", 45, 110), y=Axis("", 0, 26), title="")
    assert f'cx="{probe.x_px(71.0):.1f}" cy="{probe.y_px(8.1):.1f}"' in wflh
    wfl_median = value_for_z("wfl", np.array([2]), np.array([71.0]), np.array([0.0]))[0]
    cms = list(np.round(np.arange(45, 110.01, 0.5), 1))
    assert _path_points(wflh, "sd sd-0")[cms.index(71.0)] == (probe.x_px(71.0), probe.y_px(wfl_median))


@pytest.mark.django_db
def test_boys_and_girls_get_different_curves(regions):
    born = timezone.localdate() - dt.timedelta(days=100)
    boy = make_person(name="B", sex="M", birth_date=born, desa=regions["desa1"])
    girl = make_person(name="G", sex="F", birth_date=born, desa=regions["desa1"])
    boy_svg = str(growth_charts(boy, [])[1]["svg"])
    girl_svg = str(growth_charts(girl, [])[1]["svg"])
    assert _path_points(boy_svg, "sd sd-0")[-1][1] < _path_points(girl_svg, "sd sd-0")[-1][1]  # boys heavier: higher
