"""Inline SVG maps for the dashboard: a choropleth from an uploaded GeoJSON, or a tile grid, coloured
by stunting band. Server-side strings, nothing from the internet. (Line charts, e.g. the trend,
use the project's chart helper, tumbuh.web.charts.)"""

from __future__ import annotations

import json
import math

from django.utils.formats import number_format
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


TILE_NAME_FONT = 11
_CHAR_EM = 0.62  # a generous average advance of sans-serif text, in em (no font metrics server-side)
_COMMON_WORDS = ("posyandu",)  # said by every tile of a posyandu map: dropped from the tile, kept in the tooltip


def _text_width(text: str, font_size: float) -> float:
    return len(text) * font_size * _CHAR_EM


def tile_name_lines(name: str, width: float, *, font_size: float = TILE_NAME_FONT, max_lines: int = 2) -> list[str]:
    """A unit's name for a tile `width` wide: the common word "Posyandu" dropped (the distinctive
    part kept), wrapped on words into at most `max_lines` lines that fit; only what still does
    not fit is cut, with "…"."""
    words = name.split()
    short = [w for w in words if w.casefold() not in _COMMON_WORDS]
    words = short or words
    fits = max(1, int(width // (font_size * _CHAR_EM)))  # characters per line
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= fits:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines - 1] + [" ".join(lines[max_lines - 1:])]
    return [line if len(line) <= fits else line[:fits - 1].rstrip() + "…" for line in lines]


def tile_grid(tiles: list[tuple[str, str, float | None, str]], *, columns: int = 0, size: int = 92,
              element_id="map") -> str:
    """One square per unit, (key, name, rate, tooltip), coloured by band: the map without shapes.
    The name is written on up to two lines inside the tile (tile_name_lines); the tooltip carries
    the full name."""
    if not tiles:
        return ""
    columns = columns or max(1, min(8, math.ceil(math.sqrt(len(tiles) * 1.6))))
    rows = math.ceil(len(tiles) / columns)
    gap, pad, line_h = 4, 5, 13
    w, h = columns * (size + gap), rows * (size + gap)
    parts = [f'<svg id="{element_id}" class="map tile-map" viewBox="0 0 {w} {h}" style="max-width:{w * 1.4:.0f}px" xmlns="http://www.w3.org/2000/svg">']
    for i, (key, name, rate, tip) in enumerate(tiles):
        cx, cy = (i % columns) * (size + gap), (i // columns) * (size + gap)
        lines = tile_name_lines(name, size - 2 * pad)
        # one line sits where the name always did; two start a line higher
        top = cy + size / 2 - 4 - (line_h if len(lines) > 1 else 0)
        label = "".join(f'<tspan x="{cx + size / 2}" y="{top + n * line_h:g}">{escape(line)}</tspan>'
                        for n, line in enumerate(lines))
        value = "–" if rate is None or math.isnan(rate) else f"{number_format(round(rate, 1), decimal_pos=1)}%"
        title = tip if name in tip else f"{name}: {tip}" if tip else name
        parts.append(
            f'<g data-key="{escape(key)}"><title>{escape(title)}</title>'
            f'<rect x="{cx}" y="{cy}" width="{size}" height="{size}" rx="6" fill="{band_colour(rate)}"/>'
            f'<text class="tile-name" text-anchor="middle" font-size="{TILE_NAME_FONT}">{label}</text>'
            f'<text x="{cx + size / 2}" y="{cy + size / 2 + 14}" text-anchor="middle" font-size="14" '
            f'font-weight="700">{value}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _point(pt) -> bool:
    """[longitude, latitude(, altitude)] as finite numbers on the globe (not strings, not booleans)."""
    if not isinstance(pt, list | tuple) or len(pt) < 2:
        return False
    lon, lat = pt[0], pt[1]
    if any(isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) for v in (lon, lat)):
        return False
    return -180 <= lon <= 180 and -90 <= lat <= 90


def _rings(geometry) -> list[list[list[float]]]:
    """The polygon rings of a Polygon or MultiPolygon ([] for other geometry types); ValueError
    when a polygon's coordinates are not rings of at least 3 points of numbers."""
    if not isinstance(geometry, dict):
        return []
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [coords]
    elif kind == "MultiPolygon":
        polygons = coords
    else:
        return []
    if not isinstance(polygons, list) or not polygons:
        raise ValueError("coordinates")
    rings = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValueError("coordinates")
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 3 or not all(_point(pt) for pt in ring):
                raise ValueError("coordinates")
            rings.append([[float(pt[0]), float(pt[1])] for pt in ring])
    return rings


def parse_features(geojson_text: str, property_key: str) -> list[tuple[str, list]]:
    """(property value, rings) for each polygon feature; raises ValueError with an Indonesian
    message on bad input (the upload form shows it), so a stored file can never break a map (the
    pages fall back to the tile grid)."""
    from django.utils.translation import gettext as _

    try:
        data = json.loads(geojson_text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(_("The file is not JSON: %(error)s") % {"error": exc}) from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise ValueError(_("The file is not a GeoJSON FeatureCollection (no \"features\" list)."))
    out = []
    for n, feat in enumerate(features, start=1):
        if not isinstance(feat, dict):
            raise ValueError(_("Feature %(n)s is not a GeoJSON feature.") % {"n": n})
        props = feat.get("properties") if isinstance(feat.get("properties"), dict) else {}
        try:
            rings = _rings(feat.get("geometry"))
        except ValueError:
            raise ValueError(_("Feature %(n)s: the polygon's coordinates must be rings of at least 3 points "
                               "[longitude, latitude] given as numbers.") % {"n": n}) from None
        value = props.get(property_key)
        if value not in (None, "") and not isinstance(value, dict | list) and rings:
            out.append((str(value), rings))
    if not out:
        raise ValueError(_("No polygon feature has the property %(key)s.") % {"key": repr(property_key)})
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
