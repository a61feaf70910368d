"""Entry forms. Numbers accept a decimal comma ("3,2") through the project's DecimalCommaField;
dates accept dd-mm-yyyy as typed in Indonesia as well as the browser's date picker."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.registry.models import Person
from tumbuh.web.forms import DecimalCommaField

from .models import AncVisit, KrsSnapshot, Postpartum, Pregnancy, TpkVisit

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label, required=True):
    return forms.DateField(label=label, required=required, input_formats=DATE_FORMATS, widget=DateInput())


def count_field(label, max_value=999):
    return forms.IntegerField(label=label, required=False, min_value=0, max_value=max_value,
                              widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}))


class CatinForm(forms.Form):
    screened_on = date_field(_("Screening date"))
    planned_marriage_on = date_field(_("Planned marriage date"), required=False)
    kua = forms.CharField(label=_("KUA"), max_length=120, required=False)
    partner_name = forms.CharField(label=_("Partner's name"), max_length=120, required=False)
    weight_kg = DecimalCommaField(label=_("Weight (kg)"))
    height_cm = DecimalCommaField(label=_("Height (cm)"))
    lila_cm = DecimalCommaField(label=_("LiLA (cm)"))
    hb_gdl = DecimalCommaField(label=_("Hb (g/dL)"))
    waist_cm = DecimalCommaField(label=_("Waist (cm)"))
    smoking = forms.BooleanField(label=_("Smokes"), required=False)
    ttd90_started_on = date_field(_("TTD 90 days started"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PregnancyForm(forms.Form):
    hpht = date_field(_("HPHT (first day of last period)"))
    gravida = count_field(_("Gravida (this pregnancy included)"), 20)
    para = count_field(_("Para (children born)"), 20)
    abortus = count_field(_("Abortus"), 20)
    last_birth_on = date_field(_("Last child's birth date"), required=False)
    height_cm = DecimalCommaField(label=_("Height (cm)"))
    weight_before_kg = DecimalCommaField(label=_("Weight in TM1 (kg)"))
    lila_cm = DecimalCommaField(label=_("LiLA (cm)"))
    hb_gdl = DecimalCommaField(label=_("Hb (g/dL)"))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        data["gravida"] = data.get("gravida") or 1
        data["para"] = data.get("para") or 0
        data["abortus"] = data.get("abortus") or 0
        return data


class AncVisitForm(forms.Form):
    visited_on = date_field(_("Visit date"))
    place = forms.ChoiceField(label=_("Place"), choices=AncVisit.Place.choices)
    weight_kg = DecimalCommaField(label=_("Weight (kg)"))
    lila_cm = DecimalCommaField(label=_("LiLA (cm)"))
    hb_gdl = DecimalCommaField(label=_("Hb (g/dL)"))
    ttd_given = count_field(_("TTD tablets given"))
    notes = forms.CharField(label=_("Notes"), max_length=255, required=False)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[c for c in Pregnancy.Outcome.choices if c[0]])
    outcome_on = date_field(_("Date of birth / end of pregnancy"))
    baby_name = forms.CharField(label=_("Baby's name"), max_length=120, required=False)
    baby_sex = forms.ChoiceField(label=_("Baby's sex"), choices=[("", "—"), *Person.Sex.choices], required=False)
    baby_nik = forms.CharField(label=_("Baby's NIK (if any)"), max_length=16, required=False)
    baby_weight_g = count_field(_("Birth weight (g)"), 99999)
    baby_length_cm = DecimalCommaField(label=_("Birth length (cm)"))
    existing_child = forms.ChoiceField(label=_("Or link a child already registered"), required=False)

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["existing_child"].choices = [("", "—")] + [(str(c.pk), f"{c.name} ({c.birth_date:%d-%m-%Y})")
                                                                for c in children]
        self.fields["baby_weight_g"] = DecimalCommaField(label=_("Birth weight (g)"))


class NewWomanForm(forms.Form):
    """A woman not yet in the registry (a catin, a pregnant woman, an adolescent girl)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    nik = forms.CharField(label=_("NIK"), max_length=16, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Person.Sex.choices, initial=Person.Sex.FEMALE)
    birth_date = date_field(_("Birth date"))
    desa = forms.ChoiceField(label=_("Desa/kelurahan"))
    posyandu = forms.ChoiceField(label=_("Posyandu"), required=False)

    def __init__(self, *args, desa_choices=(), posyandu_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desa"].choices = [("", "—"), *desa_choices]
        self.fields["posyandu"].choices = [("", "—"), *posyandu_choices]


class AdolescentForm(forms.Form):
    school = forms.CharField(label=_("School"), max_length=120, required=False)
    grade = forms.CharField(label=_("Class"), max_length=20, required=False)
    in_school = forms.BooleanField(label=_("At school"), required=False, initial=True)


class HbForm(forms.Form):
    tested_on = date_field(_("Test date"))
    hb_gdl = DecimalCommaField(label=_("Hb (g/dL)"))


class TtdForm(forms.Form):
    week = date_field(_("Week (any day of it)"))
    taken = forms.BooleanField(label=_("Tablet taken"), required=False, initial=True)


class PostpartumForm(forms.Form):
    delivered_on = date_field(_("Delivery date"))
    delivery_place = forms.CharField(label=_("Delivery place"), max_length=120, required=False)


class KfForm(forms.Form):
    visited_on = date_field(_("Visit date"))
    notes = forms.CharField(label=_("Notes"), max_length=255, required=False)


class KbForm(forms.Form):
    kb_method = forms.ChoiceField(label=_("KB pascasalin"), choices=Postpartum.Kb.choices, required=False)
    kb_refusal_reason = forms.CharField(label=_("Reason if refused"), max_length=200, required=False)


class BreastfeedingForm(forms.Form):
    month = forms.TypedChoiceField(label=_("Baby's month"), coerce=int, choices=[(m, str(m)) for m in range(1, 7)])
    exclusive = forms.TypedChoiceField(label=_("Exclusive breastfeeding"), coerce=lambda v: v == "1",
                                       choices=[("1", _("Yes")), ("0", _("No"))])


YES_NO_UNKNOWN = [("", _("not recorded")), ("1", _("Yes")), ("0", _("No"))]


def _tri(value):
    return {"1": True, "0": False}.get(value)


class KrsForm(forms.Form):
    period = forms.CharField(label=_("Semester"), max_length=7, help_text=_("e.g. 2026-S2"))
    water_source = forms.ChoiceField(label=_("Main drinking-water source"), required=False,
                                     choices=[("", "—"), *KrsSnapshot.Water.choices])
    latrine = forms.ChoiceField(label=_("Latrine"), required=False, choices=[("", "—"), *KrsSnapshot.Latrine.choices])
    house_livable = forms.TypedChoiceField(label=_("House livable"), choices=YES_NO_UNKNOWN, coerce=_tri,
                                           required=False, empty_value=None)
    welfare = forms.ChoiceField(label=_("Welfare level"), choices=KrsSnapshot.Welfare.choices, required=False)
    couple = forms.BooleanField(label=_("Married couple in the household"), required=False, initial=True)
    modern_contraception = forms.TypedChoiceField(label=_("Wife uses modern contraception"), choices=YES_NO_UNKNOWN,
                                                  coerce=_tri, required=False, empty_value=None)


class TpkVisitForm(forms.Form):
    team = forms.ChoiceField(label=_("TPK team"))
    person = forms.ChoiceField(label=_("Who was visited"), required=False)
    visited_on = date_field(_("Visit date"))
    counselling = forms.BooleanField(label=_("Counselling (KIE)"), required=False)
    referral = forms.ChoiceField(label=_("Referral"), choices=TpkVisit.Referral.choices, required=False)
    social_assistance = forms.BooleanField(label=_("Social assistance facilitated"), required=False)
    danger_signs_checked = forms.BooleanField(label=_("Danger signs checked"), required=False)
    follow_up_needed = forms.BooleanField(label=_("Follow-up needed"), required=False)
    next_visit_on = date_field(_("Next visit"), required=False)
    notes = forms.CharField(label=_("Notes"), max_length=255, required=False)

    def __init__(self, *args, teams=(), members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "—")] + [(str(t.pk), t.name) for t in teams]
        self.fields["person"].choices = [("", "—")] + [(str(m.pk), m.name) for m in members]


