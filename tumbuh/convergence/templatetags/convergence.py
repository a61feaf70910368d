"""`{% package_completeness person=child %}` / `{% package_completeness household=household %}`:
the "complete package" box of the registry's child and household pages (the page has already
scoped the person or household), and the `completeness` filter for list columns."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from .. import selectors, services
from ..models import Gap, Subject

register = template.Library()


@register.inclusion_tag("convergence/_completeness.html")
def package_completeness(person=None, household=None):
    target = person or household
    if target is None:
        return {"comp": None}
    if services.stale_desa(target.desa_id):
        services.ensure_fresh(target.desa_id)
    comp = selectors.completeness_of(person=person, household=household)
    gaps = Gap.objects.filter(subject=Subject.PERSON, person=person) if person is not None else \
        Gap.objects.filter(subject=Subject.HOUSEHOLD, household=household)
    names = selectors._names()
    missing = [(g, names.get(g.item_code, g.item_code)) for g in gaps.order_by("item_code")]
    return {"comp": comp, "missing": missing, "is_household": household is not None}


@register.filter
def completeness_label(comp) -> str:
    """"ya · 4/4", "tidak · 2/5", or "" when no rule applies."""
    if comp is None or not comp.required:
        return ""
    return f"{_('yes') if comp.complete else _('no')} · {comp.received}/{comp.required}"
