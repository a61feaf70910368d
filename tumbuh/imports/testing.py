"""Synthetic EPPGBM by-name exports in every shape they come in, for tests and the bench.

All names are made up; NIKs have the right structure but are random. Nothing here is real data.
Files are written on demand (tmp paths), never committed.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import random
from dataclasses import dataclass
from pathlib import Path

from .columns import EPPGBM_HEADER

# Kota Bontang, as the region fixtures name it (codes as Kemendagri's).
PLACES = [
    ("64", "KALIMANTAN TIMUR", "provinsi", None),
    ("64.74", "KOTA BONTANG", "kabupaten", "64"),
    ("64.74.01", "BONTANG UTARA", "kecamatan", "64.74"),
    ("64.74.01.1001", "BONTANG KUALA", "desa", "64.74.01"),
    ("64.74.01.1002", "GUNTUNG", "desa", "64.74.01"),
    ("64.74.02", "BONTANG SELATAN", "kecamatan", "64.74"),
    ("64.74.02.1001", "TANJUNG LAUT", "desa", "64.74.02"),
]
DESA = [("64.74.01.1001", "BONTANG UTARA", "Bontang Kuala", ["Melati", "Mawar"]),
        ("64.74.01.1002", "BONTANG UTARA", "Guntung", ["Anggrek"]),
        ("64.74.02.1001", "BONTANG SELATAN", "Tanjung Laut", ["Kenanga", "Dahlia"])]
PUSKESMAS = {"BONTANG UTARA": "Bontang Utara I", "BONTANG SELATAN": "Bontang Selatan II"}

FIRST = ["Aisyah", "Budi", "Citra", "Dewi", "Eko", "Fajar", "Gita", "Hadi", "Intan", "Joko", "Kartika",
         "Lestari", "Made", "Nurul", "Putri", "Rizki", "Sari", "Teguh", "Umi", "Wahyu", "Yusuf", "Zahra",
         "Ayu", "Bayu", "Dimas", "Fitri", "Galih", "Indah", "Lina", "Rina", "Siti", "Agus"]
LAST = ["Pratama", "Saputra", "Wulandari", "Rahmawati", "Hidayat", "Nugroho", "Kusuma", "Putra",
        "Lestari", "Setiawan", "Santoso", "Maharani", "Ramadhan", "Handayani", "Permata", "Utami"]
MOTHERS = ["Siti", "Nur", "Sri", "Dwi", "Rini", "Yuli", "Ani", "Eka", "Tuti", "Wati", "Lilis", "Neni"]

NUMERIC_COLUMNS = {"BB Lahir", "TB Lahir", "Berat", "Tinggi", "LiLA", "ZS BB/U", "ZS TB/U", "ZS BB/TB",
                   "PMT Diterima (kg)"}
DATE_COLUMNS = {"Tgl Lahir", "Tanggal Pengukuran"}


def create_regions() -> None:
    """The Region rows the synthetic files name (for tests and the bench; idempotent)."""
    from tumbuh.regions.models import Puskesmas, Region

    for code, name, level, parent in PLACES:
        Region.objects.update_or_create(code=code, defaults={"name": name, "level": level, "parent_id": parent})
    for i, (kec, name) in enumerate(sorted(PUSKESMAS.items())):
        code = {"BONTANG UTARA": "64.74.01", "BONTANG SELATAN": "64.74.02"}[kec]
        Puskesmas.objects.update_or_create(code=f"P64740{i}", defaults={"name": name, "kecamatan_id": code})


@dataclass
class Child:
    nik: str
    name: str
    sex: str  # "L" / "P"
    birth_date: dt.date
    parent: str
    kecamatan: str
    desa: str
    posyandu: str
    address: str
    rt: str
    rw: str
    z_weight: float
    z_height: float


def make_nik(rng: random.Random, birth_date: dt.date, female: bool) -> str:
    day = birth_date.day + (40 if female else 0)
    return f"647401{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{rng.randint(1, 9999):04d}"


def make_children(n: int, seed: int = 1, today: dt.date = dt.date(2025, 6, 30)) -> list[Child]:
    rng = random.Random(seed)
    children, used = [], set()
    while len(children) < n:
        female = rng.random() < 0.5
        birth = today - dt.timedelta(days=rng.randint(90, 4 * 365))
        nik = make_nik(rng, birth, female)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if nik in used or (name, birth) in used:
            continue
        used.update({nik, (name, birth)})
        _code, kec, desa, posyandus = rng.choice(DESA)
        children.append(Child(
            nik=nik, name=name, sex="P" if female else "L", birth_date=birth,
            parent=f"{rng.choice(MOTHERS)} {rng.choice(LAST)}", kecamatan=kec, desa=desa,
            posyandu=f"Posyandu {rng.choice(posyandus)}", address=f"Jl. Cendana No. {rng.randint(1, 200)}",
            rt=f"{rng.randint(1, 30):03d}", rw=f"{rng.randint(1, 10):03d}",
            z_weight=rng.gauss(-0.6, 1.1), z_height=rng.gauss(-1.0, 1.1),
        ))
    return children


def _median_weight(age_months: float, female: bool) -> float:
    # Rough WHO medians; a synthetic file only needs plausible values.
    w = 3.3 + 0.75 * min(age_months, 6) + 0.3 * max(min(age_months, 12) - 6, 0) + 0.19 * max(age_months - 12, 0)
    return w * (0.95 if female else 1.0)


def _median_height(age_months: float, female: bool) -> float:
    h = 50 + 3.3 * min(age_months, 6) + 1.4 * max(min(age_months, 12) - 6, 0) + 0.85 * max(age_months - 12, 0)
    return h * (0.985 if female else 1.0)


def measurement_row(child: Child, measured_on: dt.date, rng: random.Random) -> dict[str, str]:
    age_days = (measured_on - child.birth_date).days
    age_months = age_days / 30.4375
    female = child.sex == "P"
    weight = _median_weight(age_months, female) * (1 + 0.11 * child.z_weight) + rng.gauss(0, 0.05)
    height = _median_height(age_months, female) * (1 + 0.037 * child.z_height) + rng.gauss(0, 0.2)
    return {
        "NIK": child.nik, "Nama": child.name, "JK": child.sex,
        "Tgl Lahir": child.birth_date.strftime("%d/%m/%Y"), "BB Lahir": "3.1", "TB Lahir": "49",
        "Nama Ortu": child.parent, "Prov": "KALIMANTAN TIMUR", "Kab/Kota": "KOTA BONTANG",
        "Kec": child.kecamatan, "Pukesmas": PUSKESMAS[child.kecamatan], "Desa/Kel": child.desa,
        "Posyandu": child.posyandu, "RT": child.rt, "RW": child.rw, "Alamat": child.address,
        "Usia Saat Ukur": f"{int(age_months)} Bulan", "Tanggal Pengukuran": measured_on.strftime("%d/%m/%Y"),
        "Bulan Pengukuran": measured_on.strftime("%B"), "Status Bulan": "", "status tahun": "",
        "Berat": f"{weight:.1f}", "Tinggi": f"{height:.1f}", "Cara Ukur": "Terlentang" if age_days < 731 else "Berdiri",
        "LiLA": f"{13.5 + 0.6 * child.z_weight:.1f}", "BB/U": "", "ZS BB/U": "", "TB/U": "", "ZS TB/U": "",
        "BB/TB": "", "ZS BB/TB": "", "Naik Berat Badan": "", "PMT Diterima (kg)": "", "Jml Vit A": "",
        "KPSP": "", "KIA": "", "Detail Status": "", "status desa": "",
    }


def make_rows(children: list[Child], months: int = 3, first: dt.date = dt.date(2025, 1, 15),
              seed: int = 2) -> list[dict[str, str]]:
    """One weighing per child per month (the monthly posyandu day), child by child."""
    rng = random.Random(seed)
    rows = []
    for child in children:
        for m in range(months):
            day = dt.date(first.year + (first.month - 1 + m) // 12, (first.month - 1 + m) % 12 + 1, first.day)
            if day > child.birth_date:
                rows.append(measurement_row(child, day, rng))
    return rows


def add_eppgbm_zscores(rows: list[dict[str, str]], *, offset_every: int = 0, offset: float = 0.3) -> int:
    """Fill ZS BB/U, ZS TB/U, ZS BB/TB with Tumbuh's own engine, as EPPGBM would, then shift BB/U
    by `offset` on every `offset_every`-th row so a comparison has something to find. Returns how
    many rows were shifted."""
    import pandas as pd

    from tumbuh.growth import anthro_zscores

    frame = pd.DataFrame({
        "sex": [1 if r["JK"] == "L" else 2 for r in rows],
        "age_days": [(dt.datetime.strptime(r["Tanggal Pengukuran"], "%d/%m/%Y").date()
                 - dt.datetime.strptime(r["Tgl Lahir"], "%d/%m/%Y").date()).days for r in rows],
        "weight": [float(r["Berat"]) for r in rows],
        "lenhei": [float(r["Tinggi"]) for r in rows],
        "measure": ["l" if r["Cara Ukur"] == "Terlentang" else "h" for r in rows],
    })
    z = anthro_zscores(frame)
    shifted = 0
    for i, row in enumerate(rows):
        for column, name in (("ZS BB/U", "zwei"), ("ZS TB/U", "zlen"), ("ZS BB/TB", "zwfl")):
            value = z[name].iloc[i]
            row[column] = "" if pd.isna(value) else f"{value:.2f}"
        if offset_every and i % offset_every == 0 and row["ZS BB/U"]:
            row["ZS BB/U"] = f"{float(row['ZS BB/U']) + offset:.2f}"
            shifted += 1
    return shifted


def ugly_rows(children: list[Child]) -> dict[str, dict[str, str]]:
    """One row per ugly case seen in real exports, keyed by what is wrong with it."""
    rng = random.Random(7)
    day = dt.date(2025, 5, 15)
    base = [measurement_row(c, day, rng) for c in children[:14]]
    rows = {}
    rows["nik_scientific"] = {**base[0], "NIK": "6.47401E+15"}
    rows["nik_apostrophe"] = {**base[1], "NIK": "'" + base[1]["NIK"]}
    rows["weight_grams"] = {**base[2], "Berat": "10945"}
    rows["height_mm"] = {**base[3], "Tinggi": "875", "Cara Ukur": "Berdiri"}
    rows["z_sentinel"] = {**base[4], "ZS BB/U": "999.99", "ZS TB/U": "999.99"}
    rows["weight_sentinel"] = {**base[5], "Berat": "999.99"}
    rows["weight_text"] = {**base[6], "Berat": "tdk diukur"}
    rows["unknown_desa"] = {**base[7], "Desa/Kel": "Antah Berantah"}
    rows["unknown_posyandu"] = {**base[8], "Posyandu": "Posyandu Teratai Baru"}
    rows["bad_birth_date"] = {**base[9], "Tgl Lahir": "31/02/2023"}
    rows["future_measurement"] = {**base[10], "Tanggal Pengukuran": (dt.date.today() + dt.timedelta(days=40)).strftime("%d/%m/%Y")}
    rows["iso_dates"] = {**base[11], "Tgl Lahir": children[11].birth_date.isoformat(),
                         "Tanggal Pengukuran": day.strftime("%d-%m-%Y")}
    rows["blank"] = dict.fromkeys(EPPGBM_HEADER, "")
    rows["duplicate"] = dict(base[12])
    rows["duplicate_again"] = dict(base[12])
    near = dict(base[13])
    rows["near_duplicate_source"] = near
    # Same birth date and parent, one letter off, no NIK: a typo, or twins? A person decides.
    rows["near_duplicate"] = {**near, "NIK": "", "Nama": near["Nama"] + "h"}
    return rows


# -- writers -----------------------------------------------------------------------------------

def _header(messy: bool) -> list[str]:
    if not messy:
        return list(EPPGBM_HEADER)
    messy_names = {"Nama": "  NAMA ", "Tgl Lahir": "tgl. lahir", "Tanggal Pengukuran": "Tanggal  Pengukuran",
                   "Desa/Kel": "Desa / Kel", "ZS BB/U": "zs bb/u", "Berat": "BERAT"}
    return [messy_names.get(h, h) for h in EPPGBM_HEADER]


def write_csv(path: Path, rows: list[dict[str, str]], *, delimiter: str = ";", comma_decimals: bool = True,
              messy_header: bool = False) -> Path:
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(_header(messy_header))
        for row in rows:
            cells = []
            for column in EPPGBM_HEADER:
                value = row.get(column, "")
                if comma_decimals and column in NUMERIC_COLUMNS:
                    value = value.replace(".", ",")
                cells.append(value)
            writer.writerow(cells)
    return Path(path)


def write_html_xls(path: Path, rows: list[dict[str, str]], *, messy_header: bool = False) -> Path:
    """What EPPGBM's 'Export Excel' produces: an HTML table saved with an .xls name."""
    out = ['<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8">',
           "<style>.nik{mso-number-format:'\\@'}</style></head><body>",
           "<table border=1><tr><td colspan=5><b>DATA BALITA BY NAME</b></td></tr>",
           "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in _header(messy_header)) + "</tr>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td class='nik'>{html.escape(row.get(c, ''))}</td>" if c == "NIK"
                                    else f"<td>{html.escape(row.get(c, ''))}</td>" for c in EPPGBM_HEADER) + "</tr>")
    out.append("</table></body></html>")
    Path(path).write_text("\n".join(out), encoding="utf-8")
    return Path(path)


