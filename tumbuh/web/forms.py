"""Form pieces shared by every app: numbers as Indonesians type them.

Every number field of every form with decimals is a `DecimalCommaField` (a float) or a
`DecimalCommaDecimalField` (a Decimal, for percentages stored exactly): "3,2" and "3.2" are both
3.2, never 32. A thousands separator is refused rather than guessed (is "1.250" 1,25 kg or
1250 g?). A field may carry a `check`, a function returning a message for an implausible value
(the measurement ranges of tumbuh.measurements.validation), so a typo is caught on the field.
tests/web/test_decimal_fields.py walks every form of the project and fails on any other
float/decimal field.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _


class DecimalCommaInput(forms.TextInput):
    """A text input with the phone's decimal keypad (type="number" refuses a comma in many
    browsers and silently drops it in others)."""

    def __init__(self, attrs=None):
        base = {"inputmode": "decimal", "autocomplete": "off", "size": 6}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        # A stored number shows with the active language's decimal separator ("3,1" in
        # Indonesian, as the user types it); what the user typed (a string) is shown back as is.
        if isinstance(value, (float, Decimal)):
            return formats.localize_input(value)
        return super().format_value(value)


def _normalise(value):
    if isinstance(value, str):
        value = value.strip().replace(" ", "").replace("\u00a0", "")
        if value.count(",") + value.count(".") > 1:
            raise forms.ValidationError(
                _("Type %(value)s as a plain number with one decimal comma, e.g. 10,5") % {"value": value},
                code="invalid")
        value = value.replace(",", ".")
    return value


class _CommaMixin:
    default_error_messages = {"invalid": _("Enter a number, e.g. 10,5")}

    def __init__(self, *, check: Callable[[float], str | None] | None = None, **kwargs):
        kwargs.setdefault("widget", DecimalCommaInput)
        self.check = check
        super().__init__(**kwargs)

    def to_python(self, value):
        return super().to_python(_normalise(value))

    def validate(self, value):
        super().validate(value)
        if value is not None and self.check is not None:
            problem = self.check(float(value))
            if problem:
                raise forms.ValidationError(str(problem), code="implausible")

    def widget_attrs(self, widget):
        # FloatField/DecimalField add step/min/max for number inputs; a text input needs none.
        return {}


class DecimalCommaField(_CommaMixin, forms.FloatField):
    """A float typed with a decimal comma or point."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class DecimalCommaDecimalField(_CommaMixin, forms.DecimalField):
    """A Decimal typed with a decimal comma or point (model DecimalFields)."""


def decimal_formfield(db_field, **kwargs):
    """`formfield_callback` for ModelForms: their FloatField/DecimalField model fields become the
    comma-aware fields (keeping required, label, help text, digits)."""
    from django.db import models

    if isinstance(db_field, models.DecimalField):
        return db_field.formfield(form_class=DecimalCommaDecimalField, **kwargs)
    if isinstance(db_field, models.FloatField):
        return db_field.formfield(form_class=DecimalCommaField, **kwargs)
    return db_field.formfield(**kwargs)
