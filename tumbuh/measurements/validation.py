"""What a typed measurement must satisfy before it is saved, and what is saved but questioned.

Errors stop the save with a message naming the likely fix (a weight in grams, a length in mm:
the unit slips seen in EPPGBM exports). Warnings never stop a save: the value may be right, so it
is stored with the warning shown next to it, never silently dropped or silently kept.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

# A balita is under five: WHO 2006 covers day 0..1825; from 1826 days the 5-19 y reference applies.
MAX_AGE_DAYS = 1826
WEIGHT_RANGE_KG = (0.5, 40.0)
LENGTH_RANGE_CM = (38.0, 130.0)
HEAD_RANGE_CM = (25.0, 60.0)
ARM_RANGE_CM = (5.0, 30.0)
# At birth (registration form): tighter than any age, so "32" typed for 3,2 kg is caught.
BIRTH_WEIGHT_RANGE_KG = (0.3, 7.0)
BIRTH_LENGTH_RANGE_CM = (20.0, 65.0)
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


def weight_problem(value: float, *, field: str = "weight_kg", label: str | None = None,
                   limits: tuple[float, float] = WEIGHT_RANGE_KG) -> Problem | None:
    """A weight typed in grams, or outside `limits`; None when plausible."""
    label = label or _("Weight")
    if value > GRAMS_THRESHOLD:
        return Problem(
            _("%(label)s %(value)s kg looks like grams: did you mean %(fixed)s kg?")
            % {"label": label, "value": _num(value, 0), "fixed": _fix(value / 1000)}, field)
    if not limits[0] <= value <= limits[1]:
        return _range_error(field, label, value, *limits, "kg")
    return None


def length_problem(value: float, *, field: str = "length_cm", label: str | None = None,
                   limits: tuple[float, float] = LENGTH_RANGE_CM) -> Problem | None:
    """A length typed in millimetres or metres, or outside `limits`; None when plausible."""
    label = label or _("Length/height")
    if value > MM_THRESHOLD:
        return Problem(
            _("%(label)s %(value)s cm looks like millimetres: did you mean %(fixed)s cm?")
            % {"label": label, "value": _num(value, 0), "fixed": _fix(value / 10)}, field)
    if 0 < value < METRES_THRESHOLD:
        return Problem(
            _("%(label)s %(value)s cm looks like metres: did you mean %(fixed)s cm?")
            % {"label": label, "value": _num(value, 3), "fixed": _fix(value * 100)}, field)
    if not limits[0] <= value <= limits[1]:
        return _range_error(field, label, value, *limits, "cm")
    return None


def range_problem(value: float, *, field: str, label: str, limits: tuple[float, float], unit: str) -> Problem | None:
    if not limits[0] <= value <= limits[1]:
        return _range_error(field, label, value, *limits, unit)
    return None


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
    sex: str | None = None,
) -> list[Problem]:
    """Hard errors that need nothing but the typed values and the child's birth date (and sex:
    with it, a length outside the fixed range is judged by WHO's flag rule, `who_length_problem`)."""
    errors: list[Problem] = []
    today = today or timezone.localdate()
    if measured_on is None:
        errors.append(Problem(_("Enter the measurement date"), "measured_on"))
    elif measured_on > today:
        errors.append(Problem(_("The measurement date %(date)s is in the future")
                              % {"date": measured_on.strftime("%d-%m-%Y")}, "measured_on"))
    elif measured_on < birth_date:
        errors.append(Problem(_("The measurement date %(date)s is before the child's birth date %(birth)s")
                              % {"date": measured_on.strftime("%d-%m-%Y"), "birth": birth_date.strftime("%d-%m-%Y")},
                              "measured_on"))
    elif (measured_on - birth_date).days >= MAX_AGE_DAYS:
        errors.append(Problem(_("The child was 5 years or older on %(date)s: not a balita, so not "
                                "measured here") % {"date": measured_on.strftime("%d-%m-%Y")}, "measured_on"))

    if all(v is None for v in (weight_kg, length_cm, head, arm)):
        errors.append(Problem(_("Enter at least a weight or a length/height"), "weight_kg"))

    if weight_kg is not None:
        problem = weight_problem(weight_kg)
        if problem:
            errors.append(problem)

    if length_cm is not None:
        problem = length_problem(length_cm)
        if problem and sex in ("M", "F") and position in ("l", "h") and measured_on is not None:
            problem = who_length_problem(problem, length_cm, sex, (measured_on - birth_date).days, position)
        if problem:
            errors.append(problem)
        if position not in {"l", "h"}:
            errors.append(Problem(_("Choose whether the child was measured lying or standing"), "position"))

    if head is not None:
        problem = range_problem(head, field="head_circumference_cm", label=_("Head circumference"),
                                limits=HEAD_RANGE_CM, unit="cm")
        if problem:
            errors.append(problem)
    if arm is not None:
        problem = range_problem(arm, field="arm_circumference_cm", label=_("Arm circumference"),
                                limits=ARM_RANGE_CM, unit="cm")
        if problem:
            errors.append(problem)
    return errors


@lru_cache(maxsize=10_000)
def who_length_for_age(height: float, sex: str, age_days: int, position: str) -> tuple[float | None, bool]:
    """(length/height-for-age z, flagged by WHO's rule |z| > 6) from the growth engine."""
    from tumbuh.growth import anthro_zscore_row

    row = anthro_zscore_row(sex=1 if sex == "M" else 2, age_days=age_days, lenhei=height, measure=position)
    z = row.get("zlen")
    return z, bool(row.get("flen"))


def who_length_problem(problem: Problem, length_cm: float, sex: str, age_days: int, position: str) -> Problem | None:
    """A length outside the fixed range (38-130 cm) is kept when WHO's flag rule keeps it
    (length/height-for-age within -6..+6 SD): a tall 4-year-old at +5.4 SD is a real child
    (issue 8 item 11). Beyond the flag limits it is refused with the z-score that says why. A unit
    slip (millimetres, metres) keeps its own message: those are physically impossible as cm."""
    if not METRES_THRESHOLD <= length_cm <= MM_THRESHOLD or not 0 <= age_days < MAX_AGE_DAYS:
        return problem
    z, flagged = who_length_for_age(length_cm, sex, age_days, position)
    if z is not None and not flagged:
        return None
    if z is None:
        return Problem(_("Length/height %(value)s cm is outside what WHO's tables cover")
                       % {"value": _num(length_cm)}, "length_cm")
    return Problem(_("Length/height %(value)s cm: WHO flags length/height-for-age %(z)s SD as implausible "
                     "(beyond -6 to +6 SD)") % {"value": _num(length_cm), "z": f"{z:+.1f}".replace(".", ",")},
                   "length_cm")
