"""One Indonesian-decimal field for every number with decimals, in every form (issue 8, item 6)."""

import datetime as dt
import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

import tumbuh
from tumbuh.registry.models import Person
from tumbuh.registry.testing import nik_for
from tumbuh.web.forms import DecimalCommaDecimalField, DecimalCommaField


def _form_classes():
    for info in pkgutil.walk_packages(tumbuh.__path__, "tumbuh."):
        if not info.name.endswith(".forms"):
            continue
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_decimal_number_field_of_every_form_takes_a_decimal_comma():
    found, wrong = 0, []
    for cls in _form_classes():
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.FloatField | forms.DecimalField):
                found += 1
                if not isinstance(field, DecimalCommaField | DecimalCommaDecimalField):
                    wrong.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert found >= 8  # registry birth weight/length, measurement forms, analytics targets
    assert wrong == []


@pytest.mark.parametrize("typed, value", [("3,2", 3.2), ("3.2", 3.2), (" 49,5 ", 49.5), ("4", 4.0)])
def test_comma_and_point_are_the_same_number(typed, value):
    assert DecimalCommaField().clean(typed) == value


def test_a_thousands_separator_is_refused_not_guessed():
    with pytest.raises(forms.ValidationError):
        DecimalCommaField().clean("1.250,5")


def _registration(born, **extra):
    data = {
        "child-name": "Siti Aminah", "child-nik": nik_for(born, "F"), "child-sex": "F",
        "child-birth_date": born.isoformat(), "child-desa": "64.74.01.1001", "child-posyandu": "",
        "mother_choice-mode": "none", "household_choice-mode": "none",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_registration_keeps_the_decimal_comma(client, kec1_user, regions):
    born = timezone.localdate() - dt.timedelta(days=30)
    client.force_login(kec1_user)
    response = client.post(reverse("registry:child_create"), _registration(
        born, **{"child-birth_weight_kg": "3,2", "child-birth_length_cm": "49,5"}))
    assert response.status_code == 302
    child = Person.objects.get(name="Siti Aminah")
    assert (child.birth_weight_kg, child.birth_length_cm) == (3.2, 49.5)


@pytest.mark.django_db
@pytest.mark.parametrize("field, typed, words", [
    ("birth_weight_kg", "32", "Berat lahir"), ("birth_weight_kg", "3200", "gram"),
    ("birth_length_cm", "495", "milimeter"), ("birth_length_cm", "12", "Panjang lahir"),
])
def test_registration_refuses_an_implausible_birth_value_on_its_field(client, kec1_user, regions, field, typed, words):
    born = timezone.localdate() - dt.timedelta(days=30)
    client.force_login(kec1_user)
    response = client.post(reverse("registry:child_create"), _registration(born, **{f"child-{field}": typed}))
    assert response.status_code == 200
    assert not Person.objects.filter(name="Siti Aminah").exists()
    errors = response.context["forms"].child.errors[field]
    assert any(words in e for e in errors), errors
    assert f'value="{typed}"' in response.content.decode()  # what was typed is kept


@pytest.mark.django_db
def test_target_form_takes_a_decimal_comma():
    from tumbuh.analytics.forms import TargetForm

    field = TargetForm.base_fields["target_percent"]
    assert str(field.clean("14,5")) == "14.5"


def test_a_stored_decimal_shows_with_a_comma_in_indonesian_and_a_point_in_english():
    from decimal import Decimal

    from django.utils import translation

    from tumbuh.web.forms import DecimalCommaInput

    widget = DecimalCommaInput()
    with translation.override("id"):
        assert 'value="3,1"' in widget.render("w", 3.1) and 'value="12,50"' in widget.render("p", Decimal("12.50"))
        assert 'value="3.1"' in widget.render("w", "3.1")  # typed by the user: shown back unchanged
    with translation.override("en"):
        assert 'value="3.1"' in widget.render("w", 3.1)
