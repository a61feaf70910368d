"""Anthropometric measurements and what the growth engine derives from them.

The raw inputs are kept as entered; every derived column (age, z-scores, flags, Permenkes
categories, weight-gain status) is recomputed by `services` from the inputs, on save and in bulk,
so a corrected table or rule never leaves stale numbers behind.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.regions.models import Posyandu, Region
from tumbuh.registry.models import Person


class Measurement(models.Model):
    class Position(models.TextChoices):
        LYING = "l", _("Lying (length)")
        STANDING = "h", _("Standing (height)")

    class WeightGain(models.TextChoices):
        NAIK = "N", _("N: gained")
        TIDAK_NAIK = "T", _("T: did not gain")
        TWO_T = "2T", _("2T: did not gain twice")
        ABSENT_LAST_MONTH = "O", _("O: not weighed last month")
        NEW = "B", _("B: first weighing")

    class Source(models.TextChoices):
        ENTRY = "entry", _("Data entry")
        IMPORT = "import", _("Import")
        DEMO = "demo", _("Synthetic demo")

    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField(_("date measured"))
    weight_kg = models.FloatField(_("weight (kg)"), null=True, blank=True)
    length_cm = models.FloatField(_("length/height (cm)"), null=True, blank=True)
    position = models.CharField(_("position"), max_length=1, choices=Position.choices, blank=True)
    head_circumference_cm = models.FloatField(_("head circumference (cm)"), null=True, blank=True)
    arm_circumference_cm = models.FloatField(_("arm circumference / LiLA (cm)"), null=True, blank=True)
    oedema = models.BooleanField(_("bilateral pitting oedema"), default=False)
    posyandu = models.ForeignKey(
        Posyandu, null=True, blank=True, on_delete=models.SET_NULL, related_name="measurements"
    )
    measured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    measurer_name = models.CharField(_("measured by"), max_length=120, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ENTRY)
    # Set when someone confirmed, after being warned, that a value far from the child's earlier
    # ones is right. Until then such a row is flagged like a WHO flag (kept out of prevalence, BNBA).
    values_confirmed = models.BooleanField(_("values confirmed"), default=False)
    # Copied from the child at save time: the scoping key, and where the child was when measured.
    desa = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")

    # Derived by services.derive(); never typed in.
    age_days = models.IntegerField(_("age (days)"), null=True)
    length_adjusted_cm = models.FloatField(null=True)
    bmi = models.FloatField(null=True)
    length_for_age_z = models.FloatField(_("length/height-for-age z"), null=True)
    weight_for_age_z = models.FloatField(_("weight-for-age z"), null=True)
    weight_for_length_z = models.FloatField(_("weight-for-length/height z"), null=True)
    bmi_for_age_z = models.FloatField(_("BMI-for-age z"), null=True)
    head_circumference_for_age_z = models.FloatField(_("head circumference-for-age z"), null=True)
    arm_circumference_for_age_z = models.FloatField(_("arm circumference-for-age z"), null=True)
    length_for_age_flag = models.BooleanField(null=True)
    weight_for_age_flag = models.BooleanField(null=True)
    weight_for_length_flag = models.BooleanField(null=True)
    bmi_for_age_flag = models.BooleanField(null=True)
    head_circumference_for_age_flag = models.BooleanField(null=True)
    arm_circumference_for_age_flag = models.BooleanField(null=True)
    position_flag = models.BooleanField(default=False, help_text="c9mo: measured standing before 9 months")
    # Permenkes 2/2020 category codes (see tumbuh.growth.categories).
    weight_for_age_category = models.CharField(max_length=32, blank=True)
    length_for_age_category = models.CharField(max_length=32, blank=True)
    weight_for_length_category = models.CharField(max_length=32, blank=True)
    bmi_for_age_category = models.CharField(max_length=32, blank=True)
    weight_gain = models.CharField(_("weight gain"), max_length=2, choices=WeightGain.choices, blank=True)
    below_red_line = models.BooleanField(_("BGM"), default=False)
    warnings = models.JSONField(default=list, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["child_id", "measured_on"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(fields=["child", "measured_on"], name="measurement_one_per_child_per_day"),
        ]
        indexes = [
            models.Index(fields=["desa", "measured_on"]),
            models.Index(fields=["posyandu", "measured_on"]),
            models.Index(fields=["measured_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} @ {self.measured_on}"

    @property
    def warning_texts(self) -> list[str]:
        from .derivation import warning_message

        return [warning_message(w) for w in self.warnings or []]

    @property
    def awaiting_confirmation(self) -> bool:
        """A value far from the child's earlier ones, not yet confirmed: not counted."""
        from .derivation import CONFIRMABLE_WARNINGS

        return not self.values_confirmed and any(
            w.get("code") in CONFIRMABLE_WARNINGS for w in self.warnings or [])

    @property
    def is_stunted(self) -> bool:
        return self.length_for_age_z is not None and not self.length_for_age_flag and self.length_for_age_z < -2


class Absence(models.Model):
    """A child marked "tidak hadir" at a posyandu session: expected, not measured, on purpose."""

    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="absences")
    posyandu = models.ForeignKey(Posyandu, on_delete=models.CASCADE, related_name="absences")
    on = models.DateField(_("session date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [models.UniqueConstraint(fields=["child", "on"], name="absence_one_per_child_per_day")]
        indexes = [models.Index(fields=["posyandu", "on"])]

    def __str__(self) -> str:
        return f"{self.child_id} absent @ {self.on}"
