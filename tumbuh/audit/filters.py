"""Filters for the audit log page. Choices are drawn from the events the user may already read,
so the user and object-type drop-downs never reveal names from outside the user's scope."""

from __future__ import annotations

import django_filters
from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent

# Object types that are not models (analytics lists and tables).
OTHER_OBJECT_TYPES = {
    "analytics.bnba": _("BNBA list"),
    "analytics.prevalence": _("prevalence table"),
    "analytics.quality": _("data quality"),
}


def object_type_label(label: str) -> str:
    if label in OTHER_OBJECT_TYPES:
        return str(OTHER_OBJECT_TYPES[label])
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditEvent.Action.choices)
    user = django_filters.ModelChoiceFilter(label=_("User"), queryset=get_user_model().objects.none())
    object_type = django_filters.ChoiceFilter(label=_("Object type"), choices=[])
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="at", lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("Until"), field_name="at", lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "user", "object_type", "date_from", "date_to"]

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        visible = self.queryset
        user_ids = visible.exclude(user=None).values("user_id")
        self.filters["user"].queryset = get_user_model().objects.filter(pk__in=user_ids).order_by("username")
        types = visible.exclude(object_type="").order_by().values_list("object_type", flat=True).distinct()
        self.filters["object_type"].extra["choices"] = sorted(
            ((t, object_type_label(t)) for t in types), key=lambda c: c[1]
        )
