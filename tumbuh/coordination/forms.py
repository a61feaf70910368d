from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts.models import User
from tumbuh.accounts.scoping import scope_for
from tumbuh.analytics.periods import Period
from tumbuh.regions.models import Region

from . import metrics
from .models import AksiRecord, Commitment, Deadline, Meeting
from .selectors import agencies_for

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def editable_regions(user):
    scope = scope_for(user)
    if scope.is_empty or scope.is_cadre or scope.desa_codes:
        return Region.objects.none()
    qs = Region.objects.filter(scope.region_q("code"))
    if scope.role == "provinsi":
        qs = qs.filter(level__in=[Region.Level.PROVINSI, Region.Level.KABUPATEN])
    elif scope.everything:
        qs = qs.filter(level__in=[Region.Level.PROVINSI, Region.Level.KABUPATEN, Region.Level.KECAMATAN])
    return qs.order_by("code")


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["kind", "title", "date", "region", "chair", "venue", "agenda", "invited", "attending"]
        widgets = {"date": DATE, "agenda": forms.Textarea(attrs={"rows": 4}),
                   "invited": forms.Textarea(attrs={"rows": 2}), "attending": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"agenda": _("Left empty, the agenda is built from the open commitments.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = editable_regions(user)


class MinutesForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["attending", "minutes", "decisions"]
        widgets = {"minutes": forms.Textarea(attrs={"rows": 5}), "decisions": forms.Textarea(attrs={"rows": 4}),
                   "attending": forms.Textarea(attrs={"rows": 2})}


class CommitmentForm(forms.ModelForm):
    metric = forms.ChoiceField(label=_("Measured from Tumbuh data"), required=False)

    class Meta:
        model = Commitment
        fields = ["agency", "owner", "what", "metric", "metric_period", "target", "unit", "budget",
                  "apbd_subactivity", "start_date", "due_date", "status", "reported_value", "comment"]
        widgets = {"start_date": DATE, "due_date": DATE, "comment": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, region_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = metrics.choices()
        kab = ".".join(region_code.split(".")[:2])
        self.fields["agency"].queryset = agencies_for(user).filter(region_id=kab)
        self.fields["owner"].queryset = User.objects.filter(is_active=True).filter(
            scope_for(user).region_q("region_id")).order_by("username")

    def clean_metric_period(self):
        key = self.cleaned_data.get("metric_period", "").strip()
        if key:
            try:
                Period.parse(key)
            except ValueError:
                raise forms.ValidationError(_("Write the period as 2026, 2026-S1, 2026-Q3, 2026-08 or 2026-B08.")) from None
        return key

    def clean(self):
        data = super().clean()
        if data.get("metric") and data.get("target") is None:
            self.add_error("target", _("A measured commitment needs a target."))
        return data


class CommitmentUpdateForm(forms.ModelForm):
    class Meta:
        model = Commitment
        fields = ["status", "reported_value", "comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 2})}


class AksiForm(forms.ModelForm):
    class Meta:
        model = AksiRecord
        fields = ["status", "lead", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = agencies_for(user).filter(region_id=self.instance.region_id)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class DeadlineForm(forms.ModelForm):
    class Meta:
        model = Deadline
        fields = ["region", "title", "due_date", "notes"]
        widgets = {"due_date": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = editable_regions(user)


class CaseReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("Review date"), widget=DATE)
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 4}))
