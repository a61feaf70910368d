from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts.scoping import scope_region_code
from tumbuh.regions.models import Region
from tumbuh.regions.selectors import regions_for
from tumbuh.web.uploads import validate_upload_size

MAX_CHOICES = 400  # beyond this (a province or the whole country) the code is typed


class RegionField(forms.CharField):
    def __init__(self, user, **kwargs):
        super().__init__(max_length=13, **kwargs)
        self.user = user

    def clean(self, value):
        value = super().clean(value).strip()
        if value and not regions_for(self.user).filter(code=value).exists():
            raise forms.ValidationError(_("Region %(code)s is not inside your area.") % {"code": value})
        return value


def region_choices(user) -> list[tuple[str, str]]:
    regions = regions_for(user)
    if regions.count() > MAX_CHOICES:
        regions = regions.exclude(level=Region.Level.DESA)
    return [(r.code, f"{r.code} {r.name}") for r in regions.order_by("code")[:MAX_CHOICES]]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("EPPGBM by-name export (.xlsx, .xls, .csv)"),
                           validators=[validate_upload_size])

    def __init__(self, user, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["file"].label = _("%(label)s (.xlsx, .xls, .csv)") % {"label": label}
        self.fields["region"] = RegionField(user, label=_("Region the file belongs to (code)"))
        self.fields["region"].initial = scope_region_code(user) or ""
        self.region_choices = region_choices(user)


class ExportForm(forms.Form):
    measured_from = forms.DateField(label=_("Measured from"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    measured_to = forms.DateField(label=_("Measured until"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = RegionField(user, label=_("Region (code)"), required=False)
        self.fields["region"].initial = scope_region_code(user) or ""
        self.region_choices = region_choices(user)
