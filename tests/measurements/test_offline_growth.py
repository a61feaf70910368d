"""The browser's z-scores (static/measurements/growth.js, run in node) against the server's
(tumbuh.growth and measurements.derivation), digit for digit, over thousands of generated
children: the offline session shows the same numbers the server will store (docs/offline.md)."""

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tumbuh.growth import anthro_zscores
from tumbuh.measurements import derivation, offline

GROWTH_JS = Path(offline.STATIC_DIR) / "growth.js"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is installed by make setup (npm ci)")

RUNNER = r"""
const growth = require(process.argv[1]);
const tables = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = {
  z: input.z.map((c) => growth.zscores(tables, c)),
  derived: input.derived.map((d) => growth.derive(tables, d.entry, d.child, null)),
  check: (input.check || []).map((c) => growth.check(c.tables ? tables : null, c.entry, c.child, c.strings, ",")),
};
process.stdout.write(JSON.stringify(out));
"""


def run_node(payload: dict) -> dict:
    done = subprocess.run([NODE, "-e", RUNNER, str(GROWTH_JS), str(offline.TABLES_FILE)],
                          input=json.dumps(payload), capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def generated_children(n: int, seed: int = 20261202) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(-5, 1900, n).astype(float)
    age[: n // 10] += rng.choice([0.25, 0.5, 0.75], n // 10)  # fractional days: rule 2 rounding
    length = rng.uniform(40, 125, n).round(1)
    length[rng.random(n) < 0.1] = np.nan
    weight = rng.uniform(1.0, 30.0, n).round(2)
    extreme = rng.random(n) < 0.2  # far outside +/-3 SD: the restricted rule
    weight[extreme] = rng.choice([0.6, 1.5, 35.0, 45.0], extreme.sum())
    weight[rng.random(n) < 0.05] = np.nan
    arm = rng.uniform(4, 32, n).round(1)
    arm[rng.random(n) < 0.3] = np.nan
    return pd.DataFrame({
        "sex": rng.choice([1, 2], n),
        "age_days": age,
        "weight": weight,
        "lenhei": length,
        "measure": rng.choice(["l", "h", ""], n, p=[0.45, 0.45, 0.1]),
        "oedema": np.where(rng.random(n) < 0.05, "y", "n"),
        "armc": arm,
    })


def _none(v):
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else v


def test_tables_file_is_generated_from_the_growth_data():
    # The static JSON is what `tumbuh build_offline_tables` writes from tumbuh/growth/data.
    assert offline.TABLES_FILE.read_text("utf-8") == offline.tables_json()


def test_browser_zscores_match_the_server_digit_for_digit():
    frame = generated_children(4000)
    cases = [{"sex": int(r.sex), "age_days": _none(r.age_days), "weight": _none(r.weight),
              "lenhei": _none(r.lenhei), "measure": r.measure, "oedema": r.oedema == "y", "armc": _none(r.armc)}
             for r in frame.itertuples()]
    server = anthro_zscores(frame.assign(measure=frame["measure"].replace("", None)))
    browser = run_node({"z": cases, "derived": []})["z"]
    columns = ["clenhei", "cbmi", "zlen", "flen", "zwei", "fwei", "zwfl", "fwfl", "zbmi", "fbmi", "zac", "fac", "c9mo_flag"]
    mismatches = []
    restricted = 0
    for i, (js, row) in enumerate(zip(browser, server.to_dict("records"), strict=True)):
        for col in columns:
            want = None if pd.isna(row[col]) else float(row[col])
            got = js[col]
            if got != want:
                mismatches.append((i, col, cases[i], want, got))
        restricted += any(js[c] is not None and abs(js[c]) > 3 for c in ("zwei", "zwfl", "zbmi", "zac"))
    assert not mismatches, mismatches[:10]
    # The generated cases do reach the parts of the rules that are easy to get wrong.
    assert restricted > 300
    assert sum(js["zwfl"] is not None for js in browser) > 1500
    assert sum(js["c9mo_flag"] for js in browser) > 20


def test_browser_categories_and_warnings_match_the_server():
    frame = generated_children(1500, seed=7)
    frame = frame[(frame["age_days"] >= 0) & (frame["age_days"] < 1826)].copy()
    frame["age_days"] = frame["age_days"].round()
    born = pd.Timestamp("2020-01-01")
    frame["birth_date"] = born.date()
    frame["measured_on"] = [(born + pd.Timedelta(days=int(d))).date() for d in frame["age_days"]]
    frame["child_sex"] = frame["sex"].map({1: "M", 2: "F"})
    rows = pd.DataFrame({
        "id": range(len(frame)), "child_id": range(len(frame)), "measured_on": frame["measured_on"].to_numpy(),
        "weight_kg": frame["weight"].to_numpy(), "length_cm": frame["lenhei"].to_numpy(),
        "position": frame["measure"].to_numpy(), "head_circumference_cm": None,
        "arm_circumference_cm": frame["armc"].to_numpy(), "oedema": (frame["oedema"] == "y").to_numpy(),
        "birth_date": frame["birth_date"].to_numpy(), "sex": frame["child_sex"].to_numpy(),
    })
    # As the session screen saves them: a length always has its position, no length no position.
    rows.loc[rows["length_cm"].notna() & (rows["position"] == ""), "position"] = "l"
    rows.loc[rows["length_cm"].isna(), "position"] = ""
    server = derivation.compute(rows, series=False)
    payload = [{"entry": {"date": r.measured_on.isoformat(), "weight_kg": _none(r.weight_kg),
                          "length_cm": _none(r.length_cm), "position": r.position,
                          "arm_circumference_cm": _none(r.arm_circumference_cm), "oedema": bool(r.oedema)},
                "child": {"sex": r.sex, "birth_date": r.birth_date.isoformat()}}
               for r in rows.itertuples()]
    browser = run_node({"z": [], "derived": payload})["derived"]
    mismatches = []
    for js, want in zip(browser, server.to_dict("records"), strict=True):
        for field in ("weight_for_age_category", "length_for_age_category", "weight_for_length_category"):
            if js[field] != want[field]:
                mismatches.append((field, js[field], want[field]))
        if js["below_red_line"] != bool(want["below_red_line"]):
            mismatches.append(("bgm", js["below_red_line"], want["below_red_line"]))
        if js["warnings"] != want["warnings"]:
            mismatches.append(("warnings", js["warnings"], want["warnings"]))
    assert not mismatches, mismatches[:10]
    assert sum(bool(w) for w in server["warnings"]) > 50


def test_browser_checks_refuse_what_the_server_refuses_with_its_words(today):
    """The phone's checks of a row typed offline (growth.check) against validation.input_errors:
    the same inputs refused, with the same Indonesian message, over generated values around every
    limit (grams, millimetres, metres, 38-130 cm and WHO's flag rule, LiLA, nothing typed)."""
    from tumbuh.measurements.validation import input_errors

    rng = np.random.default_rng(11)
    weights = [None, 0.4, 0.5, 3.2, 40.0, 40.5, 150.0, 200.0, 200.5, 7900.0, 12345.0]
    lengths = [None, 0.5, 0.875, 2.99, 3.0, 20.0, 37.9, 38.0, 86.0, 130.0, 131.0, 135.0, 150.0, 300.0, 301.0, 875.0]
    arms = [None, 4.9, 5.0, 13.5, 30.0, 30.1]
    cases = []
    for _ in range(1500):
        age = int(rng.integers(0, 1826))
        cases.append({"sex": str(rng.choice(["M", "F"])), "age": age,
                      "weight": weights[rng.integers(len(weights))], "length": lengths[rng.integers(len(lengths))],
                      "arm": arms[rng.integers(len(arms))], "position": str(rng.choice(["l", "h", ""], p=[.45, .45, .1]))})
    strings = offline._strings()
    payload = []
    for c in cases:
        born = today - dt.timedelta(days=c["age"])
        payload.append({"tables": True, "strings": strings, "child": {"sex": c["sex"], "birth_date": born.isoformat()},
                        "entry": {"date": today.isoformat(), "weight_kg": c["weight"], "length_cm": c["length"],
                                  "arm_circumference_cm": c["arm"], "position": c["position"]}})
    browser = run_node({"z": [], "derived": [], "check": payload})["check"]
    mismatches = []
    for c, js in zip(cases, browser, strict=True):
        server: dict[str, list[str]] = {}
        for p in input_errors(birth_date=today - dt.timedelta(days=c["age"]), measured_on=today, weight_kg=c["weight"],
                              length_cm=c["length"], position=c["position"], head=None, arm=c["arm"], today=today,
                              sex=c["sex"]):
            server.setdefault(p.field, []).append(str(p))
        if js != server:
            mismatches.append((c, js, server))
    assert not mismatches, "\n".join(f"{c}\n  phone:  {js}\n  server: {server}" for c, js, server in mismatches[:4])
    assert sum("WHO" in " ".join(sum(js.values(), [])) for js in browser) > 20