def write_real_xls(path: Path, rows: list[dict[str, str]], *, numeric_nik_rows: set[int] = frozenset()) -> Path:
    """A real Excel 97-2003 (BIFF) workbook, typed like write_xlsx. Needs xlwt, a test-only
    dependency (Tumbuh reads .xls with xlrd but never writes it)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Data")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for c, header in enumerate(EPPGBM_HEADER):
        sheet.write(0, c, header)
    for i, row in enumerate(rows, start=1):
        for c, column in enumerate(EPPGBM_HEADER):
            value = row.get(column, "")
            style = None
            if column in NUMERIC_COLUMNS and value:
                try:
                    value = float(value.replace(",", "."))
                except ValueError:
                    pass
            elif column in DATE_COLUMNS and value:
                try:
                    value, style = dt.datetime.strptime(value, "%d/%m/%Y"), date_style
                except ValueError:
                    pass
            elif column == "NIK" and i - 1 in numeric_nik_rows and value.isdigit():
                value = float(value)
            if style is None:
                sheet.write(i, c, value)
            else:
                sheet.write(i, c, value, style)
    book.save(str(path))
    return Path(path)


def write_xlsx(path: Path, rows: list[dict[str, str]], *, messy_header: bool = False,
               numeric_nik_rows: set[int] = frozenset()) -> Path:
    """A real workbook: numbers as numbers, dates as dates, NIK as text except in
    `numeric_nik_rows` (row indexes), where it is a number as Excel makes it when typed."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    sheet.append(_header(messy_header))
    for i, row in enumerate(rows):
        cells = []
        for column in EPPGBM_HEADER:
            value = row.get(column, "")
            if column in NUMERIC_COLUMNS and value:
                try:
                    value = float(value.replace(",", "."))
                except ValueError:
                    pass
            elif column in DATE_COLUMNS and value:
                try:
                    value = dt.datetime.strptime(value, "%d/%m/%Y")
                except ValueError:
                    pass
            elif column == "NIK" and i in numeric_nik_rows and value.isdigit():
                value = float(value)
            cells.append(value)
        sheet.append(cells)
    workbook.save(path)
    return Path(path)


