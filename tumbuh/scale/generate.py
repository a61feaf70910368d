"""Synthetic national data straight to Parquet, for benchmarks and tests (issue 15 item 4). No
Django, no database: numpy, tumbuh.growth and pyarrow.

    tumbuh scale generate --kabkota 20 --children-per-kabkota 50000 --months 12 --out /tmp/nat

Kab/kota codes and desa come from the Kemendagri list (npm `idn-area-data`, the files
tumbuh.regions loads). Per kab/kota: a mean HAZ drawn so that stunting ranges from about 7% to
38%, a desa effect, each child a latent HAZ and WHZ; measurements are monthly while the child is
0-1856 days old (so a few are just over five and must be left out), attended with a per-kab/kota
probability, about 2% of child-months weighed twice, a few implausible lengths (WHO flags), rare
oedema, some children inactive (moved) but still measured. Lengths and weights come from the WHO
curves at the child's z (`value_for_z`) and their z-scores, flags, categories, weight-gain status
and BGM from the same tumbuh.growth code the web app derives them with. Deterministic per seed.
"""

from __future__ import annotations

import csv
import os
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tumbuh.growth import anthro_zscores, categories, value_for_z, weight_gain

from .layout import MEASUREMENT_SCHEMA, PEOPLE_SCHEMA, partition_dir

DESA_PER_KABKOTA = 40
POSYANDU_PER_DESA = 2
OLDEST_DAYS = 1856  # a month past five years: the engines must drop these rows
EPOCH = np.datetime64("1970-01-01", "D")


def region_data_dir() -> Path:
    """Where tumbuh.regions reads the Kemendagri CSVs (settings.REGION_DATA_DIR's default)."""
    env = os.environ.get("TUMBUH_REGION_DATA_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "node_modules" / "idn-area-data" / "data"


@dataclass(frozen=True)
class Kabkota:
    code: str
    name: str
    desa: tuple[tuple[str, str], ...]  # (code, name)


def read_kabkota(directory: Path | None = None) -> list[Kabkota]:
    directory = Path(directory or region_data_dir())
    with open(directory / "districts.csv", newline="", encoding="utf-8") as fh:
        district_kab = {r["code"]: r["regency_code"] for r in csv.DictReader(fh)}
    villages = defaultdict(list)
    with open(directory / "villages.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            villages[district_kab.get(r["district_code"], "")].append((r["code"].strip(), r["name"].strip()))
    with open(directory / "regencies.csv", newline="", encoding="utf-8") as fh:
        kab = [(r["code"].strip(), r["name"].strip()) for r in csv.DictReader(fh)]
    return [Kabkota(code, name, tuple(sorted(villages[code]))) for code, name in kab if villages[code]]


def choose_kabkota(n: int, directory: Path | None = None) -> list[Kabkota]:
    every = read_kabkota(directory)
    if n >= len(every):
        return every
    idx = np.unique(np.linspace(0, len(every) - 1, n).round().astype(int))
    return [every[i] for i in idx]


@dataclass
class Result:
    measurements: int = 0
    people: int = 0
    files: int = 0
    seconds: float = 0.0


def _month_starts(end_month: str, months: int) -> np.ndarray:
    end = np.datetime64(end_month, "M")
    return np.arange(end - months + 1, end + 1)


def generate(out: str | Path, kabkota: int, children_per_kabkota: int, months: int, *,
             end_month: str = "2026-10", seed: int = 15, oedema_rate: float = 0.001,
             region_dir: Path | None = None, progress=None) -> Result:
    out = Path(out)
    started = time.perf_counter()
    result = Result()
    chosen = choose_kabkota(kabkota, region_dir)
    rng = np.random.default_rng(seed)
    month_starts = _month_starts(end_month, months)
    _write_regions(out, chosen)
    measurement_id = 0
    for k, kab in enumerate(chosen):
        krng = np.random.default_rng([seed, k])
        people, meas = _kabkota_frames(kab, k, children_per_kabkota, month_starts, krng,
                                       mu_haz=rng.uniform(-1.7, -0.5), attendance=rng.uniform(0.55, 0.9),
                                       oedema_rate=oedema_rate)
        meas = meas.with_ids(measurement_id + 1)
        measurement_id += len(meas)
        result.files += _write_kabkota(out, kab.code, people, meas)
        result.measurements += len(meas)
        result.people += len(people)
        if progress:
            progress(k + 1, len(chosen), result.measurements)
    result.seconds = time.perf_counter() - started
    return result


def _write_regions(out: Path, chosen: list[Kabkota]) -> None:
    rows = []
    for kab in chosen:
        rows.append((kab.code[:2], "", "provinsi", ""))
        rows.append((kab.code, kab.name, "kabupaten", kab.code[:2]))
        for code, name in kab.desa[:DESA_PER_KABKOTA]:
            rows.append((code[:8], "", "kecamatan", kab.code))
            rows.append((code, name, "desa", code[:8]))
    frame = pd.DataFrame(rows, columns=["code", "name", "level", "parent"]).drop_duplicates("code")
    os.makedirs(out / "regions", exist_ok=True)
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), out / "regions" / "regions.parquet")


