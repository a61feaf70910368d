"""The dashboard's tile map: names that tell tiles apart, inside their tiles, full name in the tooltip."""

import re

from tumbuh.analytics.svg import TILE_NAME_FONT, tile_grid, tile_name_lines

NAMES = ["Posyandu Kenanga", "Posyandu Kenari", "Posyandu Mawar", "Posyandu Mawar Merah", "Bontang Selatan",
         "Bontang Selatan Ilir", "Kelurahan Tanjung Laut Indah", "Posyandu Melati 2"]
CHAR_EM = 0.62  # a generous average advance of sans-serif text, in em
GROUP = re.compile(r'<g data-key="([^"]*)"><title>([^<]*)</title><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" '
                   r'height="([\d.]+)"[^>]*/><text class="tile-name"[^>]*font-size="(\d+)">(.*?)</text>')
TSPAN = re.compile(r'<tspan x="([\d.]+)" y="([\d.]+)">([^<]*)</tspan>')


def _tiles():
    svg = tile_grid([(str(i), name, 12.0 + i, f"{name}: {12 + i},0% (3/25)") for i, name in enumerate(NAMES)])
    return [(key, title, float(x), float(y), float(w), float(h), int(fs), TSPAN.findall(body))
            for key, title, x, y, w, h, fs, body in GROUP.findall(svg)]


def test_tiles_keep_the_distinctive_part_of_each_name():
    tiles = _tiles()
    assert len(tiles) == len(NAMES)
    shown = [" ".join(text for _x, _y, text in spans) for *_rest, spans in tiles]
    assert len(set(shown)) == len(NAMES), shown  # every tile can be told apart
    assert not any("Posyandu" in s for s in shown), shown  # the word every posyandu tile shares is dropped
    for expected in ("Kenanga", "Kenari", "Mawar", "Mawar Merah", "Bontang Selatan", "Melati 2"):
        assert expected in shown, shown
    assert not any("…" in s for s, name in zip(shown, NAMES, strict=True) if len(name.split()) <= 3)


def test_full_name_is_in_the_tooltip():
    for (_key, title, *_rest), name in zip(_tiles(), NAMES, strict=True):
        assert name in title


def test_name_text_stays_within_its_tile():
    for _key, _title, x, y, w, h, fs, spans in _tiles():
        assert 1 <= len(spans) <= 2 and fs >= 10
        for sx, sy, text in spans:
            half = len(text) * fs * CHAR_EM / 2
            assert x <= float(sx) - half and float(sx) + half <= x + w, text
            assert y + fs <= float(sy) <= y + h / 2 + 4, text  # above the rate written under it


def test_long_single_words_are_cut_only_where_they_do_not_fit():
    assert tile_name_lines("Posyandu Kenanga", 82) == ["Kenanga"]
    assert tile_name_lines("Bontang Selatan", 82) == ["Bontang", "Selatan"]
    lines = tile_name_lines("Posyandu Sukamakmurjayaabadi", 82)
    assert len(lines) == 1 and lines[0].endswith("…") and len(lines[0]) * TILE_NAME_FONT * CHAR_EM <= 82
    assert tile_name_lines("Posyandu", 82) == ["Posyandu"]  # nothing else to show: the word stays
