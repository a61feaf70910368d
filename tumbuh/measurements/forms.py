"""Forms for typing measurements. Numbers accept a decimal comma ("10,5"), as Indonesians write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.web.forms import DecimalCommaField, DecimalCommaInput

from . import validation
from .models import Measurement

__all__ = ["DecimalCommaField", "SessionRowForm", "MeasurementForm", "add_problems"]


def _number(label, check=None, hint="next"):
    return DecimalCommaField(label=label, check=check, widget=DecimalCommaInput(attrs={"enterkeyhint": hint}))


def _weight(value):
    return validation.weight_problem(value)


def _length(value):
    return validation.length_problem(value)


def _head(value):
    return validation.range_problem(value, field="head_circumference_cm", label=_("Head circumference"),
                                    limits=validation.HEAD_RANGE_CM, unit="cm")


def _arm(value):
    return validation.range_problem(value, field="arm_circumference_cm", label=_("Arm circumference"),
                                    limits=validation.ARM_RANGE_CM, unit="cm")


POSITION_CHOICES = [("", "—"), *Measurement.Position.choices]


class SessionRowForm(forms.Form):
    """One child's row on the posyandu session screen."""

    date = forms.DateField(widget=forms.HiddenInput)
    weight_kg = _number(_("Weight (kg)"), _weight)
    length_cm = _number(_("Length/height (cm)"), _length)
    arm_circumference_cm = _number(_("LiLA (cm)"), _arm)
    position = forms.ChoiceField(label=_("Position"), choices=POSITION_CHOICES, required=False)
    oedema = forms.BooleanField(label=_("Oedema"), required=False)
    # The Save button says "save what is typed"; Enter saves only a complete row (weight and
    # length/height), so a half-typed row is never saved by a stray Enter.
    partial = forms.BooleanField(required=False)
    confirm = forms.BooleanField(label=_("I checked again: the values are right"), required=False)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        weight, length = cleaned.get("weight_kg"), cleaned.get("length_cm")
        if not cleaned.get("partial") and (weight is None) != (length is None):
            missing = "length_cm" if length is None else "weight_kg"
            self.add_error(missing, _("Enter the length/height too, or press Save to save only the weight")
                           if missing == "length_cm" else
                           _("Enter the weight too, or press Save to save only the length/height"))
        return cleaned


class MeasurementForm(forms.Form):
    """Adding or correcting one measurement of one child."""

    measured_on = forms.DateField(label=_("Date measured"),
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    weight_kg = _number(_("Weight (kg)"), _weight)
    length_cm = _number(_("Length/height (cm)"), _length)
    position = forms.ChoiceField(label=_("Position"), choices=POSITION_CHOICES, required=False)
    head_circumference_cm = _number(_("Head circumference (cm)"), _head)
    arm_circumference_cm = _number(_("Arm circumference / LiLA (cm)"), _arm)
    oedema = forms.BooleanField(label=_("Bilateral pitting oedema"), required=False)
    measurer_name = forms.CharField(label=_("Measured by"), max_length=120, required=False)
    confirm = forms.BooleanField(label=_("I checked again: the values are right"), required=False)

    @classmethod
    def initial_from(cls, m: Measurement) -> dict:
        return {**{f: getattr(m, f) for f in cls.base_fields if f != "confirm"}, "confirm": m.values_confirmed}


def add_problems(form: forms.Form, problems) -> None:
    """Attach service errors to the input each one is about (or to the form as a whole)."""
    for problem in problems:
        field = getattr(problem, "field", None)
        form.add_error(field if field in form.fields else None, str(problem))
