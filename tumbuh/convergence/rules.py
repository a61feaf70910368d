"""The convergence package rules and their evaluation, as pure functions over frames (no database).

A rule says: who qualifies (`condition`), what they must have (`item`, a catalogue code, or
PENGUKURAN / SKRINING-CATIN for the two things that are not deliveries), and what satisfies it as
of a date (`window`). The defaults ship in `data/rules.json` with their sources; a kab/kota's
local rules (`models.LocalRule`) add, replace or switch off rules and make a new rule-set version
(`RuleSet.version`), which every gap records.

`evaluate(ruleset, inputs, as_of)` returns one row per (subject, rule) that applies, with
`satisfied`, the qualifying reason (code + arguments, rendered by `reasons.reason_text`), `since`
and `due_on`. The gaps are the rows not satisfied; completeness is the share satisfied per
subject. The inputs (`Inputs`) are plain frames, read by `loader.load_inputs` for an area or a
set of people/households, or built by hand in tests.

Every window ends at the as-of date: "a delivery in [lo, as_of]" is "the subject's latest
delivery of the item on or before as_of is on or after lo", so deliveries are read as one
MAX(date) per (subject, item) (`Inputs.latest`) and the rows only where amounts or weeks count
(TTD, ANC).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

RULES_PATH = Path(__file__).with_name("data") / "rules.json"
PERSON, HOUSEHOLD = "p", "h"
NOT_DELIVERED = {"PENGUKURAN", "SKRINING-CATIN"}  # items satisfied by a measurement / a screening
SAFE_WATER = ("kemasan", "isi_ulang", "pam", "sumur_bor", "sumur_terlindungi")
SAFE_LATRINE = ("own_septic",)

CONDITION_KINDS = ("child_undernourished", "child_severe_wasting", "child_age", "pregnant", "catin",
                   "adolescent", "household")
WINDOW_KINDS = ("days_before", "since_first", "since_qualifying", "vita_round", "measured_months", "by_age",
                "anc_schedule", "ttd_course", "screened_before_marriage", "weekly", "in_month", "ever")
PERSON_GROUPS = ("balita", "bumil", "catin", "remaja", "nifas")
# A gap whose window has no deadline of its own (PMT in the last 90 days, water "ever") is
# "overdue" this many days after it opened unless the rule's window says `due_days` (inferred).
DEFAULT_DUE_DAYS = 14


@functools.cache
def shipped() -> dict:
    return json.loads(RULES_PATH.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Rule:
    id: str
    group: str
    condition: dict
    item: str
    window: dict
    label: str = ""
    source: str = ""
    agency: str = ""  # responsible agency code when the item is not a catalogue item
    origin: str = "default"  # "default" | "local"

    @property
    def subject(self) -> str:
        return HOUSEHOLD if self.group == "keluarga" else PERSON

    @classmethod
    def from_dict(cls, d: dict, origin: str = "default") -> Rule:
        return cls(id=d["id"], group=d["group"], condition=dict(d["condition"]), item=d["item"],
                   window=dict(d["window"]), label=d.get("label", ""), source=d.get("source", ""),
                   agency=d.get("agency", ""), origin=origin)


@dataclass(frozen=True)
class RuleSet:
    version: str
    rules: tuple[Rule, ...]

    def by_id(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)


def default_ruleset() -> RuleSet:
    data = shipped()
    return RuleSet(data["version"], tuple(Rule.from_dict(r) for r in data["rules"]))


def with_local(base: RuleSet, local: list[dict], *, region_code: str, revision: int) -> RuleSet:
    """The defaults with a kab/kota's local rules applied, in order: `{"id", "disabled": True}`
    switches a rule off; a dict with an existing id replaces it; a new id is added. The version
    names the region and its revision: "2026.1+64.74.r3"."""
    rules = {r.id: r for r in base.rules}
    for row in local:
        if row.get("disabled"):
            rules.pop(row["id"], None)
            continue
        rules[row["id"]] = Rule.from_dict(row, origin="local")
    if not local:
        return base
    return RuleSet(f"{base.version}+{region_code}.r{revision}", tuple(rules.values()))


def validate_rule(d: dict) -> list[str]:
    """Problems with a rule dict (a local rule before it is stored); empty when it can be evaluated."""
    problems = []
    for key in ("id", "group", "condition", "item", "window"):
        if not d.get(key):
            problems.append(f"missing {key}")
    if problems:
        return problems
    if d["condition"].get("kind") not in CONDITION_KINDS:
        problems.append(f"unknown condition {d['condition'].get('kind')!r}")
    if d["window"].get("kind") not in WINDOW_KINDS:
        problems.append(f"unknown window {d['window'].get('kind')!r}")
    if (d["group"] == "keluarga") != (d["condition"].get("kind") == "household"):
        problems.append("household conditions go with the keluarga group, and only they")
    return problems


# --- inputs ------------------------------------------------------------------------------------

def _frame(columns: dict[str, str]) -> pd.DataFrame:
    return _empty(tuple(columns.items())).copy()


@functools.lru_cache(maxsize=64)
def _empty(columns: tuple) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns})


PEOPLE_COLUMNS = {"person_id": "int64", "birth_date": "datetime64[ns]", "sex": "object", "household_id": "float64",
                  "desa_id": "object", "posyandu_id": "float64", "active": "bool", "jkn_status": "object",
                  "jkn_checked_on": "datetime64[ns]"}
MEASUREMENT_COLUMNS = {"person_id": "int64", "measured_on": "datetime64[ns]", "haz": "float64", "waz": "float64",
                       "whz": "float64", "haz_flag": "bool", "waz_flag": "bool", "whz_flag": "bool",
                       "weight_gain": "object", "bgm": "bool", "lila": "float64", "oedema": "bool"}
FIRST_COLUMNS = {"person_id": "int64", "index": "object", "z_below": "float64", "first_on": "datetime64[ns]"}
LATEST_COLUMNS = {"subject": "object", "subject_id": "int64", "code": "object", "latest": "datetime64[ns]"}
ROWS_COLUMNS = {"subject": "object", "subject_id": "int64", "code": "object", "date": "datetime64[ns]",
                "quantity": "float64"}
COURSE_COLUMNS = {"person_id": "int64", "code": "object", "start": "datetime64[ns]", "end": "datetime64[ns]"}
PREGNANCY_COLUMNS = {"pregnancy_id": "int64", "person_id": "int64", "hpht": "datetime64[ns]",
                     "due_on": "datetime64[ns]", "kek": "bool", "outcome": "object",
                     "outcome_on": "datetime64[ns]"}
ANC_COLUMNS = {"pregnancy_id": "int64", "visited_on": "datetime64[ns]", "ttd_given": "float64"}
CATIN_COLUMNS = {"person_id": "int64", "screened_on": "datetime64[ns]", "planned_marriage_on": "datetime64[ns]",
                 "anaemic": "bool"}
ADOLESCENT_COLUMNS = {"adolescent_id": "int64", "person_id": "int64"}
TTD_WEEK_COLUMNS = {"adolescent_id": "int64", "week_start": "datetime64[ns]", "taken": "bool"}
KRS_COLUMNS = {"household_id": "int64", "period": "object", "krs": "bool", "water_source": "object",
               "latrine": "object"}
TPK_COLUMNS = {"household_id": "int64", "visited_on": "datetime64[ns]"}
HOUSEHOLD_COLUMNS = {"household_id": "int64", "desa_id": "object"}


@dataclass
class Inputs:
    """What the rules read, as frames (dates as datetime64). `latest` is one row per (subject,
    item code) with the latest non-voided delivery on or before the as-of date; `rows` are the
    deliveries whose amounts or weeks count (TTD-BUMIL, TTD-REMAJA, ANC) in the last 300 days;
    `first` the first measurement (on or before as-of) below a z cut-off, per child and index."""

    people: pd.DataFrame = field(default_factory=lambda: _frame(PEOPLE_COLUMNS))
    measurements: pd.DataFrame = field(default_factory=lambda: _frame(MEASUREMENT_COLUMNS))
    first: pd.DataFrame = field(default_factory=lambda: _frame(FIRST_COLUMNS))
    latest: pd.DataFrame = field(default_factory=lambda: _frame(LATEST_COLUMNS))
    rows: pd.DataFrame = field(default_factory=lambda: _frame(ROWS_COLUMNS))
    courses: pd.DataFrame = field(default_factory=lambda: _frame(COURSE_COLUMNS))
    pregnancies: pd.DataFrame = field(default_factory=lambda: _frame(PREGNANCY_COLUMNS))
    anc: pd.DataFrame = field(default_factory=lambda: _frame(ANC_COLUMNS))
    catin: pd.DataFrame = field(default_factory=lambda: _frame(CATIN_COLUMNS))
    adolescents: pd.DataFrame = field(default_factory=lambda: _frame(ADOLESCENT_COLUMNS))
    ttd_weeks: pd.DataFrame = field(default_factory=lambda: _frame(TTD_WEEK_COLUMNS))
    krs: pd.DataFrame = field(default_factory=lambda: _frame(KRS_COLUMNS))
    tpk: pd.DataFrame = field(default_factory=lambda: _frame(TPK_COLUMNS))
    households: pd.DataFrame = field(default_factory=lambda: _frame(HOUSEHOLD_COLUMNS))
    # Subjects to evaluate (None = everyone in the frames): a refresh of some people/households.
    person_ids: frozenset | None = None
    household_ids: frozenset | None = None
    # Intermediate frames shared by the rules of one evaluation (keys name the restriction too).
    memo: dict = field(default_factory=dict, repr=False)


def empty_inputs() -> Inputs:
    return Inputs()


# --- date helpers --------------------------------------------------------------------------------

def ts(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day)


def age_months(birth: pd.Series, on: dt.date) -> pd.Series:
    """Completed months on `on` (vectorised; as tumbuh.targets.rules.age_months)."""
    months = (on.year - birth.dt.year) * 12 + on.month - birth.dt.month
    return months - (on.day < birth.dt.day).astype(int)


def age_years(birth: pd.Series, on: dt.date) -> pd.Series:
    years = on.year - birth.dt.year
    return years - ((on.month < birth.dt.month) | ((on.month == birth.dt.month) & (on.day < birth.dt.day))).astype(int)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), clipped to the month's last day."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def add_months_series(days: pd.Series, months: int) -> pd.Series:
    return days.apply(lambda d: pd.Timestamp(add_months(d.date(), months)) if pd.notna(d) else pd.NaT)


def month_start(day: dt.date, back: int = 0) -> dt.date:
    total = day.year * 12 + day.month - 1 - back
    return dt.date(total // 12, total % 12 + 1, 1)


def vita_round(as_of: dt.date, months=(2, 8)) -> tuple[dt.date, dt.date]:
    """The latest round month (February or August) that has started on `as_of`: (first day, last day)."""
    for back in range(0, 13):
        start = month_start(as_of, back)
        if start.month in months:
            return start, month_start(start, -1) - dt.timedelta(days=1)
    raise ValueError("no round month configured")


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


# --- conditions: who qualifies -------------------------------------------------------------------
# Each returns a frame: subject_id, qual_on (the date the subject qualified by), reason_code,
# reason_args (dict), plus what the window needs (birth_date, hpht, weeks, ...).

Q_COLUMNS = ["subject_id", "qual_on", "reason_code", "reason_args"]


def _memo(inputs: Inputs, key: tuple, make):
    key = (*key, inputs.person_ids is None)
    if key not in inputs.memo:
        inputs.memo[key] = make()
    return inputs.memo[key]


def _people_in_age(inputs: Inputs, as_of: dt.date, lo: int, hi: int) -> pd.DataFrame:
    return _memo(inputs, ("age", as_of, lo, hi), lambda: _people_in_age_(inputs, as_of, lo, hi))


def _people_in_age_(inputs: Inputs, as_of: dt.date, lo: int, hi: int) -> pd.DataFrame:
    p = inputs.people
    p = p[p["active"] & (p["birth_date"] <= ts(as_of))]
    if inputs.person_ids is not None:
        p = p[p["person_id"].isin(inputs.person_ids)]
    p = p.assign(age_months=age_months(p["birth_date"], as_of))
    return p[(p["age_months"] >= lo) & (p["age_months"] <= hi)]


def _latest_measurements(inputs: Inputs, people: pd.DataFrame, as_of: dt.date, lookback: int,
                         key: tuple = ()) -> pd.DataFrame:
    if key:
        return _memo(inputs, ("latest_m", as_of, lookback, *key),
                     lambda: _latest_measurements(inputs, people, as_of, lookback))
    m = inputs.measurements
    m = m[(m["measured_on"] <= ts(as_of)) & (m["measured_on"] >= ts(as_of - dt.timedelta(days=lookback)))]
    m = m[m["person_id"].isin(people["person_id"])]
    return m.sort_values(["person_id", "measured_on"]).drop_duplicates("person_id", keep="last")


INDEX_FLAG = {"haz": "haz_flag", "waz": "waz_flag", "whz": "whz_flag"}


def _iso_days(days: pd.Series) -> list[str]:
    """ISO strings of a datetime64 column ("2026-05-12"), without a Timestamp per row."""
    return np.datetime_as_string(days.to_numpy(dtype="datetime64[D]"), unit="D").tolist()


def _num(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), 2)


def cond_child_undernourished(rule: Rule, inputs: Inputs, as_of: dt.date) -> pd.DataFrame:
    c = rule.condition
    kids = _people_in_age(inputs, as_of, *c.get("age_months", [0, 59]))
    m = _latest_measurements(inputs, kids, as_of, c.get("lookback_days", 90), key=tuple(c.get("age_months", [0, 59])))
    z = c.get("z_below", -2)
    hit = pd.Series(False, index=m.index)
    found: dict[str, pd.Series] = {}
    for index in c.get("indices", []):
        low = (m[index] < z) & ~m[INDEX_FLAG[index]].fillna(False).astype(bool)
        found[index] = low
        hit |= low
    gain = m["weight_gain"].isin(c.get("weight_gain", []))
    hit |= gain
    bgm = m["bgm"].astype(bool) if c.get("bgm") else pd.Series(False, index=m.index)
    hit |= bgm
    m = m[hit]
    # The reason's arguments, built from plain arrays (no per-row Series: iterrows is ~50x slower).
    keep = hit.to_numpy()
    days = _iso_days(m["measured_on"])
    lows = [(index, low.to_numpy()[keep], m[index].to_numpy()) for index, low in found.items()]
    gains, gain_hit, bgm_hit = m["weight_gain"].to_numpy(), gain.to_numpy()[keep], bgm.to_numpy()[keep]
    args = []
    for k in range(len(m)):
        a = {"on": days[k]}
        for index, low, values in lows:
            if low[k]:
                a[index] = _num(values[k])
        if gain_hit[k]:
            a["gain"] = gains[k]
        if bgm_hit[k]:
            a["bgm"] = True
        args.append(a)
    return pd.DataFrame({"subject_id": m["person_id"].to_numpy(), "qual_on": m["measured_on"].to_numpy(),
                         "reason_code": "measurement", "reason_args": args})


def cond_child_severe_wasting(rule: Rule, inputs: Inputs, as_of: dt.date) -> pd.DataFrame:
    c = rule.condition
    kids = _people_in_age(inputs, as_of, *c.get("age_months", [0, 59]))
    m = _latest_measurements(inputs, kids, as_of, c.get("lookback_days", 90), key=tuple(c.get("age_months", [0, 59])))
    whz = (m["whz"] < c.get("whz_below", -3)) & ~m["whz_flag"].fillna(False).astype(bool)
    lila = m["lila"] < c.get("lila_below_cm", 11.5)
    oedema = m["oedema"].astype(bool) if c.get("oedema") else pd.Series(False, index=m.index)
    hit = whz | lila | oedema
    m = m[hit]
    keep = hit.to_numpy()
    days = _iso_days(m["measured_on"])
    whz_hit, lila_hit, oedema_hit = whz.to_numpy()[keep], lila.to_numpy()[keep], oedema.to_numpy()[keep]
    whz_v, lila_v = m["whz"].to_numpy(), m["lila"].to_numpy()
    args = []
    for k in range(len(m)):
        a = {"on": days[k]}
        if whz_hit[k]:
            a["whz"] = _num(whz_v[k])
        if lila_hit[k]:
            a["lila"] = _num(lila_v[k])
        if oedema_hit[k]:
            a["oedema"] = True
        args.append(a)
    return pd.DataFrame({"subject_id": m["person_id"].to_numpy(), "qual_on": m["measured_on"].to_numpy(),
                         "reason_code": "measurement", "reason_args": args})


def cond_child_age(rule: Rule, inputs: Inputs, as_of: dt.date) -> pd.DataFrame:
    lo, hi = rule.condition.get("age_months", [0, 59])
    kids = _people_in_age(inputs, as_of, lo, hi)
    return pd.DataFrame({"subject_id": kids["person_id"].to_numpy(), "qual_on": kids["birth_date"].to_numpy(),
                         "reason_code": "age_months",
                         "reason_args": [{"months": int(v)} for v in kids["age_months"]],
                         "birth_date": kids["birth_date"].to_numpy()})


def _ongoing_pregnancies(inputs: Inputs, as_of: dt.date) -> pd.DataFrame:
    p = inputs.pregnancies
    on = ts(as_of)
    ended = (p["outcome"].fillna("") != "") & (p["outcome_on"].isna() | (p["outcome_on"] <= on))
    # A pregnancy with no outcome recorded two weeks past its due date is not chased any more.
    p = p[(p["hpht"] <= on) & ~ended & (p["due_on"] + pd.Timedelta(days=14) >= on)]
    if inputs.person_ids is not None:
        p = p[p["person_id"].isin(inputs.person_ids)]
    people = inputs.people
    alive = set(people.loc[people["active"], "person_id"])
    p = p[p["person_id"].isin(alive)]
    return p.sort_values(["person_id", "hpht"]).drop_duplicates("person_id", keep="last")


def cond_pregnant(rule: Rule, inputs: Inputs, as_of: dt.date) -> pd.DataFrame:
    p = _ongoing_pregnancies(inputs, as_of)
    if rule.condition.get("kek"):
        p = p[p["kek"].astype(bool)]
    weeks = ((ts(as_of) - p["hpht"]).dt.days // 7).astype(int)
    code = "kek" if rule.condition.get("kek") else "pregnant"
    return pd.DataFrame({"subject_id": p["person_id"].to_numpy(), "qual_on": p["hpht"].to_numpy(),
                         "reason_code": code, "reason_args": [{"weeks": int(w)} for w in weeks],
                         "pregnancy_id": p["pregnancy_id"].to_numpy(), "hpht": p["hpht"].to_numpy(),
                         "weeks": weeks.to_numpy()})


def cond_catin(rule: Rule, inputs: Inputs, as_of: dt.date) -> pd.DataFrame:
    on = ts(as_of)
    s = inputs.catin
    s = s[s["screened_on"] <= on]
    if inputs.person_ids is not None:
        s = s[s["person_id"].isin(inputs.person_ids)]
    # The earliest screening counts for "screened in time"; the latest says whether anaemic now.
    first = s.groupby("person_id")["screened_on"].min().rename("first_screened_on")
    s = s.sort_values(["person_id", "screened_on"]).drop_duplicates("person_id", keep="last")
    s = s.join(first, on="person_id")
    # Not married yet: a planned date still ahead, or no date and screened in the last 6 months.
    upcoming = (s["planned_marriage_on"] >= on) | (
        s["planned_marriage_on"].isna() & (s["screened_on"] >= on - pd.Timedelta(days=183)))
    s = s[upcoming]
    if rule.condition.get("anaemic"):
        s = s[s["anaemic"].astype(bool)]
    args = [{"marriage": d.date().isoformat() if pd.notna(d) else None} for d in s["planned_marriage_on"]]
    return pd.DataFrame({"subject_id": s["person_id"].to_numpy(), "qual_on": s["screened_on"].to_numpy(),
                         "reason_code": "catin_anaemic" if rule.condition.get("anaemic") else "catin",
                         "reason_args": args, "marriage_on": s["planned_marriage_on"].to_numpy(),
                         "first_screened_on": s["first_screened_on"].to_numpy()})


def cond_adolescent(rule: Rule, inputs: Inputs, as_of: dt.date) -> pd.DataFrame:
    lo, hi = rule.condition.get("age_years", [12, 18])
    a = inputs.adolescents.merge(inputs.people, on="person_id")
    a = a[a["active"] & (a["sex"] == "F")]
    if inputs.person_ids is not None:
        a = a[a["person_id"].isin(inputs.person_ids)]
    a = a.assign(years=age_years(a["birth_date"], as_of))
    a = a[(a["years"] >= lo) & (a["years"] <= hi)]
    return pd.DataFrame({"subject_id": a["person_id"].to_numpy(), "qual_on": a["birth_date"].to_numpy(),
                         "reason_code": "adolescent", "reason_args": [{"years": int(y)} for y in a["years"]],
                         "adolescent_id": a["adolescent_id"].to_numpy()})


def latest_krs(inputs: Inputs, as_of: dt.date) -> pd.DataFrame:
    """Each household's latest KRS snapshot of a semester that has started on `as_of`."""
    return _memo(inputs, ("krs", as_of), lambda: _latest_krs(inputs, as_of))


