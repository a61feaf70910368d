"""The desa convergence scorecard (Kemendes KPM/HDW) as pure functions: per-person facts in,
Y / T / TS / ND per item out, then the sums the printed tables show. No database, no Django.

Statuses: Y received, T not received, TS not a target (tidak sasaran), ND no data in Tumbuh
(tidak ada data: an item Tumbuh has no source for, such as the birth certificate and PAUD, or
in the 'benar' mode a household whose water/latrine was never recorded). ND is left out of the
denominator like TS but counted and shown separately, so "no data" is never read as "not
received".

Two modes (data/scorecard.json): `benar` follows the scorecard's labels (>= 4 ANC, 90 tablets of
Fe, home visits only for KEK/risti mothers and GK/GB/S children, every count up to the quarter's
end); `opensid` reproduces OpenSID's Rekap.php (>= 1/2 ANC and >= 1 Fe record in the quarter, a
non-KEK mother T for home visits, every child needing 2 home visits, weighing and counselling
counted over all records whatever their date, parenting over the calendar year).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

Y, T, TS, ND = "Y", "T", "TS", "ND"
STATUSES = (Y, T, TS, ND)
MODES = ("benar", "opensid")
DATA_PATH = Path(__file__).with_name("data") / "scorecard.json"

# Trimester by completed gestational weeks (targets/data/cutoffs.json: 0-12, 13-24, 25+) for
# 'benar'; by completed months (<= 3, <= 6, else) as OpenSID's usia_kehamilan.
TM1_LAST_WEEK, TM2_LAST_WEEK = 12, 24
DAYS_PER_MONTH = 30.4375


@functools.cache
def config() -> dict:
    return json.loads(DATA_PATH.read_text(encoding="utf-8"))


def version() -> str:
    return config()["version"]


def mode_config(mode: str) -> dict:
    if mode not in MODES:
        raise ValueError(f"unknown scorecard mode {mode!r}")
    return config()["modes"][mode]


def group_items(group: str) -> list[str]:
    return list(config()["groups"][group]["items"])


def item_label(item: str) -> str:
    return config()["items"][item]["label"]


def has_source(item: str) -> bool:
    return bool(config()["items"][item]["source"])


# --- facts ----------------------------------------------------------------------------------


@dataclass
class MotherFacts:
    """One pregnancy (or a birth recorded without one) in the quarter. Counts "in_q" are dated in
    the quarter; "total" from the start of the pregnancy to the quarter's end."""

    gest_days: int  # days since HPHT on the last day of the pregnancy seen in the quarter
    delivered: bool = False  # gave birth in the quarter (ibu bersalin)
    kek: bool = False
    risti: bool = False
    anc_in_q: int = 0
    anc_total: int = 0
    ttd_records_in_q: int = 0  # ANC visits / deliveries with tablets, in the quarter
    ttd_total: int = 0  # tablets over the pregnancy up to the quarter's end
    counsel_in_q: int = 0
    kf_count: int = 0
    home_visits_in_q: int = 0
    water: bool | None = None  # None: not recorded
    latrine: bool | None = None
    jkn: bool | None = None  # True: a JKN-PBI record; None: nothing recorded


@dataclass
class ChildFacts:
    age_months: int  # completed months at the quarter's end (at most 23 for the bands)
    weighings_to_end: int = 0
    weighings_all: int = 0
    lengths_in_q: int = 0
    nutrition: frozenset | None = None  # {"GK", "GB", "S"} subset; None: no valid measurement yet
    haz_in_q: float | None = None  # latest valid HAZ in the quarter (growth mat)
    immunised_to_end: bool = False
    immunised_all: bool = False
    counsel_to_end: int = 0
    counsel_all: int = 0
    parenting_to_end: int = 0
    parenting_year: int = 0
    home_visits_in_q: int = 0
    water: bool | None = None
    latrine: bool | None = None
    jkn: bool | None = None