def _kabkota_frames(kab: Kabkota, k: int, m: int, month_starts: np.ndarray, rng: np.random.Generator, *,
                    mu_haz: float, attendance: float, oedema_rate: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    desa = kab.desa[:DESA_PER_KABKOTA]
    nd = len(desa)
    first_day = month_starts[0].astype("datetime64[D]")
    last_day = (month_starts[-1] + 1).astype("datetime64[D]") - 1
    child_ids = np.arange(k * m + 1, k * m + m + 1, dtype=np.int64)
    sex = rng.integers(1, 3, m)  # 1 male, 2 female (WHO)
    span = int((last_day - first_day).astype(int)) + OLDEST_DAYS
    born = last_day - rng.integers(0, span, m).astype("timedelta64[D]")
    child_desa = rng.integers(0, nd, m)
    desa_effect = rng.normal(0, 0.2, nd)
    posyandu = k * nd * POSYANDU_PER_DESA + child_desa * POSYANDU_PER_DESA + rng.integers(0, POSYANDU_PER_DESA, m) + 1
    latent_haz = mu_haz + desa_effect[child_desa] + rng.normal(0, 1.0, m)
    latent_whz = rng.normal(-0.2, 1.0, m)
    active = rng.random(m) > 0.03
    desa_codes = np.array([c for c, _ in desa], dtype=object)
    people = pd.DataFrame({
        "id": child_ids, "sex": np.where(sex == 1, "M", "F"), "birth_date": born,
        "desa": desa_codes[child_desa], "posyandu_id": posyandu.astype(np.int64),
        "household_id": child_ids, "mother_id": pd.array([None] * m, dtype="Int64"),
        "father_id": pd.array([None] * m, dtype="Int64"), "active": active,
        "inactive_reason": np.where(active, "", "moved"),
        "birth_weight_kg": np.round(rng.normal(3.1, 0.45, m), 2), "birth_length_cm": np.round(rng.normal(49, 2, m), 1),
    })

    # Child x month x slot (slot 1: a second weighing in the month, ~2%).
    nm = len(month_starts)
    ci = np.repeat(np.arange(m), nm * 2)
    mi = np.tile(np.repeat(np.arange(nm), 2), m)
    slot = np.tile([0, 1], m * nm)
    twice = np.repeat(rng.random(m * nm) < 0.02, 2)
    day1 = np.repeat(rng.integers(1, 28, m * nm), 2)  # 1..27
    day2 = day1 + 1 + np.floor(rng.random(m * nm * 2) * (28 - day1)).astype(int)
    day = np.where(slot == 0, day1, day2)
    date = month_starts[mi].astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")
    age = (date - born[ci]).astype(int)
    came = np.repeat(rng.random(m * nm) < attendance, 2)
    keep = came & ((slot == 0) | twice) & (age >= 0) & (age <= OLDEST_DAYS)
    # the first weighing of a month is the month's latest unless the second one was kept
    latest_in_month = np.where(slot == 0, np.repeat(~keep[1::2], 2), True)[keep]
    ci, date, age = ci[keep], date[keep], age[keep]
    n = len(ci)
    s = sex[ci]
    lying = age < 731
    haz_true = latent_haz[ci] + rng.normal(0, 0.15, n)
    length = value_for_z("lhfa", s, age, haz_true)
    length = np.round(length + np.where(rng.random(n) < 0.003, rng.choice([-15.0, 15.0], n), 0.0), 1)
    whz_true = latent_whz[ci] + rng.normal(0, 0.25, n)
    x_wfl = np.clip(length, 45.0, 110.0)
    x_wfh = np.clip(length, 65.0, 120.0)
    weight = np.where(lying, value_for_z("wfl", s, x_wfl, whz_true), value_for_z("wfh", s, x_wfh, whz_true))
    weight = np.round(weight, 1)
    oedema = rng.random(n) < oedema_rate
    z = anthro_zscores(pd.DataFrame({"sex": s, "age_days": age.astype(float), "weight": weight,
                                     "lenhei": length, "measure": np.where(lying, "l", "h"), "oedema": oedema}))

    def flag(col: str) -> pd.arrays.BooleanArray:
        f = z[col]
        return pd.array(f.astype("Float64") > 0, dtype="boolean")

    zs = {name: z[col].to_numpy(dtype=float) for name, col in
          (("haz", "zlen"), ("waz", "zwei"), ("whz", "zwfl"), ("bmiz", "zbmi"))}
    flags = {name: flag(col) for name, col in
             (("haz", "flen"), ("waz", "fwei"), ("whz", "fwfl"), ("bmiz", "fbmi"))}

    def usable(name: str) -> np.ndarray:
        return np.where(flags[name].to_numpy(dtype=bool, na_value=False), np.nan, zs[name])

    dates_ns = date.astype("datetime64[D]")
    gain = weight_gain.weight_gain_status(child_ids[ci], dates_ns, age.astype(float), weight)

    def text(codes: np.ndarray, values) -> pa.Array:  # dictionary-built text: no Python strings per row
        return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), pa.array(values, pa.string())).cast(pa.string())

    def obj(values: np.ndarray) -> pa.Array:
        uniq, inv = np.unique(values.astype(str), return_inverse=True)
        return text(inv, uniq.tolist())

    def nulls(ty) -> pa.Array:
        return pa.nulls(n, ty)

    def boolean(b: pd.arrays.BooleanArray) -> pa.Array:
        return pa.array(b.to_numpy(dtype=bool, na_value=False), mask=b.isna())

    lying_code = np.where(lying, 0, 1)
    columns = {
        "child_id": child_ids[ci], "measured_on": pa.array(dates_ns, pa.date32()),
        "desa": text(child_desa[ci], list(desa_codes)), "posyandu_id": posyandu[ci].astype(np.int64),
        "measured_desa": text(child_desa[ci], list(desa_codes)), "measured_posyandu_id": posyandu[ci].astype(np.int64),
        "sex": text(s - 1, ["M", "F"]), "age_days": age.astype(np.int32), "weight_kg": weight,
        "length_cm": length, "position": text(lying_code, ["l", "h"]), "oedema": oedema,
        "head_circumference_cm": nulls(pa.float64()), "arm_circumference_cm": nulls(pa.float64()),
        **{k: pa.array(v, pa.float64(), from_pandas=True) for k, v in zs.items()},
        "hcz": nulls(pa.float64()), "acz": nulls(pa.float64()),
        **{f"{k}_flag": boolean(v) for k, v in flags.items()},
        "hcz_flag": nulls(pa.bool_()), "acz_flag": nulls(pa.bool_()),
        "position_flag": np.zeros(n, bool),
        "waz_category": obj(categories.weight_for_age_category(usable("waz"))),
        "haz_category": obj(categories.length_for_age_category(usable("haz"))),
        "whz_category": obj(categories.weight_for_length_category(usable("whz"))),
        "bmiz_category": obj(categories.bmi_for_age_category(usable("bmiz"), age / 30.4375)),
        "weight_gain": obj(gain), "bgm": np.asarray(weight_gain.below_red_line(usable("waz")), dtype=bool),
        "values_confirmed": np.zeros(n, bool), "source": text(np.zeros(n, np.int32), ["demo"]),
        "id": np.zeros(n, np.int64),
        "latest_in_month": latest_in_month,
        "updated_at": pa.array(np.full(n, np.datetime64("2026-11-01T00:00:00", "us")), pa.timestamp("us", tz="UTC")),
    }
    stamp = pd.Timestamp("2026-11-01", tz="UTC")
    people["created_at"] = stamp
    people["updated_at"] = stamp
    month = date.astype("datetime64[M]")
    # Files are per month: rows in (month, child, date) order.
    order = np.lexsort((dates_ns, child_ids[ci], month))
    table = pa.Table.from_pydict({f.name: columns[f.name] for f in MEASUREMENT_SCHEMA}, schema=MEASUREMENT_SCHEMA)
    return people, Measurements(table.take(pa.array(order)), month[order])