def _latest_krs(inputs: Inputs, as_of: dt.date) -> pd.DataFrame:
    period = f"{as_of.year}-S{1 if as_of.month <= 6 else 2}"
    k = inputs.krs[inputs.krs["period"] <= period]
    return k.sort_values(["household_id", "period"]).drop_duplicates("household_id", keep="last")


def cond_household(rule: Rule, inputs: Inputs, as_of: dt.date, ruleset: RuleSet, cache: dict) -> pd.DataFrame:
    c = rule.condition
    krs = latest_krs(inputs, as_of)
    parts = []
    children: dict[int, list[int]] = {}  # household -> every child that qualified it (a window may read them)
    if c.get("child_rule"):
        child_rule = ruleset.by_id(c["child_rule"]) if any(r.id == c["child_rule"] for r in ruleset.rules) else None
        if child_rule is not None:
            kids = _qualified(child_rule, _unrestricted(inputs), as_of, ruleset, cache)
            kids = kids.merge(inputs.people[["person_id", "household_id"]], left_on="subject_id", right_on="person_id")
            kids = kids[kids["household_id"].notna()].sort_values("qual_on")
            for hid, pid in zip(kids["household_id"].astype("int64").tolist(), kids["person_id"].astype("int64").tolist(),
                                strict=True):
                children.setdefault(hid, []).append(pid)
            kids = kids.drop_duplicates("household_id", keep="first")
            parts.append(pd.DataFrame({"subject_id": kids["household_id"].astype("int64").to_numpy(),
                                       "qual_on": kids["qual_on"].to_numpy(), "reason_code": "child",
                                       "reason_args": [{"child": int(pid)} for pid in kids["person_id"]]}))
    if c.get("krs"):
        k = krs[krs["krs"].astype(bool)]
        start = ts(dt.date(int(as_of.year), 1 if as_of.month <= 6 else 7, 1))
        parts.append(pd.DataFrame({"subject_id": k["household_id"].to_numpy(), "qual_on": start,
                                   "reason_code": "krs", "reason_args": [{"period": p} for p in k["period"]]}))
    if not parts:
        return pd.DataFrame(columns=Q_COLUMNS)
    q = pd.concat(parts, ignore_index=True).drop_duplicates("subject_id", keep="last" if c.get("krs") else "first")
    unsafe = c.get("unsafe")
    if unsafe:
        column, safe = ("water_source", SAFE_WATER) if unsafe == "water" else ("latrine", SAFE_LATRINE)
        bad = krs[(krs[column].fillna("") != "") & ~krs[column].isin(safe)]
        q = q[q["subject_id"].isin(bad["household_id"])]
        q = q.merge(bad[["household_id", column]], left_on="subject_id", right_on="household_id", how="left")
        q["reason_args"] = [{**a, unsafe: v} for a, v in zip(q["reason_args"], q[column], strict=True)]
        q = q.drop(columns=["household_id", column])
    if inputs.household_ids is not None:
        q = q[q["subject_id"].isin(inputs.household_ids)]
    q = q.reset_index(drop=True)
    q["children"] = [tuple(dict.fromkeys(children.get(int(h), ()))) for h in q["subject_id"]]
    return q


