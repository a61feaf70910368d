"""Forms for people and households. Every choice (desa, posyandu, mother, household) comes from
the user's scope, so what a user can pick is what they are allowed to see."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts.models import Role
from tumbuh.measurements import validation
from tumbuh.regions.models import Region
from tumbuh.regions.selectors import posyandu_for, regions_for
from tumbuh.web.forms import decimal_formfield
from tumbuh.web.text import ascii_digits

from . import selectors
from .models import Household, Person, PersonVoid
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
        # Checked here (not by the model constraint) to put the message on the field itself;
        # the message names nothing outside the user's scope, and the check is audited/throttled.
        from .services import identity_conflict

        conflict = identity_conflict(getattr(self, "user", None), kind="nik", number=nik,
                                     exclude_pk=getattr(self.instance, "pk", None))
        if conflict:
            raise forms.ValidationError(conflict)
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


def _jkn_choices(form) -> None:
    """The empty choice of the JKN status says what it means (not recorded, which is not "no
    JKN"), instead of Django's "---------"."""
    if "jkn_status" in form.fields:
        form.fields["jkn_status"].choices = [("", _("Not recorded yet")), *Person.JknStatus.choices]


def _not_in_future(value: dt.date | None) -> None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("The birth date cannot be in the future."))


def _birth_weight(value):
    return validation.weight_problem(value, field="birth_weight_kg", label=_("Birth weight"),
                                     limits=validation.BIRTH_WEIGHT_RANGE_KG)


def _birth_length(value):
    return validation.length_problem(value, field="birth_length_cm", label=_("Birth length"),
                                     limits=validation.BIRTH_LENGTH_RANGE_CM)


class PersonForm(NikFieldMixin, forms.ModelForm):
    """Create or edit any person (child, mother, catin...)."""

    class Meta:
        formfield_callback = decimal_formfield
        model = Person
        fields = ["name", "nik", "sex", "birth_date", "birth_weight_kg", "birth_length_cm", "desa",
                  "posyandu", "jkn_status", "jkn_checked_on", "active", "inactive_reason"]
        widgets = {"birth_date": DateInput(), "jkn_checked_on": DateInput(), "sex": forms.RadioSelect,
                   "nik": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 16})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.nik_warnings = []
        self.fields["desa"].queryset = desa_choices(user)
        self.fields["desa"].label = _("Desa/kelurahan")
        self.fields["posyandu"].queryset = posyandu_for(user).select_related("desa").order_by("name")
        self.fields["nik"].help_text = _("16 digits, typed as text. Leave empty if the child has no NIK yet.")
        if "inactive_reason" in self.fields:
            self.fields["inactive_reason"].label = _("If not active: why")
        # No "---------" radio: the sex must be chosen, and nothing is chosen for the user.
        self.fields["sex"].choices = Person.Sex.choices
        _jkn_choices(self)
        for name, check in (("birth_weight_kg", _birth_weight), ("birth_length_cm", _birth_length)):
            if name in self.fields:
                self.fields[name].check = check
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
        if "active" in self.fields:
            if cleaned.get("active", True):
                cleaned["inactive_reason"] = ""
            elif not cleaned.get("inactive_reason"):
                self.add_error("inactive_reason", _("Say why the person is no longer active: moved away or died."))
        self.collect_nik_warnings(cleaned.get("sex"), cleaned.get("birth_date"))
        posyandu, desa = cleaned.get("posyandu"), cleaned.get("desa")
        if posyandu and desa and posyandu.desa_id != desa.pk and not self.user.role == Role.CADRE:
            # Allowed (children attend the nearest posyandu), but worth saying.
            self.nik_warnings.append(str(_("The posyandu lies in another desa than the child's address.")))
        return cleaned


class ChildForm(PersonForm):
    class Meta(PersonForm.Meta):
        fields = ["name", "nik", "sex", "birth_date", "birth_weight_kg", "birth_length_cm", "desa",
                  "posyandu", "jkn_status", "jkn_checked_on"]

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
        fields = ["name", "nik", "birth_date", "jkn_status"]
        widgets = {"birth_date": DateInput(), "nik": forms.TextInput(attrs={
            "inputmode": "numeric", "autocomplete": "off", "maxlength": 16})}
        labels = {"name": _("Mother's name"), "nik": _("Mother's NIK"), "birth_date": _("Mother's birth date"),
                  "jkn_status": _("Mother's JKN membership")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.nik_warnings = []
        _jkn_choices(self)

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
        self.user = user
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
        from .services import identity_conflict

        conflict = identity_conflict(self.user, kind="kk", number=kk, exclude_pk=self.instance.pk)
        if conflict:
            raise forms.ValidationError(conflict)
        return kk

    def _clean_rt_rw(self, name):
        value = (self.cleaned_data.get(name) or "").strip()
        if value and not ascii_digits(value):
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
        self.new_mother = NewMotherForm(data, user=user, prefix="mother")
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


class VoidForm(forms.Form):
    """Why a person entered by mistake leaves the register (registry.services.void_person)."""

    reason = forms.ChoiceField(label=_("Why is this person removed?"), choices=PersonVoid.Reason.choices,
                               widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), max_length=300, required=False,
                           help_text=_("Required for \"other reason\"; e.g. which record is the right one."))

    def clean(self):
        data = super().clean()
        if data.get("reason") == PersonVoid.Reason.OTHER and not (data.get("note") or "").strip():
            self.add_error("note", _("Write the reason when it is \"other\"."))
        return data
