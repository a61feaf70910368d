"""Interventions: the catalogue of what may be delivered, and every delivery by name (a person) or
by address (a household), courses (PMT 90 days, TTD 90 tablets), foster-parent pledges (BAAS) and
the agencies' yearly plans.

Who delivers is a `coordination.Agency` (OPD, puskesmas, company, foster parent): one table of
agencies for coordination and interventions alike. Every delivery, course and pledge carries its
own `desa` and `posyandu` (copied from the person or household when written) so it is scoped with
the same Q builders as people (`scope.person_q()`, households with `scope.place_q()`), and
denormalises the catalogue `code` so convergence can ask "which of these people had PMT-BALITA in
the last 90 days" with one indexed query.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tumbuh.coordination.models import Agency
from tumbuh.regions.models import Posyandu, Region
from tumbuh.registry.models import Household, Person

DESA = {"level": Region.Level.DESA}


class Kind(models.TextChoices):
    SPECIFIC = "spesifik", _("Specific")
    SENSITIVE = "sensitif", _("Sensitive")


class TargetGroup(models.TextChoices):
    """Whom a catalogue item is for: a person of one of the Perpres 72 target groups, or a
    household (water, latrine, food aid are delivered by address)."""

    CHILD = "balita", _("Children 0-59 months")
    PREGNANT = "bumil", _("Pregnant women")
    POSTPARTUM = "nifas", _("Mothers after birth")
    CATIN = "catin", _("Brides and grooms-to-be")
    ADOLESCENT = "remaja", _("Adolescent girls")
    HOUSEHOLD = "keluarga", _("Families (households)")


class Unit(models.TextChoices):
    PACKAGE = "paket", _("package")
    TABLET = "tablet", _("tablet")
    CAPSULE = "kapsul", _("capsule")
    DOSE = "dosis", _("dose")
    DAY = "hari", _("day")
    VISIT = "kunjungan", _("visit")
    UNIT = "unit", _("unit")
    FAMILY = "KK", _("family (KK)")
    PERSON = "orang", _("person")
    RUPIAH = "rupiah", _("rupiah")
    KILOGRAM = "kg", _("kilogram")


class FundSource(models.TextChoices):
    APBD = "APBD", "APBD"
    DANA_DESA = "APBDes", _("APBDes / Dana Desa")
    DAK = "DAK", "DAK"
    APBN = "APBN", "APBN"
    CSR = "CSR", "CSR"
    BAAS = "BAAS", _("BAAS (foster parent)")
    SELF = "swadaya", _("Self-funded (swadaya)")
    OTHER = "lainnya", _("Other")


class CatalogueItem(models.Model):
    """One intervention that can be delivered. The national catalogue ships as
    `data/catalogue.json` (region NULL, loaded by `services.load_catalogue`); a kab/kota or
    province team adds local programmes, or overrides a national item's responsible agency or
    course length, with a row of the same `code` placed at its region (`selectors.catalogue_for`
    resolves the nearest)."""

    code = models.CharField(_("code"), max_length=40)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               help_text=_("Empty for the national catalogue; a kab/kota or province for local items."))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    target_group = models.CharField(_("target group"), max_length=10, choices=TargetGroup.choices)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    default_agency_code = models.CharField(_("responsible agency (code)"), max_length=30, blank=True,
                                           help_text=_("The code of the OPD responsible by default, e.g. DINKES."))
    indicator = models.CharField(_("RAN-PASTI indicator"), max_length=200, blank=True)
    # A course (PMT for 90 days, TTD 90 tablets): the lengths offered and the default amount.
    course_days = models.JSONField(_("course lengths (days)"), default=list, blank=True)
    course_amount = models.DecimalField(_("course amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    version = models.CharField(max_length=20, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=Q(region__isnull=True), name="catalogue_national_code"),
            models.UniqueConstraint(fields=["region", "code"], name="catalogue_local_code"),
        ]
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def is_household_item(self) -> bool:
        return self.target_group == TargetGroup.HOUSEHOLD


class Placed(models.Model):
    """Fields every delivery-side row shares: where it happened (for scoping) and who wrote it."""

    desa = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", limit_choices_to=DESA)
    posyandu = models.ForeignKey(Posyandu, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        abstract = True


class CourseStatus(models.TextChoices):
    ACTIVE = "berjalan", _("Running")
    COMPLETED = "selesai", _("Completed")
    STOPPED = "berhenti", _("Stopped early")


class Course(Placed):
    """A course of one item for one person: PMT-BALITA for 90 days, TTD-BUMIL 90 tablets. The
    delivered amount is the sum of its deliveries; the outcome (weight gain over the course) is
    read from the measurements (`services.course_outcome`)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=40, db_index=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("agency"))
    start = models.DateField(_("start"))
    end = models.DateField(_("planned end"))
    planned_amount = models.DecimalField(_("planned amount"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    status = models.CharField(_("status"), max_length=10, choices=CourseStatus.choices, default=CourseStatus.ACTIVE)
    exit_reason = models.CharField(_("reason stopped"), max_length=200, blank=True)
    # Why the person qualified when the course started (z-score, LiLA, flag, and its source).
    eligibility = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-start"]
        indexes = [models.Index(fields=["person", "code", "start"])]
        verbose_name = _("course")
        verbose_name_plural = _("courses")


class Pledge(Placed):
    """A foster parent's (Bapak/Bunda Asuh Anak Stunting) pledge to one child: an amount per month
    for a number of months. Deliveries against it carry `pledge`."""

    sponsor = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="pledges",
                                verbose_name=_("foster parent"))
    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("child"))
    amount_per_month = models.DecimalField(_("amount per month (Rp)"), max_digits=14, decimal_places=0)
    months = models.PositiveSmallIntegerField(_("months"))
    start = models.DateField(_("start"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-start"]
        verbose_name = _("foster-parent pledge")
        verbose_name_plural = _("foster-parent pledges")


class DeliverySource(models.TextChoices):
    ENTRY = "entry", _("Entry screen")
    DISTRIBUTION = "distribution", _("Distribution day")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    DEMO = "demo", _("Demo data")


class Delivery(Placed):
    """One intervention delivered: to a person (by name) or to a household (by address), never
    neither (a check constraint). A voided delivery stays (audit) but counts for nothing."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The desa of `Placed`, without its own indexes: the (desa, date, voided_at) index below serves
    # equality and within()'s prefix LIKE alike.
    desa = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", limit_choices_to=DESA,
                             db_index=False)
    # The references to reference tables (item, agency, course, pledge, posyandu, created_by,
    # voided_by) have no foreign-key constraint in the database (db_constraint=False): each one
    # cost every imported row a trigger lookup, together a third of a delivery's COPY on
    # PostgreSQL. Their writers take them from rows they have just read (the catalogue, the
    # agencies serving the region, the user's course or pledge), and on_delete (PROTECT,
    # SET_NULL) is Django's, carried out by the ORM either way (tests/interventions/
    # test_references.py). Person, household and desa keep their constraints: they say whose
    # record a delivery is and where it is scoped. item, created_by: no index either (lists and
    # convergence read the code; deleting an item or a user is rare enough to scan for).
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("intervention"),
                             db_index=False, db_constraint=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_index=False, db_constraint=False)
    posyandu = models.ForeignKey(Posyandu, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 db_constraint=False)
    code = models.CharField(max_length=40)
    # person, household, agency, course, pledge: served by the indexes below (no single-column ones)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("person"), db_index=False)
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("household"), db_index=False)
    date = models.DateField(_("date"))
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    fund_source = models.CharField(_("source of funds"), max_length=10, choices=FundSource.choices, blank=True)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("agency"), db_index=False, db_constraint=False)
    delivered_by = models.CharField(_("delivered by"), max_length=200, blank=True)
    course = models.ForeignKey(Course, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries",
                               db_index=False, db_constraint=False)
    pledge = models.ForeignKey(Pledge, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries",
                               db_index=False, db_constraint=False)
    source = models.CharField(max_length=12, choices=DeliverySource.choices, default=DeliverySource.ENTRY)
    # An import's row identity (file row key), so a re-import of the same file changes nothing.
    import_key = models.CharField(max_length=64, blank=True)  # indexed in Meta (no LIKE index)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", db_index=False, db_constraint=False)
    void_reason = models.CharField(_("reason voided"), max_length=200, blank=True)

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(person__isnull=False) | Q(household__isnull=False),
                                   name="delivery_has_recipient"),
        ]
        # Each index is paid for by every import row (1M rows): no single-column index a composite
        # one already serves, no second varchar_pattern_ops index for LIKE. (desa, date,
        # voided_at): a desa's active list in date order and its capped count, read from the index
        # alone; its desa in varchar_pattern_ops (PostgreSQL; ignored elsewhere) so the same index
        # answers within()'s prefix LIKE for a kecamatan or kabupaten. Household, course and
        # pledge are empty on most rows: partial indexes skip those rows (an equality on the
        # column implies it is not NULL, so the planner still uses them).
        indexes = [
            models.Index(fields=["person", "code", "date"]),
            models.Index(fields=["household", "code", "date"], name="delivery_household_code_date",
                         condition=Q(household__isnull=False)),
            models.Index(fields=["desa", "date", "voided_at"], name="delivery_desa_date_void_p",
                         opclasses=["varchar_pattern_ops", "date_ops", "timestamptz_ops"]),
            models.Index(fields=["agency", "date"]),
            models.Index(fields=["code", "date"], name="delivery_code_date"),
            models.Index(fields=["import_key"], name="delivery_import_key"),  # a partial one: IN (5,000 keys) cannot use it
            models.Index(fields=["course"], name="delivery_course", condition=Q(course__isnull=False)),
            models.Index(fields=["pledge"], name="delivery_pledge", condition=Q(pledge__isnull=False)),
        ]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")


class Plan(models.Model):
    """An agency's planned quantity of one catalogue item in one desa for one year (RKA/DPA);
    progress is delivered / planned from the deliveries."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="plans", verbose_name=_("agency"))
    code = models.CharField(_("intervention"), max_length=40)
    desa = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", limit_choices_to=DESA)
    year = models.PositiveSmallIntegerField(_("year"))
    planned_quantity = models.DecimalField(_("planned quantity"), max_digits=14, decimal_places=2)
    budget = models.DecimalField(_("budget (Rp)"), max_digits=16, decimal_places=0, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        unique_together = [("agency", "code", "desa", "year")]
        ordering = ["year", "code", "desa"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")


class DeliveryTotal(models.Model):
    """Delivered quantity and count per agency, item, desa and year: kept by `totals` inside every
    writer's transaction (and rebuilt after bulk loads), so plan progress reads a few rows instead
    of summing a million deliveries."""

    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=40)
    desa = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    quantity = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    deliveries = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("delivery total")
        verbose_name_plural = _("delivery totals")
        constraints = [models.UniqueConstraint(fields=["agency", "code", "desa", "year"], name="delivery_total_key")]
        indexes = [models.Index(fields=["year", "agency", "code"])]
