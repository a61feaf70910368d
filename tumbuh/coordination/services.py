"""Writes. Every create/change goes through here and is audited (tumbuh.audit.services.record)."""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.models import Role, User
from tumbuh.audit.services import record
from tumbuh.regions.models import Region, within

from . import data_evidence
from . import framework as fw
from . import selectors as sel
from .models import (
    OPEN_STATUSES,
    Agency,
    AksiRecord,
    Assessment,
    AssessmentStatus,
    CalendarToken,
    CaseReview,
    Commitment,
    CommitmentStatusChange,
    Deadline,
    Evidence,
    Meeting,
    ReminderSent,
)

# The OPD every kab/kota has (by code), created on first use; more can be added in the admin.
DEFAULT_AGENCIES = [
    ("SETDA", "Sekretariat Daerah"),
    ("BAPPEDA", "Bappeda / Bapperida"),
    ("DINKES", "Dinas Kesehatan"),
    ("DPMD", "Dinas Pemberdayaan Masyarakat dan Desa"),
    ("DPPKB", "Dinas Pengendalian Penduduk dan KB (DP3AKB)"),
    ("DINSOS", "Dinas Sosial"),
    ("PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ("PERKIM", "Dinas Perumahan dan Kawasan Permukiman"),
    ("DISPERTAN", "Dinas Pertanian"),
    ("DKP", "Dinas Ketahanan Pangan / Perikanan"),
    ("DISKOMINFO", "Dinas Komunikasi dan Informatika"),
    ("DISDIK", "Dinas Pendidikan"),
    ("KEMENAG", "Kantor Kementerian Agama"),
]


def _kabupaten_of(region: Region) -> Region:
    code = ".".join(region.code.split(".")[:2])
    return Region.objects.get(code=code)


def ensure_agencies(region: Region) -> dict[str, Agency]:
    kab = _kabupaten_of(region) if region.level != Region.Level.PROVINSI else region
    existing = {a.code: a for a in Agency.objects.filter(region=kab)}
    for code, name in DEFAULT_AGENCIES:
        if code not in existing:
            existing[code] = Agency.objects.create(region=kab, code=code, name=name)
    return existing


@transaction.atomic
def ensure_year(region: Region, year: int) -> list[AksiRecord]:
    """The aksi records of a kab/kota and year, created from the framework valid that year."""
    if region.level != Region.Level.KABUPATEN:
        raise ValidationError(_("The convergence actions are kept per kabupaten/kota."))
    framework = fw.for_year(year)
    agencies = ensure_agencies(region)
    have = {r.number: r for r in AksiRecord.objects.filter(region=region, year=year)}
    for action in framework.actions:
        if action.number not in have:
            have[action.number] = AksiRecord.objects.create(
                region=region, year=year, framework=framework.code, number=action.number,
                lead=agencies.get(action.lead))
    return [have[n] for n in sorted(have)]


def update_aksi(user, record: AksiRecord, *, status: str, lead: Agency | None, notes: str, request=None) -> AksiRecord:
    if not sel.can_edit_aksi(user, record.region_id):
        raise PermissionDenied
    if lead is not None and lead.region_id != record.region_id:
        raise ValidationError(_("That OPD belongs to another kabupaten/kota."))
    record.status, record.lead, record.notes, record.updated_by = status, lead, notes, user
    record.save()
    record_event(user, "update", record, f"Aksi {record.number} {record.year}: {record.status}", request)
    return record


def record_event(user, action: str, obj, summary: str, request=None):
    return record(user, action, obj=obj, region_code=getattr(obj, "region_id", "") or "", summary=summary,
                  request=request)


# ---- evidence uploads ------------------------------------------------------------------------

# extension -> (content type, magic-byte check). Office files are zip containers.
ALLOWED = {
    "pdf": ("application/pdf", lambda head: head.startswith(b"%PDF-")),
    "png": ("image/png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    "jpg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", lambda h: h.startswith(b"PK\x03\x04")),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", lambda h: h.startswith(b"PK\x03\x04")),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", lambda h: h.startswith(b"PK\x03\x04")),
    "odt": ("application/vnd.oasis.opendocument.text", lambda h: h.startswith(b"PK\x03\x04")),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", lambda h: h.startswith(b"PK\x03\x04")),
}


def clean_filename(name: str) -> str:
    """The last path component only, printable, at most 150 characters; the stored file gets a
    random name anyway (models.evidence_path)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[\x00-\x1f<>:\"|?*]", "", base).strip(" .")
    return base[:150]


def validate_upload(upload) -> tuple[str, str, str]:
    """Returns (clean name, extension, content type) or raises ValidationError in Indonesian."""
    if upload is None:
        raise ValidationError(_("Choose a file to upload."))
    name = clean_filename(upload.name)
    if not name or name != os.path.basename(name):
        raise ValidationError(_("The file name is not acceptable."))
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        raise ValidationError(_("Only PDF, images (JPG, PNG) and office documents (DOCX, XLSX, PPTX, ODT, ODS) can be uploaded."))
    limit = settings.COORDINATION_MAX_UPLOAD_MB * 1024 * 1024
    if upload.size > limit:
        raise ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": settings.COORDINATION_MAX_UPLOAD_MB})
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type, check = ALLOWED[ext]
    if not check(head):
        raise ValidationError(_("The file content does not match its type (.%(ext)s).") % {"ext": ext})
    return name, ext, content_type


def add_evidence(user, upload, *, aksi: AksiRecord | None = None, commitment: Commitment | None = None,
                 description: str = "", request=None) -> Evidence:
    target = aksi or commitment
    if target is None:
        raise ValueError("evidence needs an aksi or a commitment")
    allowed = sel.can_edit_aksi(user, target.region_id) if aksi else sel.can_edit_region(user, target.region_id)
    if not allowed:
        raise PermissionDenied
    name, _ext, content_type = validate_upload(upload)
    upload.name = name
    ev = Evidence(region_id=target.region_id, aksi=aksi, commitment=commitment, original_name=name,
                  content_type=content_type, size=upload.size, description=description[:200], uploaded_by=user)
    ev.file.save(name, upload, save=False)
    ev.save()
    record_event(user, "create", ev, f"evidence {name}", request)
    return ev


# ---- meetings ----------------------------------------------------------------------------------

def create_meeting(user, *, region: Region, invited_users=(), request=None, **fields) -> Meeting:
    if not sel.can_edit_region(user, region.code):
        raise PermissionDenied
    with transaction.atomic():
        if region.level != Region.Level.PROVINSI:
            ensure_agencies(region)  # the OPD choices of its commitments
        meeting = Meeting.objects.create(region=region, created_by=user, **fields)
        if invited_users:
            meeting.invited_users.set(invited_users)
        if not meeting.agenda.strip():
            meeting.agenda = agenda_from_open(meeting)
            meeting.save(update_fields=["agenda"])
        if meeting.date <= timezone.localdate():
            freeze_materials(meeting)
    record_event(user, "create", meeting, meeting.title, request)
    return meeting


def update_meeting(user, meeting: Meeting, request=None, **fields) -> Meeting:
    if not sel.can_edit_region(user, meeting.region_id):
        raise PermissionDenied
    for k, v in fields.items():
        setattr(meeting, k, v)
    meeting.save()
    record_event(user, "update", meeting, meeting.title, request)
    return meeting


def freeze_materials(meeting: Meeting, *, force: bool = False) -> bool:
    """Store the dashboard as of the meeting date in the meeting. Once frozen, kept as it was
    (new data entered later does not change what the meeting saw)."""
    if meeting.materials_frozen_at and not force:
        return False
    meeting.materials = data_evidence.meeting_materials(meeting.region, meeting.date)
    meeting.materials_frozen_at = timezone.now()
    meeting.save(update_fields=["materials", "materials_frozen_at"])
    return True


def agenda_from_open(meeting: Meeting) -> str:
    """The next meeting's agenda: the open commitments of its region, overdue first."""
    items = (Commitment.objects.filter(within("region_id", meeting.region_id), status__in=OPEN_STATUSES)
             .exclude(meeting=meeting).select_related("agency", "owner"))
    items = sorted(items, key=lambda c: (c.due_date >= meeting.date, c.due_date, c.pk))
    if not items:
        return ""
    lines = [_("Follow-up of open commitments:")]
    for c in items:
        mark = _("OVERDUE") + " " if c.due_date < meeting.date else ""
        lines.append(f"- {mark}{c.what} ({c.owner_label}; {_('due')} {c.due_date:%d-%m-%Y})")
    return "\n".join(lines)


# ---- commitments ---------------------------------------------------------------------------------

def add_commitment(user, *, region: Region, request=None, **fields) -> Commitment:
    if not sel.can_edit_region(user, region.code):
        raise PermissionDenied
    agency = fields.get("agency")
    if agency is not None and not region.code.startswith(agency.region_id):
        raise ValidationError(_("That OPD belongs to another kabupaten/kota."))
    c = Commitment(region=region, **fields)
    c.full_clean(exclude=["meeting", "case_review"])
    with transaction.atomic():
        c.save()
        _status_changed(user, c, "")
    record_event(user, "create", c, c.what[:200], request)
    return c


def _status_changed(user, c: Commitment, previous: str) -> None:
    """One line of the commitment's status history (read by the Rakor pack as of its date)."""
    CommitmentStatusChange.objects.create(commitment=c, previous=previous, status=c.status,
                                          changed_by=user if getattr(user, "pk", None) else None)


def update_commitment(user, c: Commitment, *, request=None, **fields) -> Commitment:
    if not (sel.can_edit_region(user, c.region_id) or (c.owner_id and c.owner_id == getattr(user, "pk", None))):
        raise PermissionDenied
    previous = Commitment.objects.filter(pk=c.pk).values_list("status", flat=True).first() or ""
    for k, v in fields.items():
        setattr(c, k, v)
    c.full_clean(exclude=["meeting", "case_review"])
    with transaction.atomic():
        c.save()
        if c.status != previous:
            _status_changed(user, c, previous)
    record_event(user, "update", c, f"{c.what[:150]}: {c.status}", request)
    return c


# ---- performance assessment -----------------------------------------------------------------------

def ensure_assessment(region: Region, year: int) -> Assessment:
    config = fw.assessment_config(year)
    a, _created = Assessment.objects.get_or_create(region=region, year=year, defaults={"framework": config.framework})
    return a


def score(assessment: Assessment, which: str = "review") -> float | None:
    """Document score (weighted mean per aksi of the indicators' grade scores) and presentation
    score, combined by the year's split. None when no indicator is graded yet."""
    config = fw.assessment_config(assessment.year)
    framework = fw.by_code(assessment.framework)
    grades = assessment.review_grades if which == "review" else assessment.self_grades
    total_w = 0.0
    doc = 0.0
    for action in framework.actions:
        w = config.aksi_weights.get(action.number, 0.0)
        values = [config.grades[grades[i.code]] for i in action.indicators if grades.get(i.code) in config.grades]
        if not action.indicators or w <= 0:
            continue
        total_w += w
        doc += w * (sum(values) / len(action.indicators) if values else 0.0)
    if not any(g in config.grades for g in grades.values()):
        return None
    doc = doc / total_w if total_w else 0.0
    pres = float(assessment.presentation_score) if assessment.presentation_score is not None else 0.0
    if which != "review":
        return round(doc, 2)
    return round(config.document_weight * doc + config.presentation_weight * pres, 2)


def ranking(assessments) -> list[dict]:
    """Kab/kota ranked by reviewed score (then self-assessment), ties share a rank."""
    rows = []
    for a in assessments:
        rows.append({"assessment": a, "region": a.region, "self": score(a, "self"), "review": score(a, "review")})
    rows.sort(key=lambda r: (-(r["review"] if r["review"] is not None else -1), r["region"].name))
    rank, last = 0, object()
    for i, r in enumerate(rows, start=1):
        if r["review"] != last:
            rank, last = i, r["review"]
        r["rank"] = rank if r["review"] is not None else None
    return rows


def save_grades(user, assessment: Assessment, grades: dict, *, review: bool, presentation=None, request=None):
    config = fw.assessment_config(assessment.year)
    codes = {i.code for a in fw.by_code(assessment.framework).actions for i in a.indicators}
    clean = {k: v for k, v in grades.items() if k in codes and v in config.grades}
    if review:
        if not sel.can_review(user, assessment.region_id):
            raise PermissionDenied
        assessment.review_grades = clean
        if presentation is not None:
            p = Decimal(str(presentation))
            if not 0 <= p <= 100:
                raise ValidationError(_("The presentation score is between 0 and 100."))
            assessment.presentation_score = p
        assessment.status = AssessmentStatus.REVIEWED
        assessment.reviewed_by, assessment.reviewed_at = user, timezone.now()
    else:
        if not sel.can_edit_aksi(user, assessment.region_id):
            raise PermissionDenied
        if assessment.status == AssessmentStatus.REVIEWED:
            raise ValidationError(_("The province has already reviewed this assessment."))
        assessment.self_grades = clean
        assessment.status = AssessmentStatus.SUBMITTED
    assessment.save()
    record_event(user, "update", assessment, f"penilaian {assessment.year} {'reviu' if review else 'mandiri'}", request)
    return assessment


# ---- case reviews (AKS) -----------------------------------------------------------------------------

def create_case_review(user, *, child, reviewed_on: dt.date, findings: str, meeting=None, request=None) -> CaseReview:
    from tumbuh.registry.selectors import people_for

    if not people_for(user).filter(pk=child.pk).exists():
        raise PermissionDenied
    kab = _kabupaten_of(child.desa)
    if not sel.can_edit_region(user, child.desa_id):
        raise PermissionDenied
    case = CaseReview.objects.create(region=kab, child=child, reviewed_on=reviewed_on, findings=findings,
                                     meeting=meeting, created_by=user)
    record(user, "create", obj=case, region_code=child.desa_id, summary="audit kasus stunting", request=request)
    return case


# ---- deadlines, reminders, calendar ---------------------------------------------------------------

def add_deadline(user, *, region: Region, title: str, due_date: dt.date, notes: str = "", request=None) -> Deadline:
    if not sel.can_edit_region(user, region.code):
        raise PermissionDenied
    d = Deadline.objects.create(region=region, title=title, due_date=due_date, notes=notes)
    record_event(user, "create", d, title, request)
    return d


def calendar_token(user) -> CalendarToken:
    return CalendarToken.objects.get_or_create(user=user)[0]


REMINDER_DAYS = 7


def reminders_for(user, today: dt.date, days: int = REMINDER_DAYS) -> list[dict]:
    """What is due for the user within `days` (or overdue): their own commitments and the
    deadlines of their area (region teams only)."""
    horizon = today + dt.timedelta(days=days)
    items = []
    for c in sel.my_commitments(user).filter(status__in=OPEN_STATUSES, due_date__lte=horizon):
        items.append({"key": f"c{c.pk}:{c.due_date:%Y%m%d}:{'late' if c.due_date < today else 'soon'}",
                      "title": c.what, "due": c.due_date, "overdue": c.due_date < today, "kind": "commitment"})
    if user.role in (Role.KABUPATEN, Role.KECAMATAN, Role.DESA, Role.PROVINSI):
        # Deadlines that concern the user's team: its own region's and those of the regions above
        # (a province is not mailed every kab/kota's deadline; its calendar shows them).
        code = sel.scope_for(user).covering_code or ""
        for d in Deadline.objects.filter(region_id__in=sel.ancestors(code) if code else [],
                                         due_date__gte=today, due_date__lte=horizon):
            items.append({"key": f"d{d.pk}:{d.due_date:%Y%m%d}", "title": d.title, "due": d.due_date,
                          "overdue": False, "kind": "deadline"})
    return sorted(items, key=lambda i: i["due"])


def send_reminders(today: dt.date | None = None, days: int = REMINDER_DAYS) -> int:
    """Email every user what is due; each (user, item, due date, soon/late) once, however often
    this runs (the unique ReminderSent row is written in the same transaction as the decision)."""
    today = today or timezone.localdate()
    sent = 0
    for user in User.objects.filter(is_active=True).exclude(email=""):
        for item in reminders_for(user, today, days):
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(user=user, key=item["key"][:80])
                    label = _("OVERDUE") if item["overdue"] else _("due")
                    send_mail(f"[Tumbuh] {label}: {item['title'][:120]}",
                              f"{item['title']}\n{label} {item['due']:%d-%m-%Y}\n",
                              settings.DEFAULT_FROM_EMAIL, [user.email])
            except IntegrityError:
                continue
            sent += 1
    return sent


def _ics_escape(text: str) -> str:
    return (text or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ics_for(user) -> str:
    """iCalendar feed: meetings, the user's commitments, the area's deadlines. No personal data
    about children (case reviews are not in it)."""
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    host = "tumbuh"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Tumbuh//Koordinasi//ID", "CALSCALE:GREGORIAN",
             "X-WR-CALNAME:Tumbuh"]

    def event(uid, day, summary, description=""):
        lines.extend(["BEGIN:VEVENT", f"UID:{uid}@{host}", f"DTSTAMP:{stamp}",
                      f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                      f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
                      f"SUMMARY:{_ics_escape(summary)}"] + ([f"DESCRIPTION:{_ics_escape(description)}"] if description else [])
                     + ["END:VEVENT"])

    for m in sel.meetings_for(user):
        event(f"meeting-{m.pk}", m.date, f"{m.get_kind_display()}: {m.title}", m.venue)
    for c in sel.my_commitments(user).filter(status__in=OPEN_STATUSES):
        event(f"commitment-{c.pk}", c.due_date, f"{_('due')}: {c.what}")
    for d in sel.deadlines_for(user):
        event(f"deadline-{d.pk}", d.due_date, d.title, d.notes)
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
