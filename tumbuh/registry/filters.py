"""Filters of the children list; choices come from the user's scope."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.regions.models import Posyandu, Region
from tumbuh.regions.selectors import posyandu_for
from tumbuh.web.text import ascii_digits

from . import selectors
from .forms import desa_choices
from .models import Person

STATUS_CHOICES = [
    ("stunted", _("Stunted (TB/U < -2 SD)")),
    ("wasted", _("Wasted (BB/TB < -2 SD)")),
    ("underweight", _("Underweight (BB/U < -2 SD)")),
    ("2t", _("2T: did not gain twice")),
    ("bgm", _("BGM: below the red line")),
    ("not_measured_2m", _("Not measured for 2 months")),
]


class PosyanduChoiceField(forms.ModelChoiceField):
    """Posyandu names repeat across desa ("Posyandu Anggrek 1" in four kelurahan): the desa is
    named beside each."""

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.desa.name})"


class PosyanduFilter(django_filters.ModelChoiceFilter):
    field_class = PosyanduChoiceField


class ChildFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name or NIK"), method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or NIK")}),
    )
    desa = django_filters.ModelChoiceFilter(label=_("Desa/kelurahan"), queryset=Region.objects.none(),
                                            empty_label=_("All"))
    posyandu = PosyanduFilter(label=_("Posyandu"), queryset=Posyandu.objects.none(),
                                                empty_label=_("All"))
    status = django_filters.ChoiceFilter(label=_("Status (latest measurement)"), choices=STATUS_CHOICES,
                                         method="by_status", empty_label=_("All"))

    class Meta:
        model = Person
        fields = ["q", "desa", "posyandu", "status"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = request.user
        self.filters["desa"].queryset = desa_choices(user)
        self.filters["posyandu"].queryset = posyandu_for(user).select_related("desa").order_by("name", "desa__name", "pk")

    def search(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        digits = text.replace(" ", "")
        if ascii_digits(digits):
            # Lists show the last 4 digits, so a search by them must work too.
            return queryset.filter(nik__contains=digits) if len(digits) < 16 else queryset.filter(nik=digits)
        return queryset.filter(name__icontains=text)

    def by_status(self, queryset, name, value):
        return selectors.filter_latest_status(queryset, value) if value else queryset
