"""Template helpers shared by all pages: navigation links, NIK masking, ages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tumbuh.web import text as webtext

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_link(context, url_name: str, label: str, *args):
    """A menu link, or nothing while the view it points to does not exist (apps land in parallel)."""
    try:
        url = reverse(url_name, args=args or None)
    except NoReverseMatch:
        return ""
    request = context.get("request")
    current = bool(request) and (request.path == url or (url != "/" and request.path.startswith(url)
                                                         and not _deeper_nav_item(url, request.path)))
    return format_html('<a href="{}"{}>{}</a>', url, mark_safe(' aria-current="page"') if current else "", label)


# The menu's own entries (web/_nav.html), so that a page under /analytics/bnba/ marks "BNBA" and not
# also "Dasbor" (/analytics/): the longest menu URL that holds the page is the current one.
NAV_URL_NAMES = ("measurements:session_list", "registry:child_list", "targets:overview", "analytics:dashboard",
                 "analytics:bnba", "analytics:quality", "coordination:index", "interventions:deliveries",
                 "indicators:scorecard", "convergence:gaps", "reports:index", "imports:upload", "audit:list")


def _deeper_nav_item(url: str, path: str) -> bool:
    for name in NAV_URL_NAMES:
        try:
            other = reverse(name)
        except NoReverseMatch:
            continue
        if len(other) > len(url) and other.startswith(url) and path.startswith(other):
            return True
    return False


@register.simple_tag
def url_if_exists(url_name: str, *args):
    """The URL, or "" when it does not resolve: `{% url_if_exists 'x:y' pk as u %}{% if u %}...`."""
    try:
        return reverse(url_name, args=args or None)
    except NoReverseMatch:
        return ""


@register.filter
def mask_nik(nik: str) -> str:
    """Lists show only the last 4 digits of a NIK (or KK number); the child page shows it whole
    to the roles that see whole NIKs (`nik_for`)."""
    return webtext.mask_nik(nik)


@register.filter
def nik_for(number: str, scope) -> str:
    """The NIK/KK as this scope may see it on a page about one person: whole, or masked for the
    roles that only need aggregates (Scope.sees_full_nik)."""
    return number if getattr(scope, "sees_full_nik", False) else webtext.mask_nik(number)


@register.filter
def age_label(birth_date: dt.date | None, on: dt.date | None = None) -> str:
    """Age as Indonesian cards write it: "2 th 3 bl" (years, months), or "17 hr" under a month."""
    if not birth_date:
        return ""
    on = on or timezone.localdate()
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month - (on.day < birth_date.day)
    if months < 0:
        return ""
    if months == 0:
        return _("%(days)d d") % {"days": (on - birth_date).days}
    years, months = divmod(months, 12)
    if years == 0:
        return _("%(months)d mo") % {"months": months}
    return _("%(years)d y %(months)d mo") % {"years": years, "months": months}


@register.filter
def zscore(value) -> str:
    """z-score with sign and 2 decimals in the active language's format ("-2,28", "+0,50" in
    Indonesian); "" when missing (or unresolvable in the template)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return ""
    text = number_format(round(float(value), 2) + 0.0, decimal_pos=2)  # + 0.0: no "-0,00"
    return text if text.startswith("-") else f"+{text}"


@register.filter
def anthro_group(text):
    """A row label of WHO's anthro_prevalence layout in the active language."""
    from tumbuh.web.labels import anthro_group as label

    return label(text)


@register.filter
def rate(percent, denominator) -> str:
    """A headline percentage over `denominator` people: "—%" when there is nobody to count, and a
    grey "sampel kecil" mark below the analytics pages' small-sample size, so a rate on one
    pregnancy is never read as a headline (the same rule as analytics.prevalence)."""
    from tumbuh.analytics.prevalence import SMALL_SAMPLE_N

    if percent is None or not denominator:
        return "—%"
    # rounded first (half up, as reports and files): Django's number_format cuts the digits
    text = f"{number_format(webtext.rounded(percent, 1), decimal_pos=1)}%"
    if denominator < SMALL_SAMPLE_N:
        return format_html('<span class="muted">{}</span> <span class="badge grey small-sample-mark">{}</span>',
                           text, _("small sample"))
    return text


@register.filter(is_safe=True)
def count(value):
    """A count in page text, grouped in the active language: `{{ n|count }}` is "10.000" in
    Indonesian, "10,000" in English; "—" when None, "" when empty or unresolvable, anything that
    is not a whole number unchanged. Only for text: never in an attribute, an id or a URL
    (why not USE_THOUSAND_SEPARATOR: docs/web.md "Numbers")."""
    return webtext.format_count(value)


# A date kept as ISO text (a JSON snapshot such as a course's eligibility) as pages write dates.
register.filter("iso_day", webtext.iso_date_shown)
