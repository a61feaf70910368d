"""The few typed-in figures the indicator pages need and Tumbuh cannot compute: a desa's Dana Desa
and how much of it went to stunting (typed by the desa team, printed on the scorecard), the lokus
(priority) desa of a year (set by the kab/kota team from the Bupati's SK), and local targets for
the RAN-PASTI indicators (prevalence targets stay in analytics.RegionTarget). All placed by a
region code and scoped with `scope.region_q(...)`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.regions.models import Region

DESA = {"level": Region.Level.DESA}


class Stamped(models.Model):
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        abstract = True


class DanaDesa(Stamped):
    desa = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", limit_choices_to=DESA)
    year = models.PositiveSmallIntegerField(_("year"))
    total = models.DecimalField(_("Dana Desa received (Rp)"), max_digits=16, decimal_places=0)
    stunting = models.DecimalField(_("spent on stunting (Rp)"), max_digits=16, decimal_places=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["desa", "year"], name="dana_desa_once_a_year")]
        verbose_name = _("Dana Desa for stunting")
        verbose_name_plural = _("Dana Desa for stunting entries")

    @property
    def share(self) -> float | None:
        return 100.0 * float(self.stunting) / float(self.total) if self.total else None


class LokusDesa(Stamped):
    desa = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", limit_choices_to=DESA)
    year = models.PositiveSmallIntegerField(_("year"))
    decree = models.CharField(_("decree (SK)"), max_length=120, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["desa", "year"], name="lokus_once_a_year")]
        verbose_name = _("priority (lokus) village")
        verbose_name_plural = _("priority (lokus) villages")


class LocalTarget(Stamped):
    """A kab/kota's (or province's) own target for one indicator of data/indicators.json."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    indicator = models.CharField(_("indicator"), max_length=40)
    year = models.PositiveSmallIntegerField(_("year"))
    target_percent = models.DecimalField(_("target (%)"), max_digits=6, decimal_places=2)
    source = models.CharField(_("source"), max_length=120, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "indicator", "year"], name="local_target_once")]
        verbose_name = _("local indicator target")
        verbose_name_plural = _("local indicator targets")


class ScorecardCell(models.Model):
    """One desa's scorecard tallies for one quarter and counting mode (no names: counts per item
    and status, people, complete packages, growth mat, targets by sub-group), so a kabupaten page
    is a read of 50-300 rows. Deleted for a desa inside the transaction of every write that can
    change it (signals.py); recomputed on the next read. Not personal data."""

    desa = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", limit_choices_to=DESA)
    period_key = models.CharField(max_length=8)
    mode = models.CharField(max_length=8)
    version = models.CharField(max_length=20)
    data = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("scorecard cell")
        verbose_name_plural = _("scorecard cells")
        constraints = [models.UniqueConstraint(fields=["desa", "period_key", "mode"], name="scorecard_cell_once")]
