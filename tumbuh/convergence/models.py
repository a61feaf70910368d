"""Convergence: the package each target person or family must receive, the current gaps, the
completeness per person/household, and the "not applicable" marks that close a gap by decision.

`Gap` and `Completeness` are a maintained structure (like analytics' PeriodSummary): rows for the
as-of date `Freshness.as_of` of their desa (today), refreshed inside the writer's transaction from
the measurements / people / deliveries / target-group signals (apps.py), and for whole desa when a
day has passed (`services.ensure_fresh`, `tumbuh convergence refresh`). Every row carries the
desa and posyandu of its person (or household) so it is scoped with `scope.person_q()`, and the
rule-set version that produced it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.regions.models import Posyandu, Region
from tumbuh.registry.models import Household, Person


class Subject(models.TextChoices):
    PERSON = "p", _("person")
    HOUSEHOLD = "h", _("household")


class Group(models.TextChoices):
    BALITA = "balita", _("Children 0-59 months")
    BUMIL = "bumil", _("Pregnant women")
    CATIN = "catin", _("Brides and grooms-to-be")
    REMAJA = "remaja", _("Adolescent girls")
    NIFAS = "nifas", _("Mothers after birth")
    KELUARGA = "keluarga", _("Families (households)")


class Placed(models.Model):
    subject = models.CharField(max_length=1, choices=Subject.choices)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    desa = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    posyandu = models.ForeignKey(Posyandu, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        abstract = True

    @property
    def subject_id(self) -> int:
        return self.person_id if self.subject == Subject.PERSON else self.household_id


class Gap(Placed):
    """One missing item for one person or household, as of `computed_on`."""

    rule_id = models.CharField(max_length=60)
    rule_version = models.CharField(max_length=60)
    item_code = models.CharField(max_length=40)
    agency_code = models.CharField(max_length=30, blank=True)
    target_group = models.CharField(max_length=10, choices=Group.choices)
    reason_code = models.CharField(max_length=30)
    reason_args = models.JSONField(default=dict, blank=True)
    since = models.DateField()
    due_on = models.DateField()
    computed_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subject", "person", "household", "rule_id"], name="gap_one_per_rule"),
        ]
        # The gap list pages in `selectors.ordered` order: these two indexes (everyone's area;
        # an OPD officer's agency) hold that order and every filter column, so the page's count
        # and its OFFSET walk read the index only.
        indexes = [
            models.Index(fields=["desa", "posyandu", "subject", "person", "household", "item_code", "target_group",
                                 "agency_code"], name="gap_page"),
            models.Index(fields=["posyandu"]),
            models.Index(fields=["agency_code", "desa", "posyandu", "subject", "person", "household", "item_code",
                                 "target_group"], name="gap_agency_page"),
            models.Index(fields=["person"]),
            models.Index(fields=["household"]),
        ]
        verbose_name = _("gap")
        verbose_name_plural = _("gaps")

    def __str__(self) -> str:
        return f"{self.item_code} · {self.subject}{self.subject_id}"


class Completeness(Placed):
    """How much of the package applying to this person (or household) was received."""

    required = models.PositiveSmallIntegerField()
    received = models.PositiveSmallIntegerField()
    not_applicable = models.PositiveSmallIntegerField(default=0)
    complete = models.BooleanField()
    rule_version = models.CharField(max_length=60)
    computed_on = models.DateField()

    class Meta:
        verbose_name = _("completeness")
        verbose_name_plural = _("completeness records")
        constraints = [
            models.UniqueConstraint(fields=["subject", "person", "household"], name="completeness_one_per_subject"),
        ]
        indexes = [models.Index(fields=["desa", "complete"]), models.Index(fields=["posyandu"]),
                   models.Index(fields=["person"]), models.Index(fields=["household"])]

    @property
    def share(self) -> float | None:
        return self.received / self.required if self.required else None


class NotApplicable(Placed):
    """A gap closed by decision: the person refused, moved, or was covered elsewhere. It applies to
    the gap's occurrence (`since`): when the person qualifies again later (a new measurement, a new
    month), the gap opens again."""

    class Reason(models.TextChoices):
        REFUSED = "refused", _("refused")
        MOVED = "moved", _("moved away")
        COVERED = "covered", _("already covered elsewhere")
        OTHER = "other", _("other")

    rule_id = models.CharField(max_length=60)
    item_code = models.CharField(max_length=40)
    agency_code = models.CharField(max_length=30, blank=True)
    since = models.DateField()
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        indexes = [models.Index(fields=["person", "rule_id"]), models.Index(fields=["household", "rule_id"]),
                   models.Index(fields=["desa"])]
        verbose_name = _("not applicable")
        verbose_name_plural = _("not applicable")


class LocalRule(models.Model):
    """A kab/kota's own rule: a new rule, a replacement of a default (same id), or a default
    switched off (`disabled`). `data` is the rule dict in the shape of data/rules.json."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    rule_id = models.CharField(_("rule id"), max_length=60)
    data = models.JSONField(default=dict, blank=True)
    disabled = models.BooleanField(_("switched off"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("local rule")
        verbose_name_plural = _("local rules")
        constraints = [models.UniqueConstraint(fields=["region", "rule_id"], name="local_rule_once")]
        ordering = ["region_id", "pk"]


class RuleRevision(models.Model):
    """The revision counter of a kab/kota's local rules: every edit adds one, so the rule-set
    version ("2026.1+64.74.r3") names exactly which rules a gap came from."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="+")
    revision = models.PositiveIntegerField(default=0)
    rules = models.JSONField(default=list, blank=True)  # the local rules as of this revision
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rule revision")
        verbose_name_plural = _("rule revisions")


class Freshness(models.Model):
    """The as-of date the stored gaps of a desa were last fully computed for."""

    desa = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="+", primary_key=True)
    as_of = models.DateField()
    rule_version = models.CharField(max_length=60, blank=True)

    class Meta:
        verbose_name = _("data freshness")
        verbose_name_plural = _("data freshness records")