class RegisterFilter(forms.Form):
    desa = forms.ChoiceField(label=_("Desa/kelurahan"), required=False)
    posyandu = forms.ChoiceField(label=_("Posyandu"), required=False)
    risk = forms.ChoiceField(label=_("Show"), required=False)
    period = forms.CharField(label=_("Semester"), required=False, max_length=7)

    def __init__(self, *args, group, desa_choices=(), posyandu_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desa"].choices = [("", _("all"))] + list(desa_choices)
        self.fields["posyandu"].choices = [("", _("all"))] + list(posyandu_choices)
        risk = {
            "catin": [("1", _("red (at risk)"))],
            "bumil": [("1", _("high risk")), ("kek", _("KEK")), ("anaemia", _("anaemia"))],
            "nifas": [("1", _("nifas (0-42 days)"))],
            "remaja": [("1", _("anaemia"))],
            "krs": [("1", _("KRS only")), ("unmet", _("unmet need"))],
        }[group]
        self.fields["risk"].choices = [("", _("all"))] + risk
        if group == "krs":
            del self.fields["posyandu"]
        else:
            del self.fields["period"]


# --- corrections (tumbuh/targets/corrections.py): the entry forms, filled with the record --------


class PregnancyEditForm(PregnancyForm):
    """The registration's fields; for a pregnancy that ended, also its outcome and date (a live
    birth stays a live birth while a birth is recorded: void the birth first)."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=[c for c in Pregnancy.Outcome.choices if c[0]])
    outcome_on = date_field(_("Date of birth / end of pregnancy"))

    def __init__(self, *args, ended=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not ended:
            del self.fields["outcome"], self.fields["outcome_on"]


class BirthForm(forms.Form):
    weight_g = DecimalCommaField(label=_("Birth weight (g)"))
    length_cm = DecimalCommaField(label=_("Birth length (cm)"))


class PostpartumEditForm(PostpartumForm):
    kb_method = forms.ChoiceField(label=_("KB pascasalin"), choices=Postpartum.Kb.choices, required=False)
    kb_refusal_reason = forms.CharField(label=_("Reason if refused"), max_length=200, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AdolescentEditForm(AdolescentForm):
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class KrsEditForm(KrsForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["period"]


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Why is this record voided?"), min_length=3, max_length=200,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}),
                             help_text=_("e.g. entered for the wrong person, entered twice"))


class TeamForm(forms.Form):
    """A TPK team: a midwife, a PKK cadre and a KB cadre serving families of one desa/kelurahan."""

    name = forms.CharField(label=_("Team name"), max_length=120)
    desa = forms.ChoiceField(label=_("Desa/kelurahan"))
    bidan = forms.CharField(label=_("Midwife"), max_length=120, required=False)
    kader_pkk = forms.CharField(label=_("PKK cadre"), max_length=120, required=False)
    kader_kb = forms.CharField(label=_("KB cadre"), max_length=120, required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, desa_choices=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # a team stays in its desa; the desa is shown, not changed
            del self.fields["desa"]
        else:
            self.fields["desa"].choices = [("", "—"), *desa_choices]
            del self.fields["active"]
