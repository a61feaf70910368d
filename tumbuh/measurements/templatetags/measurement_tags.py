"""Badges for growth results: Permenkes category labels in the reader's language, coloured by
severity, as tumbuh.growth.categories defines them."""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()

# N/T/2T/O/B: the KMS weight-gain codes; T and 2T lead to referral (Buku KIA 2023).
GAIN_SEVERITY = {"N": "green", "T": "orange", "2T": "red", "O": "yellow", "B": "blue"}


def _lang() -> str:
    return "en" if (get_language() or "id").startswith("en") else "id"


# The regulation words "normal" differently per index; tumbuh.growth.categories knows how.
INDEX_KEYS = {"BB/U": "bb_u", "TB/U": "pb_u", "PB/U": "pb_u", "BB/TB": "bb_pb", "IMT/U": "imt_u"}


@register.simple_tag
def category_badge(code: str, index: str = ""):
    """``{% category_badge m.length_for_age_category "TB/U" %}``: a coloured badge "TB/U: Pendek"."""
    if not code:
        return ""
    from tumbuh.growth.categories import LABELS, SEVERITY, label

    try:
        text = label(INDEX_KEYS[index], code, _lang())
    except KeyError:
        text = LABELS.get(code, {}).get(_lang(), code)
    return format_html('<span class="badge {}" data-code="{}">{}{}</span>',
                       SEVERITY.get(code, ""), code, f"{index}: " if index else "", text)


@register.simple_tag
def gain_badge(code: str):
    if not code:
        return ""
    titles = {"N": _("gained weight"), "T": _("did not gain weight"), "2T": _("did not gain twice"),
              "O": _("not weighed last month"), "B": _("first weighing")}
    return format_html('<span class="badge {}" title="{}" data-code="{}">{}</span>',
                       GAIN_SEVERITY.get(code, ""), titles.get(code, ""), code, code)


@register.simple_tag
def bgm_badge(below: bool):
    if not below:
        return ""
    return format_html('<span class="badge red" title="{}">BGM</span>', _("below the red line"))


@register.filter
def decimal_input(value) -> str:
    """A number as a cadre would type it back: up to 2 decimals, no trailing zeros, and the
    decimal comma in Indonesian."""
    if value is None or value == "":
        return ""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if _lang() == "id" else text
