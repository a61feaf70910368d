"""Forms of the interventions pages. Numbers with decimals are DecimalComma fields (a comma or a
point); choices come from the user's scope (their effective catalogue, the agencies serving their
area, their desa and posyandu), so a select never offers an outside place."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.coordination.models import AgencyKind
from tumbuh.regions.models import Region
from tumbuh.regions.selectors import posyandu_for, regions_for
from tumbuh.web.forms import DecimalCommaDecimalField

from . import selectors
from .models import FundSource, Kind, TargetGroup, Unit

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]


def date_field(label, required=True):
    return forms.DateField(label=label, required=required, input_formats=DATE_FORMATS,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def item_choices(scope, *, courses_only: bool = False, blank: bool = True):
    region = selectors.catalogue_region(scope)
    codes = selectors.opd_codes(scope) if scope.is_opd else None
    out = [("", "—")] if blank else []
    for code, item in selectors.catalogue_for(region).items():
        if codes is not None and code not in codes:
            continue
        if courses_only and not (item.course_days or item.course_amount):
            continue
        out.append((code, f"{code} · {item.name}"))
    return out


def desa_choices(scope, blank=True):
    area = selectors.recipients_scope(scope)
    rows = regions_for(area).filter(level=Region.Level.DESA).order_by("name").values_list("code", "name")
    return ([("", "—")] if blank else []) + list(rows)


def posyandu_choices(scope, blank=True):
    area = selectors.recipients_scope(scope)
    rows = posyandu_for(area).select_related("desa").order_by("name")
    return ([("", "—")] if blank else []) + [(str(p.pk), f"{p.name} · {p.desa.name}") for p in rows]


def agency_choices(scope, blank=True, kinds=None):
    qs = selectors.agencies_for(scope).order_by("code")
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return ([("", "—")] if blank else []) + [(str(a.pk), f"{a.code} · {a.name}") for a in qs]


class DeliveryFilter(forms.Form):
    desa = forms.ChoiceField(label=_("Desa/kelurahan"), required=False)
    posyandu = forms.ChoiceField(label=_("Posyandu"), required=False)
    code = forms.ChoiceField(label=_("Intervention"), required=False)
    agency = forms.ChoiceField(label=_("Agency"), required=False)
    fund = forms.ChoiceField(label=_("Source of funds"), required=False,
                             choices=[("", "—"), *FundSource.choices])
    date_from = date_field(_("From"), required=False)
    date_to = date_field(_("To"), required=False)

    def __init__(self, scope, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desa"].choices = desa_choices(scope)
        self.fields["posyandu"].choices = posyandu_choices(scope)
        self.fields["code"].choices = item_choices(scope)
        self.fields["agency"].choices = agency_choices(scope)


class DeliveryForm(forms.Form):
    item_code = forms.ChoiceField(label=_("Intervention"))
    nik = forms.CharField(label=_("NIK of the recipient"), required=False, max_length=16,
                          help_text=_("For an intervention given to a person."))
    kk = forms.CharField(label=_("KK number"), required=False, max_length=16,
                         help_text=_("For an intervention given to a household."))
    date = date_field(_("Date"))
    quantity = DecimalCommaDecimalField(label=_("Quantity"), max_digits=14, decimal_places=2)
    unit = forms.ChoiceField(label=_("Unit"), required=False, choices=[("", _("the item's unit")), *Unit.choices])
    fund_source = forms.ChoiceField(label=_("Source of funds"), required=False,
                                    choices=[("", "—"), *FundSource.choices])
    agency = forms.ChoiceField(label=_("Agency"), required=False)
    delivered_by = forms.CharField(label=_("Delivered by"), required=False, max_length=200)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, scope, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item_code"].choices = item_choices(scope)
        self.fields["agency"].choices = agency_choices(scope)


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CourseForm(forms.Form):
    item_code = forms.ChoiceField(label=_("Intervention"))
    start = date_field(_("Start"))
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=366, required=False)
    planned_amount = DecimalCommaDecimalField(label=_("Planned amount"), max_digits=12, decimal_places=2,
                                              required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, scope, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item_code"].choices = item_choices(scope, courses_only=True)


class CloseCourseForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("selesai", _("Completed")),
                                                           ("berhenti", _("Stopped early"))])
    exit_reason = forms.CharField(label=_("Reason stopped"), required=False, max_length=200)


class PledgeForm(forms.Form):
    sponsor = forms.ChoiceField(label=_("Foster parent"))
    amount_per_month = DecimalCommaDecimalField(label=_("Amount per month (Rp)"), max_digits=14, decimal_places=0)
    months = forms.IntegerField(label=_("Months"), min_value=1, max_value=60, initial=6)
    start = date_field(_("Start"))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, scope, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sponsor"].choices = agency_choices(
            scope, kinds=[AgencyKind.FOSTER_PARENT, AgencyKind.COMPANY, AgencyKind.PARTNER])


class PlanForm(forms.Form):
    agency = forms.ChoiceField(label=_("Agency"))
    code = forms.ChoiceField(label=_("Intervention"))
    desa = forms.ChoiceField(label=_("Desa/kelurahan"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    planned_quantity = DecimalCommaDecimalField(label=_("Planned quantity"), max_digits=14, decimal_places=2)
    budget = DecimalCommaDecimalField(label=_("Budget (Rp)"), max_digits=16, decimal_places=0, required=False)

    def __init__(self, scope, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = agency_choices(scope, blank=False, kinds=[AgencyKind.OPD, AgencyKind.PUSKESMAS])
        self.fields["code"].choices = item_choices(scope, blank=False)
        self.fields["desa"].choices = desa_choices(scope, blank=False)


class LocalItemForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    target_group = forms.ChoiceField(label=_("Target group"), choices=TargetGroup.choices)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    default_agency_code = forms.CharField(label=_("Responsible agency (code)"), max_length=30, required=False)
    indicator = forms.CharField(label=_("RAN-PASTI indicator"), max_length=200, required=False)
    course_days = forms.CharField(label=_("Course lengths (days)"), required=False,
                                  help_text=_("Whole days separated by commas, e.g. 56, 90."))
    course_amount = DecimalCommaDecimalField(label=_("Course amount"), max_digits=12, decimal_places=2, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean_course_days(self):
        text = self.cleaned_data.get("course_days") or ""
        try:
            return [int(x) for x in text.replace(";", ",").split(",") if x.strip()]
        except ValueError as exc:
            raise forms.ValidationError(_("Course lengths are whole days from 1 to 366.")) from exc


class AgencyForm(forms.Form):
    region = forms.ChoiceField(label=_("Region served"))
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=AgencyKind.choices)

    def __init__(self, scope, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rows = regions_for(scope).exclude(level=Region.Level.PROVINSI).order_by("code").values_list("code", "name")
        self.fields["region"].choices = [(c, f"{n} ({c})") for c, n in rows]
        if scope.everything or scope.role == "provinsi":
            prov = regions_for(scope).filter(level=Region.Level.PROVINSI).values_list("code", "name")
            self.fields["region"].choices = [(c, f"{n} ({c})") for c, n in prov] + self.fields["region"].choices


class DistributionForm(forms.Form):
    code = forms.ChoiceField(label=_("Intervention"))
    posyandu = forms.ChoiceField(label=_("Posyandu"), required=False)
    desa = forms.ChoiceField(label=_("or desa/kelurahan"), required=False)
    date = date_field(_("Date"))

    def __init__(self, scope, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = item_choices(scope, blank=False)
        self.fields["posyandu"].choices = posyandu_choices(scope)
        self.fields["desa"].choices = desa_choices(scope)


class DistributionRowForm(forms.Form):
    received = forms.BooleanField(required=False)
    quantity = DecimalCommaDecimalField(label=_("Quantity"), max_digits=14, decimal_places=2, required=False)
