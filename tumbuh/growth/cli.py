"""``tumbuh zscore``: WHO z-scores for a CSV file, as WHO's R packages compute them.

    tumbuh zscore IN.csv -o OUT.csv                      # WHO 2006, 0-5 years (anthro)
    tumbuh zscore IN.csv -o OUT.csv --reference who2007  # WHO 2007, 5-19 years (anthroplus)

WHO 2006 input columns (WHO Anthro names, any may be absent except sex): sex (1/2/m/f),
age_days or age_months, weight (kg), lenhei (cm), measure (l/h), oedema (y/n), headc, armc (cm),
triskin, subskin (mm). WHO 2007: sex, age_months (or age_days), weight, height, oedema.
Header names are matched ignoring case and surrounding spaces; a ';'-separated file is detected.

The output has every input column as it was, then clenhei, cmeasure, c9mo_flag, cbmi, csex,
zlen, flen, zwei, fwei, zwfl, fwfl, zbmi, fbmi, zhc, fhc, zac, fac, zts, fts, zss, fss (WHO 2007:
csex, coedema, cbmi, zhfa, fhfa, zwfa, fwfa, zbfa, fbfa) and reason. Empty cells are missing
values. A row with an unknown sex or text in a number column keeps its place, with empty
results and the reason.
"""

from __future__ import annotations

import argparse
import io
import sys

import pandas as pd

from . import who2006, who2007

REFERENCES = {
    "who2006": (who2006.anthro_zscores, who2006.INPUT_COLUMNS, who2006.RESULT_COLUMNS),
    "who2007": (who2007.anthroplus_zscores, who2007.INPUT_COLUMNS, who2007.RESULT_COLUMNS),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tumbuh zscore",
        description="WHO growth z-scores for every row of a CSV file.",
        epilog="See docs/growth.md.",
    )
    parser.add_argument("input", help="input CSV file ('-' for standard input)")
    parser.add_argument("-o", "--output", help="output CSV file (default: standard output)")
    parser.add_argument(
        "--reference",
        choices=sorted(REFERENCES),
        default="who2006",
        help="who2006: WHO Child Growth Standards, 0-5 y (default); "
        "who2007: WHO Growth Reference, 5-19 y",
    )
    parser.add_argument("--sep", help="field separator (default: ',' or ';', detected)")
    return parser


def _detect_sep(first_line: str) -> str:
    # Indonesian spreadsheets often save CSV with ';' (comma is the decimal separator there).
    return ";" if ";" in first_line and "," not in first_line else ","


def _read(path: str, sep: str | None) -> pd.DataFrame:
    if path == "-":
        text = sys.stdin.read().lstrip("\ufeff")  # a byte-order mark from Excel
    else:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    if sep is None:
        sep = _detect_sep(text.split("\n", 1)[0])
    # Everything as text: the input columns are written back exactly as they came.
    return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)


def run(frame: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Input columns (unchanged) followed by the result columns of ``reference``."""
    compute, input_columns, result_columns = REFERENCES[reference]
    by_key = {str(c).strip().lower(): c for c in frame.columns}
    named = pd.DataFrame(
        {name: frame[by_key[name]] for name in input_columns if name in by_key},
        index=frame.index,
    )
    results = compute(named)
    kept = frame[[c for c in frame.columns if c not in result_columns]]
    return pd.concat([kept, results[result_columns]], axis=1)


def write(out: pd.DataFrame, target) -> None:
    # R's write.csv gives 15 significant digits; missing values are empty cells
    out.to_csv(target, index=False, float_format="%.15g", na_rep="")


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        frame = _read(args.input, args.sep)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        print(f"tumbuh zscore: cannot read {args.input}: {exc}", file=sys.stderr)
        return 1
    if "sex" not in {str(c).strip().lower() for c in frame.columns}:
        print(f"tumbuh zscore: {args.input} has no 'sex' column", file=sys.stderr)
        return 1
    out = run(frame, args.reference)
    try:
        write(out, args.output or sys.stdout)
    except OSError as exc:
        print(f"tumbuh zscore: cannot write {args.output}: {exc}", file=sys.stderr)
        return 1
    bad = int((out["reason"] != "").sum())
    where = args.output or "standard output"
    print(f"tumbuh zscore: {len(out)} rows to {where}; {bad} with a reason", file=sys.stderr)
    return 0
