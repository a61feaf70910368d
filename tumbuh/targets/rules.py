"""The target-group rules as pure functions (no database): catin risk, pregnancy KEK/anaemia/4T,
ANC K1-K6, birth flags, KF windows, adolescent anaemia, KRS derivation.

Every cut-off comes from the one versioned data file `data/cutoffs.json` (with its source); every
result carries the `version` it was computed with, so a stored verdict can always be explained.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

CUTOFFS_PATH = Path(__file__).with_name("data") / "cutoffs.json"


@functools.cache
def cutoffs() -> dict:
    return json.loads(CUTOFFS_PATH.read_text(encoding="utf-8"))


def version() -> str:
    return cutoffs()["version"]


def cut(group: str, name: str):
    return cutoffs()[group][name]["value"]


def age_years(birth: dt.date, on: dt.date) -> int:
    """Completed years on `on`."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def age_months(birth: dt.date, on: dt.date) -> int:
    """Completed months on `on`."""
    months = (on.year - birth.year) * 12 + on.month - birth.month
    return months - (on.day < birth.day)


def bmi(weight_kg: float | None, height_cm: float | None) -> float | None:
    if not weight_kg or not height_cm:
        return None
    return round(weight_kg / (height_cm / 100) ** 2, 1)


# --- catin (Elsimil) ------------------------------------------------------------------------------

# Reason codes (stable, stored); labels live in the templates' translations (choices.py).
BMI_LOW, LILA_LOW, HB_LOW, AGE_YOUNG, AGE_OLD = "bmi_low", "lila_low", "hb_low", "age_young", "age_old"


@dataclass(frozen=True)
class CatinResult:
    at_risk: bool  # Elsimil's red ("merah") result; False = green ("hijau")
    reasons: tuple[str, ...]
    bmi: float | None
    age: int
    version: str


def catin_risk(*, sex: str, age: int, weight_kg: float | None, height_cm: float | None,
               lila_cm: float | None, hb_gdl: float | None) -> CatinResult:
    c = cutoffs()["catin"]
    value = bmi(weight_kg, height_cm)
    reasons = []
    if value is not None and value < c["bmi_min"]["value"]:
        reasons.append(BMI_LOW)
    if sex == "F" and lila_cm is not None and lila_cm < c["lila_min_cm"]["value"]:
        reasons.append(LILA_LOW)
    if sex == "F" and hb_gdl is not None and hb_gdl < c["hb_min_gdl"]["value"]:
        reasons.append(HB_LOW)
    if age < c["age_min_years"]["value"]:
        reasons.append(AGE_YOUNG)
    elif age > c["age_max_years"]["value"]:
        reasons.append(AGE_OLD)
    return CatinResult(bool(reasons), tuple(reasons), value, age, version())


# --- pregnancy -----------------------------------------------------------------------------------

TOO_YOUNG, TOO_OLD, TOO_CLOSE, TOO_MANY = "too_young", "too_old", "too_close", "too_many"


def due_date(hpht: dt.date) -> dt.date:
    return hpht + dt.timedelta(days=cut("pregnancy", "due_days_after_hpht"))


def is_kek(lila_cm: float | None) -> bool:
    return lila_cm is not None and lila_cm < cut("pregnancy", "kek_lila_cm")


def is_anaemic_pregnant(hb_gdl: float | None) -> bool:
    return hb_gdl is not None and hb_gdl < cut("pregnancy", "anaemia_hb_gdl")


def four_t(*, mother_age: int, last_birth: dt.date | None, hpht: dt.date, previous_children: int) -> tuple[str, ...]:
    """4T of a pregnancy: mother's age at HPHT, spacing from the last birth to this HPHT, and the
    number of children already born (para)."""
    p = cutoffs()["pregnancy"]
    flags = []
    if mother_age < p["too_young_below"]["value"]:
        flags.append(TOO_YOUNG)
    if mother_age >= p["too_old_from"]["value"]:
        flags.append(TOO_OLD)
    if last_birth is not None and last_birth <= hpht and age_months(last_birth, hpht) < p["too_close_months"]["value"]:
        flags.append(TOO_CLOSE)
    if previous_children > p["too_many_above"]["value"]:
        flags.append(TOO_MANY)
    return tuple(flags)


