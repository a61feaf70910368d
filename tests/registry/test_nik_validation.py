"""NIK checks as the registration form applies them."""

import datetime as dt

import pytest
from django.utils import translation

from tumbuh.registry.forms import PersonForm
from tumbuh.registry.nik import NikError, check_nik_against, clean_nik, parse_nik


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("raw, message", [
    ("", "empty"),
    ("647401100520001", "16 digits"),
    ("64740110052000011", "16 digits"),
    ("6.47401100520001E+15", "spreadsheet"),
    ("64740110O5200001", "digits only"),
])
def test_clean_nik_refuses_malformed(raw, message):
    with pytest.raises(NikError, match=message):
        clean_nik(raw if raw else None)


@pytest.mark.parametrize("raw, message", [
    ("0974011005200001", "province"),
    ("6400011005200001", "incomplete"),
    ("6474013205200001", "not a date"),   # day 32
    ("6474011013200001", "not a date"),   # month 13
    ("6474017205200001", "not a date"),   # female day 72 - 40 = 32
    ("6474011005200000", "0000"),
])
def test_parse_nik_refuses_impossible_parts(raw, message):
    with pytest.raises(NikError, match=message):
        parse_nik(raw)


def test_parse_nik_reads_female_day_and_region():
    parts = parse_nik("'6474015005200123")  # leading apostrophe: Excel's text marker
    assert parts.female and parts.day == 10 and parts.month == 5 and parts.year_2digit == 20
    assert parts.kecamatan_code == "64.74.01" and parts.serial == "0123"


def test_disagreement_is_reported_not_raised():
    assert check_nik_against("6474011005200001", sex="M", birth_date=dt.date(2020, 5, 10)) == []
    problems = check_nik_against("6474011005200001", sex="F", birth_date=dt.date(2020, 5, 11))
    assert len(problems) == 2


def _form(user, **overrides):
    data = {"name": "Budi", "nik": "6474011005230001", "sex": "M", "birth_date": "2023-05-10",
            "desa": "64.74.01.1001", "active": "on"}
    data.update(overrides)
    return PersonForm(data, user=user)


@pytest.mark.django_db
def test_form_accepts_agreeing_nik_without_warnings(kec1_user):
    form = _form(kec1_user)
    assert form.is_valid(), form.errors
    assert form.nik_warnings == []


@pytest.mark.django_db
def test_form_warns_when_nik_sex_and_date_disagree(kec1_user):
    form = _form(kec1_user, sex="F", birth_date="2023-05-12")
    assert form.is_valid(), form.errors
    assert any("sex" in w for w in form.nik_warnings)
    assert any("birth date" in w for w in form.nik_warnings)


@pytest.mark.django_db
def test_form_error_for_bad_nik_keeps_other_input(kec1_user):
    form = _form(kec1_user, nik="1.23E+15")
    assert not form.is_valid()
    assert "nik" in form.errors and "spreadsheet" in str(form.errors["nik"])
    assert form["name"].value() == "Budi"


@pytest.mark.django_db
def test_form_blank_nik_allowed(kec1_user):
    form = _form(kec1_user, nik="")
    assert form.is_valid(), form.errors


@pytest.mark.django_db
def test_form_refuses_duplicate_nik_on_the_field(kec1_user, child1):
    form = _form(kec1_user, nik=child1.nik)
    assert not form.is_valid()
    assert "already registered" in str(form.errors["nik"])


@pytest.mark.django_db
def test_form_desa_choices_are_the_users_scope(kec1_user):
    form = _form(kec1_user, desa="64.74.02.1001")
    assert not form.is_valid()
    assert "desa" in form.errors
    assert list(form.fields["desa"].queryset.values_list("code", flat=True)) == ["64.74.01.1001"]


@pytest.mark.django_db
def test_messages_are_indonesian_by_default(kec1_user):
    with translation.override("id"):
        form = _form(kec1_user, nik="12345", sex="F")
        assert not form.is_valid()
        assert "NIK harus 16 angka, bukan 5" in str(form.errors["nik"])
        form = _form(kec1_user, sex="F")
        assert form.is_valid()
        assert form.nik_warnings == ["Jenis kelamin di NIK berbeda dengan yang diisi"]
