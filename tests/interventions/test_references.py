"""A delivery's references to reference tables (catalogue item, agency, course, pledge, posyandu,
the users who recorded or voided it) carry no foreign-key constraint in the database, to spare
every imported row their trigger lookups (interventions.models.Delivery). What the constraints
guarded still holds through the ORM: an item with deliveries cannot be deleted, and deleting an
agency, course, pledge, posyandu or user leaves the delivery with an empty reference, never a
dangling id. Person, household and desa keep their database constraints."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from tumbuh.accounts.models import User
from tumbuh.coordination.models import Agency
from tumbuh.interventions.models import CatalogueItem, Course, Delivery, Pledge
from tumbuh.regions.models import Posyandu, Region
from tumbuh.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery(db):
    kota = Region.objects.create(code="64.74", name="KOTA BONTANG", level="kabupaten")
    kec = Region.objects.create(code="64.74.01", name="BONTANG SELATAN", level="kecamatan", parent=kota)
    desa = Region.objects.create(code="64.74.01.1001", name="BONTANG LESTARI", level="desa", parent=kec)
    posyandu = Posyandu.objects.create(name="Posyandu Mawar", desa=desa)
    child = Person.objects.create(name="Anak Uji", sex="F", birth_date=dt.date.today() - dt.timedelta(days=400),
                                  desa=desa, posyandu=posyandu)
    agency = Agency.objects.create(region=kota, code="DINKES-UJI", name="Dinas Kesehatan Uji")
    sponsor = Agency.objects.create(region=desa, code="OTA-UJI", name="Bunda Asuh Uji")
    item = CatalogueItem.objects.create(code="PMT-UJI", region=kota, name="PMT uji", kind="spesifik",
                                        target_group="balita", unit="hari")
    user = User.objects.create_user("pencatat", password="x")
    course = Course.objects.create(item=item, code=item.code, person=child, agency=agency, start=dt.date.today(),
                                   end=dt.date.today() + dt.timedelta(days=89), planned_amount=Decimal(90),
                                   unit="hari", desa=desa, posyandu=posyandu)
    pledge = Pledge.objects.create(sponsor=sponsor, child=child, amount_per_month=Decimal(500000), months=6,
                                   start=dt.date.today(), desa=desa, posyandu=posyandu)
    return Delivery.objects.create(item=item, code=item.code, person=child, date=dt.date.today(), quantity=7,
                                   unit="hari", agency=agency, course=course, pledge=pledge, desa=desa,
                                   posyandu=posyandu, created_by=user, voided_by=user)


def test_a_catalogue_item_with_deliveries_cannot_be_deleted(delivery):
    with pytest.raises(ProtectedError):
        delivery.item.delete()
    assert Delivery.objects.filter(pk=delivery.pk, item_id=delivery.item_id).exists()


@pytest.mark.parametrize("reference", ["agency", "course", "pledge", "posyandu", "created_by", "voided_by"])
def test_deleting_a_reference_empties_it_on_the_delivery(delivery, reference):
    target = getattr(delivery, reference)
    target.delete()
    delivery.refresh_from_db()
    assert getattr(delivery, f"{reference}_id") is None
    assert Delivery.objects.filter(pk=delivery.pk).exists()  # the delivery itself stays


def test_person_household_and_desa_keep_their_database_constraints(delivery):
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(person_id=987654321)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # Django's constraints are deferred: check them now
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        else:
            connection.check_constraints(table_names=[Delivery._meta.db_table])
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(desa_id="99.99.99.9999")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        else:
            connection.check_constraints(table_names=[Delivery._meta.db_table])
