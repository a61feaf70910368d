"""Upload, report, rejected rows, near-duplicate review and EPPGBM export.

Imports run synchronously inside the upload request: one file is one transaction, so the page
that comes back is the finished report (or the reason nothing was imported). Kabupaten-sized
files belong on the command line (`tumbuh import eppgbm`), which shows a progress bar.

A batch's rows are personal data of the children they name: the report and the rejected-rows file
show only the rows `selectors.rows_for` lets the user see. The EPPGBM export is streamed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tumbuh.accounts.access import region_safe
from tumbuh.audit.services import record
from tumbuh.measurements.selectors import measurements_for
from tumbuh.regions.models import within
from tumbuh.registry.selectors import people_for
from tumbuh.web import xlsx

from .exports import eppgbm_sheet, rejected_rows_sheet
from .forms import ExportForm, UploadForm
from .models import ImportRow
from .selectors import batch_for, batches_for, reviews_for, rows_for
from .services import ImportFailed, ImportRefused, decide_review, import_eppgbm, refuse_importer


@region_safe
@require_http_methods(["GET", "POST"])
def upload(request):
    form = UploadForm(request.user, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            refuse_importer(request.user)
        except ImportRefused as exc:
            form.add_error(None, str(exc))
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        folder = Path(settings.VAR_DIR) / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=Path(uploaded.name).suffix[:8]) as tmp:
            for block in uploaded.chunks():
                tmp.write(block)
            tmp.flush()
            try:
                batch = import_eppgbm(tmp.name, user=request.user, region_code=form.cleaned_data["region"],
                                      file_name=uploaded.name, request=request)
            except ImportRefused as exc:
                form.add_error("region", str(exc))
            except ImportFailed as exc:
                messages.error(request, _("Nothing was imported: %(error)s") % {"error": exc})
                return redirect("imports:report", pk=exc.batch.pk)
            else:
                for warning in batch.warnings:
                    messages.warning(request, warning)
                return redirect("imports:report", pk=batch.pk)
    batches = batches_for(request.user)[:20]
    return render(request, "imports/upload.html", {"form": form, "batches": batches})


@region_safe
def report(request, pk: int):
    batch = batch_for(request.user, pk)
    visible = rows_for(request.user, batch)
    rejected = list(visible.filter(outcome=ImportRow.Outcome.REJECTED).order_by("row_number")[:50])
    noted = list(visible.exclude(notes=[]).exclude(outcome=ImportRow.Outcome.REJECTED)
                 .order_by("row_number")[:50])
    header = batch.header or []
    name_col = next((i for i, h in enumerate(header) if h.strip().lower() in {"nama", "nama anak"}), None)
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
        "rejected_hidden": batch.rejected and not rejected,
        "pending_reviews": reviews_for(request.user).filter(batch=batch).count(),
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
    stem = Path(batch.file_name).stem or "eppgbm"
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
    return render(request, "imports/reviews.html", {"reviews": items, "reviews_total": total})


REVIEWS_SHOWN = 50


@region_safe
@require_POST
def decide(request, pk: int):
    review = get_object_or_404(reviews_for(request.user), pk=pk)
    same = request.POST.get("decision") == "same"
    try:
        decide_review(request.user, review, same=same, request=request)
    except ImportRefused as exc:
        messages.error(request, str(exc))
    if request.headers.get("HX-Request"):
        return render(request, "imports/_review_done.html", {"review": review})
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
