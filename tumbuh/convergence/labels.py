"""Words shown for rules, items and reasons (English msgids, Indonesian in locale/id)."""

from __future__ import annotations

import datetime as dt
import functools

from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from tumbuh.web.text import rounded

GROUPS = {
    "balita": gettext_lazy("Children 0-59 months"),
    "bumil": gettext_lazy("Pregnant women"),
    "catin": gettext_lazy("Brides and grooms-to-be"),
    "remaja": gettext_lazy("Adolescent girls"),
    "nifas": gettext_lazy("Mothers after birth"),
    "keluarga": gettext_lazy("Families (households)"),
}

# Items that are not catalogue deliveries.
ITEMS = {
    "PENGUKURAN": gettext_lazy("Measured at the posyandu"),
    "SKRINING-CATIN": gettext_lazy("Catin screening (Elsimil)"),
}

RULE_LABELS = {
    "balita-pmt": gettext_lazy("Undernourished child: PMT in the last 90 days"),
    "balita-rujukan": gettext_lazy("Stunted child: paediatric verification once, since the first stunted measurement"),
    "balita-gizi-buruk": gettext_lazy("Severe wasting: treatment within 14 days of the measurement"),
    "balita-vita": gettext_lazy("Child 6-59 months: vitamin A in the last February/August round"),
    "baduta-diukur": gettext_lazy("Child 0-23 months: measured this month or last month"),
    "baduta-imunisasi": gettext_lazy("Child 12-23 months: complete basic immunisation by 12 months"),
    "bumil-anc": gettext_lazy("Pregnant woman: the ANC contacts due for her weeks (K1-K6)"),
    "bumil-ttd": gettext_lazy("Pregnant woman: TTD on course to 90 tablets"),
    "bumil-pmt": gettext_lazy("Pregnant woman with KEK: PMT in the last 90 days"),
    "catin-skrining": gettext_lazy("Catin: screened at least 3 months before the marriage"),
    "catin-ttd": gettext_lazy("Anaemic catin: TTD before the marriage"),
    "remaja-ttd": gettext_lazy("Adolescent girl 12-18: TTD every week of the last 4 weeks"),
    "keluarga-tpk": gettext_lazy("KRS family or family of an undernourished child: TPK visit this month"),
    "keluarga-air": gettext_lazy("Family of an undernourished child without safe water: drinking-water access"),
    "keluarga-jamban": gettext_lazy("Family of an undernourished child without a safe latrine: latrine"),
    "keluarga-jkn": gettext_lazy("Family of an undernourished child: the child a JKN member, or JKN-PBI"),
}


def group_label(code: str) -> str:
    return str(GROUPS.get(code, code))


def rule_label(rule) -> str:
    if rule.id in RULE_LABELS and rule.origin == "default":
        return str(RULE_LABELS[rule.id])
    return rule.label or rule.id


def _z(value, lang: str | None = None) -> str:
    return _number(value, 2, lang or get_language()) if value is not None else "?"


@functools.lru_cache(maxsize=8192)
def _number(value, places: int, lang: str | None) -> str:
    """number_format, remembered per language (a z-score has a few hundred distinct values; the CLI
    formats tens of thousands)."""
    return number_format(rounded(value, places), places)  # rounded first: number_format cuts digits


@functools.lru_cache(maxsize=4096)
def _translated(msgid: str, lang: str | None) -> str:
    return _(msgid)


def _day(iso: str | None) -> str:
    if not iso:
        return ""
    return dt.date.fromisoformat(iso).strftime("%d-%m-%Y")


def reason_text(code: str, args: dict, names: dict[int, str] | None = None, *, lang: str | None = None) -> str:
    """Why a person or household is in the rule's group, in words: "BB/TB -2,31 (12-05-2026)".
    `lang`: the active language, when the caller formats many rows (read once)."""
    lang = lang or get_language()

    def _(msgid: str) -> str:  # gettext, remembered per language
        return _translated(msgid, lang)

    a = args or {}
    if code == "measurement":
        parts = []
        for key, label in (("whz", "BB/TB"), ("waz", "BB/U"), ("haz", "TB/U")):
            if key in a:
                parts.append(f"{label} {_z(a[key], lang)}")
        if "lila" in a:
            parts.append(_("LiLA %(cm)s cm") % {"cm": _number(a["lila"], 1, lang)})
        if a.get("oedema"):
            parts.append(_("oedema"))
        if a.get("gain"):
            parts.append(str(a["gain"]))
        if a.get("bgm"):
            parts.append("BGM")
        return f"{'; '.join(parts)} ({_day(a.get('on'))})"
    if code == "age_months":
        return _("age %(n)s months") % {"n": a.get("months")}
    if code in ("pregnant", "kek"):
        text = _("pregnant, week %(w)s") % {"w": a.get("weeks")}
        if code == "kek":
            text += ", KEK"
        if "required" in a and "contacts" in a:
            text += "; " + _("%(have)s of %(need)s ANC contacts") % {"have": a["contacts"], "need": a["required"]}
        if "required" in a and "tablets" in a:
            text += "; " + _("%(have)s of %(need)s TTD tablets") % {"have": a["tablets"], "need": a["required"]}
        return text
    if code in ("catin", "catin_anaemic"):
        text = _("marriage planned %(d)s") % {"d": _day(a.get("marriage")) or "?"}
        if code == "catin_anaemic":
            text = _("anaemic (Hb < 11)") + "; " + text
        if a.get("screened"):
            text += "; " + _("screened %(d)s") % {"d": _day(a["screened"])}
        return text
    if code == "adolescent":
        text = _("age %(n)s years") % {"n": a.get("years")}
        if a.get("weeks_missing"):
            text += "; " + _("%(n)s of the last %(w)s weeks without TTD") % {"n": a["weeks_missing"], "w": a["weeks"]}
        return text
    if code == "krs":
        text = _("KRS family (%(p)s)") % {"p": a.get("period")}
    elif code == "child":
        name = (names or {}).get(a.get("child"), "")
        text = _("family of an undernourished child") + (f" ({name})" if name else "")
    else:
        text = code
    if a.get("water"):
        text += "; " + _("water: %(v)s") % {"v": water_label(a["water"])}
    if a.get("latrine"):
        text += "; " + _("latrine: %(v)s") % {"v": latrine_label(a["latrine"])}
    return text


def water_label(code: str) -> str:
    from tumbuh.targets.models import KrsSnapshot

    return str(dict(KrsSnapshot.Water.choices).get(code, code))


def latrine_label(code: str) -> str:
    from tumbuh.targets.models import KrsSnapshot

    return str(dict(KrsSnapshot.Latrine.choices).get(code, code))
