import pytest

from tumbuh.regions.models import Posyandu, Puskesmas, Region, within


@pytest.fixture
def regions(db):
    rows = [
        ("64", "Kalimantan Timur", "provinsi", None),
        ("64.74", "Kota Bontang", "kabupaten", "64"),
        ("64.7", "Not Bontang", "kabupaten", "64"),  # a shared text prefix is not containment
        ("64.74.01", "Bontang Utara", "kecamatan", "64.74"),
        ("64.70.01", "Elsewhere", "kecamatan", "64.7"),
        ("64.74.01.1001", "Bontang Kuala", "desa", "64.74.01"),
        ("64.70.01.1001", "Far away", "desa", "64.70.01"),
    ]
    for code, name, level, parent in rows:
        Region.objects.create(code=code, name=name, level=level, parent_id=parent)


@pytest.mark.django_db
def test_within_on_code_column(regions):
    codes = set(Region.objects.filter(within("code", "64.74")).values_list("code", flat=True))
    assert codes == {"64.74", "64.74.01", "64.74.01.1001"}


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["desa_id", "desa__code"])
def test_within_on_foreign_key_to_region(regions, field):
    pkm = Puskesmas.objects.create(code="P1", name="P1", kecamatan_id="64.74.01")
    inside = Posyandu.objects.create(name="Melati 1", desa_id="64.74.01.1001", puskesmas=pkm)
    Posyandu.objects.create(name="Mawar 1", desa_id="64.70.01.1001")
    assert list(Posyandu.objects.filter(within(field, "64.74"))) == [inside]
    assert list(Posyandu.objects.filter(within(field, "64.74.01.1001"))) == [inside]
    assert list(Puskesmas.objects.filter(within("kecamatan_id", "64.74"))) == [pkm]
    assert not Posyandu.objects.filter(within(field, "64.7")).filter(pk=inside.pk).exists()
