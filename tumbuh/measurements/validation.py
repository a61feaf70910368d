"""What a typed measurement must satisfy before it is saved, and what is saved but questioned.

Errors stop the save with a message naming the likely fix (a weight in grams, a length in mm:
the unit slips seen in EPPGBM exports). Warnings never stop a save: the value may be right, so it
is stored with the warning shown next to it, never silently dropped or silently kept.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

# A balita is under five: WHO 2006 covers day 0..1825; from 1826 days the 5-19 y reference applies.
MAX_AGE_DAYS = 1826
WEIGHT_RANGE_KG = (0.5, 40.0)
LENGTH_RANGE_CM = (38.0, 130.0)
HEAD_RANGE_CM = (25.0, 60.0)
ARM_RANGE_CM = (5.0, 30.0)
GRAMS_THRESHOLD = 200.0  # no balita weighs 200 kg; 10945 is 10.945 kg typed in grams
MM_THRESHOLD = 300.0  # no balita is 3 m tall; 875 is 87.5 cm typed in mm
METRES_THRESHOLD = 3.0  # 0.875 is 87.5 cm typed in metres


class Problem(str):
    """A message that remembers which input it is about, so a form can mark that input."""

    field: str | None

    def __new__(cls, text: str, field: str | None = None):
        obj = super().__new__(cls, text)
        obj.field = field
        return obj


def _num(value: float, digits: int = 1) -> str:
    return number_format(round(value, digits), digits)


def _fix(value: float) -> str:
    """A suggested correction, without trailing zeros ("12", not "12,000", which reads as 12000)."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return number_format(value, len(text.partition(".")[2]))


def _range_error(field: str, label: str, value: float, low: float, high: float, unit: str) -> Problem:
    return Problem(
        _("%(label)s %(value)s %(unit)s is outside the possible range %(low)s-%(high)s %(unit)s")
        % {"label": label, "value": _num(value, 2), "unit": unit, "low": _num(low), "high": _num(high)},
        field,
    )


def input_errors(
    *,
    birth_date: dt.date,
    measured_on: dt.date | None,
    weight_kg: float | None,
    length_cm: float | None,
    position: str,
    head: float | None,
    arm: float | None,
    today: dt.date | None = None,
) -> list[Problem]:
    """Hard errors that need nothing but the typed values and the child's birth date."""
    errors: list[Problem] = []
    today = today or timezone.localdate()
    if measured_on is None:
        errors.append(Problem(_("Enter the measurement date"), "measured_on"))
    elif measured_on > today:
        errors.append(Problem(_("The measurement date %(date)s is in the future")
                              % {"date": measured_on.isoformat()}, "measured_on"))
    elif measured_on < birth_date:
        errors.append(Problem(_("The measurement date %(date)s is before the child's birth date %(birth)s")
                              % {"date": measured_on.isoformat(), "birth": birth_date.isoformat()},
                              "measured_on"))
    elif (measured_on - birth_date).days >= MAX_AGE_DAYS:
        errors.append(Problem(_("The child was 5 years or older on %(date)s: not a balita, so not "
                                "measured here") % {"date": measured_on.isoformat()}, "measured_on"))

    if all(v is None for v in (weight_kg, length_cm, head, arm)):
        errors.append(Problem(_("Enter at least a weight or a length/height"), "weight_kg"))

    if weight_kg is not None:
        if weight_kg > GRAMS_THRESHOLD:
            errors.append(Problem(
                _("Weight %(value)s kg looks like grams: did you mean %(fixed)s kg?")
                % {"value": _num(weight_kg, 0), "fixed": _fix(weight_kg / 1000)}, "weight_kg"))
        elif not WEIGHT_RANGE_KG[0] <= weight_kg <= WEIGHT_RANGE_KG[1]:
            errors.append(_range_error("weight_kg", _("Weight"), weight_kg, *WEIGHT_RANGE_KG, "kg"))

    if length_cm is not None:
        if length_cm > MM_THRESHOLD:
            errors.append(Problem(
                _("Length/height %(value)s cm looks like millimetres: did you mean %(fixed)s cm?")
                % {"value": _num(length_cm, 0), "fixed": _fix(length_cm / 10)}, "length_cm"))
        elif 0 < length_cm < METRES_THRESHOLD:
            errors.append(Problem(
                _("Length/height %(value)s cm looks like metres: did you mean %(fixed)s cm?")
                % {"value": _num(length_cm, 3), "fixed": _fix(length_cm * 100)}, "length_cm"))
        elif not LENGTH_RANGE_CM[0] <= length_cm <= LENGTH_RANGE_CM[1]:
            errors.append(_range_error("length_cm", _("Length/height"), length_cm, *LENGTH_RANGE_CM, "cm"))
        if position not in {"l", "h"}:
            errors.append(Problem(_("Choose whether the child was measured lying or standing"), "position"))

    if head is not None and not HEAD_RANGE_CM[0] <= head <= HEAD_RANGE_CM[1]:
        errors.append(_range_error("head_circumference_cm", _("Head circumference"), head, *HEAD_RANGE_CM, "cm"))
    if arm is not None and not ARM_RANGE_CM[0] <= arm <= ARM_RANGE_CM[1]:
        errors.append(_range_error("arm_circumference_cm", _("Arm circumference"), arm, *ARM_RANGE_CM, "cm"))
    return errors
