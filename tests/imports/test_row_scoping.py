"""Issue 16 item 1: a batch's rows are personal data of the children they name. The report and
rejected.xlsx show a row only to those who may see its child; rejected rows (which belong to no
child, and may name a child of any desa) only to the uploader and to roles above the file's
region."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tumbuh.accounts.models import Role
from tumbuh.imports import testing as t
from tumbuh.imports.services import import_eppgbm
from tumbuh.regions.models import Posyandu

pytestmark = pytest.mark.django_db

DESA = "64.74.01.1001"


@pytest.fixture
def setup(regions, django_user_model, tmp_path):
    melati = Posyandu.objects.create(name="Posyandu Melati 1", desa_id=DESA)
    Posyandu.objects.create(name="Posyandu Mawar 1", desa_id=DESA)
    users = {
        "kec": django_user_model.objects.create_user("kec", password="x-pass-12345", role=Role.KECAMATAN,
                                                     region_id="64.74.01"),
        "kota": django_user_model.objects.create_user("kota", password="x-pass-12345", role=Role.KABUPATEN,
                                                      region_id="64.74"),
        "desa": django_user_model.objects.create_user("desa", password="x-pass-12345", role=Role.DESA,
                                                      region_id=DESA),
        "cadre": django_user_model.objects.create_user("kader", password="x-pass-12345", role=Role.CADRE,
                                                       posyandu=melati),
        "guntung": django_user_model.objects.create_user("guntung", password="x-pass-12345", role=Role.DESA,
                                                         region_id="64.74.01.1002"),
    }
    base = t.make_rows(t.make_children(1), months=1)[0]
    kuala = {"Kec": "BONTANG UTARA", "Desa/Kel": "Bontang Kuala", "NIK": ""}
    rows = [
        {**base, **kuala, "Nama": "Anak Melati", "Posyandu": "Posyandu Melati 1", "Berat": "10945"},  # noted
        {**base, "NIK": "", "Kec": "BONTANG UTARA", "Desa/Kel": "Guntung", "Nama": "Anak Guntung",
         "Posyandu": "Posyandu Anggrek"},  # rejected: not a desa of the file's region
        {**base, **kuala, "Nama": "Anak Mawar Salah", "Posyandu": "Posyandu Mawar 1", "Tgl Lahir": "31/02/2024"},
        {**base, **kuala, "Nama": "Anak Mawar Catatan", "Posyandu": "Posyandu Mawar 1", "Berat": "9870"},  # noted
    ]
    path = t.write_csv(tmp_path / "campur.csv", rows, comma_decimals=False)
    batch = import_eppgbm(path, user=users["kec"], region_code=DESA)
    assert batch.rejected == 2 and batch.imported == 2
    return batch, users


def report(client, user, batch):
    client.force_login(user)
    return client.get(reverse("imports:report", args=[batch.pk])).content.decode()


def rejected_names(client, user, batch):
    client.force_login(user)
    response = client.get(reverse("imports:rejected", args=[batch.pk]))
    if response.status_code == 404:
        return None
    assert response.status_code == 200
    return {row[1] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True)}


ALL = {"Anak Melati", "Anak Guntung", "Anak Mawar Salah", "Anak Mawar Catatan"}


@pytest.mark.parametrize(("who", "shown", "rejected"), [
    ("kec", ALL, {"Anak Guntung", "Anak Mawar Salah"}),  # the uploader
    ("kota", ALL, {"Anak Guntung", "Anak Mawar Salah"}),  # above the file's region
    ("desa", {"Anak Melati", "Anak Mawar Catatan"}, None),  # the file's own region, not the uploader
    ("cadre", {"Anak Melati"}, None),  # one posyandu
])
def test_rows_are_shown_only_to_those_who_may_see_them(client, setup, who, shown, rejected):
    batch, users = setup
    page = report(client, users[who], batch)
    assert {name for name in ALL if name in page} == shown
    assert rejected_names(client, users[who], batch) == rejected
    if rejected is None:
        assert 'id="rejected-hidden"' in page
    from tumbuh.imports.selectors import rows_for

    assert set(rows_for(users[who], batch).values_list("row_number", flat=True)) <= set(
        batch.rows.values_list("row_number", flat=True))


def test_another_desa_does_not_see_the_batch_at_all(client, setup):
    batch, users = setup
    client.force_login(users["guntung"])
    assert client.get(reverse("imports:report", args=[batch.pk])).status_code == 404
    assert client.get(reverse("imports:rejected", args=[batch.pk])).status_code == 404
