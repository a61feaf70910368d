import pytest

from tumbuh.regions.models import Posyandu, Puskesmas, Region


@pytest.fixture
def bontang(db):
    Region.objects.create(code="64", name="Kalimantan Timur", level="provinsi")
    Region.objects.create(code="64.74", name="Kota Bontang", level="kabupaten", parent_id="64")
    Region.objects.create(code="64.74.01", name="Bontang Utara", level="kecamatan", parent_id="64.74")
    kuala = Region.objects.create(
        code="64.74.01.1001", name="Bontang Kuala", level="desa", parent_id="64.74.01"
    )
    Region.objects.create(code="64.74.01.1002", name="Bontang Baru", level="desa", parent_id="64.74.01")
    pkm = Puskesmas.objects.create(code="P1", name="Puskesmas Bontang Utara I", kecamatan_id="64.74.01")
    pkm.service_area.add(kuala)
    Posyandu.objects.create(name="Posyandu Melati 3", desa=kuala, puskesmas=pkm)
    Posyandu.objects.create(name="Posyandu Mawar 1", desa=kuala, puskesmas=pkm)


@pytest.mark.django_db
def test_region_admin_searches_by_name_and_code_prefix(admin_client, bontang):
    page = admin_client.get("/admin/regions/region/", {"q": "kuala"})
    assert page.status_code == 200
    assert "64.74.01.1001" in page.content.decode() and "64.74.01.1002" not in page.content.decode()
    page = admin_client.get("/admin/regions/region/", {"q": "64.74.01"})
    assert "Bontang Baru" in page.content.decode()


@pytest.mark.django_db
def test_posyandu_and_puskesmas_admin_lists(admin_client, bontang):
    page = admin_client.get("/admin/regions/posyandu/", {"q": "melati"}).content.decode()
    assert "Posyandu Melati 3" in page and "Posyandu Mawar 1" not in page
    page = admin_client.get("/admin/regions/puskesmas/").content.decode()
    assert "Puskesmas Bontang Utara I" in page
