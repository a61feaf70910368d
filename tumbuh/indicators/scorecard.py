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

import numpy as np

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


def item_short(item: str) -> str:
    return config()["items"][item]["short"]


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


# --- the rules, on columns (numpy arrays, one element per person) ------------------------------
#
# Status codes in arrays: 0 Y, 1 T, 2 TS, 3 ND (STATUSES[code]). Tri-state facts (water, latrine,
# JKN) are int8: 1 yes, 0 no, -1 not recorded. The per-person functions below wrap these, so one
# implementation serves a whole kabupaten (vectorised) and a single person (the per-person list).

CODE = {Y: 0, T: 1, TS: 2, ND: 3}
_Y, _T, _TS, _ND = 0, 1, 2, 3

MOTHER_COLUMNS = ("gest_days", "delivered", "kek", "risti", "anc_in_q", "anc_total", "ttd_records_in_q", "ttd_total",
                  "counsel_in_q", "kf_count", "home_visits_in_q", "water", "latrine", "jkn")
CHILD_COLUMNS = ("age_months", "weighings_to_end", "weighings_all", "lengths_in_q", "nut_known", "nut_target",
                 "immunised_to_end", "immunised_all", "counsel_to_end", "counsel_all", "parenting_to_end",
                 "parenting_year", "home_visits_in_q", "water", "latrine", "jkn")


def trimesters(gest_days: np.ndarray, mode: str) -> np.ndarray:
    gest_days = np.asarray(gest_days)
    if mode_config(mode)["trimester"] == "months":
        months = np.floor(gest_days / DAYS_PER_MONTH)
        return np.where(months <= 3, 1, np.where(months <= 6, 2, 3))
    weeks = gest_days // 7
    return np.where(weeks <= TM1_LAST_WEEK, 1, np.where(weeks <= TM2_LAST_WEEK, 2, 3))


def child_bands(age_months: np.ndarray) -> np.ndarray:
    """OpenSID's age bands: 1 = 0-5 months, 2 = 6-12, 3 = 13-17, 4 = 18-23."""
    a = np.asarray(age_months)
    return np.where(a < 6, 1, np.where(a <= 12, 2, np.where(a < 18, 3, 4)))


def _yn_v(ok) -> np.ndarray:
    return np.where(ok, _Y, _T).astype(np.int8)


def _known_v(value: np.ndarray, cfg: dict) -> np.ndarray:
    unknown = _ND if cfg["unknown_is_nd"] else _T
    return np.where(value == 1, _Y, np.where(value == -1, unknown, _T)).astype(np.int8)


def mother_codes(c: dict[str, np.ndarray], mode: str = "benar") -> dict[str, np.ndarray]:
    cfg = mode_config(mode)
    delivered = c["delivered"].astype(bool)
    tm3 = trimesters(c["gest_days"], mode) == 3
    if mode == "opensid":
        anc = c["anc_in_q"] >= np.where(tm3, cfg["anc_tm3_in_quarter"], cfg["anc_tm12_in_quarter"])
        ttd = c["ttd_records_in_q"] >= np.where(tm3, cfg["ttd_tm3_in_quarter"], cfg["ttd_tm12_in_quarter"])
    else:
        anc = np.where(tm3, c["anc_total"] >= cfg["anc_tm3_total"], c["anc_in_q"] >= cfg["anc_tm12_in_quarter"])
        ttd = np.where(tm3, c["ttd_total"] >= cfg["ttd_tm3_total"], c["ttd_records_in_q"] >= cfg["ttd_tm12_in_quarter"])
    counsel = c["counsel_in_q"] >= np.where(tm3, cfg["konseling_tm3"], cfg["konseling_tm12"])
    target = c["kek"].astype(bool) | c["risti"].astype(bool)
    # OpenSID scores every mother who is neither KEK nor risti T here (its defect); the label
    # says the item is for KEK/risti mothers only, so she is TS.
    not_target = _TS if cfg["home_visit_bumil_only_kek_risti"] else _T
    visit = np.where(target, _yn_v(c["home_visits_in_q"] >= cfg["home_visit_bumil_min"]), not_target)
    out = {
        "anc": np.where(delivered, _TS, _yn_v(anc)),
        "ttd": np.where(delivered, _TS, _yn_v(ttd)),
        "konseling": np.where(delivered, _TS, _yn_v(counsel)),
        "nifas": np.where(delivered, _yn_v(c["kf_count"] >= cfg["nifas_min"]), _TS),
        "kunjungan_rumah": np.where(delivered, _TS, visit),
        "air": _known_v(c["water"], cfg), "jamban": _known_v(c["latrine"], cfg), "jkn": _known_v(c["jkn"], cfg),
    }
    return {k: out[k].astype(np.int8) for k in group_items("bumil")}


