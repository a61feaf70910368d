"""Forms of the convergence pages."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from . import labels
from . import rules as R
from .models import NotApplicable


class GapFilter(forms.Form):
    region = forms.ChoiceField(label=_("Region"), required=False)
    agency = forms.ChoiceField(label=_("OPD"), required=False)
    item = forms.ChoiceField(label=_("Intervention"), required=False)
    group = forms.ChoiceField(label=_("Target group"), required=False)

    def __init__(self, *args, regions=(), agencies=(), items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("all"))] + list(regions)
        self.fields["agency"].choices = [("", _("all"))] + list(agencies)
        self.fields["item"].choices = [("", _("all"))] + list(items)
        self.fields["group"].choices = [("", _("all"))] + [(k, v) for k, v in labels.GROUPS.items()]


class NotApplicableForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=NotApplicable.Reason.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)


class JsonField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return {}
        try:
            data = json.loads(value)
        except ValueError as exc:
            raise forms.ValidationError(_("Not valid JSON: %(e)s") % {"e": exc}) from exc
        if not isinstance(data, dict):
            raise forms.ValidationError(_("Write an object: {\"kind\": ...}"))
        return data


class LocalRuleForm(forms.Form):
    rule_id = forms.SlugField(label=_("Rule id"), max_length=60,
                              help_text=_("An id of a default rule replaces it; a new id adds a rule."))
    disable = forms.BooleanField(label=_("Switch this default rule off"), required=False)
    group = forms.ChoiceField(label=_("Target group"), required=False,
                              choices=[("", "—")] + [(k, v) for k, v in labels.GROUPS.items()])
    item = forms.CharField(label=_("Intervention code"), required=False, max_length=40)
    condition = JsonField(label=_("Who qualifies (condition)"), required=False,
                          help_text=_("e.g. {\"kind\": \"child_undernourished\", \"indices\": [\"haz\"]}"))
    window = JsonField(label=_("What satisfies it (window)"), required=False,
                       help_text=_("e.g. {\"kind\": \"days_before\", \"days\": 180}"))
    label = forms.CharField(label=_("Description"), required=False, max_length=200)
    source = forms.CharField(label=_("Source (regulation, decree)"), required=False, max_length=300)

    def clean(self):
        data = super().clean()
        if data.get("disable"):
            if data.get("rule_id") and data["rule_id"] not in {r.id for r in R.default_ruleset().rules}:
                self.add_error("rule_id", _("Only a default rule can be switched off."))
            return data
        rule = self.rule_dict(data)
        for problem in R.validate_rule(rule):
            self.add_error(None, problem)
        return data

    @staticmethod
    def rule_dict(data) -> dict:
        return {"id": data.get("rule_id", ""), "group": data.get("group", ""), "item": (data.get("item") or "").upper(),
                "condition": data.get("condition") or {}, "window": data.get("window") or {},
                "label": data.get("label", ""), "source": data.get("source", "")}
