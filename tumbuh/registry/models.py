"""People and households, for the whole programme.

A Person is anyone the programme follows: a child under five, a mother, a pregnant woman, a bride-
to-be (catin). What makes someone a target is derived (age) or recorded by the module that owns it
(pregnancies, catin screening), so adding a target group never remodels people.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tumbuh.regions.models import Posyandu, Region

from .nik import NikError, clean_nik, parse_nik


def validate_nik(value: str) -> None:
    try:
        parse_nik(value)
    except NikError as exc:
        raise ValidationError(str(exc)) from exc


def validate_kk(value: str) -> None:
    try:
        clean_nik(value)  # a KK number has the same 16-digit shape
    except NikError as exc:
        raise ValidationError(_("KK number must have 16 digits")) from exc


class Household(models.Model):
    kk_number = models.CharField(_("KK number"), max_length=16, blank=True, validators=[validate_kk])
    head_name = models.CharField(_("head of household"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    desa = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="households",
        limit_choices_to={"level": Region.Level.DESA},
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(
                fields=["kk_number"], condition=~models.Q(kk_number=""), name="household_unique_kk"
            )
        ]
        indexes = [models.Index(fields=["desa"])]

    def __str__(self) -> str:
        return self.head_name or self.kk_number or f"KK #{self.pk}"


class JknStatus(models.TextChoices):
    """JKN (BPJS Kesehatan) membership as last checked. Blank on the person means "not recorded":
    unknown, which every count keeps apart from NONE (checked: no JKN)."""

    PBI_APBN = "pbi_apbn", _("PBI-APBN (contribution paid by the central government)")
    PBI_APBD = "pbi_apbd", _("PBI-APBD (contribution paid by the regional government)")
    MANDIRI = "mandiri", _("Mandiri (PBPU/BP, pays own contribution)")
    PPU = "ppu", _("PPU (wage worker, paid through the employer)")
    NONE = "none", _("No JKN")


# The statuses that are a membership (the scorecard's JKN item, the convergence rule's default
# `membership` list in convergence/data/rules.json), and those that are PBI (RAN-PASTI "PBI JKN").
JKN_MEMBERSHIP = (JknStatus.PBI_APBN, JknStatus.PBI_APBD, JknStatus.MANDIRI, JknStatus.PPU)
JKN_PBI = (JknStatus.PBI_APBN, JknStatus.PBI_APBD)
# For tables: the scheme's own name (the same in both languages), or "no JKN".
JKN_SHORT = {JknStatus.PBI_APBN: "PBI-APBN", JknStatus.PBI_APBD: "PBI-APBD", JknStatus.MANDIRI: "Mandiri",
             JknStatus.PPU: "PPU", JknStatus.NONE: _("No JKN")}


class Person(models.Model):
    JknStatus = JknStatus

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class InactiveReason(models.TextChoices):
        MOVED = "moved", _("Moved away")
        DIED = "died", _("Died")
        OTHER = "other", _("Other reason")

    nik = models.CharField(_("NIK"), max_length=16, blank=True, validators=[validate_nik])
    name = models.CharField(_("name"), max_length=120)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    birth_weight_kg = models.FloatField(_("birth weight (kg)"), null=True, blank=True)
    birth_length_cm = models.FloatField(_("birth length (cm)"), null=True, blank=True)
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    mother = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children_as_mother"
    )
    father = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children_as_father"
    )
    # Where the person lives (scoping key) and, for young children, the posyandu that follows them.
    desa = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="residents",
        limit_choices_to={"level": Region.Level.DESA},
    )
    posyandu = models.ForeignKey(
        Posyandu, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    active = models.BooleanField(_("active"), default=True, help_text=_("Cleared when the person moves away or dies."))
    inactive_reason = models.CharField(_("reason inactive"), max_length=10, blank=True,
                                       choices=InactiveReason.choices)
    # The current status only (no history but the audit log): counts for a past date D take it
    # from `jkn_checked_on` on (a status checked after D was not known on D; no date: always).
    jkn_status = models.CharField(_("JKN membership"), max_length=10, blank=True, choices=JknStatus.choices,
                                  help_text=_("Leave empty when it is not known yet."))
    jkn_checked_on = models.DateField(_("JKN status checked on"), null=True, blank=True,
                                      help_text=_("When the JKN card, the JKN app or the puskesmas confirmed "
                                                  "the status."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(fields=["nik"], condition=~models.Q(nik=""), name="person_unique_nik")
        ]
        indexes = [
            models.Index(fields=["desa", "birth_date"]),
            models.Index(fields=["posyandu", "birth_date"]),
            models.Index(fields=["name", "birth_date"]),
            # Covers analytics' S (active under-fives per desa and posyandu on a date): the count
            # reads the index alone, no table row per child.
            models.Index(fields=["desa", "posyandu", "birth_date", "active"]),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.jkn_checked_on and not self.jkn_status:
            raise ValidationError({"jkn_checked_on": _("Choose the JKN status that was checked.")})
        # "The future" is after today in the person's own region (WIB/WITA/WIT), whoever types it:
        # at 00:30 WITA a Bontang midwife's today is already tomorrow on a WIB server.
        from tumbuh.web.timezones import zone_for_region

        if self.jkn_checked_on and self.jkn_checked_on > timezone.localdate(timezone=zone_for_region(self.desa_id)):
            raise ValidationError({"jkn_checked_on": _("The check date cannot be in the future.")})

    @property
    def jkn_short(self) -> str:
        return str(JKN_SHORT.get(self.jkn_status, ""))

    @property
    def has_jkn(self) -> bool | None:
        """True: a JKN membership is recorded; False: checked, none; None: not recorded."""
        if not self.jkn_status:
            return None
        return self.jkn_status in JKN_MEMBERSHIP

    @property
    def status_label(self) -> str:
        """"Tidak aktif (pindah)" etc.; empty for an active person."""
        if self.active:
            return ""
        if self.inactive_reason:
            return _("inactive (%(reason)s)") % {"reason": self.get_inactive_reason_display().lower()}
        return _("inactive (reason not recorded)")

    def age_days(self, on: dt.date | None = None) -> int:
        return ((on or dt.date.today()) - self.birth_date).days

    def age_months(self, on: dt.date | None = None) -> float:
        return self.age_days(on) / 30.4375

    @property
    def is_under_five(self) -> bool:
        return self.age_days() < 1826


class PersonVoid(models.Model):
    """A person removed because they should never have been in the register (entered twice, by
    mistake, for practice): OpenMRS' "void with a reason", not a silent delete (issue 16 item 10).

    Nothing goes by cascade without being kept: `record` holds the person's own row and every row
    deleting them removes (measurements, deliveries, target-group records...), serialized, and the
    links a delete would clear (a child's `mother`, an import row's person), so `restore` puts all
    of it back under the same ids. Until then the person is in no list, count, export or API
    answer, because their rows are not in the tables those read. `desa` and `posyandu` keep the
    person's place so the void is scoped like the person was (Scope.person_q)."""

    class Reason(models.TextChoices):
        DUPLICATE = "duplicate", _("Entered twice (a duplicate)")
        MISTAKE = "mistake", _("Entered by mistake (not someone of this area)")
        PRACTICE = "practice", _("Practice or test entry")
        OTHER = "other", _("Other reason")

    person_id = models.BigIntegerField(_("person id"), db_index=True)
    name = models.CharField(_("name"), max_length=120)
    birth_date = models.DateField(_("birth date"))
    desa = models.ForeignKey(Region, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    posyandu = models.ForeignKey(Posyandu, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
                                 related_name="+")
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    voided_at = models.DateTimeField(_("voided at"), auto_now_add=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    record = models.JSONField(default=dict)
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)
    restored_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = _("voided person")
        verbose_name_plural = _("voided people")
        ordering = ["-voided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} (#{self.person_id})"
