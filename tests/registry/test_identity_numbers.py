"""NIK/KK numbers (issue 16, items 4 and 5): a duplicate says only what the user may know, is
audited and throttled; only ASCII digits pass NIK, KK, RT and RW checks."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tumbuh.audit.models import AuditEvent
from tumbuh.registry.forms import HouseholdForm, PersonForm
from tumbuh.registry.models import Person
from tumbuh.registry.nik import NikError, clean_nik, parse_nik
from tumbuh.registry.testing import make_household, nik_for

pytestmark = pytest.mark.django_db

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def person_form(user, regions, **data):
    born = timezone.localdate() - dt.timedelta(days=300)
    base = {"name": "Budi", "nik": "", "sex": "M", "birth_date": born.isoformat(),
            "desa": regions["desa1"].pk, "posyandu": regions["pos1"].pk, "active": "on"}
    base.update(data)
    return PersonForm(base, user=user)


@pytest.mark.parametrize("table", [FULL_WIDTH, SUPERSCRIPT, ARABIC_INDIC])
def test_unicode_digits_are_not_a_nik(table):
    nik = "6474011005200001".translate(table)
    with pytest.raises(NikError):
        clean_nik(nik)
    with pytest.raises(NikError):  # never a ValueError from int()
        parse_nik(nik)
    with pytest.raises(NikError):
        parse_nik("6474011005200001"[:15].translate(table) + "1")


@pytest.mark.parametrize("table", [FULL_WIDTH, SUPERSCRIPT])
def test_a_full_width_copy_of_a_registered_nik_is_refused_not_saved(kec1_user, regions, child1, table):
    form = person_form(kec1_user, regions, nik=child1.nik.translate(table))
    assert not form.is_valid()
    assert "nik" in form.errors
    assert Person.objects.count() == 1


@pytest.mark.parametrize("value", ["００３", "²", "٣", "1²"])
def test_rt_rw_take_ascii_digits_only(kec1_user, regions, value):
    form = HouseholdForm({"kk_number": "", "head_name": "A", "address": "Jl. X", "rt": value, "rw": "1",
                          "desa": regions["desa1"].pk}, user=kec1_user)
    assert not form.is_valid() and "rt" in form.errors


def test_a_kk_number_in_unicode_digits_is_refused(kec1_user, regions):
    form = HouseholdForm({"kk_number": "6474010101200001".translate(FULL_WIDTH), "head_name": "A",
                          "address": "Jl. X", "rt": "1", "rw": "1", "desa": regions["desa1"].pk}, user=kec1_user)
    assert not form.is_valid() and "kk_number" in form.errors


def test_a_nik_registered_in_another_region_is_not_confirmed(kec1_user, regions, child2):
    # child2 lives in kecamatan 2, outside kec1_user's scope.
    form = person_form(kec1_user, regions, nik=child2.nik)
    assert not form.is_valid()
    message = str(form.errors["nik"])
    assert "sudah terdaftar" not in message
    assert "tidak dapat digunakan" in message
    event = AuditEvent.objects.get(action=AuditEvent.Action.NIK_CONFLICT)
    assert event.user == kec1_user and event.detail["in_scope"] is False
    assert event.object_id == ""  # the other region's person is not named, not even by id
    assert child2.nik not in event.summary


def test_a_nik_registered_in_the_users_own_area_says_so(kec1_user, regions, child1):
    form = person_form(kec1_user, regions, nik=child1.nik)
    assert not form.is_valid()
    assert "sudah terdaftar di wilayah Anda" in str(form.errors["nik"])
    assert AuditEvent.objects.get(action=AuditEvent.Action.NIK_CONFLICT).detail["in_scope"] is True


def test_a_kk_number_of_another_region_is_not_confirmed(kec1_user, regions):
    other = make_household(kk_number="6474020101200001", desa=regions["desa2"])
    form = HouseholdForm({"kk_number": other.kk_number, "head_name": "A", "address": "Jl. X", "rt": "1",
                          "rw": "1", "desa": regions["desa1"].pk}, user=kec1_user)
    assert not form.is_valid()
    assert "tidak dapat digunakan" in str(form.errors["kk_number"])
    assert AuditEvent.objects.filter(action=AuditEvent.Action.NIK_CONFLICT).count() == 1


def test_probing_many_numbers_is_throttled(kec1_user, regions, child2, settings):
    settings.TUMBUH_NIK_CONFLICT_LIMIT = 3
    for _ in range(3):
        assert not person_form(kec1_user, regions, nik=child2.nik).is_valid()
    # Past the limit every NIK is refused alike, so a free number is not told apart from a taken one.
    free = nik_for(dt.date(2024, 5, 10), "M")
    form = person_form(kec1_user, regions, nik=free)
    assert not form.is_valid()
    assert "Terlalu banyak" in str(form.errors["nik"])
    # A child without a NIK can still be registered meanwhile.
    assert person_form(kec1_user, regions, nik="").is_valid()


def test_registration_page_does_not_confirm_an_outside_nik(client, kec1_user, regions, child2):
    client.force_login(kec1_user)
    born = timezone.localdate() - dt.timedelta(days=200)
    data = {
        "child-name": "Siti", "child-nik": child2.nik, "child-sex": "F", "child-birth_date": born.isoformat(),
        "child-desa": regions["desa1"].pk, "child-posyandu": "", "mother_choice-mode": "none",
        "household_choice-mode": "none",
    }
    body = client.post(reverse("registry:child_create"), data).content.decode()
    assert "NIK ini tidak dapat digunakan" in body and "NIK ini sudah terdaftar" not in body
