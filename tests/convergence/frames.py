"""Hand-built rule inputs (no database) for the boundary tests."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from tumbuh.convergence import rules as R

AS_OF = dt.date(2026, 6, 15)  # a Monday


class World:
    def __init__(self):
        self.data = {k: [] for k in ("people", "measurements", "first", "latest", "rows", "courses", "pregnancies",
                                     "anc", "catin", "adolescents", "ttd_weeks", "krs", "tpk", "households")}
        self.next_id = 1

    def person(self, born: dt.date, *, sex="M", household=None, desa="64.74.01.1001", posyandu=1, active=True,
               jkn="", jkn_on=None) -> int:
        pid = self.next_id
        self.next_id += 1
        self.data["people"].append((pid, born, sex, household, desa, posyandu, active, jkn, jkn_on))
        return pid

    def jkn(self, pid, status, on=None):
        """Record (or change) a person's JKN status, as the registry's person form does."""
        self.data["people"] = [(*p[:7], status, on) if p[0] == pid else p for p in self.data["people"]]

    def household(self, hid: int, desa="64.74.01.1001") -> int:
        self.data["households"].append((hid, desa))
        return hid

    def measure(self, pid, on, *, haz=0.0, waz=0.0, whz=0.0, flags=(), gain="", bgm=False, lila=None, oedema=False):
        self.data["measurements"].append((pid, on, haz, waz, whz, "haz" in flags, "waz" in flags, "whz" in flags,
                                          gain, bgm, lila, oedema))
        if haz is not None and haz < -2 and "haz" not in flags:
            firsts = [f for f in self.data["first"] if f[0] == pid]
            if not firsts or firsts[0][3] > on:
                self.data["first"] = [f for f in self.data["first"] if f[0] != pid] + [(pid, "haz", -2.0, on)]

    def deliver(self, subject_id, code, on, *, subject=R.PERSON, quantity=1.0):
        latest = [r for r in self.data["latest"] if r[:3] == (subject, subject_id, code)]
        if not latest or latest[0][3] < on:
            self.data["latest"] = [r for r in self.data["latest"] if r[:3] != (subject, subject_id, code)]
            self.data["latest"].append((subject, subject_id, code, on))
        self.data["rows"].append((subject, subject_id, code, on, quantity))

    def course(self, pid, code, start, end):
        self.data["courses"].append((pid, code, start, end))

    def pregnancy(self, pid, hpht, *, kek=False, outcome="", outcome_on=None) -> int:
        preg = len(self.data["pregnancies"]) + 100
        self.data["pregnancies"].append((preg, pid, hpht, hpht + dt.timedelta(days=280), kek, outcome, outcome_on))
        return preg

    def anc(self, preg, on, ttd=0):
        self.data["anc"].append((preg, on, float(ttd)))

    def catin(self, pid, screened, marriage, anaemic=False):
        self.data["catin"].append((pid, screened, marriage, anaemic))

    def adolescent(self, pid) -> int:
        aid = len(self.data["adolescents"]) + 500
        self.data["adolescents"].append((aid, pid))
        return aid

    def ttd_week(self, aid, week_start, taken=True):
        self.data["ttd_weeks"].append((aid, week_start, taken))

    def krs(self, hid, period, *, krs=True, water="pam", latrine="own_septic"):
        self.data["krs"].append((hid, period, krs, water, latrine))

    def tpk(self, hid, on):
        self.data["tpk"].append((hid, on))

    def inputs(self) -> R.Inputs:
        def df(rows, columns, dates=()):
            if not rows:
                return R._frame(columns)
            frame = pd.DataFrame(rows, columns=list(columns))
            for c in dates:
                frame[c] = pd.to_datetime(frame[c])
            return frame

        d = self.data
        return R.Inputs(
            people=df(d["people"], R.PEOPLE_COLUMNS, ["birth_date", "jkn_checked_on"]),
            measurements=df(d["measurements"], R.MEASUREMENT_COLUMNS, ["measured_on"]),
            first=df(d["first"], R.FIRST_COLUMNS, ["first_on"]),
            latest=df(d["latest"], R.LATEST_COLUMNS, ["latest"]),
            rows=df(d["rows"], R.ROWS_COLUMNS, ["date"]),
            courses=df(d["courses"], R.COURSE_COLUMNS, ["start", "end"]),
            pregnancies=df(d["pregnancies"], R.PREGNANCY_COLUMNS, ["hpht", "due_on", "outcome_on"]),
            anc=df(d["anc"], R.ANC_COLUMNS, ["visited_on"]),
            catin=df(d["catin"], R.CATIN_COLUMNS, ["screened_on", "planned_marriage_on"]),
            adolescents=df(d["adolescents"], R.ADOLESCENT_COLUMNS),
            ttd_weeks=df(d["ttd_weeks"], R.TTD_WEEK_COLUMNS, ["week_start"]),
            krs=df(d["krs"], R.KRS_COLUMNS),
            tpk=df(d["tpk"], R.TPK_COLUMNS, ["visited_on"]),
            households=df(d["households"], R.HOUSEHOLD_COLUMNS),
        )

    def evaluate(self, as_of=AS_OF, ruleset=None, rule_ids=None) -> pd.DataFrame:
        ruleset = ruleset or R.default_ruleset()
        if rule_ids:
            ruleset = R.RuleSet(ruleset.version, tuple(r for r in ruleset.rules if r.id in rule_ids))
        return R.evaluate(ruleset, self.inputs(), as_of)

    def status(self, rule_id, subject_id, as_of=AS_OF, ruleset=None) -> str:
        """'gap', 'ok' or 'n/a' (the rule does not apply to the subject)."""
        out = self.evaluate(as_of, ruleset, rule_ids={rule_id} | _needs(rule_id))
        row = out[(out["rule_id"] == rule_id) & (out["subject_id"] == subject_id)]
        if row.empty:
            return "n/a"
        return "ok" if bool(row["satisfied"].iloc[0]) else "gap"

    def row(self, rule_id, subject_id, as_of=AS_OF):
        out = self.evaluate(as_of, rule_ids={rule_id} | _needs(rule_id))
        return out[(out["rule_id"] == rule_id) & (out["subject_id"] == subject_id)].iloc[0]


def _needs(rule_id: str) -> set:
    return {"balita-pmt"} if rule_id.startswith("keluarga-") else set()


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)