def trimester(gest_days: int, mode: str) -> int:
    if mode_config(mode)["trimester"] == "months":
        months = int(gest_days // DAYS_PER_MONTH)
        return 1 if months <= 3 else 2 if months <= 6 else 3
    weeks = gest_days // 7
    return 1 if weeks <= TM1_LAST_WEEK else 2 if weeks <= TM2_LAST_WEEK else 3


def child_band(age_months: int) -> int:
    """OpenSID's age bands: 1 = 0-5 months, 2 = 6-12, 3 = 13-17, 4 = 18-23."""
    if age_months < 6:
        return 1
    if age_months <= 12:
        return 2
    if age_months < 18:
        return 3
    return 4


def _yn(ok: bool) -> str:
    return Y if ok else T


def _known(value: bool | None, cfg: dict) -> str:
    """Water / latrine / JKN: Y when recorded so; an unrecorded household is ND ('benar') or T
    ('opensid', where an unticked box is T)."""
    if value:
        return Y
    if value is None and cfg["unknown_is_nd"]:
        return ND
    return T


def mother_items(f: MotherFacts, mode: str = "benar") -> dict[str, str]:
    cfg = mode_config(mode)
    out: dict[str, str] = {}
    if f.delivered:
        out.update(anc=TS, ttd=TS, konseling=TS, nifas=_yn(f.kf_count >= cfg["nifas_min"]), kunjungan_rumah=TS)
    else:
        tm = trimester(f.gest_days, mode)
        if mode == "opensid":
            out["anc"] = _yn(f.anc_in_q >= (cfg["anc_tm12_in_quarter"] if tm < 3 else cfg["anc_tm3_in_quarter"]))
            out["ttd"] = _yn(f.ttd_records_in_q >= (cfg["ttd_tm12_in_quarter"] if tm < 3 else cfg["ttd_tm3_in_quarter"]))
        else:
            out["anc"] = _yn(f.anc_in_q >= cfg["anc_tm12_in_quarter"] if tm < 3 else f.anc_total >= cfg["anc_tm3_total"])
            out["ttd"] = _yn(f.ttd_records_in_q >= cfg["ttd_tm12_in_quarter"] if tm < 3
                             else f.ttd_total >= cfg["ttd_tm3_total"])
        out["konseling"] = _yn(f.counsel_in_q >= (cfg["konseling_tm12"] if tm < 3 else cfg["konseling_tm3"]))
        out["nifas"] = TS
        target = f.kek or f.risti
        if target:
            out["kunjungan_rumah"] = _yn(f.home_visits_in_q >= cfg["home_visit_bumil_min"])
        else:
            # OpenSID scores every non-KEK, non-risti mother T here (its defect); the label says
            # the item is for KEK/risti mothers only, so she is TS.
            out["kunjungan_rumah"] = TS if cfg["home_visit_bumil_only_kek_risti"] else T
    out["air"] = _known(f.water, cfg)
    out["jamban"] = _known(f.latrine, cfg)
    out["jkn"] = _known(f.jkn, cfg)
    return {k: out[k] for k in group_items("bumil")}


def _weighing_needed(band: int, cfg: dict) -> int:
    table = cfg["weighing_cumulative"]
    return {2: table["6"], 3: table["13"], 4: table["18"]}[band]


def child_items(f: ChildFacts, mode: str = "benar") -> dict[str, str]:
    cfg = mode_config(mode)
    band = child_band(min(f.age_months, 23))
    upto = cfg["counts_until_quarter_end"]
    out: dict[str, str] = {}
    if band == 1:
        out.update(imunisasi=TS, penimbangan=TS, konseling_ibu=TS, pengasuhan=TS)
    else:
        need = _weighing_needed(band, cfg)
        out["imunisasi"] = _yn(f.immunised_to_end if upto else f.immunised_all)
        out["penimbangan"] = _yn((f.weighings_to_end if upto else f.weighings_all) >= need)
        out["konseling_ibu"] = _yn((f.counsel_to_end if upto else f.counsel_all) >= need)
        out["pengasuhan"] = _yn((f.parenting_to_end if upto else f.parenting_year) >= cfg["parenting_min"])
    if cfg["home_visit_anak_only_gk_gb_s"]:
        if f.nutrition is None:
            out["kunjungan_rumah"] = ND  # nutritional status unknown: cannot say whether a target
        elif f.nutrition & {"GK", "GB", "S"}:
            out["kunjungan_rumah"] = _yn(f.home_visits_in_q >= cfg["home_visit_anak_min"])
        else:
            out["kunjungan_rumah"] = TS
    else:
        out["kunjungan_rumah"] = _yn(f.home_visits_in_q >= cfg["home_visit_anak_min"])
    out["ukur_tinggi"] = _yn(f.lengths_in_q >= 1)
    out["air"] = _known(f.water, cfg)
    out["jamban"] = _known(f.latrine, cfg)
    out["akta"] = ND  # no birth-certificate data in Tumbuh
    out["jkn"] = _known(f.jkn, cfg)
    return {k: out[k] for k in group_items("anak")}


def paud_items() -> dict[str, str]:
    return {"paud": ND}  # no PAUD enrolment data in Tumbuh


def growth_mat(haz: float | None) -> str:
    """TD not measured, M red, K yellow, H green (data/scorecard.json growth_mat)."""
    g = config()["growth_mat"]
    if haz is None:
        return "TD"
    if haz < g["red_below"]:
        return "M"
    if haz < g["yellow_below"]:
        return "K"
    return "H"


# --- sums -------------------------------------------------------------------------------------


@dataclass
class Score:
    received: int = 0  # Y
    expected: int = 0  # items - TS - ND

    @property
    def percent(self) -> float | None:
        return 100.0 * self.received / self.expected if self.expected else None

    def __add__(self, other: Score) -> Score:
        return Score(self.received + other.received, self.expected + other.expected)


def person_score(statuses: dict[str, str]) -> Score:
    y = sum(1 for s in statuses.values() if s == Y)
    applicable = sum(1 for s in statuses.values() if s in (Y, T))
    return Score(y, applicable)


def complete_package(statuses: dict[str, str]) -> bool | None:
    """Every applicable item Y; None when nothing applies."""
    applicable = [s for s in statuses.values() if s in (Y, T)]
    return all(s == Y for s in applicable) if applicable else None


@dataclass
class ItemCount:
    item: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))

    @property
    def expected(self) -> int:
        return self.counts[Y] + self.counts[T]

    @property
    def percent(self) -> float | None:
        return 100.0 * self.counts[Y] / self.expected if self.expected else None


@dataclass
class GroupSummary:
    group: str
    people: int
    items: list[ItemCount]
    score: Score
    complete: int  # people with the complete package


def summarise(group: str, rows: Iterable[dict[str, str]]) -> GroupSummary:
    """Count and % per item, and the group's level: sum Y / (people x items - TS - ND), which is
    OpenSID's tingkat konvergensi (pooled over people, not a mean of per-person percents)."""
    items = group_items(group)
    counts = {i: ItemCount(i) for i in items}
    people = complete = 0
    for row in rows:
        people += 1
        for i in items:
            counts[i].counts[row[i]] += 1
        complete += bool(complete_package(row))
    received = sum(c.counts[Y] for c in counts.values())
    expected = sum(c.expected for c in counts.values())
    return GroupSummary(group, people, [counts[i] for i in items], Score(received, expected), complete)


def overall(summaries: Iterable[GroupSummary]) -> Score:
    total = Score()
    for s in summaries:
        total = total + s.score
    return total
