"""Word lists for synthetic people and places.

Names are assembled at random from common Indonesian given names, so no row describes a real
person; posyandu are named after flowers, as many are.
"""

MALE_NAMES = [
    "Ahmad", "Muhammad", "Rizky", "Budi", "Agus", "Andi", "Dimas", "Fajar", "Hendra", "Irfan",
    "Joko", "Kurniawan", "Rudi", "Slamet", "Taufik", "Wahyu", "Yusuf", "Arif", "Bayu", "Dedi",
    "Eko", "Fauzan", "Gilang", "Hadi", "Ilham", "Krisna", "Lukman", "Nanda", "Putra", "Raka",
    "Rafi", "Teguh", "Yoga", "Zaki", "Alif", "Arkan", "Azka", "Daffa", "Fathan", "Haikal",
    "Rayyan", "Abdul", "Hasan", "Ridwan", "Sandi", "Wawan", "Firman", "Gunawan", "Hidayat",
    "Pratama", "Saputra", "Setiawan", "Nugroho", "Santoso", "Wijaya", "Hakim", "Rahman",
    "Ramadhan", "Maulana", "Akbar", "Aditya", "Galih", "Dani", "Erlangga", "Farhan", "Iqbal",
    "Johan", "Reza", "Satria", "Tri", "Bagus", "Darma", "Heru", "Rendi", "Syahrul", "Umar",
]

FEMALE_NAMES = [
    "Siti", "Nur", "Dewi", "Sri", "Ayu", "Putri", "Rina", "Wulan", "Indah", "Fitri", "Lestari",
    "Sari", "Rahayu", "Wati", "Yuliana", "Nurul", "Aisyah", "Annisa", "Aulia", "Citra", "Dian",
    "Eka", "Fatimah", "Hana", "Intan", "Kartika", "Laras", "Maya", "Nabila", "Novi", "Puspita",
    "Ratna", "Salsabila", "Tiara", "Utami", "Vina", "Yanti", "Zahra", "Kirana", "Alya", "Khanza",
    "Naura", "Syifa", "Azzahra", "Keisha", "Adinda", "Anggraini", "Handayani", "Permata",
    "Kusuma", "Febriani", "Safitri", "Hasanah", "Rohmah", "Mulyani", "Susanti", "Wahyuni",
    "Amelia", "Bunga", "Cahya", "Dinda", "Elisa", "Farida", "Gita", "Halimah", "Inayah",
    "Jannah", "Lina", "Mutiara", "Nadia", "Oktavia", "Rahmawati", "Sekar", "Tasya", "Yuni",
]

FLOWERS = [
    "Melati", "Mawar", "Anggrek", "Kenanga", "Dahlia", "Flamboyan", "Cempaka", "Teratai",
    "Kamboja", "Seruni", "Bougenville", "Asoka", "Tulip", "Lili", "Kemuning", "Sakura",
    "Aster", "Matahari", "Nusa Indah", "Soka",
]

STREETS = [
    "Merdeka", "Pelita", "Kenanga", "Cendana", "Nusantara", "Rambutan", "Durian", "Mangga",
    "Kelapa", "Bhayangkara", "Pahlawan", "Pramuka", "Kemuning", "Cempaka", "Poros", "Pinang",
    "Kenari", "Gelatik", "Cenderawasih", "Nangka", "Delima", "Sawo", "Pesisir", "Bukit Indah",
    "Harapan", "Damai", "Sejahtera", "Bersama", "Rukun", "Mulawarman",
]

# Common short forms; anything else falls back to the name without spaces.
PROVINCE_SHORT = {
    "Kalimantan Timur": "kaltim", "Kalimantan Barat": "kalbar", "Kalimantan Selatan": "kalsel",
    "Kalimantan Tengah": "kalteng", "Kalimantan Utara": "kaltara", "Jawa Barat": "jabar",
    "Jawa Tengah": "jateng", "Jawa Timur": "jatim", "Sumatera Utara": "sumut",
    "Sumatera Barat": "sumbar", "Sumatera Selatan": "sumsel", "Sulawesi Selatan": "sulsel",
    "Sulawesi Utara": "sulut", "Sulawesi Tengah": "sulteng", "Sulawesi Tenggara": "sultra",
    "Nusa Tenggara Barat": "ntb", "Nusa Tenggara Timur": "ntt", "Daerah Istimewa Yogyakarta": "diy",
    "DKI Jakarta": "jakarta",
}
