"""Account forms: a manager creating or editing an account inside their scope."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import Role, User


class UserForm(forms.ModelForm):
    """Role and scope choices come from the manager's own scope, so what they can pick is what
    they may give; User.clean() checks that the role and its scope fit together."""

    password = forms.CharField(
        label=_("New password"), required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Required for a new account. For an existing one, leave empty to keep the current password."))

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "region", "puskesmas", "posyandu", "agency", "is_active"]
        labels = {"region": _("Region"), "first_name": _("Name"), "last_name": _("Surname (optional)"), "is_active": _("Account active")}

    def __init__(self, *args, manager, **kwargs):
        super().__init__(*args, **kwargs)
        self.manager = manager
        roles = selectors.assignable_roles(manager)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]
        self.fields["role"].required = True
        self.fields["region"].queryset = selectors.regions_to_assign(manager).order_by("code")
        self.fields["region"].label_from_instance = lambda r: f"{r.code} · {r.name} ({r.get_level_display()})"
        self.fields["puskesmas"].queryset = selectors.puskesmas_to_assign(manager).order_by("name")
        self.fields["posyandu"].queryset = selectors.posyandu_to_assign(manager).select_related("desa").order_by("name")
        self.fields["posyandu"].label_from_instance = lambda p: f"{p.name} · {p.desa.name}"
        self.fields["region"].help_text = _("For desa, kecamatan, kabupaten and provinsi teams.")
        self.fields["puskesmas"].help_text = _("For puskesmas officers.")
        self.fields["posyandu"].help_text = _("For cadres.")
        self.fields["agency"].queryset = selectors.agencies_to_assign(manager).select_related("region").order_by("name")
        self.fields["agency"].label_from_instance = lambda a: f"{a.name} · {a.region.name}"
        self.fields["agency"].help_text = _("For OPD programme officers.")
        self.fields["agency"].label = _("Agency (OPD)")
        self.fields["username"].help_text = _("Letters, digits and . _ - only, e.g. kader.melati1")

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if not self.instance.pk and not password:
            self.add_error("password", _("Give the new account a password."))
        elif password:
            try:
                password_validation.validate_password(password, self.instance)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("password"):
            user.set_password(self.cleaned_data["password"])
        if user.role == Role.ADMIN:
            user.is_staff = True
        else:
            user.is_staff = user.is_superuser = False  # only administrators reach /admin/
        if commit:
            user.save()
        return user
