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
    built = growth_charts(child, [m])
    charts = {c["id"]: str(c["svg"]) for c in built}
    assert set(charts) == {"chart-lhfa", "chart-wfa", "chart-wflh"}
    lhfa = charts["chart-lhfa"]
    # 23 months old: the age axis runs from birth to 24 months, not 60.
    assert built[0]["x"] == (0, 24)
    # Rebuild the chart's scale from its axes to check where things are drawn.
    probe = LineChart(x=Axis("", *built[0]["x"]), y=Axis("", *built[0]["y"]), title="")
    # The median curve passes through the WHO girls' median at 364 days (a 1-day grid up to 24 months).
    ages = np.arange(0, int(np.ceil(24 * DAYS_PER_MONTH)) + 1)
    median = value_for_z("lhfa", np.full(len(ages), 2), ages, np.zeros(len(ages)))
    points = _path_points(lhfa, "sd sd-0")
    i = list(ages).index(364)
    assert points[i] == (probe.x_px(364 / DAYS_PER_MONTH), probe.y_px(median[i]))
    assert 73.5 < median[i] < 74.5  # WHO girls' length median at 12 months is about 74.0 cm
    minus3 = value_for_z("lhfa", np.array([2]), np.array([364]), np.array([-3.0]))[0]
    assert _path_points(lhfa, "sd sd-3")[i] == (probe.x_px(364 / DAYS_PER_MONTH), probe.y_px(minus3))
    for z in ("sd-1 sd-minor", "sd-2"):
        assert len(_path_points(lhfa, f"sd {z}")) == len(ages)
    # The child's point: 71.0 cm at 365 days.
    assert f'cx="{probe.x_px(365 / DAYS_PER_MONTH):.1f}" cy="{probe.y_px(71.0):.1f}"' in lhfa
    # Under two: weight-for-length (girls), x in cm, the point at (71.0 cm, 8.1 kg).
    wflh = charts["chart-wflh"]
    probe = LineChart(x=Axis("", *built[2]["x"]), y=Axis("", *built[2]["y"]), title="")
    assert f'cx="{probe.x_px(71.0):.1f}" cy="{probe.y_px(8.1):.1f}"' in wflh
    wfl_median = value_for_z("wfl", np.array([2]), np.array([71.0]), np.array([0.0]))[0]
    cms = list(np.round(np.arange(45, 110.01, 0.5), 1))
    assert _path_points(wflh, "sd sd-0")[cms.index(71.0)] == (probe.x_px(71.0), probe.y_px(wfl_median))


@pytest.mark.django_db
def test_boys_and_girls_get_different_curves(regions):
    born = timezone.localdate() - dt.timedelta(days=100)
    boy = make_person(name="B", sex="M", birth_date=born, desa=regions["desa1"])
    girl = make_person(name="G", sex="F", birth_date=born, desa=regions["desa1"])
    def last_median_kg(child):
        chart = growth_charts(child, [])[1]
        probe = LineChart(x=Axis("", *chart["x"]), y=Axis("", *chart["y"]), title="")
        py = _path_points(str(chart["svg"]), "sd sd-0")[-1][1]
        lo, hi = chart["y"]
        return lo + (probe.plot_bottom - py) / (probe.plot_bottom - probe.plot_top) * (hi - lo)

    assert last_median_kg(boy) > last_median_kg(girl) + 0.3  # boys heavier


@pytest.mark.django_db
@pytest.mark.parametrize("age_days, months", [(335, 12), (100, 6), (700, 24), (1500, 54), (1800, 60)])
def test_age_axis_fits_the_child(regions, age_days, months):
    born = timezone.localdate() - dt.timedelta(days=age_days)
    child = make_person(name="Anak", sex="M", birth_date=born, desa=regions["desa1"])
    lhfa, wfa, _wflh = growth_charts(child, [])
    assert lhfa["x"] == wfa["x"] == (0, months)
    # The y axis fits the WHO curves of that span: 0-12 months of length is not drawn up to 125 cm.
    if months == 12:
        assert lhfa["y"][1] <= 90 and wfa["y"][1] <= 14


@pytest.mark.django_db
def test_birth_weight_and_length_are_the_first_points(regions):
    born = timezone.localdate() - dt.timedelta(days=200)
    child = make_person(name="Anak Lahir", sex="F", birth_date=born, desa=regions["desa1"])
    child.birth_weight_kg, child.birth_length_cm = 3.2, 49.5
    m = Measurement.objects.create(child=child, measured_on=born + dt.timedelta(days=60), weight_kg=5.1,
                                   length_cm=57.0, position="l", desa=regions["desa1"], age_days=60,
                                   length_adjusted_cm=57.0)
    lhfa, wfa, wflh = growth_charts(child, [m])
    for chart, x, y in ((lhfa, 0, 49.5), (wfa, 0, 3.2), (wflh, 49.5, 3.2)):
        probe = LineChart(x=Axis("", *chart["x"]), y=Axis("", *chart["y"]), title="")
        svg = str(chart["svg"])
        assert f'<circle class="birth" cx="{probe.x_px(x):.1f}" cy="{probe.y_px(y):.1f}"' in svg
        assert "lahir" in svg and svg.count("<circle") == 2


@pytest.mark.django_db
def test_a_chart_can_be_opened_large(client, kec1_user, child1):
    client.force_login(kec1_user)
    html = client.get(f"/registry/children/{child1.pk}/").content.decode()
    for chart in ("chart-lhfa", "chart-wfa", "chart-wflh"):
        assert f'href="#{chart}-large">Buka besar</a>' in html
        assert f'<div class="chart-large" id="{chart}-large"' in html
        assert html.count(f'id="{chart}-large"') == 1  # ids stay unique
        assert f'<svg xmlns="http://www.w3.org/2000/svg" id="{chart}-big" ' in html and 'viewBox="0 0 960 600"' in html
