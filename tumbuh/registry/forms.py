"""Forms for people and households. Every choice (desa, posyandu, mother, household) comes from
the user's scope, so what a user can pick is what they are allowed to see."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts.models import Role
from tumbuh.regions.models import Region
from tumbuh.regions.selectors import posyandu_for, regions_for

from . import selectors
from .models import Household, Person
from .nik import NikError, check_nik_against, clean_nik, parse_nik


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def desa_choices(user):
    return regions_for(user).filter(level=Region.Level.DESA).select_related("parent").order_by("name")


class NikFieldMixin:
    """Cleans the NIK field (blank allowed: many balita have no NIK yet) and collects warnings
    when its sex/birth-date parts disagree with what was entered. Warnings never block saving;
    the view asks the user to confirm once."""

    nik_warnings: list[str]

    def clean_nik(self):
        value = self.cleaned_data.get("nik", "")
        if not value or not str(value).strip():
            return ""
        try:
            nik = clean_nik(value)
            parse_nik(nik)
        except NikError as exc:
            raise forms.ValidationError(str(exc)) from exc
        # Checked here (not by the model constraint) to put the message on the field itself.
        others = Person.objects.filter(nik=nik).exclude(pk=getattr(self.instance, "pk", None))
        if others.exists():
            raise forms.ValidationError(_("A person with this NIK is already registered."))
        return nik

    def collect_nik_warnings(self, sex, birth_date) -> list[str]:
        nik = self.cleaned_data.get("nik")
        self.nik_warnings = []
        if nik:
            try:
                self.nik_warnings = check_nik_against(nik, sex=sex, birth_date=birth_date)
            except NikError:
                pass
        return self.nik_warnings


def _not_in_future(value: dt.date | None) -> None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("The birth date cannot be in the future."))


class PersonForm(NikFieldMixin, forms.ModelForm):
    """Create or edit any person (child, mother, catin...)."""

    class Meta:
        model = Person
        fields = ["name", "nik", "sex", "birth_date", "birth_weight_kg", "birth_length_cm", "desa",
                  "posyandu", "active"]
        widgets = {"birth_date": DateInput(), "sex": forms.RadioSelect, "nik": forms.TextInput(attrs={
            "inputmode": "numeric", "autocomplete": "off", "maxlength": 16})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.nik_warnings = []
        self.fields["desa"].queryset = desa_choices(user)
        self.fields["desa"].label = _("Desa/kelurahan")
        self.fields["posyandu"].queryset = posyandu_for(user).select_related("desa").order_by("name")
        self.fields["nik"].help_text = _("16 digits, typed as text. Leave empty if the child has no NIK yet.")
        if user.role == Role.CADRE:
            # A cadre only sees people of their posyandu; a child without one would vanish for them.
            self.fields["posyandu"].required = True
            self.fields["posyandu"].initial = user.posyandu_id
            self.fields["desa"].initial = user.posyandu.desa_id if user.posyandu_id else None
        desa = self.fields["desa"].queryset
        if desa.count() == 1 and not self.initial.get("desa"):
            self.fields["desa"].initial = desa.first().pk

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        _not_in_future(value)
        return value

    def clean(self):
        cleaned = super().clean()
        self.collect_nik_warnings(cleaned.get("sex"), cleaned.get("birth_date"))
        posyandu, desa = cleaned.get("posyandu"), cleaned.get("desa")
        if posyandu and desa and posyandu.desa_id != desa.pk and not self.user.role == Role.CADRE:
            # Allowed (children attend the nearest posyandu), but worth saying.
            self.nik_warnings.append(str(_("The posyandu lies in another desa than the child's address.")))
        return cleaned


class ChildForm(PersonForm):
    class Meta(PersonForm.Meta):
        fields = ["name", "nik", "sex", "birth_date", "birth_weight_kg", "birth_length_cm", "desa",
                  "posyandu"]

    def clean_birth_date(self):
        value = super().clean_birth_date()
        if value and value <= selectors.under_five_cutoff():
            raise forms.ValidationError(_("This form registers children under five (balita)."))
        return value


class MotherChoiceForm(forms.Form):
    NONE, EXISTING, NEW = "none", "existing", "new"
    mode = forms.ChoiceField(
        label=_("Mother"), widget=forms.RadioSelect, initial=NEW,
        choices=[(NEW, _("Register a new mother")), (EXISTING, _("Mother already registered")),
                 (NONE, _("Not recorded"))],
    )
    existing_nik = forms.CharField(label=_("Mother's NIK"), required=False, max_length=20,
                                   widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.mother: Person | None = None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == self.EXISTING:
            raw = cleaned.get("existing_nik", "")
            try:
                nik = clean_nik(raw)
            except NikError as exc:
                self.add_error("existing_nik", str(exc))
                return cleaned
            self.mother = selectors.find_person_by_nik(self.user, nik)
            if self.mother is None:
                self.add_error("existing_nik", _("No one with this NIK is registered in your area. Register the mother as new."))
            elif self.mother.sex != Person.Sex.FEMALE:
                self.add_error("existing_nik", _("The person with this NIK is not recorded as female."))
        return cleaned


class NewMotherForm(NikFieldMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "nik", "birth_date"]
        widgets = {"birth_date": DateInput(), "nik": forms.TextInput(attrs={
            "inputmode": "numeric", "autocomplete": "off", "maxlength": 16})}
        labels = {"name": _("Mother's name"), "nik": _("Mother's NIK"), "birth_date": _("Mother's birth date")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.nik_warnings = []

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        _not_in_future(value)
        return value

    def clean(self):
        cleaned = super().clean()
        self.collect_nik_warnings(Person.Sex.FEMALE, cleaned.get("birth_date"))
        return cleaned


class HouseholdChoiceForm(forms.Form):
    MOTHERS, EXISTING, NEW, NONE = "mother", "existing", "new", "none"
    mode = forms.ChoiceField(
        label=_("Household (KK)"), widget=forms.RadioSelect, initial=NEW,
        choices=[(NEW, _("New household")), (EXISTING, _("Household already registered (by KK number)")),
                 (MOTHERS, _("Same household as the mother")), (NONE, _("Not recorded"))],
    )
    existing_kk = forms.CharField(label=_("KK number"), required=False, max_length=20,
                                  widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.household: Household | None = None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == self.EXISTING:
            try:
                kk = clean_nik(cleaned.get("existing_kk", ""))
            except NikError:
                self.add_error("existing_kk", _("KK number must have 16 digits"))
                return cleaned
            self.household = selectors.find_household_by_kk(self.user, kk)
            if self.household is None:
                self.add_error("existing_kk", _("No household with this KK number is registered in your area."))
        return cleaned


class HouseholdForm(forms.ModelForm):
    class Meta:
        model = Household
        fields = ["kk_number", "head_name", "address", "rt", "rw", "desa"]
        widgets = {"kk_number": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 16})}

    def __init__(self, *args, user, with_desa: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_desa:
            self.fields["desa"].queryset = desa_choices(user)
            self.fields["desa"].label = _("Desa/kelurahan")
        else:
            del self.fields["desa"]  # a new household in the registration form lives in the child's desa

    def clean_kk_number(self):
        value = self.cleaned_data.get("kk_number", "")
        if not value:
            return ""
        try:
            kk = clean_nik(value)
        except NikError as exc:
            raise forms.ValidationError(_("KK number must have 16 digits")) from exc
        if Household.objects.filter(kk_number=kk).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("A household with this KK number is already registered."))
        return kk

    def _clean_rt_rw(self, name):
        value = (self.cleaned_data.get(name) or "").strip()
        if value and not value.isdigit():
            raise forms.ValidationError(_("Digits only, e.g. 003."))
        return value.zfill(3) if value else ""

    def clean_rt(self):
        return self._clean_rt_rw("rt")

    def clean_rw(self):
        return self._clean_rt_rw("rw")


class RegistrationForms:
    """The child, mother and household parts of the registration page, validated together."""

    def __init__(self, user, data=None):
        self.child = ChildForm(data, user=user, prefix="child")
        self.mother_choice = MotherChoiceForm(data, user=user, prefix="mother_choice")
        self.new_mother = NewMotherForm(data, prefix="mother")
        self.household_choice = HouseholdChoiceForm(data, user=user, prefix="household_choice")
        self.new_household = HouseholdForm(data, user=user, with_desa=False, prefix="household")

    def active_forms(self) -> list[forms.BaseForm]:
        active = [self.child, self.mother_choice, self.household_choice]
        if self.mother_choice.is_valid() and self.mother_choice.cleaned_data["mode"] == MotherChoiceForm.NEW:
            active.append(self.new_mother)
        if self.household_choice.is_valid() and self.household_choice.cleaned_data["mode"] == HouseholdChoiceForm.NEW:
            active.append(self.new_household)
        return active

    def is_valid(self) -> bool:
        valid = all([form.is_valid() for form in self.active_forms()])
        if valid and self.household_choice.cleaned_data["mode"] == HouseholdChoiceForm.MOTHERS:
            mother_mode = self.mother_choice.cleaned_data["mode"]
            if mother_mode != MotherChoiceForm.EXISTING or self.mother_choice.mother.household_id is None:
                self.household_choice.add_error("mode", _("Only an already registered mother with a recorded household can share it; choose another option."))
                valid = False
        return valid

    @property
    def warnings(self) -> list[str]:
        found = [str(w) for w in getattr(self.child, "nik_warnings", [])]
        if self.new_mother in self.active_forms():
            found += [f"{_('Mother')}: {w}" for w in getattr(self.new_mother, "nik_warnings", [])]
        return found

    def save(self, user, request=None):
        from .services import register_child

        mother_mode = self.mother_choice.cleaned_data["mode"]
        household_mode = self.household_choice.cleaned_data["mode"]
        household = None
        if household_mode == HouseholdChoiceForm.EXISTING:
            household = self.household_choice.household
        elif household_mode == HouseholdChoiceForm.MOTHERS and mother_mode == MotherChoiceForm.EXISTING:
            household = self.mother_choice.mother.household
        return register_child(
            user,
            self.child.cleaned_data,
            mother=self.mother_choice.mother if mother_mode == MotherChoiceForm.EXISTING else None,
            new_mother_data=self.new_mother.cleaned_data if mother_mode == MotherChoiceForm.NEW else None,
            household=household,
            new_household_data=self.new_household.cleaned_data if household_mode == HouseholdChoiceForm.NEW else None,
            nik_warnings=self.child.nik_warnings,
            request=request,
        )
