"""Upload, report, rejected rows, near-duplicate review and EPPGBM export.

Every source declared in the framework has the same upload page (`upload` for EPPGBM,
`upload_source` for the others). An upload is stored and imported in the background
(tasks.import_batch): the request returns at once to the report page, which shows a progress
bar (htmx polling `progress`) and a cancel button until the import has ended.

A batch's rows are personal data of the children they name: the report and the rejected-rows file
show only the rows `selectors.rows_for` lets the user see. The EPPGBM export is streamed.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tumbuh.accounts.access import region_safe
from tumbuh.accounts.scoping import is_admin, scope_for
from tumbuh.audit.services import record
from tumbuh.measurements.selectors import measurements_for
from tumbuh.regions.models import within
from tumbuh.registry.selectors import people_for
from tumbuh.web import xlsx

from . import tasks
from .exports import eppgbm_sheet, rejected_rows_sheet
from .forms import ExportForm, UploadForm
from .framework import create_batch, declaration_for, import_region, sources
from .models import ImportBatch, ImportRow
from .progress import Channel
from .selectors import (
    batch_for,
    batches_for,
    delivery_decisions_for,
    delivery_reviews_for,
    merges_for,
    reviews_for,
    rows_for,
)
from .services import ImportRefused, decide_delivery_review, decide_review, refuse_importer
from .services import undo_delivery_review as undo_delivery_review_service
from .services import undo_merge as undo_merge_service


@region_safe
@require_http_methods(["GET", "POST"])
def upload(request):
    return _upload(request, "eppgbm")


@region_safe
@require_http_methods(["GET", "POST"])
def upload_source(request, source: str):
    if source not in sources():
        raise Http404
    return _upload(request, source)


def _upload(request, source: str):
    """Store the file, queue its import (tasks.import_batch) and go to its report page, which
    shows the progress until the import is done. With the immediate task backend (tests, a
    single process without a worker) the import has run when the page is shown."""
    declaration = declaration_for(source)
    form = UploadForm(request.user, request.POST or None, request.FILES or None, label=declaration.label)
    if request.method == "POST" and form.is_valid():
        try:
            refuse_importer(request.user)
        except ImportRefused as exc:
            form.add_error(None, str(exc))
    if request.method == "POST" and form.is_valid():
        try:
            region = import_region(request.user, form.cleaned_data["region"])
        except ImportRefused as exc:
            form.add_error("region", str(exc))
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        folder = Path(settings.VAR_DIR) / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        stored = folder / f"{uuid.uuid4().hex}{Path(uploaded.name).suffix[:8]}"
        with stored.open("wb") as handle:
            for block in uploaded.chunks():
                handle.write(block)
        batch = create_batch(declaration, stored, user=request.user, region=region, file_name=uploaded.name,
                             status=ImportBatch.Status.QUEUED)
        ImportBatch.objects.filter(pk=batch.pk).update(stored_file=str(stored))
        tasks.enqueue(batch)
        batch.refresh_from_db()
        if batch.status == ImportBatch.Status.FAILED:
            messages.error(request, _("Nothing was imported: %(error)s") % {"error": batch.error})
        for warning in batch.warnings:
            messages.warning(request, warning)
        return redirect("imports:report", pk=batch.pk)
    batches = batches_for(request.user).filter(source=source)[:20]
    return render(request, "imports/upload.html", {
        "form": form, "batches": batches, "declaration": declaration, "source": source,
        "columns": [(spellings[0], name in declaration.columns.required)
                    for name, spellings in declaration.columns.aliases.items()],
    })


@region_safe
def progress(request, pk: int):
    """The progress bar of a queued or running import (polled by htmx every second); once the
    import has ended the page is reloaded to show the report."""
    batch = batch_for(request.user, pk)
    state = Channel(batch.pk).read()
    if batch.status not in (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING) or \
            state.get("state") in ("done", "failed", "cancelled"):
        response = render(request, "imports/_progress.html", {"batch": batch, "state": state, "ended": True})
        response["HX-Refresh"] = "true"
        return response
    return render(request, "imports/_progress.html", {"batch": batch, "state": state, **_percent(state)})


def _percent(state: dict) -> dict:
    done, total = state.get("done") or 0, state.get("total")
    if total:
        return {"percent": min(100, round(100 * done / max(total, 1))), "done": done, "total": total}
    return {"percent": None, "done": done, "total": None}


@region_safe
@require_POST
def cancel(request, pk: int):
    """Cancel a queued import (it will not start) or a running one (it stops before its next
    chunk and rolls back: nothing imported). Only the uploader and administrators may.

    A running import holds its transaction (on SQLite the write lock): the request only leaves
    the cancel note in the progress folder; the import records who cancelled in its batch and
    audit event when it has rolled back."""
    batch = batch_for(request.user, pk)
    if not (request.user.pk == batch.user_id or is_admin(request.user)):
        raise Http404
    if batch.status == ImportBatch.Status.QUEUED:
        if ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.QUEUED).update(
                status=ImportBatch.Status.CANCELLED, finished_at=timezone.now(),
                error=_("Cancelled by %(user)s; nothing was imported.") % {"user": request.user.username}):
            record(request.user, "import", obj=batch, region_code=batch.region_id, request=request,
                   summary=_("Queued import %(file)s cancelled") % {"file": batch.file_name},
                   detail={"cancelled": True, "queued": True})
            if batch.stored_file:
                Path(batch.stored_file).unlink(missing_ok=True)
            return redirect("imports:report", pk=batch.pk)
    if batch.status in (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING):
        Channel(batch.pk).cancel(request.user.username)
        messages.info(request, _("Cancelling: the import stops before its next part and nothing is imported."))
    return redirect("imports:report", pk=batch.pk)


@region_safe
def report(request, pk: int):
    batch = batch_for(request.user, pk)
    visible = rows_for(request.user, batch)
    rejected = list(visible.filter(outcome=ImportRow.Outcome.REJECTED).order_by("row_number")[:50])
    noted = list(visible.exclude(notes=[]).exclude(outcome=ImportRow.Outcome.REJECTED)
                 .order_by("row_number")[:50])
    header = batch.header or []
    name_col = next((i for i, h in enumerate(header) if h.strip().lower() in
                     {"nama", "nama anak", "nama penerima", "nama sasaran", "nama lengkap", "nama ibu", "nama catin",
                      "nama kepala keluarga", "nama kk"}), None)
    for row in rejected + noted:
        row.display_name = row.cells[name_col] if name_col is not None and name_col < len(row.cells) else ""
    largest = batch.zscore_summary.get("largest", [])
    by_row = dict(visible.filter(row_number__in=[r["row"] for r in largest]).values_list("row_number", "person_id"))
    names = dict(people_for(request.user).filter(pk__in=by_row.values()).values_list("pk", "name"))
    largest = [item for item in largest if item["row"] in by_row]  # rows of children the user may see
    for item in largest:
        item["name"] = names.get(by_row.get(item["row"]), "")
    if rejected or noted:
        record(request.user, "view_list", obj=batch, region_code=batch.region_id, request=request,
               summary=_("Import report rows"), detail={"rejected_shown": len(rejected), "noted_shown": len(noted)})
    return render(request, "imports/report.html", {
        "batch": batch, "rejected": rejected, "noted": noted, "largest": largest,
        "running": batch.status in (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING),
        "state": Channel(batch.pk).read(), **_percent(Channel(batch.pk).read()),
        "may_cancel": request.user.pk == batch.user_id or is_admin(request.user),
        "label": declaration_for(batch.source).label if batch.source in sources() else batch.source,
        "upload_url": reverse("imports:upload") if batch.source == "eppgbm" else
        reverse("imports:upload_source", args=[batch.source]) if batch.source in sources() else "",
        "rejected_hidden": batch.rejected and not rejected,
        "pending_reviews": reviews_for(request.user).filter(batch=batch).count()
        + (delivery_reviews_for(request.user).filter(batch=batch).count() if batch.held else 0),
    })


@region_safe
def rejected_download(request, pk: int):
    batch = batch_for(request.user, pk)
    rows = rows_for(request.user, batch)
    count = rows.filter(outcome=ImportRow.Outcome.REJECTED).count()
    if not count and batch.rejected:
        raise Http404  # rejected rows the user may not see: as if there were none
    record(request.user, "export", obj=batch, region_code=batch.region_id, request=request,
           summary=_("Rejected rows of import %(pk)d (%(n)d rows)") % {"pk": batch.pk, "n": count})
    stem = Path(batch.file_name).stem or batch.source
    return xlsx.download([rejected_rows_sheet(rows, batch.header)], f"{stem}-ditolak.xlsx")


@region_safe
def reviews(request):
    # The first REVIEWS_SHOWN, highest score first; each decision removes its row (htmx), the
    # next load brings the following ones. Rendering rows is most of the page's time.
    pending = reviews_for(request.user)
    items = list(pending[:REVIEWS_SHOWN])
    total = len(items) if len(items) < REVIEWS_SHOWN else pending.count()
    record(request.user, "view_list", object_type="imports.matchreview", request=request,
           summary=_("Near-duplicate review list (%(n)d)") % {"n": len(items)})
    merges = list(merges_for(request.user)[:MERGES_SHOWN])
    held = delivery_reviews_for(request.user)
    held_items = list(held[:REVIEWS_SHOWN])
    held_total = len(held_items) if len(held_items) < REVIEWS_SHOWN else held.count()
    if held_items:
        record(request.user, "view_list", object_type="imports.matchreview", request=request,
               summary=_("Held delivery rows to review (%(n)d)") % {"n": len(held_items)})
    decided = list(delivery_decisions_for(request.user)[:MERGES_SHOWN])
    return render(request, "imports/reviews.html", {
        "reviews": items, "reviews_total": total, "merges": merges,
        "held": held_items, "held_total": held_total, "decided": decided,
        "may_decide": not scope_for(request.user).is_cadre})


REVIEWS_SHOWN = 50
MERGES_SHOWN = 20  # the latest merges (and delivery-row decisions), each with its undo button


@region_safe
@require_POST
def decide(request, pk: int):
    # a near duplicate child (EPPGBM) or a held delivery row, each through its own scope
    review = reviews_for(request.user).filter(pk=pk).first()
    decide_service = decide_review
    if review is None:
        review = get_object_or_404(delivery_reviews_for(request.user), pk=pk)
        decide_service = decide_delivery_review
    same = request.POST.get("decision") == "same"
    try:
        decide_service(request.user, review, same=same, request=request)
    except ImportRefused as exc:
        messages.error(request, str(exc))
    if request.headers.get("HX-Request"):
        return render(request, "imports/_review_done.html", {"review": review})
    return redirect("imports:reviews")


@region_safe
@require_POST
def undo_merge(request, pk: int):
    review = get_object_or_404(merges_for(request.user), pk=pk)
    try:
        person = undo_merge_service(request.user, review, request=request)
        messages.success(request, _("Merge undone: %(name)s is back as a separate child; the pair is open for review again.")
                         % {"name": person.name})
    except ImportRefused as exc:
        messages.error(request, str(exc))
    return redirect("imports:reviews")


@region_safe
@require_POST
def undo_delivery_review(request, pk: int):
    # scoped like undo_merge: only a decision the user's selector lists, then the service's checks
    review = get_object_or_404(delivery_decisions_for(request.user), pk=pk)
    try:
        undo_delivery_review_service(request.user, review, request=request)
        messages.success(request, _("Decision undone: row %(row)d of %(file)s waits for review again.")
                         % {"row": review.row_number, "file": review.batch.file_name})
    except ImportRefused as exc:
        messages.error(request, str(exc))
    return redirect("imports:reviews")


@region_safe
def export(request):
    form = ExportForm(request.user, request.GET or None)
    if request.GET.get("download") and form.is_valid():
        qs = measurements_for(request.user)
        data = form.cleaned_data
        if data["region"]:
            qs = qs.filter(within("child__desa_id", data["region"]))
        if data["measured_from"]:
            qs = qs.filter(measured_on__gte=data["measured_from"])
        if data["measured_to"]:
            qs = qs.filter(measured_on__lte=data["measured_to"])
        count = qs.count()
        record(request.user, "export", object_type="measurements.measurement", request=request,
               region_code=data["region"] or "",
               summary=_("EPPGBM by-name export (%(n)d rows)") % {"n": count},
               detail={k: str(v) for k, v in data.items() if v})
        stamp = timezone.localdate().strftime("%Y%m%d")
        # Streamed: the rows are read and written while the file is sent, so the download starts
        # at once and memory stays flat however many rows there are.
        return xlsx.download([eppgbm_sheet(qs, mask_niks=not request.scope.sees_full_nik)], f"eppgbm-{data['region'] or 'semua'}-{stamp}.xlsx", streaming=True)
    return render(request, "imports/export.html", {"form": form})