def gestational_weeks(hpht: dt.date, on: dt.date) -> int:
    return (on - hpht).days // 7


def trimester(weeks: int) -> int:
    last = cut("pregnancy", "trimester_last_week")
    if weeks <= last["1"]:
        return 1
    if weeks <= last["2"]:
        return 2
    return 3


@dataclass(frozen=True)
class AncSummary:
    contacts: int
    per_trimester: dict[int, int]
    k1: bool
    k4: bool
    k6: bool  # >= 6 contacts with the minimum per trimester
    version: str


def anc_summary(hpht: dt.date, visit_dates: Iterable[dt.date]) -> AncSummary:
    """K1-K6 from visit dates. Two visits on the same day are one contact (ANC recorded in two
    places, e.g. posyandu and puskesmas)."""
    days = sorted({d for d in visit_dates if d >= hpht})
    per = {1: 0, 2: 0, 3: 0}
    for d in days:
        per[trimester(gestational_weeks(hpht, d))] += 1
    need = {int(k): v for k, v in cut("pregnancy", "k6_per_trimester").items()}
    k6 = len(days) >= cut("pregnancy", "k6_min_contacts") and all(per[t] >= n for t, n in need.items())
    return AncSummary(len(days), per, bool(days), len(days) >= 4, k6, version())


def ttd_complete(total_tablets: int) -> bool:
    return total_tablets >= cut("pregnancy", "ttd_target_tablets")


def is_bblr(weight_g: float | None) -> bool:
    return weight_g is not None and weight_g < cut("birth", "bblr_below_g")


def is_short_at_birth(length_cm: float | None) -> bool:
    return length_cm is not None and length_cm < cut("birth", "short_below_cm")


# --- after birth ---------------------------------------------------------------------------------


def kf_number(delivery: dt.date, visit: dt.date) -> int | None:
    """Which KF visit (1-4) a nifas visit on `visit` counts as; None outside 0-42 days."""
    day = (visit - delivery).days
    for number, low, high in cut("nifas", "kf_windows_days"):
        if low <= day <= high:
            return number
    return None


def postpartum_phase(delivery: dt.date, on: dt.date) -> str:
    """'nifas' (0-42 days), 'menyusui' (to 24 months), or 'done'."""
    days = (on - delivery).days
    if days < 0:
        return "done"
    if days <= cut("nifas", "nifas_days"):
        return "nifas"
    if age_months(delivery, on) < cut("nifas", "menyusui_months"):
        return "menyusui"
    return "done"


def exclusive_to_six(months: dict[int, bool]) -> bool | None:
    """True when every month 1..6 is recorded exclusive; False as soon as one is not; None while
    a month is still unrecorded."""
    n = cut("nifas", "exclusive_months")
    if any(months.get(m) is False for m in range(1, n + 1)):
        return False
    if all(months.get(m) is True for m in range(1, n + 1)):
        return True
    return None


# --- remaja putri ----------------------------------------------------------------------------------


def is_anaemic_adolescent(hb_gdl: float | None) -> bool:
    return hb_gdl is not None and hb_gdl < cut("remaja", "anaemia_hb_gdl")


def is_adolescent_age(age: int) -> bool:
    low, high = cut("remaja", "age_range_years")
    return low <= age <= high


# --- keluarga berisiko stunting (KRS) ------------------------------------------------------------

WATER_UNSAFE, LATRINE_UNSAFE = "water_unsafe", "latrine_unsafe"
WIFE_YOUNG, WIFE_OLD, SPACING_CLOSE, CHILDREN_MANY = "wife_young", "wife_old", "spacing_close", "children_many"
HOUSE_UNFIT = "house_unfit"