def _unrestricted(inputs: Inputs) -> Inputs:
    """Household rules look at every child of the households in the frames, not only the
    refreshed people (a household refresh loads all its members)."""
    return replace(inputs, person_ids=None) if inputs.person_ids is not None else inputs


# --- windows: what satisfies ---------------------------------------------------------------------

def _latest_for(inputs: Inputs, subject: str, code: str, ids) -> pd.Series:
    lt = inputs.latest
    lt = lt[(lt["subject"] == subject) & (lt["code"] == code)]
    return pd.Series(lt["latest"].to_numpy(), index=lt["subject_id"].to_numpy()).reindex(ids)


def _courses_overlap(inputs: Inputs, code: str, ids, lo: pd.Series, hi: dt.date) -> np.ndarray:
    c = inputs.courses
    c = c[(c["code"] == code) & (c["start"] <= ts(hi))]
    if c.empty:
        return np.zeros(len(ids), dtype=bool)
    # the latest course end per person, among courses started by as_of
    end = c.groupby("person_id")["end"].max().reindex(ids)
    return (end.to_numpy() >= lo.to_numpy()) & pd.notna(end.to_numpy())


def _delivered_since(rule: Rule, inputs: Inputs, q: pd.DataFrame, lo: pd.Series, as_of: dt.date) -> np.ndarray:
    """Whether each subject had the item in [lo, as_of]: its latest delivery on or before as_of
    (the loader's contract; a later one in hand-built frames is ignored) is on or after lo."""
    latest = _latest_for(inputs, rule.subject, rule.item, q["subject_id"].to_numpy()).to_numpy()
    return pd.notna(latest) & (latest >= lo.to_numpy()) & (latest <= np.datetime64(as_of))


