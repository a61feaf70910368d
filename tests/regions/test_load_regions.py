import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tumbuh.regions.models import Region, within

FIXTURE = {
    "provinces.csv": [("code", "name"), ("64", "Kalimantan Timur"), ("65", "Kalimantan Utara")],
    "regencies.csv": [
        ("code", "province_code", "name"),
        ("64.74", "64", "Kota Bontang"),
        ("64.72", "64", "Kota Samarinda"),
        ("65.01", "65", "Kabupaten Malinau"),
    ],
    "districts.csv": [
        ("code", "regency_code", "name"),
        ("64.74.01", "64.74", "Bontang Utara"),
        ("64.74.02", "64.74", "Bontang Selatan"),
        ("64.72.01", "64.72", "Palaran"),
    ],
    "villages.csv": [
        ("code", "district_code", "name"),
        ("64.74.01.1001", "64.74.01", "Bontang Kuala"),
        ("64.74.01.1002", "64.74.01", "Bontang Baru"),
        ("64.74.02.1001", "64.74.02", "Tanjung Laut"),
        ("64.72.01.1001", "64.72.01", "Rawa Makmur"),
    ],
}


def write_fixture(directory, tables=FIXTURE):
    for filename, rows in tables.items():
        with open(directory / filename, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
    return directory


def run(*args) -> str:
    out = StringIO()
    call_command("load_regions", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_loads_every_level_with_parent_and_level(tmp_path):
    output = run("--data-dir", str(write_fixture(tmp_path)))
    assert "12 created" in output
    assert Region.objects.count() == 12
    kuala = Region.objects.get(code="64.74.01.1001")
    assert kuala.level == Region.Level.DESA
    assert [r.code for r in kuala.ancestors()] == ["64", "64.74", "64.74.01"]
    assert [r.level for r in kuala.ancestors()] == ["provinsi", "kabupaten", "kecamatan"]
    assert Region.objects.get(code="64").parent is None
    assert Region.objects.filter(within("code", "64.74")).count() == 6


@pytest.mark.django_db
def test_second_run_changes_nothing_and_says_so(tmp_path):
    write_fixture(tmp_path)
    run("--data-dir", str(tmp_path))
    output = run("--data-dir", str(tmp_path))
    assert "nothing changed" in output
    assert Region.objects.count() == 12


@pytest.mark.django_db
def test_renamed_and_new_codes_are_upserted(tmp_path):
    write_fixture(tmp_path)
    run("--data-dir", str(tmp_path))
    tables = dict(FIXTURE)
    tables["villages.csv"] = [
        *FIXTURE["villages.csv"][:2],
        ("64.74.01.1002", "64.74.01", "Bontang Baru Raya"),
        *FIXTURE["villages.csv"][3:],
        ("64.74.02.1002", "64.74.02", "Berbas Tengah"),
    ]
    write_fixture(tmp_path, tables)
    output = run("--data-dir", str(tmp_path))
    assert "1 created, 1 updated" in output
    assert Region.objects.get(code="64.74.01.1002").name == "Bontang Baru Raya"
    assert Region.objects.get(code="64.74.02.1002").parent_id == "64.74.02"


@pytest.mark.django_db
def test_only_loads_ancestors_and_descendants(tmp_path):
    run("--data-dir", str(write_fixture(tmp_path)), "--only", "64.74.01")
    assert sorted(Region.objects.values_list("code", flat=True)) == [
        "64", "64.74", "64.74.01", "64.74.01.1001", "64.74.01.1002",
    ]


@pytest.mark.django_db
def test_only_with_unknown_code_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="99.99"):
        run("--data-dir", str(write_fixture(tmp_path)), "--only", "99.99")
    with pytest.raises(CommandError, match="64.99"):
        run("--data-dir", str(tmp_path), "--only", "64.74", "64.99")
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_missing_data_dir_tells_how_to_install(tmp_path):
    with pytest.raises(CommandError, match="npm ci"):
        run("--data-dir", str(tmp_path / "absent"))
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_real_code_list_for_bontang():
    # The pinned npm package (settings.REGION_DATA_DIR), not a fixture.
    run("--only", "64.74")
    assert Region.objects.get(code="64").name == "Kalimantan Timur"
    assert Region.objects.get(code="64.74").name == "Kota Bontang"
    kecamatan = Region.objects.filter(parent_id="64.74", level="kecamatan")
    assert sorted(kecamatan.values_list("name", flat=True)) == [
        "Bontang Barat", "Bontang Selatan", "Bontang Utara",
    ]
    kelurahan = Region.objects.filter(within("code", "64.74"), level="desa")
    assert kelurahan.count() == 15
    assert set(kelurahan.values_list("parent__parent_id", flat=True)) == {"64.74"}
    assert Region.objects.filter(level="provinsi").count() == 1