@dataclass(frozen=True)
class Member:
    birth_date: dt.date
    sex: str
    pregnant: bool = False
    is_child_of_wife: bool = False


@dataclass(frozen=True)
class KrsInput:
    on: dt.date
    members: tuple[Member, ...]
    wife_birth_date: dt.date | None
    couple: bool  # a married couple lives in the household (PUS, if the wife is 15-49)
    water_source: str  # code, see choices.WATER_SOURCES; "" = not recorded
    latrine: str  # own_septic / own_no_septic / shared / none; "" = not recorded
    house_livable: bool | None = None
    modern_contraception: bool | None = None


@dataclass(frozen=True)
class KrsResult:
    pus: bool
    wife_age: int | None
    pregnant: int
    baduta: int
    balita: int
    children: int
    youngest_spacing_months: int | None
    target: bool
    risk_factors: tuple[str, ...]
    krs: bool
    unmet_need: bool  # PUS not using modern contraception: stored, not a KRS criterion
    version: str
    missing: tuple[str, ...] = field(default=())


def derive_krs(data: KrsInput) -> KrsResult:
    k = cutoffs()["krs"]
    on = data.on
    wife_age = age_years(data.wife_birth_date, on) if data.wife_birth_date else None
    low, high = k["wife_age_range"]["value"]
    pus = bool(data.couple and wife_age is not None and low <= wife_age <= high)
    ages = [age_months(m.birth_date, on) for m in data.members if m.birth_date <= on]
    baduta = sum(1 for a in ages if k["baduta_months"]["value"][0] <= a <= k["baduta_months"]["value"][1])
    balita = sum(1 for a in ages if k["balita_months"]["value"][0] <= a <= k["balita_months"]["value"][1])
    pregnant = sum(1 for m in data.members if m.pregnant)
    kids = sorted((m.birth_date for m in data.members if m.is_child_of_wife and m.birth_date <= on), reverse=True)
    spacing = age_months(kids[1], kids[0]) if len(kids) >= 2 else None
    target = pus or pregnant > 0 or baduta > 0 or balita > 0

    factors, missing = [], []
    if not data.water_source:
        missing.append("water_source")
    elif data.water_source not in k["safe_water"]["value"]:
        factors.append(WATER_UNSAFE)
    if not data.latrine:
        missing.append("latrine")
    elif data.latrine not in k["safe_latrine"]["value"]:
        factors.append(LATRINE_UNSAFE)
    if wife_age is not None:
        if wife_age < k["too_young_below"]["value"]:
            factors.append(WIFE_YOUNG)
        old_low, old_high = k["too_old_range"]["value"]
        if old_low <= wife_age <= old_high:
            factors.append(WIFE_OLD)
    if spacing is not None and spacing < k["too_close_months"]["value"]:
        factors.append(SPACING_CLOSE)
    if len(kids) > k["too_many_above"]["value"]:
        factors.append(CHILDREN_MANY)
    if k["house_counts"]["value"] and data.house_livable is False:
        factors.append(HOUSE_UNFIT)
    unmet = bool(pus and data.modern_contraception is False and pregnant == 0)
    return KrsResult(
        pus=pus, wife_age=wife_age, pregnant=pregnant, baduta=baduta, balita=balita, children=len(kids),
        youngest_spacing_months=spacing, target=target, risk_factors=tuple(factors),
        krs=bool(target and factors), unmet_need=unmet, version=version(), missing=tuple(missing),
    )


def semester_of(day: dt.date) -> str:
    return f"{day.year}-S{1 if day.month <= 6 else 2}"


def semester_bounds(period: str) -> tuple[dt.date, dt.date]:
    year, half = int(period[:4]), int(period[-1])
    if half == 1:
        return dt.date(year, 1, 1), dt.date(year, 6, 30)
    return dt.date(year, 7, 1), dt.date(year, 12, 31)
