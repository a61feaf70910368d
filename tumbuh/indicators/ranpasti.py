"""Perpres 72/2021 Lampiran A (RAN-PASTI) indicators as data (data/indicators.json) and pure
functions: rows in (read by selectors.ranpasti_facts under a scope), numerator and denominator
out. No database, no Django."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

DATA_PATH = Path(__file__).with_name("data") / "indicators.json"
DELIVERED = ("live_birth", "stillbirth")
KB_NONE = ("", "refused")


@functools.cache
def config() -> dict:
    return json.loads(DATA_PATH.read_text(encoding="utf-8"))


def definitions() -> list[dict]:
    return config()["indicators"]


def definition(code: str) -> dict:
    for d in definitions():
        if d["code"] == code:
            return d
    raise KeyError(code)


def computable_codes() -> list[str]:
    return [d["code"] for d in definitions() if d.get("computable", True)]


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


# --- rows ------------------------------------------------------------------------------------


class PregnancyRow(NamedTuple):
    person_id: int
    hpht: dt.date
    outcome: str
    outcome_on: dt.date | None
    kek: bool
    ttd_total: int
    ttd_anc: int = 0  # tablets of ANC visits up to the period's end


class AdolescentRow(NamedTuple):
    person_id: int
    ttd: bool  # a tablet taken (weekly record) or delivered in the period
    hb_tested: bool


class PostpartumRow(NamedTuple):
    person_id: int
    delivered_on: dt.date
    kb_method: str
    kb_delivery: bool
    breastfeeding: dict  # month -> exclusive


class MeasurementRow(NamedTuple):
    child_id: int
    measured_on: dt.date
    age_days: int | None
    whz: float | None
    whz_flag: bool | None
    muac_cm: float | None


class HouseholdRow(NamedTuple):
    household_id: int
    water_source: str
    latrine: str
    krs: bool
    pus: bool
    unmet_need: bool


@dataclass
class Facts:
    start: dt.date
    end: dt.date
    pregnancies: list[PregnancyRow] = field(default_factory=list)
    adolescents: list[AdolescentRow] = field(default_factory=list)
    postpartum: list[PostpartumRow] = field(default_factory=list)
    children: list[tuple[int, dt.date]] = field(default_factory=list)  # under-fives (the selectors: turning 12)
    registered: int | None = None  # registered under-fives (else: counted from `children`)
    measured: int | None = None  # of them, measured in the period (else: from `measurements`)
    measurements: list[MeasurementRow] = field(default_factory=list)  # in the period, by child and date
    catin: list[tuple[int, dt.date, dt.date]] = field(default_factory=list)  # person, screened, marriage
    households: list[HouseholdRow] = field(default_factory=list)
    # (person id, code) -> [(date, quantity)] (a course counts as a delivery on its start, quantity 0)
    person_deliveries: dict = field(default_factory=lambda: defaultdict(list))
    household_deliveries: dict = field(default_factory=lambda: defaultdict(list))  # (hh, code) -> [date]
    tpk_visited: set = field(default_factory=set)  # households visited by a TPK in the period
    household_counts: dict = field(default_factory=dict)  # code -> households
    safe_water: set = field(default_factory=set)
    safe_latrine: set = field(default_factory=set)

    def delivered(self, person_id: int, codes, first: dt.date, last: dt.date) -> bool:
        codes = (codes,) if isinstance(codes, str) else codes
        return any(first <= d <= last for c in codes for d, _q in self.person_deliveries.get((person_id, c), ()))

    def quantity(self, person_id: int, code: str, first: dt.date, last: dt.date) -> float:
        return sum(q for d, q in self.person_deliveries.get((person_id, code), ()) if first <= d <= last)


# --- the indicators: (numerator, denominator) -----------------------------------------------


def bumil_kek_pmt(f: Facts) -> tuple[int, int]:
    den = [p for p in f.pregnancies if p.kek and (p.outcome_on is None or p.outcome_on >= f.start)]
    num = [p for p in den if f.delivered(p.person_id, "PMT-BUMIL", p.hpht, min(p.outcome_on or f.end, f.end))]
    return len(num), len(den)


def bumil_ttd90(f: Facts) -> tuple[int, int]:
    den = [p for p in f.pregnancies if p.outcome in DELIVERED and p.outcome_on and f.start <= p.outcome_on <= f.end]
    num = [p for p in den if max(p.ttd_anc, f.quantity(p.person_id, "TTD-BUMIL", p.hpht, p.outcome_on)) >= 90]
    return len(num), len(den)


def remaja_ttd(f: Facts) -> tuple[int, int]:
    return sum(1 for a in f.adolescents if a.ttd), len(f.adolescents)


def remaja_hb(f: Facts) -> tuple[int, int]:
    return sum(1 for a in f.adolescents if a.hb_tested), len(f.adolescents)


def asi_eksklusif(f: Facts) -> tuple[int, int]:
    den = [p for p in f.postpartum if f.start <= add_months(p.delivered_on, 6) <= f.end and p.breastfeeding]
    num = [p for p in den if all(p.breastfeeding.get(m) is True for m in range(1, 7))]
    return len(num), len(den)


def _first_severe(f: Facts) -> dict[int, dt.date]:
    out: dict[int, dt.date] = {}
    for m in f.measurements:  # ordered by child and date
        severe = (m.whz is not None and not m.whz_flag and m.whz < -3) or (
            m.muac_cm is not None and (m.age_days or 0) >= 183 and m.muac_cm < 11.5)
        if severe and m.child_id not in out:
            out[m.child_id] = m.measured_on
    return out


def gizi_buruk_tatalaksana(f: Facts) -> tuple[int, int]:
    den = _first_severe(f)
    num = [c for c, day in den.items() if f.delivered(c, ("TATA-LAKSANA-GIZI-BURUK", "RUMAH-SINGGAH-GIZI"), day,
                                                       day + dt.timedelta(days=14))]
    return len(num), len(den)


def pemantauan_pertumbuhan(f: Facts) -> tuple[int, int]:
    if f.registered is not None:
        return f.measured or 0, f.registered
    registered = {pid for pid, _born in f.children}
    return len({m.child_id for m in f.measurements} & registered), len(registered)


def gizi_kurang_pmt(f: Facts) -> tuple[int, int]:
    latest: dict[int, MeasurementRow] = {}
    for m in f.measurements:
        latest[m.child_id] = m
    den = {c: m.measured_on for c, m in latest.items()
           if m.whz is not None and not m.whz_flag and -3 <= m.whz < -2}
    num = [c for c, day in den.items() if f.delivered(c, "PMT-BALITA", day, f.end)]
    return len(num), len(den)


def imunisasi_dasar_lengkap(f: Facts) -> tuple[int, int]:
    den = [(pid, born) for pid, born in f.children if f.start <= add_months(born, 12) <= f.end]
    num = [pid for pid, born in den if f.delivered(pid, "IMUNISASI-DASAR", born, add_months(born, 12))]
    return len(num), len(den)


def catin_skrining(f: Facts) -> tuple[int, int]:
    first: dict[tuple[int, dt.date], dt.date] = {}
    for pid, screened, marriage in f.catin:
        key = (pid, marriage)
        first[key] = min(first.get(key, screened), screened)
    num = [k for k, screened in first.items() if screened <= k[1] - dt.timedelta(days=90)]
    return len(num), len(first)


def kb_pascasalin(f: Facts) -> tuple[int, int]:
    den = [p for p in f.postpartum if f.start <= p.delivered_on <= f.end]
    num = [p for p in den if p.kb_method not in KB_NONE or p.kb_delivery]
    return len(num), len(den)


def unmet_need(f: Facts) -> tuple[int, int]:
    den = [h for h in f.households if h.pus]
    return sum(1 for h in den if h.unmet_need), len(den)


def _hh_delivered(f: Facts, hh: int, code: str, first: dt.date | None = None) -> bool:
    return any((first is None or d >= first) for d in f.household_deliveries.get((hh, code), ()))


def air_minum_layak(f: Facts) -> tuple[int, int]:
    den = [h for h in f.households if h.water_source]
    return sum(1 for h in den if h.water_source in f.safe_water or _hh_delivered(f, h.household_id, "AIR-MINUM")), \
        len(den)


def sanitasi_layak(f: Facts) -> tuple[int, int]:
    den = [h for h in f.households if h.latrine]
    return sum(1 for h in den if h.latrine in f.safe_latrine or _hh_delivered(f, h.household_id, "JAMBAN")), len(den)


def krs_pendampingan(f: Facts) -> tuple[int, int]:
    den = [h for h in f.households if h.krs]
    return sum(1 for h in den if h.household_id in f.tpk_visited
               or _hh_delivered(f, h.household_id, "PENDAMPINGAN-TPK", f.start)), len(den)


def _count(code: str):
    def compute(f: Facts) -> tuple[int, None]:
        return f.household_counts.get(code, 0), None

    return compute


FUNCTIONS = {
    "bumil_kek_pmt": (bumil_kek_pmt, "pregnancies"),
    "bumil_ttd90": (bumil_ttd90, "pregnancies"),
    "remaja_ttd": (remaja_ttd, "adolescents"),
    "remaja_hb": (remaja_hb, "adolescents"),
    "asi_eksklusif": (asi_eksklusif, "postpartum"),
    "gizi_buruk_tatalaksana": (gizi_buruk_tatalaksana, "children"),
    "pemantauan_pertumbuhan": (pemantauan_pertumbuhan, "children"),
    "gizi_kurang_pmt": (gizi_kurang_pmt, "children"),
    "imunisasi_dasar_lengkap": (imunisasi_dasar_lengkap, "children"),
    "catin_skrining": (catin_skrining, "catin"),
    "kb_pascasalin": (kb_pascasalin, "postpartum"),
    "unmet_need": (unmet_need, "households"),
    "air_minum_layak": (air_minum_layak, "households"),
    "sanitasi_layak": (sanitasi_layak, "households"),
    "krs_pendampingan": (krs_pendampingan, "households"),
    "pbi_jkn": (_count("JKN-PBI"), "counts"),
    "bansos_pkh": (_count("BANSOS-PKH"), "counts"),
    "bansos_pangan": (_count("BANSOS-BPNT"), "counts"),
}
ALL_FACTS = {"pregnancies", "adolescents", "postpartum", "children", "catin", "households", "counts"}


def needs(code: str | None) -> set[str]:
    if code is None:
        return ALL_FACTS
    return {FUNCTIONS[code][1]} if code in FUNCTIONS else set()


@dataclass
class IndicatorValue:
    code: str
    name: str
    group: str
    pillar: str
    opd: str
    numerator_text: str
    denominator_text: str
    numerator: int | None
    denominator: int | None
    value: float | None  # percent, or the count for `count` indicators
    target_2024: float | None
    target_note: str
    local_target: float | None
    local_source: str
    computable: bool
    why: str
    lower_is_better: bool
    is_count: bool
    source: str
    data: str

    @property
    def meets_national(self) -> bool | None:
        if self.value is None or self.target_2024 is None or self.is_count:
            return None
        return self.value <= self.target_2024 if self.lower_is_better else self.value >= self.target_2024

    @property
    def meets_local(self) -> bool | None:
        if self.value is None or self.local_target is None or self.is_count:
            return None
        return self.value <= self.local_target if self.lower_is_better else self.value >= self.local_target


def evaluate(d: dict, facts: Facts | None, local=None) -> IndicatorValue:
    computable = d.get("computable", True) and d["code"] in FUNCTIONS
    num = den = value = None
    if computable and facts is not None:
        num, den = FUNCTIONS[d["code"]][0](facts)
        if d.get("count"):
            value = float(num)
        elif den:
            value = 100.0 * num / den
    sources = config()["sources"]
    return IndicatorValue(
        code=d["code"], name=d["name"], group=d["group"], pillar=d["pillar"], opd=d.get("opd", ""),
        numerator_text=d.get("numerator", ""), denominator_text=d.get("denominator", ""),
        numerator=num, denominator=den, value=value, target_2024=d.get("target_2024"),
        target_note=d.get("target_note", ""),
        local_target=float(local.target_percent) if local is not None else None,
        local_source=getattr(local, "source", "") if local is not None else "",
        computable=computable, why=d.get("why", ""), lower_is_better=bool(d.get("lower_is_better")),
        is_count=bool(d.get("count")), source=sources.get(d.get("source", ""), d.get("source", "")),
        data=d.get("data", ""))
