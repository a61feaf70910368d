from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.web.forms import DecimalCommaField
from tumbuh.web.text import ascii_digits


class RupiahField(forms.CharField):
    """Rupiah as typed in Indonesia: "Rp 1.250.000" or "1250000" (dots and spaces are thousand
    separators; no decimals)."""

    def to_python(self, value):
        text = re.sub(r"(?i)^\s*rp\.?", "", super().to_python(value) or "")
        text = re.sub(r"[.\s]", "", text).split(",")[0]
        if not text:
            return None
        if not ascii_digits(text):
            raise forms.ValidationError(_("Type the amount in rupiah, e.g. 1.250.000"))
        return Decimal(text)


class DanaDesaForm(forms.Form):
    desa = forms.ChoiceField(label=_("Village"))
    year = forms.IntegerField(label=_("Year"), min_value=2015, max_value=2100)
    total = RupiahField(label=_("Dana Desa received (Rp)"))
    stunting = RupiahField(label=_("spent on stunting (Rp)"))

    def __init__(self, *args, desa_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desa"].choices = desa_choices

    def clean(self):
        data = super().clean()
        total, stunting = data.get("total"), data.get("stunting")
        if total is None or stunting is None:
            raise forms.ValidationError(_("Both amounts are needed."))
        if stunting > total:
            raise forms.ValidationError(_("The amount spent on stunting cannot exceed the Dana Desa received."))
        return data


class LokusForm(forms.Form):
    desa = forms.ChoiceField(label=_("Village"))
    year = forms.IntegerField(label=_("Year"), min_value=2015, max_value=2100)
    lokus = forms.BooleanField(label=_("priority (lokus) village"), required=False)
    decree = forms.CharField(label=_("decree (SK)"), max_length=120, required=False)

    def __init__(self, *args, desa_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desa"].choices = desa_choices


class LocalTargetForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"))
    indicator = forms.ChoiceField(label=_("indicator"))
    year = forms.IntegerField(label=_("Year"), min_value=2015, max_value=2100)
    target_percent = DecimalCommaField(label=_("target (%)"), min_value=0, max_value=100, required=True)
    source = forms.CharField(label=_("source"), max_length=120, required=False)

    def __init__(self, *args, region_choices=(), indicator_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices
        self.fields["indicator"].choices = indicator_choices
