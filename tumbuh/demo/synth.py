"""Synthetic population and growth histories, generated with numpy from the WHO tables.

Nothing here touches the database: `build_plan` returns plain tables (pandas) that
`services.create_demo` writes in bulk. Everything is drawn from one seeded generator, so a seed
and a date give the same data on every machine.

The growth model, per child: a latent length-for-age z that starts near N(-0.6, 1) and drifts down
over the first two years (stunting in Indonesia accumulates until about 24 months, then levels),
plus a slowly wandering monthly deviation; a latent weight-for-length z around -0.3. Kelurahan and
posyandu add their own offsets, and a few posyandu are markedly worse, so the map is not flat.
Measured values are the WHO inverse (value at z) plus measurement error, rounded as a cadre would
record them; a few posyandu prefer .0/.5 cm, and a handful of entries carry gross errors
(slipped decimals, swapped digits) or a height lower than the month before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tumbuh import growth

from .names import FEMALE_NAMES, FLOWERS, MALE_NAMES, STREETS

DAY = np.timedelta64(1, "D")
UNDER_FIVE_DAYS = 1826
# Length-for-age model; tuned so that about a fifth of children are stunted at their latest visit
# (Bontang EPPGBM August 2024: 20.6%).
LAZ_START_MEAN, LAZ_START_SD = -0.6, 1.0
LAZ_DRIFT_MEAN, LAZ_DRIFT_SD = -0.6, 0.45
WFL_MEAN, WFL_SD = -0.3, 0.85
CHILDREN_PER_POSYANDU = 70


@dataclass(frozen=True)
class Kecamatan:
    code: str
    name: str
    desa: list[tuple[str, str]]  # (code, name)


@dataclass
class DemoPlan:
    puskesmas: pd.DataFrame  # code, name, kecamatan_code
    service_area: pd.DataFrame  # puskesmas, desa_code
    posyandu: pd.DataFrame  # name, desa_code, puskesmas, rw, day, cadres, digit_preference
    households: pd.DataFrame  # kk_number, head_name, address, rt, rw, desa_code
    mothers: pd.DataFrame  # nik, name, birth_date, household, desa_code, posyandu
    children: pd.DataFrame  # nik, name, sex, birth_date, birth_weight_kg, birth_length_cm, mother, ...
    measurements: pd.DataFrame  # child, measured_on, weight_kg, length_cm, position, arm_cm, ...


ValueForZ = Callable[[str, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def roman(n: int) -> str:
    return ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"][n - 1]


def region_digits(code: str) -> str:
    return code.replace(".", "")[:6]


def month_start(year_month: np.ndarray) -> np.ndarray:
    """datetime64[D] of the first day of months given as year * 12 + month - 1."""
    return (year_month - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")


def assemble_names(rng: np.random.Generator, pool: list[str], n: int, words_p: list[float]) -> list[str]:
    counts = rng.choice(np.arange(1, len(words_p) + 1), size=n, p=words_p)
    picks = rng.integers(0, len(pool), size=(n, len(words_p)))
    names = []
    for count, row in zip(counts, picks, strict=True):
        words = list(dict.fromkeys(pool[i] for i in row[:count]))  # no "Siti Siti"
        names.append(" ".join(words))
    return names


def identity_numbers(kecamatan: np.ndarray, dates: np.ndarray, female: np.ndarray) -> np.ndarray:
    """16-digit NIK/KK numbers: kecamatan (6) + DDMMYY (day + 40 for women) + serial (4).

    Serials count up within each kecamatan-and-date prefix, as Dukcapil issues them, so every
    number in one call is distinct."""
    days = pd.DatetimeIndex(dates)
    day = days.day.to_numpy() + np.where(female, 40, 0)
    prefix = pd.Series(
        [
            f"{k}{d:02d}{m:02d}{y % 100:02d}"
            for k, d, m, y in zip(kecamatan, day, days.month, days.year, strict=True)
        ]
    )
    serial = prefix.groupby(prefix).cumcount().to_numpy() + 1
    if serial.max(initial=0) > 9999:
        raise ValueError("more than 9999 identity numbers share one prefix")
    return np.array([f"{p}{s:04d}" for p, s in zip(prefix, serial, strict=True)])


def build_plan(
    kecamatan: list[Kecamatan],
    *,
    children: int,
    seed: int,
    months: int,
    today: dt.date,
    value_for_z: ValueForZ = growth.value_for_z,
) -> DemoPlan:
    rng = np.random.default_rng(seed)
    today64 = np.datetime64(today, "D")

    # --- Puskesmas: about one per three kelurahan, each serving a contiguous block of them.
    pkm_rows, service_rows = [], []
    desa_codes, desa_kec = [], []
    for kec in kecamatan:
        blocks = np.array_split(np.arange(len(kec.desa)), max(1, -(-len(kec.desa) // 3)))
        for i, block in enumerate(blocks):
            name = f"Puskesmas {kec.name}" + (f" {roman(i + 1)}" if len(blocks) > 1 else "")
            pkm_rows.append({"code": f"DEMO-{region_digits(kec.code)}-{i + 1}", "name": name,
                             "kecamatan_code": kec.code})
            for j in block:
                service_rows.append({"puskesmas": len(pkm_rows) - 1, "desa_code": kec.desa[j][0]})
        desa_codes += [code for code, _ in kec.desa]
        desa_kec += [kec.code] * len(kec.desa)
    puskesmas = pd.DataFrame(pkm_rows)
    service_area = pd.DataFrame(service_rows)
    desa_pkm = dict(zip(service_area.desa_code, service_area.puskesmas, strict=True))
    n_desa = len(desa_codes)

    # --- Posyandu: about one per 70 children, 1 to 12 per kelurahan; sizes and quality vary.
    desa_weight = rng.lognormal(0, 0.35, n_desa)
    desa_weight /= desa_weight.sum()
    desa_effect = rng.normal(0, 0.2, n_desa)
    per_desa = np.clip(
        np.rint(children * desa_weight / CHILDREN_PER_POSYANDU + rng.normal(0, 0.8, n_desa)), 1, 12
    ).astype(int)
    pos_desa = np.repeat(np.arange(n_desa), per_desa)
    n_pos = len(pos_desa)
    rank_in_desa = np.concatenate([np.arange(k) for k in per_desa])
    # Flower names follow the desa's position, not the seed, so demo usernames stay stable.
    pos_names = [
        f"Posyandu {FLOWERS[(d * 3 + k // 3) % len(FLOWERS)]} {k % 3 + 1}"
        for d, k in zip(pos_desa, rank_in_desa, strict=True)
    ]
    pos_weight = rng.lognormal(0, 0.3, n_pos) * desa_weight[pos_desa]
    pos_weight /= pos_weight.sum()
    hotspot = rng.random(n_pos) < 0.08
    pos_effect = rng.normal(0, 0.2, n_pos) - np.where(hotspot, 0.5, 0.0)
    pos_attendance = rng.normal(0, 0.04, n_pos)
    pos_noise_cm = rng.uniform(0.2, 0.6, n_pos)
    digit_preference = rng.random(n_pos) < 0.15
    pos_day = rng.integers(4, 26, n_pos)  # each posyandu meets on a fixed day of the month
    cadres = [assemble_names(rng, FEMALE_NAMES, 3, [0.4, 0.6]) for _ in range(n_pos)]
    posyandu = pd.DataFrame({
        "name": pos_names,
        "desa_code": np.array(desa_codes)[pos_desa],
        "puskesmas": [desa_pkm[desa_codes[d]] for d in pos_desa],
        "rw": [f"{k + 1:03d}" for k in rank_in_desa],
        "day": pos_day,
        "cadres": cadres,
        "digit_preference": digit_preference,
        "hotspot": hotspot,
    })

    # --- Monthly sessions: the last `months` meetings of each posyandu up to today.
    today_ym = today.year * 12 + today.month - 1
    latest_ym = today_ym - (pos_day > today.day)
    offsets = np.arange(-(months - 1), 1)
    sessions = month_start(latest_ym[:, None] + offsets[None, :]) + (pos_day[:, None] - 1) * DAY

    # --- Mothers and their children under five (siblings 14 to 36 months apart).
    oldest = today64 - (UNDER_FIVE_DAYS - 6) * DAY
    mothers_drawn = children + 50
    m_pos = rng.choice(n_pos, size=mothers_drawn, p=pos_weight)
    youngest_allowed = sessions[m_pos, -1] - 5 * DAY  # born before the posyandu's last meeting
    span = (youngest_allowed - oldest) // DAY
    kids = rng.choice([1, 2, 3], size=mothers_drawn, p=[0.78, 0.19, 0.03])
    births = np.empty((mothers_drawn, 3), dtype="datetime64[D]")
    births[:, 0] = oldest + (rng.random(mothers_drawn) * span).astype(int) * DAY
    for j in (1, 2):
        births[:, j] = births[:, j - 1] + rng.integers(420, 1100, mothers_drawn) * DAY
    valid = (np.arange(3)[None, :] < kids[:, None]) & (births <= youngest_allowed[:, None])
    enough = np.searchsorted(np.cumsum(valid.sum(axis=1)), children) + 1
    valid[enough:] = False
    c_mother, c_order = np.nonzero(valid)
    c_mother, c_order = c_mother[:children], c_order[:children]
    n_mothers = int(c_mother.max()) + 1 if len(c_mother) else 0
    n_children = len(c_mother)
    c_birth = births[c_mother, c_order]
    c_pos = m_pos[c_mother]
    m_pos = m_pos[:n_mothers]
    m_desa = pos_desa[m_pos]

    mother_age_days = np.rint(np.clip(rng.normal(27, 5.5, n_mothers), 17, 44) * 365.25).astype(int)
    m_birth = births[:n_mothers, 0] - mother_age_days * DAY - rng.integers(0, 300, n_mothers) * DAY
    c_sex = np.where(rng.random(n_children) < 0.515, 1, 2)

    # NIK: most children have one; newborns often not yet. Some mothers registered elsewhere.
    kec_digits = np.array([region_digits(k) for k in desa_kec])
    c_age_today = (today64 - c_birth) // DAY
    c_has_nik = rng.random(n_children) < np.where(c_age_today < 90, 0.55, 0.9)
    m_has_nik = rng.random(n_mothers) < 0.97
    m_kec = kec_digits[m_desa].copy()
    moved = rng.random(n_mothers) < 0.15
    m_kec[moved] = rng.choice(np.unique(kec_digits), size=int(moved.sum()))
    niks = identity_numbers(
        np.concatenate([m_kec, kec_digits[pos_desa[c_pos]]]),
        np.concatenate([m_birth, c_birth]),
        np.concatenate([np.ones(n_mothers, bool), c_sex == 2]),
    )
    m_nik = np.where(m_has_nik, niks[:n_mothers], "")
    c_nik = np.where(c_has_nik, niks[n_mothers:], "")

    # --- Households, one per mother: KK issued some time in the last fifteen years.
    kk_issued = today64 - rng.integers(30, 15 * 365, n_mothers) * DAY
    kk_numbers = identity_numbers(kec_digits[m_desa], kk_issued, np.zeros(n_mothers, bool))
    street = rng.integers(0, len(STREETS), n_mothers)
    households = pd.DataFrame({
        "kk_number": kk_numbers,
        "head_name": assemble_names(rng, MALE_NAMES, n_mothers, [0.3, 0.5, 0.2]),
        "address": [f"Jl. {STREETS[s]} No. {n}" for s, n in zip(street, rng.integers(1, 120, n_mothers), strict=True)],
        "rt": [f"{n:03d}" for n in rng.integers(1, 13, n_mothers)],
        "rw": posyandu.rw.to_numpy()[m_pos],
        "desa_code": np.array(desa_codes)[m_desa],
    })
    mothers = pd.DataFrame({
        "nik": m_nik,
        "name": assemble_names(rng, FEMALE_NAMES, n_mothers, [0.3, 0.5, 0.2]),
        "birth_date": m_birth,
        "household": np.arange(n_mothers),
        "desa_code": households.desa_code,
        "posyandu": m_pos,
    })

    # --- Latent growth per child.
    c_desa = pos_desa[c_pos]
    laz_start = rng.normal(LAZ_START_MEAN + desa_effect[c_desa] + pos_effect[c_pos], LAZ_START_SD)
    laz_drift = rng.normal(LAZ_DRIFT_MEAN, LAZ_DRIFT_SD, n_children)
    wfl_level = rng.normal(
        WFL_MEAN + 0.3 * pos_effect[c_pos] + 0.15 * (laz_start - LAZ_START_MEAN), WFL_SD
    )
    boys, girls = np.flatnonzero(c_sex == 1), np.flatnonzero(c_sex == 2)
    c_names = np.empty(n_children, dtype=object)
    c_names[boys] = assemble_names(rng, MALE_NAMES, len(boys), [0.0, 0.55, 0.45])
    c_names[girls] = assemble_names(rng, FEMALE_NAMES, len(girls), [0.0, 0.55, 0.45])
    birth_weight = value_for_z("wfa", c_sex, np.zeros(n_children, int), rng.normal(-0.3, 0.9, n_children))
    birth_length = value_for_z("lhfa", c_sex, np.zeros(n_children, int), laz_start + rng.normal(0, 0.4, n_children))
    birth_known = rng.random(n_children) < 0.85
    children_df = pd.DataFrame({
        "nik": c_nik,
        "name": c_names,
        "sex": np.where(c_sex == 1, "M", "F"),
        "birth_date": c_birth,
        "birth_weight_kg": np.where(birth_known, np.round(birth_weight, 1), np.nan),
        "birth_length_cm": np.where(birth_known, np.round(birth_length * 2) / 2, np.nan),
        "mother": c_mother,
        "household": c_mother,
        "desa_code": np.array(desa_codes)[c_desa],
        "posyandu": c_pos,
        "hotspot": hotspot[c_pos],
    })

    # --- Which monthly sessions each child attended.
    dates = sessions[c_pos]  # children x months
    age = (dates - c_birth[:, None]) // DAY
    eligible = age >= 3
    attend_p = np.clip(
        rng.beta(8, 2, n_children)[:, None] + pos_attendance[c_pos][:, None] - 0.06 * (age >= 730),
        0.3, 0.98,
    )
    attended = eligible & (rng.random(age.shape) < attend_p)
    # Every registered child has been weighed at least once: their latest eligible session.
    never = ~attended.any(axis=1)
    attended[never, months - 1] = True
    children_df["eligible_sessions"] = eligible.sum(axis=1)

    # Latent z at each session: start + drift over the first 730 days + AR(1) wander.
    wander_laz = np.empty(age.shape)
    wander_wfl = np.empty(age.shape)
    wander_laz[:, 0] = rng.normal(0, 0.12 / np.sqrt(1 - 0.85**2), n_children)
    wander_wfl[:, 0] = rng.normal(0, 0.12 / np.sqrt(1 - 0.8**2), n_children)
    for j in range(1, months):
        wander_laz[:, j] = 0.85 * wander_laz[:, j - 1] + rng.normal(0, 0.12, n_children)
        wander_wfl[:, j] = 0.8 * wander_wfl[:, j - 1] + rng.normal(0, 0.12, n_children)
    laz = laz_start[:, None] + laz_drift[:, None] * np.minimum(age, 730) / 730 + wander_laz
    wfl = wfl_level[:, None] + wander_wfl

    child_idx, month_idx = np.nonzero(attended)
    m_age = age[child_idx, month_idx]
    m_sex = c_sex[child_idx]
    m_laz = np.clip(laz[child_idx, month_idx], -5.5, 4.0)
    m_wfl = np.clip(wfl[child_idx, month_idx], -4.5, 4.5)
    n_meas = len(child_idx)
    m_posyandu = c_pos[child_idx]

    # Length before 731 days, height after (WHO); the table's value is in that position.
    true_length = value_for_z("lhfa", m_sex, m_age, m_laz)
    lying_expected = m_age < 731
    wrong_position = rng.random(n_meas) < 0.015
    lying = lying_expected ^ wrong_position
    # Standing reads about 0.7 cm shorter than lying; record what the board would show.
    recorded_length = true_length + np.where(lying & ~lying_expected, 0.7, 0.0) - np.where(
        ~lying & lying_expected, 0.7, 0.0
    )
    recorded_length += rng.normal(0, pos_noise_cm[m_posyandu])
    heaped = digit_preference[m_posyandu] & (rng.random(n_meas) < 0.8)
    recorded_length = np.where(heaped, np.round(recorded_length * 2) / 2, np.round(recorded_length, 1))

    wfl_x = np.round(np.where(lying_expected, np.clip(true_length, 45, 110), np.clip(true_length, 65, 120)), 1)
    weight = np.empty(n_meas)
    weight[lying_expected] = value_for_z("wfl", m_sex[lying_expected], wfl_x[lying_expected], m_wfl[lying_expected])
    weight[~lying_expected] = value_for_z("wfh", m_sex[~lying_expected], wfl_x[~lying_expected], m_wfl[~lying_expected])
    weight = np.round(weight + rng.normal(0, 0.05, n_meas), 1)

    arm = np.full(n_meas, np.nan)
    has_arm = (m_age >= 183) & (rng.random(n_meas) < 0.3)
    arm[has_arm] = np.round(
        value_for_z("acfa", m_sex[has_arm], m_age[has_arm], 0.6 * m_wfl[has_arm] + rng.normal(0, 0.7, int(has_arm.sum()))),
        1,
    )

    # Data-entry errors for the data-quality checks: a handful of gross slips ...
    n_slips = max(2, round(n_meas * 0.0006))
    slips = rng.choice(n_meas, size=n_slips, replace=False)
    decimal_slip = slips[: n_slips // 2]
    weight[decimal_slip] = np.round(weight[decimal_slip] * 10, 1)
    digit_swap = slips[n_slips // 2 :]
    recorded_length[digit_swap] = swap_tens_and_units(recorded_length[digit_swap])
    # ... and a few heights lower than the month before, beyond measurement error.
    order_in_child = pd.Series(child_idx).groupby(child_idx).cumcount().to_numpy()
    per_child = np.bincount(child_idx, minlength=n_children)
    candidates = np.flatnonzero((order_in_child >= 2) & (order_in_child < per_child[child_idx] - 1))
    n_drops = min(len(candidates), max(1, round(n_children * 0.004)))
    drops = rng.choice(candidates, size=n_drops, replace=False)
    recorded_length[drops] = np.round(recorded_length[drops] - rng.uniform(2.5, 4.5, n_drops), 1)

    measurer = rng.integers(0, 3, n_meas)
    measurements = pd.DataFrame({
        "child": child_idx,
        "measured_on": dates[child_idx, month_idx],
        "age_days": m_age,
        "weight_kg": weight,
        "length_cm": recorded_length,
        "position": np.where(lying, "l", "h"),
        "arm_cm": arm,
        "posyandu": m_posyandu,
        "desa_code": children_df.desa_code.to_numpy()[child_idx],
        "measurer_name": [cadres[p][k] for p, k in zip(m_posyandu, measurer, strict=True)],
        "latent_laz": m_laz,
        "gross_error": np.isin(np.arange(n_meas), slips),
    })
    jkn_m, jkn_m_on, jkn_c, jkn_c_on = jkn_statuses(seed, today, c_mother, c_age_today, n_mothers)
    mothers["jkn_status"], mothers["jkn_checked_on"] = jkn_m, jkn_m_on
    children_df["jkn_status"], children_df["jkn_checked_on"] = jkn_c, jkn_c_on
    return DemoPlan(puskesmas, service_area, posyandu, households, mothers, children_df, measurements)


# JKN scheme per household (synthetic; inferred shares for a kota near universal coverage, with
# enough left without JKN for the convergence gap to show): PBI-APBN, PBI-APBD, mandiri, PPU, none.
JKN_SCHEMES = np.array(["pbi_apbn", "pbi_apbd", "mandiri", "ppu", "none"], dtype=object)
JKN_SHARES = [0.38, 0.14, 0.14, 0.22, 0.12]
JKN_RECORDED = 0.7  # households whose status a cadre has recorded; the rest stay blank (not known)


def jkn_statuses(seed: int, today: dt.date, c_mother: np.ndarray, c_age_days: np.ndarray, n_mothers: int):
    """Mothers' and children's JKN status and check date. A generator of its own (from the seed),
    so adding JKN left every other synthetic value as it was. A child shares the household's
    scheme, except that a fifth of the babies under 3 months are not enrolled yet (a newborn is
    enrolled on its own, within 28 days by the rule but often later) and some older children
    were never added to the family's membership."""
    rng = np.random.default_rng([seed, 2611])  # 2611: JKN's own stream
    scheme = JKN_SCHEMES[rng.choice(len(JKN_SCHEMES), size=n_mothers, p=JKN_SHARES)]
    recorded = rng.random(n_mothers) < JKN_RECORDED
    checked = np.datetime64(today, "D") - rng.integers(0, 365, n_mothers) * DAY
    mother = np.where(recorded, scheme, "").astype(object)
    c_scheme = scheme[c_mother].copy()
    left_out = (rng.random(len(c_mother)) < np.where(c_age_days < 90, 0.2, 0.04)) & (c_scheme != "none")
    c_scheme[left_out] = "none"
    child = np.where(recorded[c_mother], c_scheme, "").astype(object)
    m_on = np.where(recorded, checked, np.datetime64("NaT"))
    c_on = np.where(recorded[c_mother], checked[c_mother], np.datetime64("NaT"))
    return mother, m_on, child, c_on


def swap_tens_and_units(values: np.ndarray) -> np.ndarray:
    """87.4 -> 78.4, the typist's slip; 77.x (nothing to swap) becomes 67.x."""
    whole = np.floor(values).astype(int)
    fraction = values - whole
    tens, units = (whole // 10) % 10, whole % 10
    hundreds = whole // 100 * 100
    swapped = hundreds + units * 10 + tens
    swapped = np.where(tens == units, whole - 10, swapped)
    return np.round(swapped + fraction, 1)