def write_bench_csv(path: Path, n_rows: int, seed: int = 11, months: int = 12) -> Path:
    """A large ';' CSV with comma decimals: children weighed monthly over a year (`months` > 12:
    over that many months up to December 2025, each child's weighings after its birth only, so
    the same number of children carry `months / 12` times the rows)."""
    rng = random.Random(seed)
    if months > 12:
        return _write_long_bench_csv(path, n_rows, rng, seed, months)
    children = make_children(max(1, n_rows // 12 + 1), seed=seed, today=dt.date(2025, 12, 31))
    header = list(EPPGBM_HEADER)
    written = 0
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        for child in children:
            for m in range(12):
                if written >= n_rows:
                    break
                day = dt.date(2025, m + 1, 10)
                if day <= child.birth_date:
                    day = child.birth_date + dt.timedelta(days=20 + m)
                row = measurement_row(child, day, rng)
                writer.writerow([row[c].replace(".", ",") if c in NUMERIC_COLUMNS else row[c] for c in header])
                written += 1
    return Path(path)


def _write_long_bench_csv(path: Path, n_rows: int, rng: random.Random, seed: int, months: int) -> Path:
    header = list(EPPGBM_HEADER)
    days = []
    for back in range(months - 1, -1, -1):  # month offsets before December 2025
        total = 2025 * 12 + 11 - back
        days.append(dt.date(total // 12, total % 12 + 1, 10))
    written = 0
    # enough children: the youngest have fewer weighings than `months`
    children = make_children(2 * (n_rows // months) + 1, seed=seed, today=dt.date(2025, 12, 31))
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        for child in children:
            for day in days:
                if written >= n_rows:
                    break
                if day <= child.birth_date:
                    continue
                row = measurement_row(child, day, rng)
                writer.writerow([row[c].replace(".", ",") if c in NUMERIC_COLUMNS else row[c] for c in header])
                written += 1
    return Path(path)


# -- any declaration's file: a header and rows of text, in the shapes files come in ------------------

def write_table(path: Path, header: list[str], rows: list[list[str]], fmt: str = "csv") -> Path:
    """`fmt`: "csv" (`;`), "csv_comma", "xlsx" (text cells), "html_xls" (a title row above the
    header, as EPPGBM's and Elsimil's "Export Excel" do). Returns the path with its suffix."""
    path = Path(path)
    if fmt in ("csv", "csv_comma"):
        path = path.with_suffix(".csv")
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, delimiter=";" if fmt == "csv" else ",")
            writer.writerow(header)
            writer.writerows(rows)
        return path
    if fmt == "xlsx":
        from openpyxl import Workbook

        path = path.with_suffix(".xlsx")
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(header)
        for row in rows:
            sheet.append(list(row))
        workbook.save(path)
        return path
    if fmt == "html_xls":
        path = path.with_suffix(".xls")
        out = ["<html><head><meta charset='utf-8'></head><body><table>",
               "<tr><td colspan=4><b>DAFTAR</b></td></tr>",
               "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>"]
        out += ["<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows]
        out.append("</table></body></html>")
        path.write_text("\n".join(out), encoding="utf-8")
        return path
    raise ValueError(fmt)


def build_delivery_reviews(world) -> dict:
    """For the access-test world (tumbuh.accounts.testing, build_world(full=True)): per corner, a
    decided held delivery row (pks 72xx) in the corner's import batch, "same person" for the
    corner's child, whose decision recorded the corner's VIT-A delivery (world.interventions), as
    `services.decide_delivery_review` keeps it, so `imports:undo_delivery_review` has something
    in and out of every role's scope to undo. The file's name is the child's: a page listing it
    outside the scope names an outsider."""
    from django.utils import timezone

    from .models import MatchReview
    from .services import delivery_state

    for i, (key, child) in enumerate(world.children.items()):
        delivery = world.interventions["delivery"][key]
        world.delivery_reviews[key] = MatchReview.objects.create(
            pk=7201 + i, batch=world.batches[key], row_number=10 + i, candidate=child, score=91.0,
            row_key=f"matrix-delivery-{key}", decision=MatchReview.Decision.SAME, decided_at=timezone.now(),
            held={"code": delivery.code, "date": delivery.date.isoformat(), "quantity": str(delivery.quantity),
                  "unit": delivery.unit, "fund_source": "", "agency_id": None, "notes": "", "name": child.name,
                  "birth_date": child.birth_date.isoformat(),
                  "decision": {"delivery": delivery.pk, "state": delivery_state(delivery.pk), "rows": []}})
    return world.delivery_reviews
