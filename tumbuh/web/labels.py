"""Words shown for codes that live in data, not in templates: the row labels of WHO's
anthro_prevalence layout and the column names of the analytics spreadsheets.

The analytics code keeps WHO's own English labels and snake_case column names (they are its
data model and what anthro prints); what a user reads goes through here, in the active language.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import pgettext_lazy

# anthro_prevalence's Group column: "All", "Age group: 00-05 mo", "Sex: Female",
# "Age + sex: 00-05 mo.Female", "Age (Indonesia): Baduta 00-23 mo".
GROUP_WORDS = {
    "All": _l("All"),
    "Age group": _l("Age group"),
    "Sex": _l("Sex"),
    "Age + sex": _l("Age + sex"),
    "Age (Indonesia)": _l("Age (Indonesia)"),
    "Female": _l("Female"),
    "Male": _l("Male"),
}
_MONTHS = re.compile(r"(\d+-\d+) mo\b")

# Column names of the analytics frames (BNBA, data quality, the prevalence headline and "about").
COLUMN_LABELS = {
    "child_id": _l("Child ID"), "name": _l("Name"), "nik": "NIK", "sex": _l("Sex"),
    "birth_date": _l("Date of birth"), "age_months": _l("Age (months)"), "mother": _l("Mother"),
    "address": _l("Address"), "rt": "RT", "rw": "RW", "desa": _l("Desa code"), "desa_name": _l("Desa"),
    "posyandu": "Posyandu", "posyandu_id": _l("Posyandu ID"), "measured_on": _l("Last measured"),
    "weight_kg": _l("Weight (kg)"), "length_cm": _l("Height (cm)"),
    "haz": pgettext_lazy("column", "TB/U z-score"), "waz": pgettext_lazy("column", "BB/U z-score"),
    "whz": pgettext_lazy("column", "BB/TB z-score"), "bmiz": pgettext_lazy("column", "IMT/U z-score"),
    "weight_gain": _l("Weight gain (N/T)"), "bgm": "BGM",
    "children": _l("Children"), "measurements": _l("Measurements"),
    "flagged_pct": _l("Flagged by WHO (%)"), "sd_haz": _l("SD of TB/U z"), "sd_waz": _l("SD of BB/U z"),
    "sd_whz": _l("SD of BB/TB z"), "dps_weight": _l("Digit preference score, weight"),
    "dps_height": _l("Digit preference score, height"), "birthday_heaping_pct": _l("Birth dates on the 1st or 15th (%)"),
    "height_down": _l("Height went down"), "height_down_pct": _l("Height went down (%)"),
    "missing_weight_pct": _l("Weight missing (%)"), "missing_height_pct": _l("Height missing (%)"),
    "indicator": _l("Indicator"), "rate_pct": _l("Rate (%)"), "ci_lower": _l("95% CI lower"),
    "ci_upper": _l("95% CI upper"), "se": _l("Standard error"), "cases": _l("Cases"),
    "field": _l("Field"), "value": _l("Value"), "Group": _l("Group"),
    "Stratum": _l("Stratum"), "Subgroup": _l("Subgroup"),
    "region": _l("Region"), "region_code": _l("Region code"), "period": _l("Period"),
    "from": _l("From"), "to": _l("To"), "source": _l("Source"), "note": _l("Note"),
    "kecamatan": _l("Kecamatan"), "posyandu_name": "Posyandu", "unit": _l("Posyandu or region"),
    "score": _l("Score"),
    # values of the headline sheet's indicator column
    "stunting": _l("Stunting (TB/U < -2 SD)"), "severe_stunting": _l("Severe stunting (TB/U < -3 SD)"),
    "wasting": _l("Wasting (BB/TB < -2 SD)"), "severe_wasting": _l("Severe wasting (BB/TB < -3 SD)"),
    "underweight": _l("Underweight (BB/U < -2 SD)"), "severe_underweight": _l("Severe underweight (BB/U < -3 SD)"),
    "overweight": _l("Overweight (BB/TB > +2 SD)"),
    "coverage_D_over_S": _l("Weighing coverage (D/S)"), "gained_N_over_D": _l("Gained weight (N/D)"),
}


def anthro_group(text: str) -> str:
    """'Age + sex: 00-05 mo.Female' -> 'Umur + jenis kelamin: 00-05 bl.Perempuan'."""
    if not isinstance(text, str):
        return text
    head, sep, tail = text.partition(": ")
    head = str(GROUP_WORDS.get(head, head))
    tail = ".".join(str(GROUP_WORDS.get(part, part)) for part in tail.split("."))
    return _MONTHS.sub(lambda m: _("%(range)s mo") % {"range": m.group(1)}, f"{head}{sep}{tail}")


def column_label(name) -> str:
    """A spreadsheet header for a frame column; unknown names are kept as they are."""
    return str(COLUMN_LABELS.get(name, name))
