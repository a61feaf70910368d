"""Inline SVG for the dashboard: the trend chart with its target line, and the map (a choropleth
from an uploaded GeoJSON, or a tile grid). Server-side strings, nothing from the internet.
tumbuh/web/charts.py was not there when this was written; move to it when it lands."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from django.utils.html import escape

# Stunting bands (%) for colours: under the 2024 target, to the 2025 target, WHO "medium",
# "high", "very high" (WHO/UNICEF 2019 prevalence thresholds 20/30).
BANDS = ((10, "#1a9850", "< 10"), (14, "#91cf60", "10-14"), (20, "#fee08b", "14-20"),
         (30, "#fc8d59", "20-30"), (1000, "#d73027", "≥ 30"))
NO_DATA = "#d9d9d9"


def band_colour(rate: float | None) -> str:
    if rate is None or (isinstance(rate, float) and math.isnan(rate)):
        return NO_DATA
    return next(colour for limit, colour, _ in BANDS if rate < limit)


@dataclass
class Series:
    label: str
    values: list[float | None]
    colour: str
    dashed: bool = False
    lower: list[float | None] | None = None
    upper: list[float | None] | None = None


def line_chart(labels: list[str], series: list[Series], *, width=640, height=260, unit="%",
               element_id="trend-chart", title="") -> str:
    left, right, top, bottom = 44, 12, 14, 40
    values = [v for s in series for seq in (s.values, s.lower or [], s.upper or []) for v in seq
              if v is not None and not math.isnan(v)]
    top_value = max([*values, 1.0])
    ymax = math.ceil(top_value / 5) * 5 + (5 if top_value % 5 == 0 else 0)
    n = max(len(labels), 2)

    def x(i):
        return left + (width - left - right) * i / (n - 1)

    def y(v):
        return top + (height - top - bottom) * (1 - v / ymax)

    parts = [f'<svg id="{element_id}" class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">']
    for tick in range(0, int(ymax) + 1, max(5, int(ymax // 5) // 5 * 5 or 5)):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                     f'stroke="#e5e7eb"/><text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
                     f'font-size="11" fill="#5b6475">{tick}{unit}</text>')
    step = max(1, len(labels) // 8)
    for i, lab in enumerate(labels):
        if i % step == 0 or i == len(labels) - 1:
            parts.append(f'<text x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                         f'font-size="11" fill="#5b6475">{escape(lab)}</text>')
    for s in series:
        if s.lower and s.upper:
            for i, (lo, hi) in enumerate(zip(s.lower, s.upper, strict=False)):
                if lo is None or hi is None or math.isnan(lo) or math.isnan(hi):
                    continue
                parts.append(f'<line x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{y(lo):.1f}" y2="{y(hi):.1f}" '
                             f'stroke="{s.colour}" stroke-opacity=".45" stroke-width="3"/>')
        points = [(x(i), y(v)) for i, v in enumerate(s.values) if v is not None and not math.isnan(v)]
        if points:
            dash = ' stroke-dasharray="6 4"' if s.dashed else ""
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(f'<polyline fill="none" stroke="{s.colour}" stroke-width="2"{dash} points="{path}">'
                         f'<title>{escape(s.label)}</title></polyline>')
            if not s.dashed:
                parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{s.colour}"/>' for px, py in points]
    legend_x = left
    for s in series:
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        parts.append(f'<line x1="{legend_x}" x2="{legend_x + 18}" y1="{height - 8}" y2="{height - 8}" '
                     f'stroke="{s.colour}" stroke-width="2"{dash}/><text x="{legend_x + 22}" y="{height - 4}" '
                     f'font-size="11">{escape(s.label)}</text>')
        legend_x += 30 + 7 * len(s.label)
    parts.append("</svg>")
    return "".join(parts)


def tile_grid(tiles: list[tuple[str, str, float | None, str]], *, columns: int = 0, size: int = 92,
              element_id="map") -> str:
    """One square per unit, (key, name, rate, tooltip), coloured by band: the map without shapes."""
    if not tiles:
        return ""
    columns = columns or max(1, min(8, math.ceil(math.sqrt(len(tiles) * 1.6))))
    rows = math.ceil(len(tiles) / columns)
    gap = 4
    w, h = columns * (size + gap), rows * (size + gap)
    parts = [f'<svg id="{element_id}" class="map tile-map" viewBox="0 0 {w} {h}" style="max-width:{w * 1.4:.0f}px" xmlns="http://www.w3.org/2000/svg">']
    for i, (key, name, rate, tip) in enumerate(tiles):
        cx, cy = (i % columns) * (size + gap), (i // columns) * (size + gap)
        label = escape(name if len(name) <= 14 else name[:13] + "…")
        value = "–" if rate is None or math.isnan(rate) else f"{rate:.1f}%"
        parts.append(
            f'<g data-key="{escape(key)}"><title>{escape(tip)}</title>'
            f'<rect x="{cx}" y="{cy}" width="{size}" height="{size}" rx="6" fill="{band_colour(rate)}"/>'
            f'<text x="{cx + size / 2}" y="{cy + size / 2 - 4}" text-anchor="middle" font-size="11">{label}</text>'
            f'<text x="{cx + size / 2}" y="{cy + size / 2 + 14}" text-anchor="middle" font-size="14" '
            f'font-weight="700">{value}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _rings(geometry: dict) -> list[list[list[float]]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for poly in coords for ring in poly]
    return []


def parse_features(geojson_text: str, property_key: str) -> list[tuple[str, list]]:
    """(property value, rings) for each polygon feature; raises ValueError on bad input."""
    try:
        data = json.loads(geojson_text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise ValueError("not a GeoJSON FeatureCollection")
    out = []
    for feat in features:
        props = feat.get("properties") or {}
        rings = _rings(feat.get("geometry") or {})
        if property_key in props and rings:
            out.append((str(props[property_key]), rings))
    if not out:
        raise ValueError(f"no polygon feature has the property {property_key!r}")
    return out


def choropleth(features: list[tuple[str, list]], values: dict[str, tuple[str, float | None, str]], *,
               width=640, height=440, element_id="map") -> str:
    """Features drawn in a plain equirectangular projection (longitude scaled by cos of the mean
    latitude), which is all a kabupaten-sized map needs. `values` maps a feature's property value
    to (name, rate, tooltip)."""
    xs = [pt[0] for _, rings in features for ring in rings for pt in ring]
    ys = [pt[1] for _, rings in features for ring in rings for pt in ring]
    kx = math.cos(math.radians((min(ys) + max(ys)) / 2))
    span_x, span_y = max((max(xs) - min(xs)) * kx, 1e-9), max(max(ys) - min(ys), 1e-9)
    scale = min((width - 20) / span_x, (height - 20) / span_y)

    def project(pt):
        return 10 + (pt[0] - min(xs)) * kx * scale, 10 + (max(ys) - pt[1]) * scale

    parts = [f'<svg id="{element_id}" class="map choropleth" viewBox="0 0 {width} {height}" '
             f'xmlns="http://www.w3.org/2000/svg">']
    for key, rings in features:
        name, rate, tip = values.get(key, (key, None, key))
        d = " ".join("M" + " L".join(f"{px:.1f},{py:.1f}" for px, py in map(project, ring)) + " Z"
                     for ring in rings)
        parts.append(f'<path data-key="{escape(key)}" d="{d}" fill="{band_colour(rate)}" stroke="#fff" '
                     f'stroke-width="1" fill-rule="evenodd"><title>{escape(tip)}</title></path>')
    parts.append("</svg>")
    return "".join(parts)