@dataclass
class Measurements:
    table: pa.Table  # MEASUREMENT_SCHEMA, rows in month order
    month: np.ndarray  # datetime64[M] per row

    def __len__(self) -> int:
        return self.table.num_rows

    def with_ids(self, first: int) -> Measurements:
        ids = pa.array(np.arange(first, first + len(self), dtype=np.int64))
        i = self.table.schema.get_field_index("id")
        return Measurements(self.table.set_column(i, "id", ids), self.month)


def _write_kabkota(out: Path, kabkota: str, people: pd.DataFrame, meas: Measurements) -> int:
    province = kabkota[:2]
    d = partition_dir(out, "people", province, kabkota, None)
    os.makedirs(d, exist_ok=True)
    pq.write_table(pa.Table.from_pandas(people, schema=PEOPLE_SCHEMA, preserve_index=False),
                   d / "part-0.parquet", compression="zstd")
    files = 1
    months, starts = np.unique(meas.month, return_index=True)
    bounds = [*starts.tolist(), len(meas)]
    for i, month in enumerate(months):
        d = partition_dir(out, "measurements", province, kabkota, str(month))
        os.makedirs(d, exist_ok=True)
        pq.write_table(meas.table.slice(bounds[i], bounds[i + 1] - bounds[i]), d / "part-0.parquet",
                       compression="zstd")
        files += 1
    return files
