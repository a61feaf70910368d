from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.regions.models import Region
from tumbuh.web.forms import decimal_formfield
from tumbuh.web.uploads import validate_upload_size

from .models import BoundaryUpload, ExternalFigure, RegionTarget
from .svg import parse_features


class ScopedRegionMixin:
    """Limits the region choices to what the user may see."""

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("region") or self.fields.get("parent")
        if regions is not None:
            field.queryset = regions.exclude(level=Region.Level.DESA)


class TargetForm(ScopedRegionMixin, forms.ModelForm):
    class Meta:
        formfield_callback = decimal_formfield  # "14,5" %, as typed in Indonesia
        model = RegionTarget
        fields = ["region", "year", "indicator", "target_percent", "source", "note"]
        labels = {"region": _("Region")}


class FigureForm(ScopedRegionMixin, forms.ModelForm):
    class Meta:
        formfield_callback = decimal_formfield
        model = ExternalFigure
        fields = ["region", "year", "indicator", "value_percent", "source", "period_label", "citation", "note"]
        labels = {"region": _("Region")}


class BoundaryForm(ScopedRegionMixin, forms.ModelForm):
    file = forms.FileField(label=_("GeoJSON file"), required=False, validators=[validate_upload_size])

    class Meta:
        model = BoundaryUpload
        fields = ["parent", "level", "property_key", "geojson"]
        widgets = {"geojson": forms.Textarea(attrs={"rows": 4})}
        labels = {"parent": _("Parent region")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["geojson"].required = False
        self.fields["level"].choices = [(Region.Level.KECAMATAN, Region.Level.KECAMATAN.label),
                                        (Region.Level.DESA, Region.Level.DESA.label)]

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        try:
            text = upload.read().decode("utf-8-sig") if upload else (data.get("geojson") or "")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The file is not UTF-8 text; save the GeoJSON as UTF-8 and upload it again.")) from exc
        if not text.strip():
            raise forms.ValidationError(_("Upload a GeoJSON file or paste its text."))
        if len(text) > 20_000_000:
            raise forms.ValidationError(_("The file is too large (over 20 MB)."))
        try:
            parse_features(text, data.get("property_key") or "")
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        data["geojson"] = text
        return data