def win_days_before(rule, inputs, q, as_of):
    lo = pd.Series(ts(as_of - dt.timedelta(days=rule.window.get("days", 90))), index=q.index)
    ok = _delivered_since(rule, inputs, q, lo, as_of)
    if rule.subject == PERSON:
        ok |= _courses_overlap(inputs, rule.item, q["subject_id"].to_numpy(), lo, as_of)
    due = q["qual_on"] + pd.Timedelta(days=rule.window.get("due_days", DEFAULT_DUE_DAYS))
    return q.assign(satisfied=ok, since=q["qual_on"], due_on=due)


def win_since_first(rule, inputs, q, as_of):
    w = rule.window
    f = inputs.first
    f = f[(f["index"] == w.get("index", "haz")) & (f["z_below"] == w.get("z_below", -2))]
    first = pd.Series(f["first_on"].to_numpy(), index=f["person_id"].to_numpy()).reindex(q["subject_id"].to_numpy())
    first = pd.Series(first.to_numpy(), index=q.index).fillna(q["qual_on"])
    ok = _delivered_since(rule, inputs, q, first, as_of)
    return q.assign(satisfied=ok, since=first, due_on=first)


def win_since_qualifying(rule, inputs, q, as_of):
    ok = _delivered_since(rule, inputs, q, q["qual_on"], as_of)
    if rule.subject == PERSON:
        ok |= _courses_overlap(inputs, rule.item, q["subject_id"].to_numpy(), q["qual_on"], as_of)
    due = q["qual_on"] + pd.Timedelta(days=rule.window.get("due_days", 0))
    return q.assign(satisfied=ok, since=q["qual_on"], due_on=due)


