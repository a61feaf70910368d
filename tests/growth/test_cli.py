"""``tumbuh zscore``: CSV in, the same rows out with WHO's result columns and a reason."""

import csv
import io

import pandas as pd
import pytest

from tumbuh.cli import main as tumbuh_main
from tumbuh.growth import anthro_zscores, cli

WHO2006_OUT = [
    "clenhei", "cmeasure", "c9mo_flag", "cbmi", "csex", "zlen", "flen", "zwei", "fwei", "zwfl",
    "fwfl", "zbmi", "fbmi", "zhc", "fhc", "zac", "fac", "zts", "fts", "zss", "fss", "reason",
]  # fmt: skip

INPUT = """id,sex,age_days,weight,lenhei,measure,oedema,headc
1,1,365,9.646,75,l,n,46
2,f,800,11,85.5,h,,
3,x,100,5,60,l,n,
4,2,abc,7,65,l,n,
5,,300,8,70,l,y,44
6,M,730.5,12,87,l,n,
"""


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def input_file(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(INPUT, encoding="utf-8")
    return path


def test_who2006_output(input_file, tmp_path, capsys):
    out = tmp_path / "out.csv"
    assert tumbuh_main(["zscore", str(input_file), "-o", str(out)]) == 0
    rows = read_rows(out)
    header = list(rows[0])
    assert header == ["id", "sex", "age_days", "weight", "lenhei", "measure", "oedema", "headc",
                      *WHO2006_OUT]  # fmt: skip
    assert [r["id"] for r in rows] == ["1", "2", "3", "4", "5", "6"]  # nothing dropped
    # input cells come back exactly as typed
    assert rows[0]["weight"] == "9.646" and rows[5]["age_days"] == "730.5"
    # wfa boys day 365 M = 9.646: z = 0 exactly
    assert rows[0]["zwei"] == "0" and rows[0]["fwei"] == "0"
    assert rows[0]["zlen"] == "-0.31" and rows[0]["reason"] == ""
    # day 730.5 rounds to 731, lying: 87 - 0.7
    assert rows[5]["clenhei"] == "86.3" and rows[5]["zlen"] == "-0.27"
    # empty where WHO gives missing (no arm circumference at all)
    assert rows[0]["zac"] == "" and rows[0]["fac"] == ""
    assert "3 with a reason" in capsys.readouterr().err


def test_bad_rows_have_empty_results_and_a_reason(input_file, tmp_path):
    out = tmp_path / "out.csv"
    assert cli.main([str(input_file), "-o", str(out)]) == 0
    rows = read_rows(out)
    bad = {r["id"]: r for r in rows if r["reason"]}
    assert set(bad) == {"3", "4", "5"}
    assert bad["3"]["reason"] == "sex: unknown value 'x' (use 1/2/m/f)"
    assert bad["4"]["reason"] == "age_days: not a number ('abc')"
    assert bad["5"]["reason"] == "sex missing"
    for row in bad.values():
        assert all(row[c] == "" for c in WHO2006_OUT if c != "reason")


def test_output_equals_the_python_api(input_file, tmp_path):
    out = tmp_path / "out.csv"
    cli.main([str(input_file), "-o", str(out)])
    written = pd.read_csv(out)
    api = anthro_zscores(pd.read_csv(input_file, dtype=str, keep_default_na=False))
    for col in ("zlen", "zwei", "zwfl", "zbmi", "zhc", "cbmi", "clenhei"):
        pd.testing.assert_series_equal(written[col], api[col], check_names=False, rtol=1e-14)


def test_who2007_reference(tmp_path):
    path = tmp_path / "teen.csv"
    path.write_text("sex,age_months,height,weight,oedema\n2,60.32,113.8,18.7,n\n2,100,,30,y\n")
    out = tmp_path / "out.csv"
    assert cli.main([str(path), "-o", str(out), "--reference", "who2007"]) == 0
    rows = read_rows(out)
    assert list(rows[0])[5:] == ["csex", "coedema", "cbmi", "zhfa", "fhfa", "zwfa", "fwfa",
                                 "zbfa", "fbfa", "reason"]  # fmt: skip
    # anthroplus test values
    assert (rows[0]["zhfa"], rows[0]["zwfa"], rows[0]["zbfa"]) == ("0.96", "0.21", "-0.58")
    assert rows[1]["zwfa"] == "" and rows[1]["coedema"] == "y"


def test_semicolon_file_and_header_case(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text(" Sex ;AGE_DAYS;Weight\n1;365;9.646\n", encoding="utf-8-sig")
    out = tmp_path / "out.csv"
    assert cli.main([str(path), "-o", str(out)]) == 0
    row = read_rows(out)[0]
    assert row["zwei"] == "0" and row[" Sex "] == "1"


def test_result_named_input_columns_are_replaced(tmp_path):
    path = tmp_path / "again.csv"
    path.write_text("sex,age_days,weight,zwei,reason\n1,365,9.646,99,old\n")
    out = tmp_path / "out.csv"
    cli.main([str(path), "-o", str(out)])
    row = read_rows(out)[0]
    assert row["zwei"] == "0" and row["reason"] == ""
    assert list(row).count("zwei") == 1


def test_stdin_to_stdout(monkeypatch, capsys):
    # with the byte-order mark Excel puts in front of "sex"
    monkeypatch.setattr("sys.stdin", io.StringIO("\ufeffsex,age_days,weight\n1,365,9.646\n"))
    assert cli.main(["-"]) == 0
    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert rows[0]["zwei"] == "0"


def test_errors(tmp_path, capsys):
    assert cli.main([str(tmp_path / "missing.csv")]) == 1
    assert "cannot read" in capsys.readouterr().err
    path = tmp_path / "nosex.csv"
    path.write_text("age_days,weight\n365,9\n")
    assert cli.main([str(path)]) == 1
    assert "no 'sex' column" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main([str(path), "--reference", "cdc2000"])
