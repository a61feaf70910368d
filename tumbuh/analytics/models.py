"""Reference figures the dashboard shows beside Tumbuh's own numbers: targets per region and
year, published survey/report figures, and uploaded boundaries for the map. No personal data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.regions.models import Region


class Indicator(models.TextChoices):
    STUNTING = "stunting", _("Stunting")
    SEVERE_STUNTING = "severe_stunting", _("Severe stunting")
    WASTING = "wasting", _("Wasting")
    UNDERWEIGHT = "underweight", _("Underweight")
    OVERWEIGHT = "overweight", _("Overweight")


class RegionTarget(models.Model):
    # No region = a national target, drawn for every region beside its own (e.g. RPJMD) target.
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="analytics_targets")
    year = models.PositiveSmallIntegerField(_("year"))
    indicator = models.CharField(_("indicator"), max_length=20, choices=Indicator.choices,
                                 default=Indicator.STUNTING)
    target_percent = models.DecimalField(_("target (%)"), max_digits=5, decimal_places=2)
    source = models.CharField(_("source"), max_length=60,
                              help_text=_('Where the target comes from, e.g. "RPJMD" or "Nasional".'))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["region_id", "indicator", "year", "source"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [models.UniqueConstraint(fields=["region", "year", "indicator", "source"],
                                               name="analytics_target_unique")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} {self.indicator} {self.target_percent}% ({self.source})"


class ExternalFigure(models.Model):
    class Source(models.TextChoices):
        SSGI = "SSGI", "SSGI"
        SKI = "SKI", "SKI"
        EPPGBM = "EPPGBM", "e-PPGBM"
        DINKES = "Dinkes", "Dinkes"
        OTHER = "other", _("Other")

    # Surveys are samples; EPPGBM and Dinkes figures are routine counts: shown apart, labelled.
    SURVEY_SOURCES = {Source.SSGI, Source.SKI}

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="analytics_figures")
    year = models.PositiveSmallIntegerField(_("year"))
    indicator = models.CharField(_("indicator"), max_length=20, choices=Indicator.choices,
                                 default=Indicator.STUNTING)
    value_percent = models.DecimalField(_("value (%)"), max_digits=5, decimal_places=2)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    period_label = models.CharField(_("period"), max_length=60, blank=True,
                                    help_text=_('e.g. "Aug 2024" or "May 2025 operasi timbang".'))
    citation = models.CharField(_("citation"), max_length=500, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["region_id", "indicator", "year", "source"]
        verbose_name = _("external figure")
        verbose_name_plural = _("external figures")
        constraints = [models.UniqueConstraint(
            fields=["region", "year", "indicator", "source", "period_label"],
            name="analytics_figure_unique")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.source} {self.year}: {self.value_percent}%"

    @property
    def is_survey(self) -> bool:
        return self.source in self.SURVEY_SOURCES


class BoundaryUpload(models.Model):
    level = models.CharField(_("level"), max_length=10, choices=Region.Level.choices)
    parent = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="analytics_boundaries",
                               help_text=_("The region whose kecamatan or desa these shapes are."))
    geojson = models.TextField(_("GeoJSON"))
    property_key = models.CharField(
        _("property holding the region"), max_length=60,
        help_text=_("The feature property that holds the Kemendagri code or the region name."))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("boundary upload")
        verbose_name_plural = _("boundary uploads")

    def __str__(self) -> str:
        return f"{self.parent_id} {self.level} ({self.uploaded_at:%Y-%m-%d})"