def win_vita_round(rule, inputs, q, as_of):
    start, end = vita_round(as_of, tuple(rule.window.get("months", (2, 8))))
    # A child counts for the round if 6 months old by the round's last day.
    old_enough = age_months(pd.Series(q["birth_date"]) if "birth_date" in q else q["qual_on"], end) >= \
        rule.window.get("min_age_months", 6)
    q = q[old_enough.to_numpy()]
    lo = pd.Series(ts(start), index=q.index)
    ok = _delivered_since(rule, inputs, q, lo, as_of)
    return q.assign(satisfied=ok, since=ts(start), due_on=ts(end))


def win_measured_months(rule, inputs, q, as_of):
    start = ts(month_start(as_of, rule.window.get("months", 2) - 1))
    m = inputs.measurements
    m = m[(m["measured_on"] >= start) & (m["measured_on"] <= ts(as_of))]
    ok = q["subject_id"].isin(m["person_id"]).to_numpy()
    since = np.maximum(q["qual_on"].to_numpy(), np.datetime64(start))
    return q.assign(satisfied=ok, since=since, due_on=ts(month_start(as_of, -1) - dt.timedelta(days=1)))


def win_by_age(rule, inputs, q, as_of):
    due = add_months_series(q["qual_on"], rule.window.get("due_months", 12))
    ok = _delivered_since(rule, inputs, q, q["qual_on"], as_of)
    return q.assign(satisfied=ok, since=due, due_on=due)