def child_codes(c: dict[str, np.ndarray], mode: str = "benar") -> dict[str, np.ndarray]:
    cfg = mode_config(mode)
    band = child_bands(np.minimum(c["age_months"], 23))
    young = band == 1
    table = cfg["weighing_cumulative"]
    need = np.select([band == 2, band == 3, band == 4], [table["6"], table["13"], table["18"]], default=0)
    upto = cfg["counts_until_quarter_end"]
    weigh = c["weighings_to_end"] if upto else c["weighings_all"]
    counsel = c["counsel_to_end"] if upto else c["counsel_all"]
    parenting = c["parenting_to_end"] if upto else c["parenting_year"]
    immunised = c["immunised_to_end"] if upto else c["immunised_all"]
    visits = _yn_v(c["home_visits_in_q"] >= cfg["home_visit_anak_min"])
    if cfg["home_visit_anak_only_gk_gb_s"]:
        # Nutritional status unknown (no valid measurement yet): cannot say whether a target.
        visit = np.where(~c["nut_known"].astype(bool), _ND, np.where(c["nut_target"].astype(bool), visits, _TS))
    else:
        visit = visits
    n = len(band)
    out = {
        "imunisasi": np.where(young, _TS, _yn_v(immunised.astype(bool))),
        "penimbangan": np.where(young, _TS, _yn_v(weigh >= need)),
        "konseling_ibu": np.where(young, _TS, _yn_v(counsel >= need)),
        "pengasuhan": np.where(young, _TS, _yn_v(parenting >= cfg["parenting_min"])),
        "kunjungan_rumah": visit,
        "ukur_tinggi": _yn_v(c["lengths_in_q"] >= 1),
        "air": _known_v(c["water"], cfg), "jamban": _known_v(c["latrine"], cfg),
        "akta": np.full(n, _ND),  # no birth-certificate data in Tumbuh
        "jkn": _known_v(c["jkn"], cfg),
    }
    return {k: out[k].astype(np.int8) for k in group_items("anak")}


def _tri(value: bool | None) -> int:
    return -1 if value is None else int(bool(value))


def _columns(facts, names) -> dict[str, np.ndarray]:
    out = {}
    for name in names:
        value = getattr(facts, name)
        out[name] = np.array([_tri(value) if name in ("water", "latrine", "jkn") else value])
    return out


def _decode(codes: dict[str, np.ndarray]) -> dict[str, str]:
    return {k: STATUSES[int(v[0])] for k, v in codes.items()}


def trimester(gest_days: int, mode: str) -> int:
    return int(trimesters(np.array([gest_days]), mode)[0])


def child_band(age_months: int) -> int:
    return int(child_bands(np.array([age_months]))[0])


def mother_items(f: MotherFacts, mode: str = "benar") -> dict[str, str]:
    return _decode(mother_codes(_columns(f, MOTHER_COLUMNS), mode))


def child_items(f: ChildFacts, mode: str = "benar") -> dict[str, str]:
    cols = _columns(f, [n for n in CHILD_COLUMNS if n not in ("nut_known", "nut_target")])
    cols["nut_known"] = np.array([f.nutrition is not None])
    cols["nut_target"] = np.array([bool(f.nutrition and f.nutrition & {"GK", "GB", "S"})])
    return _decode(child_codes(cols, mode))


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


def tally(group: str, codes: dict[str, np.ndarray], unit: np.ndarray, n_units: int) -> list[GroupSummary]:
    """One GroupSummary per unit (desa) from status codes per person and each person's unit index."""
    items = group_items(group)
    unit = np.asarray(unit, dtype=np.int64)
    n = len(unit)
    stack = np.stack([codes[i] for i in items], axis=1).astype(np.int64) if n else np.zeros((0, len(items)), np.int64)
    per_item = [np.bincount(unit * 4 + stack[:, j], minlength=n_units * 4).reshape(n_units, 4)
                for j in range(len(items))]
    people = np.bincount(unit, minlength=n_units)
    complete = ((stack == 0).any(axis=1) & ~(stack == 1).any(axis=1)) if n else np.zeros(0, bool)
    done = np.bincount(unit, weights=complete, minlength=n_units).astype(int)
    out = []
    for u in range(n_units):
        counts = [ItemCount(item, dict(zip(STATUSES, per_item[j][u].tolist(), strict=True)))
                  for j, item in enumerate(items)]
        received = sum(c.counts[Y] for c in counts)
        expected = sum(c.expected for c in counts)
        out.append(GroupSummary(group, int(people[u]), counts, Score(received, expected), int(done[u])))
    return out


def merge(group: str, summaries: list[GroupSummary]) -> GroupSummary:
    """The sum of several units' summaries (a kecamatan, the whole region)."""
    items = group_items(group)
    counts = {i: ItemCount(i) for i in items}
    people = complete = 0
    for s in summaries:
        people += s.people
        complete += s.complete
        for c in s.items:
            for k, v in c.counts.items():
                counts[c.item].counts[k] += v
    received = sum(c.counts[Y] for c in counts.values())
    expected = sum(c.expected for c in counts.values())
    return GroupSummary(group, people, [counts[i] for i in items], Score(received, expected), complete)
