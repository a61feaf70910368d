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


class PeriodSummary(models.Model):
    """Counts per (period, child's home desa and posyandu, sex, age group) from which every number
    of the dashboard, the prevalence table and its export is summed (see docs/analytics.md).

    Each child counts once per period, by their latest measurement in it (age 0-1826 days). Cells
    are keyed by where the child lives *now*, as access scoping is, so `person_scope_q(user)`
    filters these rows exactly as it filters people and measurements. Maintained by
    `analytics.summary.refresh_summaries` on every write through the measurement and registry
    services. `desa` and `posyandu` carry no database constraint: a deleted posyandu leaves its
    cells until the next refresh of its desa, it does not cascade row by row."""

    period_type = models.CharField(max_length=8)
    period_key = models.CharField(max_length=8)
    desa = models.ForeignKey(Region, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    posyandu = models.ForeignKey("regions.Posyandu", null=True, on_delete=models.DO_NOTHING, db_constraint=False,
                                 related_name="+")
    sex = models.SmallIntegerField()  # prevalence.SEX_CODES: 0 F, 1 M, 2 unknown
    age_group = models.SmallIntegerField()  # prevalence.AGE_GROUPS index; 6 = unknown

    class Meta:
        verbose_name = _("period summary")
        verbose_name_plural = _("period summaries")
        indexes = [
            models.Index(fields=["period_type", "period_key", "desa"], name="analytics_sum_period_desa"),
            models.Index(fields=["period_type", "period_key", "posyandu"], name="analytics_sum_period_pos"),
            models.Index(fields=["desa"], name="analytics_sum_desa"),
        ]


# The counted columns (all additive): children measured (D of SKDN; the design's records), of them
# registered at the period's end (D of D/S) and gaining among those (N of N/D); weight-gain and
# BGM counts over all measured; per index the 7 bins of the prevalence z (< -3, [-3,-2), [-2,-1),
# [-1,1], (1,2], (2,3], > 3; missing = measured - their sum), n, sum and sum of squares of the
# z used for mean and SD; children with both HAZ and WHZ, and stunted & wasted / & overweight.
INDEX_PREFIXES = ("ha", "wa", "wh", "bmi")
COUNT_FIELDS = (["measured", "weighed", "gained", "gain_n", "gain_t", "gain_2t", "gain_o", "gain_b", "bgm"]
                + [f"{ix}_b{i}" for ix in INDEX_PREFIXES for i in range(7)]
                + [f"{ix}_n" for ix in INDEX_PREFIXES] + ["both_n", "ha_2_wh_2", "ha_2_wh2"])
SUM_FIELDS = [f"{ix}_{s}" for ix in INDEX_PREFIXES for s in ("sum", "sq")]
for _name in COUNT_FIELDS:
    PeriodSummary.add_to_class(_name, models.IntegerField(default=0))
for _name in SUM_FIELDS:
    PeriodSummary.add_to_class(_name, models.FloatField(default=0.0))


class DataVersion(models.Model):
    """One row whose number goes up in every transaction that writes Tumbuh's data (any model of
    a Tumbuh app except the audit log, and every bulk signal), in that same transaction. Pages
    that are costly to compute (the dashboard) keep their result per process under the version
    they read *before* the data (`tumbuh.analytics.memo`): a result is reused only while no write
    committed since, so it is as fresh as computing it again."""

    n = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")
