"""EPPGBM by-name export columns: the canonical layout, and how to recognise its headers.

Exports differ in case, spacing and spelling ("Pukesmas" is how EPPGBM itself spells it), so a
header is normalised before it is looked up in the alias table.
"""

from __future__ import annotations

from .framework import ColumnSet, normalise_header  # noqa: F401  (normalise_header: for callers)

# The by-name layout as EPPGBM writes it (domain.md 2.2); also the layout of our export.
EPPGBM_HEADER = [
    "NIK", "Nama", "JK", "Tgl Lahir", "BB Lahir", "TB Lahir", "Nama Ortu", "Prov", "Kab/Kota",
    "Kec", "Pukesmas", "Desa/Kel", "Posyandu", "RT", "RW", "Alamat", "Usia Saat Ukur",
    "Tanggal Pengukuran", "Bulan Pengukuran", "Status Bulan", "status tahun", "Berat", "Tinggi",
    "Cara Ukur", "LiLA", "BB/U", "ZS BB/U", "TB/U", "ZS TB/U", "BB/TB", "ZS BB/TB",
    "Naik Berat Badan", "PMT Diterima (kg)", "Jml Vit A", "KPSP", "KIA", "Detail Status",
    "status desa",
]

# field name -> the EPPGBM header it comes from (first) and the other spellings seen.
ALIASES: dict[str, list[str]] = {
    "nik": ["NIK", "NIK Anak", "No NIK"],
    "name": ["Nama", "Nama Anak", "Nama Balita"],
    "sex": ["JK", "Jenis Kelamin", "L/P"],
    "birth_date": ["Tgl Lahir", "Tanggal Lahir", "Tgl. Lahir"],
    "birth_weight": ["BB Lahir", "Berat Lahir"],
    "birth_length": ["TB Lahir", "PB Lahir", "Panjang Lahir"],
    "parent_name": ["Nama Ortu", "Nama Orang Tua", "Nama Orangtua", "Nama Ibu"],
    "province": ["Prov", "Provinsi", "Propinsi"],
    "kabupaten": ["Kab/Kota", "Kabupaten/Kota", "Kab", "Kabupaten", "Kota"],
    "kecamatan": ["Kec", "Kecamatan"],
    "puskesmas": ["Pukesmas", "Puskesmas", "PKM", "Nama Puskesmas"],
    "desa": ["Desa/Kel", "Desa/Kelurahan", "Desa", "Kelurahan", "Kel/Desa"],
    "posyandu": ["Posyandu", "Nama Posyandu"],
    "rt": ["RT"],
    "rw": ["RW"],
    "address": ["Alamat"],
    "age_at_measurement": ["Usia Saat Ukur", "Umur Saat Ukur", "Usia"],
    "measured_on": ["Tanggal Pengukuran", "Tgl Pengukuran", "Tgl Ukur", "Tanggal Ukur"],
    "measurement_month": ["Bulan Pengukuran", "Bulan Ukur"],
    "weight": ["Berat", "BB", "Berat Badan", "BB (kg)", "Berat (kg)"],
    "height": ["Tinggi", "TB", "PB", "Tinggi Badan", "TB/PB", "Tinggi (cm)", "TB (cm)"],
    "position": ["Cara Ukur", "Cara Pengukuran"],
    "arm_circumference": ["LiLA", "LILA (cm)", "Lingkar Lengan Atas"],
    "wfa_category": ["BB/U"],
    "wfa_z": ["ZS BB/U", "Z-Score BB/U", "ZScore BB/U", "Z BB/U"],
    "hfa_category": ["TB/U", "PB/U"],
    "hfa_z": ["ZS TB/U", "Z-Score TB/U", "ZScore TB/U", "Z TB/U", "ZS PB/U"],
    "wfh_category": ["BB/TB", "BB/PB"],
    "wfh_z": ["ZS BB/TB", "Z-Score BB/TB", "ZScore BB/TB", "Z BB/TB", "ZS BB/PB"],
}

# Without these a row cannot become a measurement of a child.
REQUIRED_FIELDS = ("name", "sex", "birth_date", "measured_on", "desa")

COLUMNS = ColumnSet(ALIASES, REQUIRED_FIELDS, min_recognised=4)
map_header = COLUMNS.map_header
missing_required = COLUMNS.missing_required
find_header_row = COLUMNS.find_header_row