def _anc_dates(inputs: Inputs, q: pd.DataFrame, as_of: dt.date) -> dict[int, set]:
    on = ts(as_of)
    visits = inputs.anc[inputs.anc["visited_on"] <= on].merge(q[["pregnancy_id", "subject_id", "hpht"]],
                                                             on="pregnancy_id")
    dates: dict[int, set] = {}
    for sid, day in zip(visits["subject_id"], visits["visited_on"], strict=True):
        dates.setdefault(int(sid), set()).add(day)
    r = inputs.rows
    r = r[(r["subject"] == PERSON) & (r["code"] == "ANC") & (r["date"] <= on)].merge(
        q[["subject_id", "hpht"]], on="subject_id")
    r = r[r["date"] >= r["hpht"]]
    for sid, day in zip(r["subject_id"], r["date"], strict=True):
        dates.setdefault(int(sid), set()).add(day)
    return dates


def anc_required(weeks: int, due: list) -> tuple[int, int | None]:
    """(contacts due at `weeks` completed weeks, the week the last of them fell due)."""
    need, at = 0, None
    for week, count in due:
        if weeks >= week:
            need, at = count, week
    return need, at


def win_anc_schedule(rule, inputs, q, as_of):
    due = rule.window.get("due", [])
    dates = _anc_dates(inputs, q, as_of)
    keep, ok, since, args = [], [], [], []
    for i, weeks, sid, hpht, reason in zip(q.index, q["weeks"].tolist(), q["subject_id"].tolist(), q["hpht"],
                                           q["reason_args"], strict=True):
        need, _at = anc_required(int(weeks), due)
        if need == 0:
            continue  # nothing due yet: the rule does not apply (not counted in completeness)
        have = len(dates.get(int(sid), ()))
        keep.append(i)
        ok.append(have >= need)
        # since: the week the first contact she lacks fell due
        first_short = next((w for w, c in due if c > have), None)
        since.append(hpht + pd.Timedelta(weeks=first_short if first_short is not None else weeks))
        args.append({**reason, "contacts": have, "required": need})
    q = q.loc[keep].copy()
    q["reason_args"] = args
    return q.assign(satisfied=ok, since=since, due_on=since)


def ttd_required(weeks: int, target: int, start_week: int, end_week: int) -> int:
    if weeks <= start_week:
        return 0
    return min(target, math.ceil(target * (weeks - start_week) / (end_week - start_week)))


