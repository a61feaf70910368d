"""Forms for typing measurements. Numbers accept a decimal comma ("10,5"), as Indonesians write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Measurement


class DecimalCommaField(forms.FloatField):
    """A float typed with either decimal separator; thousands separators are refused rather than
    guessed (is "1.250" 1.25 kg or 1250 g?), and unit slips are left to validation to name."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={
            "inputmode": "decimal", "autocomplete": "off", "enterkeyhint": "next", "size": 6}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "")
            if value.count(",") + value.count(".") > 1:
                raise forms.ValidationError(
                    _("Type %(value)s as a plain number with one decimal comma, e.g. 10,5")
                    % {"value": value}, code="invalid")
            value = value.replace(",", ".")
        return super().to_python(value)

    def widget_attrs(self, widget):
        # FloatField would add step="any" and min/max for number inputs; a text input needs none.
        return {}


POSITION_CHOICES = [("", "—"), *Measurement.Position.choices]


class SessionRowForm(forms.Form):
    """One child's row on the posyandu session screen."""

    date = forms.DateField(widget=forms.HiddenInput)
    weight_kg = DecimalCommaField(label=_("Weight (kg)"))
    length_cm = DecimalCommaField(label=_("Length/height (cm)"))
    position = forms.ChoiceField(label=_("Position"), choices=POSITION_CHOICES, required=False)
    oedema = forms.BooleanField(label=_("Oedema"), required=False)


class MeasurementForm(forms.Form):
    """Adding or correcting one measurement of one child."""

    measured_on = forms.DateField(label=_("Date measured"),
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    weight_kg = DecimalCommaField(label=_("Weight (kg)"))
    length_cm = DecimalCommaField(label=_("Length/height (cm)"))
    position = forms.ChoiceField(label=_("Position"), choices=POSITION_CHOICES, required=False)
    head_circumference_cm = DecimalCommaField(label=_("Head circumference (cm)"))
    arm_circumference_cm = DecimalCommaField(label=_("Arm circumference / LiLA (cm)"))
    oedema = forms.BooleanField(label=_("Bilateral pitting oedema"), required=False)
    measurer_name = forms.CharField(label=_("Measured by"), max_length=120, required=False)

    @classmethod
    def initial_from(cls, m: Measurement) -> dict:
        return {f: getattr(m, f) for f in cls.base_fields}


def add_problems(form: forms.Form, problems) -> None:
    """Attach service errors to the input each one is about (or to the form as a whole)."""
    for problem in problems:
        field = getattr(problem, "field", None)
        form.add_error(field if field in form.fields else None, str(problem))
