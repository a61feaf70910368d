"""Reports: the semester report of a region (Perpres 72/2021 Pasal 25, twice a year, desa ->
kecamatan -> kab/kota -> provinsi), its submission to the level above, and rendered files.

A report's numbers are computed live while it is a draft and frozen into `snapshot` (JSON) when it
is finalised; a finalised report is never changed again (services refuse it). Sending a report back
does not reopen it: the submitter makes a new version (`version` + 1) from it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.regions.models import Region


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Finalised")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Sent back")
    ACCEPTED = "accepted", _("Accepted")


# Once finalised, the numbers and texts of these never change.
FROZEN = (Status.FINAL, Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED)


class SemesterReport(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    year = models.PositiveSmallIntegerField(_("year"))
    semester = models.PositiveSmallIntegerField(_("semester"), choices=[(1, "I"), (2, "II")])
    version = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The parts a person writes (kept with the report, frozen with it).
    problems = models.TextField(_("problems found"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    # Child regions' reports rolled up into this one (ids of SemesterReport), chosen by the team.
    rolled_up = models.JSONField(default=list, blank=True)
    snapshot = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    return_reason = models.TextField(_("reason for sending back"), blank=True)

    class Meta:
        verbose_name = _("semester report")
        verbose_name_plural = _("semester reports")
        unique_together = [("region", "year", "semester", "version")]
        ordering = ["-year", "-semester", "region_id", "-version"]

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN

    @property
    def period_key(self) -> str:
        return f"{self.year}-S{self.semester}"

    def __str__(self) -> str:
        return f"Laporan semester {self.semester} {self.year} {self.region_id} v{self.version}"


class JobKind(models.TextChoices):
    SEMESTER_PDF = "semester_pdf", _("Semester report (PDF)")
    SEMESTER_XLSX = "semester_xlsx", _("Semester report tables (xlsx)")
    RAKOR_HANDOUT = "rakor_handout", _("Rakor handout (PDF)")
    RAKOR_SLIDES = "rakor_slides", _("Rakor slides (PDF, 16:9)")
    BNBA = "bnba", _("Print list BNBA (PDF)")
    LIST = "list", _("Print list (PDF)")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Rendering")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class RenderJob(models.Model):
    """One file rendered in the background (django-tasks): what, for whom, how far, the bytes."""

    kind = models.CharField(max_length=20, choices=JobKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    report = models.ForeignKey(SemesterReport, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs")
    meeting = models.ForeignKey("coordination.Meeting", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    params = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    output = models.BinaryField(null=True, blank=True, editable=False)
    task_id = models.CharField(max_length=64, blank=True)
    # Seconds the rendering took (shown, and read by the benchmark).
    seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report render job")
        verbose_name_plural = _("report render jobs")
        ordering = ["-created_at", "-pk"]

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    def __str__(self) -> str:
        return f"{self.kind} {self.region_id} #{self.pk}"