def win_ttd_course(rule, inputs, q, as_of):
    w = rule.window
    target, start, end = w.get("target", 90), w.get("start_week", 12), w.get("end_week", 36)
    on = ts(as_of)
    visits = inputs.anc[inputs.anc["visited_on"] <= on].groupby("pregnancy_id")["ttd_given"].sum()
    r = inputs.rows
    r = r[(r["subject"] == PERSON) & (r["code"] == rule.item) & (r["date"] <= on)].merge(
        q[["subject_id", "hpht"]], on="subject_id")
    delivered = r[r["date"] >= r["hpht"]].groupby("subject_id")["quantity"].sum()
    keep, ok, since, args = [], [], [], []
    visits, delivered = visits.to_dict(), delivered.to_dict()
    for i, weeks, preg, sid, hpht, reason in zip(q.index, q["weeks"].tolist(), q["pregnancy_id"].tolist(),
                                                 q["subject_id"].tolist(), q["hpht"], q["reason_args"], strict=True):
        need = ttd_required(int(weeks), target, start, end)
        if need == 0:
            continue
        have = int(visits.get(preg, 0) + delivered.get(sid, 0))
        keep.append(i)
        ok.append(have >= need)
        short_week = start + have * (end - start) / target
        since.append(hpht + pd.Timedelta(days=int(short_week * 7)))
        args.append({**reason, "tablets": have, "required": need})
    q = q.loc[keep].copy()
    q["reason_args"] = args
    return q.assign(satisfied=ok, since=since, due_on=since)


def win_screened_before_marriage(rule, inputs, q, as_of):
    q = q[q["marriage_on"].notna()]
    deadline = add_months_series(q["marriage_on"], -rule.window.get("months", 3))
    ok = (q["first_screened_on"] <= deadline).to_numpy()
    args = [{**a, "screened": s.date().isoformat()} for a, s in zip(q["reason_args"], q["first_screened_on"],
                                                                    strict=True)]
    q = q.assign(reason_args=args)
    return q.assign(satisfied=ok, since=deadline, due_on=deadline)


def win_weekly(rule, inputs, q, as_of):
    n = rule.window.get("weeks", 4)
    this_week = monday(as_of)
    weeks = [ts(this_week - dt.timedelta(weeks=k)) for k in range(n, 0, -1)]
    t = inputs.ttd_weeks
    taken = t[t["taken"].astype(bool) & t["week_start"].isin(weeks)]
    have = {(int(a), w) for a, w in zip(taken["adolescent_id"], taken["week_start"], strict=True)}
    r = inputs.rows
    r = r[(r["subject"] == PERSON) & (r["code"] == rule.item) & (r["date"] >= weeks[0]) &
          (r["date"] < ts(this_week))]
    delivered = {(int(s), d - pd.Timedelta(days=d.weekday())) for s, d in zip(r["subject_id"], r["date"], strict=True)}
    ok, since, args = [], [], []
    for adolescent, sid, reason in zip(q["adolescent_id"].tolist(), q["subject_id"].tolist(), q["reason_args"],
                                       strict=True):
        missing = [w for w in weeks if (int(adolescent), w) not in have and (int(sid), w) not in delivered]
        ok.append(not missing)
        since.append(missing[0] if missing else weeks[0])
        args.append({**reason, "weeks_missing": len(missing), "weeks": n})
    q = q.copy()
    q["reason_args"] = args
    return q.assign(satisfied=ok, since=since, due_on=since)


def win_in_month(rule, inputs, q, as_of):
    start = ts(month_start(as_of))
    lo = pd.Series(start, index=q.index)
    ok = _delivered_since(rule, inputs, q, lo, as_of)
    if rule.item == "PENDAMPINGAN-TPK":
        v = inputs.tpk
        visited = v[(v["visited_on"] >= start) & (v["visited_on"] <= ts(as_of))]["household_id"]
        ok |= q["subject_id"].isin(visited).to_numpy()
    since = np.maximum(q["qual_on"].to_numpy(), np.datetime64(start))
    return q.assign(satisfied=ok, since=since, due_on=ts(month_start(as_of, -1) - dt.timedelta(days=1)))


def win_ever(rule, inputs, q, as_of):
    lo = pd.Series(pd.Timestamp.min, index=q.index)
    ok = _delivered_since(rule, inputs, q, lo, as_of)
    if rule.subject == HOUSEHOLD and rule.window.get("also_person"):
        members = inputs.people[inputs.people["household_id"].isin(q["subject_id"])]
        lt = inputs.latest
        got = lt[(lt["subject"] == PERSON) & (lt["code"] == rule.item) & lt["subject_id"].isin(members["person_id"])]
        covered = set(members[members["person_id"].isin(got["subject_id"])]["household_id"].astype("int64"))
        ok |= q["subject_id"].isin(covered).to_numpy()
    if rule.window.get("membership"):
        ok, q = _with_membership(rule, inputs, q, as_of, ok)
    due = q["qual_on"] + pd.Timedelta(days=rule.window.get("due_days", DEFAULT_DUE_DAYS))
    return q.assign(satisfied=ok, since=q["qual_on"], due_on=due)


def insured(inputs: Inputs, statuses, as_of: dt.date) -> set[int]:
    """People whose recorded JKN status (registry Person.jkn_status) is one of `statuses` on
    `as_of`: checked on or before it, or with no check date (recorded, date unknown)."""
    p = inputs.people
    if p.empty or "jkn_status" not in p:
        return set()
    hit = p["jkn_status"].isin(list(statuses))
    if "jkn_checked_on" in p:
        on = pd.to_datetime(p["jkn_checked_on"])  # no-op for the loader's datetime64 column
        hit &= on.isna() | (on <= ts(as_of))
    return set(p.loc[hit, "person_id"].astype("int64").tolist())


