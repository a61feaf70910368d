"""Plausibility rules for target-group entries, in the style of measurements.validation: a hard
error names the likely fix (grams typed as kg, metres typed as cm) and nothing is saved."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from tumbuh.measurements.validation import Problem, _fix, _num, _range_error

ADULT_WEIGHT_KG = (25.0, 200.0)
ADULT_HEIGHT_CM = (120.0, 210.0)
LILA_CM = (10.0, 50.0)
HB_GDL = (3.0, 20.0)
WAIST_CM = (40.0, 200.0)
BIRTH_WEIGHT_G = (300, 6500)
BIRTH_LENGTH_CM = (20.0, 65.0)
MAX_PREGNANCY_WEEKS = 45


def _date_problems(value: dt.date | None, field: str, label: str, today: dt.date, *, required=True) -> list[Problem]:
    if value is None:
        return [Problem(_("Enter the %(label)s") % {"label": label}, field)] if required else []
    if value > today:
        return [Problem(_("%(label)s %(date)s is in the future") % {"label": label, "date": value.strftime("%d-%m-%Y")}, field)]
    return []


def body_problems(values: dict, today: dt.date) -> list[Problem]:
    """Weight, height, LiLA, Hb, waist of an adult or adolescent."""
    out: list[Problem] = []
    w = values.get("weight_kg")
    if w is not None:
        if w > 1000:
            out.append(Problem(_("Weight %(value)s kg looks like grams: did you mean %(fixed)s kg?")
                               % {"value": _num(w, 0), "fixed": _fix(w / 1000)}, "weight_kg"))
        elif not ADULT_WEIGHT_KG[0] <= w <= ADULT_WEIGHT_KG[1]:
            out.append(_range_error("weight_kg", _("Weight"), w, *ADULT_WEIGHT_KG, "kg"))
    h = values.get("height_cm")
    if h is not None:
        if 0 < h < 3:
            out.append(Problem(_("Height %(value)s cm looks like metres: did you mean %(fixed)s cm?")
                               % {"value": _num(h, 2), "fixed": _fix(h * 100)}, "height_cm"))
        elif h > 300:
            out.append(Problem(_("Height %(value)s cm looks like millimetres: did you mean %(fixed)s cm?")
                               % {"value": _num(h, 0), "fixed": _fix(h / 10)}, "height_cm"))
        elif not ADULT_HEIGHT_CM[0] <= h <= ADULT_HEIGHT_CM[1]:
            out.append(_range_error("height_cm", _("Height"), h, *ADULT_HEIGHT_CM, "cm"))
    lila = values.get("lila_cm")
    if lila is not None:
        if lila > 100:
            out.append(Problem(_("LiLA %(value)s cm looks like millimetres: did you mean %(fixed)s cm?")
                               % {"value": _num(lila, 0), "fixed": _fix(lila / 10)}, "lila_cm"))
        elif not LILA_CM[0] <= lila <= LILA_CM[1]:
            out.append(_range_error("lila_cm", _("LiLA"), lila, *LILA_CM, "cm"))
    hb = values.get("hb_gdl")
    if hb is not None:
        if 30 <= hb <= 200:
            out.append(Problem(_("Hb %(value)s looks like g/L: did you mean %(fixed)s g/dL?")
                               % {"value": _num(hb, 0), "fixed": _fix(hb / 10)}, "hb_gdl"))
        elif not HB_GDL[0] <= hb <= HB_GDL[1]:
            out.append(_range_error("hb_gdl", _("Hb"), hb, *HB_GDL, "g/dL"))
    waist = values.get("waist_cm")
    if waist is not None and not WAIST_CM[0] <= waist <= WAIST_CM[1]:
        out.append(_range_error("waist_cm", _("Waist"), waist, *WAIST_CM, "cm"))
    return out


def catin_problems(values: dict, today: dt.date) -> list[Problem]:
    out = _date_problems(values.get("screened_on"), "screened_on", _("screening date"), today)
    out += body_problems(values, today)
    planned, screened = values.get("planned_marriage_on"), values.get("screened_on")
    if planned and screened and planned < screened:
        out.append(Problem(_("The planned marriage date is before the screening date"), "planned_marriage_on"))
    return out


def pregnancy_problems(values: dict, birth_date: dt.date, today: dt.date) -> list[Problem]:
    hpht = values.get("hpht")
    out = _date_problems(hpht, "hpht", _("HPHT"), today)
    if hpht and hpht <= today:
        if (today - hpht).days > MAX_PREGNANCY_WEEKS * 7:
            out.append(Problem(_("HPHT %(date)s is more than %(weeks)s weeks ago: check the year")
                               % {"date": hpht.strftime("%d-%m-%Y"), "weeks": MAX_PREGNANCY_WEEKS}, "hpht"))
        if (hpht - birth_date).days < 365 * 10:
            out.append(Problem(_("The mother would be under 10 years old at HPHT: check her birth date"), "hpht"))
    last = values.get("last_birth_on")
    if last and hpht and last > hpht:
        out.append(Problem(_("The last child's birth date is after this pregnancy's HPHT"), "last_birth_on"))
    if (values.get("para") or 0) >= (values.get("gravida") or 1):
        out.append(Problem(_("Para (children born) must be less than gravida (this pregnancy included)"), "para"))
    out += body_problems({k: values.get(k) for k in ("lila_cm", "hb_gdl", "height_cm")}
                         | {"weight_kg": values.get("weight_before_kg")}, today)
    for p in out:
        if p.field == "weight_kg":
            p.field = "weight_before_kg"
    return out


def visit_problems(values: dict, hpht: dt.date, today: dt.date, end: dt.date | None = None) -> list[Problem]:
    day = values.get("visited_on")
    out = _date_problems(day, "visited_on", _("visit date"), today)
    if day and day < hpht:
        out.append(Problem(_("The visit date %(date)s is before HPHT %(hpht)s")
                           % {"date": day.strftime("%d-%m-%Y"), "hpht": hpht.strftime("%d-%m-%Y")}, "visited_on"))
    if day and end and day > end:
        out.append(Problem(_("The visit date is after the pregnancy ended (%(date)s)") % {"date": end.strftime("%d-%m-%Y")},
                           "visited_on"))
    ttd = values.get("ttd_given") or 0
    if ttd > 120:
        out.append(Problem(_("%(n)s TTD tablets at one visit is not plausible (at most 120)") % {"n": ttd}, "ttd_given"))
    out += body_problems({k: values.get(k) for k in ("weight_kg", "lila_cm", "hb_gdl")}, today)
    return out


def birth_problems(values: dict, today: dt.date, prefix: str = "") -> list[Problem]:
    out: list[Problem] = []
    w = values.get("weight_g")
    if w is not None:
        if 0 < w < 10:
            out.append(Problem(_("Birth weight %(value)s g looks like kilograms: did you mean %(fixed)s g?")
                               % {"value": _num(w, 2), "fixed": _fix(w * 1000)}, prefix + "weight_g"))
        elif not BIRTH_WEIGHT_G[0] <= w <= BIRTH_WEIGHT_G[1]:
            out.append(_range_error(prefix + "weight_g", _("Birth weight"), w, *BIRTH_WEIGHT_G, "g"))
    length = values.get("length_cm")
    if length is not None and not BIRTH_LENGTH_CM[0] <= length <= BIRTH_LENGTH_CM[1]:
        out.append(_range_error(prefix + "length_cm", _("Birth length"), length, *BIRTH_LENGTH_CM, "cm"))
    return out
