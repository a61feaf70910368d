"""What each import did: one ImportBatch per file, one ImportRow per data row, and the near
duplicates a person has to decide on."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.regions.models import Region
from tumbuh.registry.models import Person


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed, nothing imported")
        CANCELLED = "cancelled", _("cancelled, nothing imported")

    source = models.CharField(max_length=20, default="eppgbm")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    file_format = models.CharField(max_length=8, blank=True)
    header = models.JSONField(default=list, blank=True)  # the file's own header row, for the rejects file
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    error = models.TextField(blank=True)
    # The background task importing a web upload (django-tasks result id), and the stored file.
    task_id = models.CharField(max_length=64, blank=True)
    stored_file = models.CharField(max_length=500, blank=True)

    total_rows = models.IntegerField(_("rows"), default=0)
    blank_rows = models.IntegerField(_("blank rows"), default=0)
    imported = models.IntegerField(_("imported"), default=0)
    merged = models.IntegerField(_("merged"), default=0)
    unchanged = models.IntegerField(_("unchanged"), default=0)
    rejected = models.IntegerField(_("rejected"), default=0)
    # rows held for a person to decide on (a delivery whose recipient is only a near match):
    # neither imported nor rejected until the review is decided (services.decide_delivery_review)
    held = models.IntegerField(_("waiting for review"), default=0)
    people_created = models.IntegerField(default=0)
    rows_with_notes = models.IntegerField(default=0)
    review_count = models.IntegerField(default=0)
    # {"desa": {"KEC / DESA": rows}, "posyandu_created": [...], "puskesmas": {...}}
    unknown_places = models.JSONField(default=dict, blank=True)
    zscore_summary = models.JSONField(default=dict, blank=True)

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.started_at:%Y-%m-%d %H:%M})"

    @property
    def warnings(self) -> list:
        """What the report and the command say besides the counts."""
        if self.status == self.Status.DONE and self.total_rows == 0:
            return [_("The file has a header row but no data rows: nothing was imported. "
                      "Check that you exported the list with its rows.")]
        return []

    @property
    def accounted_rows(self) -> int:
        return self.imported + self.merged + self.unchanged + self.rejected + self.held + self.blank_rows


class ImportRow(models.Model):
    class Outcome(models.TextChoices):
        IMPORTED = "imported", _("imported")
        MERGED = "merged", _("merged (updated)")
        UNCHANGED = "unchanged", _("unchanged")
        REJECTED = "rejected", _("rejected")
        HELD = "held", _("waiting for review")

    # No database constraint either (Django still cascades): a million-row file would otherwise pay
    # a million foreign-key checks at commit (~5 s on PostgreSQL) for a pointer only the importer writes.
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows", db_constraint=False)
    row_number = models.IntegerField()  # as the spreadsheet shows it, header = its own number
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    # A log's pointers, kept consistent by Django's on_delete; without a database constraint so a
    # million-row import does not pay two foreign-key checks per row at commit.
    person = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+",
                               db_constraint=False)
    measurement = models.ForeignKey(
        "measurements.Measurement", null=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    # What the row wrote when it is not a measurement (a delivery, a screening, a pregnancy, a
    # KRS snapshot): its id in the declaration's model (ImportBatch.source says which).
    object_id = models.BigIntegerField(null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True)  # why rejected
    notes = models.JSONField(default=list, blank=True)  # what was repaired
    cells = models.JSONField(default=list, blank=True)  # raw text, kept when rejected or noted
    previous = models.JSONField(default=dict, blank=True)  # values replaced by a merge

    class Meta:
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        ordering = ["batch", "row_number"]
        constraints = [models.UniqueConstraint(fields=["batch", "row_number"], name="importrow_unique_number")]
        indexes = [models.Index(fields=["batch", "outcome"])]


class ParentName(models.Model):
    """The parent's name EPPGBM gives for a child (we have no birth date to register the parent as
    a Person); part of the fallback match key name + birth date + parent."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="eppgbm_parent")
    parent_name = models.CharField(max_length=120)

    class Meta:
        verbose_name = _("parent name")
        verbose_name_plural = _("parent names")


class MatchReview(models.Model):
    """A child created by an import who may be the same as an existing child: a person decides.

    Or (a delivery list's row, `row_key` set, `person` empty) a row whose recipient is only a near
    match of `candidate`: the row is held (ImportRow outcome "held", its object_id this review)
    until a person decides "same person" (the delivery is recorded for the candidate) or "not
    this person" (the row is rejected)."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("to review")
        SAME = "same", _("same child (merged)")
        DIFFERENT = "different", _("different children")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="reviews")
    row_number = models.IntegerField()
    # Null once a "same" decision merged the imported child away; the decision stays on record.
    person = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    candidate = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    # A merge's undo record (imports.merging): what moved from the merged child to the kept one,
    # and the merged child's row with whatever could not move, serialized. Empty when not merged
    # or after an undo.
    merge_record = models.JSONField(default=dict, blank=True)
    # A held delivery row: its stable identity (the file's recipient + the candidate + code +
    # date; a re-import finds the review again instead of making a second one) and the row's
    # values, recorded for the candidate on a "same person" decision; once decided, under
    # "decision", what the decision did (the delivery it recorded, the rows it gave an outcome),
    # which `services.undo_delivery_review` reverses.
    row_key = models.CharField(max_length=64, blank=True, default="", db_index=True)
    held = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("match review")
        verbose_name_plural = _("match reviews")
        ordering = ["-score"]
        constraints = [models.UniqueConstraint(fields=["person", "candidate"], name="matchreview_unique_pair")]
        # The review page: pending reviews, highest score first, without reading decided ones.
        indexes = [models.Index(fields=["decision", "-score"], name="matchreview_decision_score")]
