"""Coordination: the aksi konvergensi per kab/kota and year, meetings (Rakor, rembuk, Miniloka,
AKS), commitments / action items, deadlines, performance assessments and case reviews.

Every row is placed by a region (`region`), and scoped by it (selectors.py). What each action
*is* (name, outputs, due months, indicators) is read from the framework data file named by
`AksiRecord.framework`, not stored here, so a new framework needs no migration of old years.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tumbuh.regions.models import Region

from . import framework as fw


class AgencyKind(models.TextChoices):
    OPD = "opd", _("Government agency (OPD)")
    PUSKESMAS = "puskesmas", _("Puskesmas")
    DESA = "desa", _("Village government")
    COMPANY = "perusahaan", _("Company (CSR)")
    FOSTER_PARENT = "orang_tua_asuh", _("Foster parent (Bapak/Bunda Asuh)")
    PARTNER = "mitra", _("Other partner (NGO, university, religious body)")


class Agency(models.Model):
    """An OPD (perangkat daerah) or partner of one kab/kota, by code (BAPPEDA, DINKES, ...): who
    is responsible for an action or a catalogue item, and who delivers interventions. `region` is
    the region it serves (its kab/kota, or a desa for a village government)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices, default=AgencyKind.OPD)

    class Meta:
        unique_together = [("region", "code")]
        ordering = ["code"]
        verbose_name = _("agency (OPD)")
        verbose_name_plural = _("agencies (OPD)")

    def __str__(self) -> str:
        return self.name


class AksiStatus(models.TextChoices):
    NOT_STARTED = "belum", _("Not started")
    IN_PROGRESS = "berjalan", _("In progress")
    DONE = "selesai", _("Done")


class AksiRecord(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    framework = models.CharField(max_length=20)
    number = models.PositiveSmallIntegerField(_("action"))
    lead = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("lead OPD"))
    status = models.CharField(_("status"), max_length=10, choices=AksiStatus.choices, default=AksiStatus.NOT_STARTED)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("aksi record")
        verbose_name_plural = _("aksi records")
        unique_together = [("region", "year", "number")]
        ordering = ["region_id", "year", "number"]

    @property
    def action(self) -> fw.Action:
        return fw.by_code(self.framework).action(self.number)

    def __str__(self) -> str:
        return f"Aksi {self.number} {self.year} {self.region_id}"


class MeetingKind(models.TextChoices):
    RAKOR = "rakor", _("Rakor TPPS")
    REMBUK = "rembuk", _("Rembuk stunting")
    MINILOKA = "miniloka", _("Lokakarya mini (Miniloka)")
    AKS = "aks", _("Audit kasus stunting (AKS)")
    MONEV = "monev", _("Monitoring and evaluation")


class Meeting(models.Model):
    kind = models.CharField(_("type"), max_length=10, choices=MeetingKind.choices, default=MeetingKind.RAKOR)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    chair = models.CharField(_("chair"), max_length=200, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    invited = models.TextField(_("invited (OPD / people)"), blank=True)
    attending = models.TextField(_("attending"), blank=True)
    invited_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                           verbose_name=_("invited Tumbuh users"))
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    # The dashboard figures as of the meeting date, frozen: read later as they were.
    materials = models.JSONField(default=dict, blank=True)
    materials_frozen_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d-%m-%Y})"


class CommitmentStatus(models.TextChoices):
    NOT_STARTED = "belum", _("Not started")
    IN_PROGRESS = "berjalan", _("In progress")
    DONE = "selesai", _("Done")
    CANCELLED = "batal", _("Cancelled")


OPEN_STATUSES = (CommitmentStatus.NOT_STARTED, CommitmentStatus.IN_PROGRESS)


class Commitment(models.Model):
    """One line of a Pernyataan Komitmen Bersama, or an action item (DHIS2 Action Tracker)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="commitments")
    case_review = models.ForeignKey("CaseReview", null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="recommendations")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("OPD"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("responsible user"))
    what = models.CharField(_("what"), max_length=300)
    metric = models.CharField(_("measured from Tumbuh data"), max_length=40, blank=True)
    metric_period = models.CharField(_("period measured"), max_length=10, blank=True,
                                     help_text=_("e.g. 2026-08 or 2026-B08 (weighing month)"))
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    reported_value = models.DecimalField(_("reported progress"), max_digits=12, decimal_places=2, null=True, blank=True)
    budget = models.DecimalField(_("budget (Rp)"), max_digits=16, decimal_places=0, null=True, blank=True)
    apbd_subactivity = models.CharField(_("APBD sub-activity"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=10, choices=CommitmentStatus.choices,
                              default=CommitmentStatus.NOT_STARTED)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["due_date", "pk"]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.due_date < (today or timezone.localdate())

    @property
    def owner_label(self) -> str:
        parts = [str(x) for x in (self.agency, self.owner and (self.owner.get_full_name() or self.owner.username)) if x]
        return " · ".join(parts) or "–"

    def __str__(self) -> str:
        return self.what


class CommitmentStatusChange(models.Model):
    """The status history of a commitment, written by the commitment service at each status change
    (and once at creation), so a Rakor pack can show the status as of its meeting date.
    `previous` is "" for the first entry."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="status_changes")
    previous = models.CharField(_("previous status"), max_length=10, choices=CommitmentStatus.choices, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CommitmentStatus.choices)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now, db_index=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("commitment status change")
        verbose_name_plural = _("commitment status changes")
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.previous or '-'} -> {self.status} ({self.changed_at:%Y-%m-%d})"


def evidence_path(instance, filename: str) -> str:
    # Never the uploaded name: a random name under the region and year (no path tricks).
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"coordination/{instance.region_id}/{timezone.now():%Y}/{uuid.uuid4().hex}.{ext}"


class Evidence(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    aksi = models.ForeignKey(AksiRecord, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    commitment = models.ForeignKey(Commitment, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence items")
        ordering = ["-uploaded_at"]


class Deadline(models.Model):
    """A reporting or data-entry deadline of a region (weighing data in by the 10th, semester report)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_date"]

    def __str__(self) -> str:
        return self.title


class ReminderSent(models.Model):
    """One reminder per user and key: the command may run many times, each reminder goes once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        unique_together = [("user", "key")]


def _token() -> str:
    return secrets.token_urlsafe(24)


class CalendarToken(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=_token)

    class Meta:
        verbose_name = _("calendar token")
        verbose_name_plural = _("calendar tokens")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Self-assessment in progress")
    SUBMITTED = "submitted", _("Submitted to the province")
    REVIEWED = "reviewed", _("Reviewed by the province")


class Assessment(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    framework = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    # indicator code -> grade letter
    self_grades = models.JSONField(default=dict, blank=True)
    review_grades = models.JSONField(default=dict, blank=True)
    presentation_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("performance assessment")
        verbose_name_plural = _("performance assessments")
        unique_together = [("region", "year")]


class CaseReview(models.Model):
    """Audit kasus stunting: one child's case reviewed by the expert team."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    # CASCADE: the review is personal data about the child; erasing the child erases it.
    child = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    reviewed_on = models.DateField(_("review date"))
    findings = models.TextField(_("findings"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("case review")
        verbose_name_plural = _("case reviews")
        ordering = ["-reviewed_on"]


class PublicPage(models.Model):
    """A kab/kota's public page (prevalence trend, commitments status): off unless enabled."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("public page")
        verbose_name_plural = _("public pages")