def _with_membership(rule, inputs, q, as_of, ok):
    """A window's `membership` (the JKN statuses that count) satisfies the rule too. A person:
    their own status. A household (`membership_of`): "child" (the default) needs every child who
    put it in the rule's group to be a member, since JKN cards are per person (a newborn is
    enrolled on its own, a PPU card covers at most three children) and it is the child who needs
    the treatment and referrals JKN pays for; a household in by its KRS snapshot alone has no
    such child, and "member" always reads: any member of the household. An open household gap
    names a child still without membership (the reason's `child`)."""
    members_in = insured(inputs, rule.window["membership"], as_of)
    ok = np.asarray(ok, dtype=bool).copy()
    ids = q["subject_id"].astype("int64").tolist()
    if rule.subject == PERSON:
        return ok | np.array([i in members_in for i in ids], dtype=bool), q
    people = inputs.people[inputs.people["household_id"].notna()]
    covered_homes = set(people.loc[people["person_id"].isin(members_in), "household_id"].astype("int64").tolist())
    by_child = rule.window.get("membership_of", "child") == "child"
    kids = q["children"].tolist() if "children" in q else [()] * len(ids)
    args = []
    for k, (hid, children, reason) in enumerate(zip(ids, kids, q["reason_args"], strict=True)):
        if by_child and children:
            missing = [c for c in children if c not in members_in]
            ok[k] |= not missing
            if missing and not ok[k] and reason.get("child") != missing[0]:
                reason = {**reason, "child": missing[0]}
        else:
            ok[k] |= hid in covered_homes
        args.append(reason)
    return ok, q.assign(reason_args=args)


CONDITIONS = {
    "child_undernourished": cond_child_undernourished,
    "child_severe_wasting": cond_child_severe_wasting,
    "child_age": cond_child_age,
    "pregnant": cond_pregnant,
    "catin": cond_catin,
    "adolescent": cond_adolescent,
}
WINDOWS = {
    "days_before": win_days_before, "since_first": win_since_first, "since_qualifying": win_since_qualifying,
    "vita_round": win_vita_round, "measured_months": win_measured_months, "by_age": win_by_age,
    "anc_schedule": win_anc_schedule, "ttd_course": win_ttd_course,
    "screened_before_marriage": win_screened_before_marriage, "weekly": win_weekly, "in_month": win_in_month,
    "ever": win_ever,
}


# The frame each condition starts from: nothing in it, nobody qualifies (a child's refresh skips
# the pregnancy, catin and adolescent rules without a pandas operation).
SOURCE_OF = {"pregnant": "pregnancies", "catin": "catin", "adolescent": "adolescents", "household": "households",
             "child_undernourished": "measurements", "child_severe_wasting": "measurements", "child_age": "people"}


def _qualified(rule: Rule, inputs: Inputs, as_of: dt.date, ruleset: RuleSet, cache: dict) -> pd.DataFrame:
    key = (rule.id, inputs.person_ids is None)
    if key not in cache:
        kind = rule.condition["kind"]
        if getattr(inputs, SOURCE_OF[kind]).empty:
            cache[key] = pd.DataFrame(columns=Q_COLUMNS)
        elif kind == "household":
            cache[key] = cond_household(rule, inputs, as_of, ruleset, cache)
        else:
            cache[key] = CONDITIONS[kind](rule, inputs, as_of)
    return cache[key]


RESULT_COLUMNS = ["subject", "subject_id", "rule_id", "item", "group", "satisfied", "reason_code", "reason_args",
                  "since", "due_on"]


def evaluate(ruleset: RuleSet, inputs: Inputs, as_of: dt.date) -> pd.DataFrame:
    """One row per (subject, rule) that applies on `as_of`: RESULT_COLUMNS. Dates are datetime64."""
    cache: dict = {}
    parts = []
    for rule in ruleset.rules:
        q = _qualified(rule, inputs, as_of, ruleset, cache)
        if q.empty:
            continue
        out = WINDOWS[rule.window["kind"]](rule, inputs, q.reset_index(drop=True), as_of)
        if out.empty:
            continue
        parts.append(pd.DataFrame({
            "subject": rule.subject, "subject_id": out["subject_id"].astype("int64").to_numpy(), "rule_id": rule.id,
            "item": rule.item, "group": rule.group, "satisfied": np.asarray(out["satisfied"], dtype=bool),
            "reason_code": out["reason_code"].to_numpy(), "reason_args": list(out["reason_args"]),
            "since": pd.to_datetime(pd.Series(list(out["since"]))).to_numpy(),
            "due_on": pd.to_datetime(pd.Series(list(out["due_on"]))).to_numpy(),
        }))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in RESULT_COLUMNS})
    return pd.concat(parts, ignore_index=True)


def completeness(results: pd.DataFrame) -> pd.DataFrame:
    """Per subject: required (rules that apply), received (satisfied), complete, share."""
    if results.empty:
        return pd.DataFrame(columns=["subject", "subject_id", "required", "received", "complete", "share"])
    g = results.groupby(["subject", "subject_id"])["satisfied"].agg(required="size", received="sum").reset_index()
    g["received"] = g["received"].astype(int)
    g["complete"] = g["received"] == g["required"]
    g["share"] = g["received"] / g["required"]
    return g
