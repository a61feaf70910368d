"""Readable labels of the stored rule codes (reasons, 4T flags, KRS risk factors)."""

from django.utils.translation import gettext_lazy as _

REASONS = {
    "bmi_low": _("IMT < 18.5"),
    "lila_low": _("LiLA < 23.5 cm"),
    "hb_low": _("Hb < 11 g/dL"),
    "age_young": _("age under 20"),
    "age_old": _("age over 35"),
    "too_young": _("too young (< 20)"),
    "too_old": _("too old (>= 35)"),
    "too_close": _("too close (< 2 years)"),
    "too_many": _("too many (> 3 children)"),
    "water_unsafe": _("unsafe drinking water"),
    "latrine_unsafe": _("no latrine with septic tank"),
    "wife_young": _("wife under 20"),
    "wife_old": _("wife 35-40"),
    "spacing_close": _("children under 2 years apart"),
    "children_many": _("more than 3 children"),
    "house_unfit": _("house not livable"),
}

GROUP_TITLES = {
    "catin": _("Catin (bride/groom-to-be)"),
    "bumil": _("Pregnant women"),
    "nifas": _("Mothers after birth"),
    "remaja": _("Adolescent girls"),
    "krs": _("Families at risk of stunting (KRS)"),
}


def reasons(codes) -> str:
    return ", ".join(str(REASONS.get(c, c)) for c in codes or ())
