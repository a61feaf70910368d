"""Upload, report, rejected rows, near-duplicate review and EPPGBM export.

Imports run synchronously inside the upload request: one file is one transaction, so the page
that comes back is the finished report (or the reason nothing was imported). Kabupaten-sized
files belong on the command line (`tumbuh import eppgbm`), which shows a progress bar.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tumbuh.accounts.access import region_safe
from tumbuh.audit.services import record
from tumbuh.measurements.selectors import measurements_for
from tumbuh.regions.models import within
from tumbuh.registry.selectors import people_for

from .exports import eppgbm_workbook, rejected_rows_workbook
from .forms import ExportForm, UploadForm
from .models import ImportRow
from .selectors import batch_for, batches_for, reviews_for
from .services import ImportFailed, ImportRefused, decide_review, import_eppgbm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@region_safe
@require_http_methods(["GET", "POST"])
def upload(request):
    form = UploadForm(request.user, request.POST or None, request.FILES or None)
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
                return redirect("imports:report", pk=batch.pk)
    batches = batches_for(request.user)[:20]
    return render(request, "imports/upload.html", {"form": form, "batches": batches})


@region_safe
def report(request, pk: int):
    batch = batch_for(request.user, pk)
    rejected = list(batch.rows.filter(outcome=ImportRow.Outcome.REJECTED).order_by("row_number")[:50])
    noted = list(batch.rows.exclude(notes=[]).exclude(outcome=ImportRow.Outcome.REJECTED)
                 .order_by("row_number")[:50])
    header = batch.header or []
    name_col = next((i for i, h in enumerate(header) if h.strip().lower() in {"nama", "nama anak"}), None)
    for row in rejected + noted:
        row.display_name = row.cells[name_col] if name_col is not None and name_col < len(row.cells) else ""
    largest = batch.zscore_summary.get("largest", [])
    by_row = dict(batch.rows.filter(row_number__in=[r["row"] for r in largest]).values_list("row_number", "person_id"))
    names = dict(people_for(request.user).filter(pk__in=by_row.values()).values_list("pk", "name"))
    for item in largest:
        item["name"] = names.get(by_row.get(item["row"]), "")
    if rejected or noted:
        record(request.user, "view_list", obj=batch, region_code=batch.region_id, request=request,
               summary=_("Import report rows"), detail={"rejected_shown": len(rejected), "noted_shown": len(noted)})
    return render(request, "imports/report.html", {
        "batch": batch, "rejected": rejected, "noted": noted, "largest": largest,
        "pending_reviews": reviews_for(request.user).filter(batch=batch).count(),
    })


@region_safe
def rejected_download(request, pk: int):
    batch = batch_for(request.user, pk)
    out = io.BytesIO()
    count = rejected_rows_workbook(batch, out)
    record(request.user, "export", obj=batch, region_code=batch.region_id, request=request,
           summary=_("Rejected rows of import %(pk)d (%(n)d rows)") % {"pk": batch.pk, "n": count})
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    stem = Path(batch.file_name).stem or "eppgbm"
    response["Content-Disposition"] = f'attachment; filename="{stem}-ditolak.xlsx"'
    return response


@region_safe
def reviews(request):
    items = list(reviews_for(request.user)[:200])
    record(request.user, "view_list", object_type="imports.matchreview", request=request,
           summary=_("Near-duplicate review list (%(n)d)") % {"n": len(items)})
    return render(request, "imports/reviews.html", {"reviews": items})


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
        out = io.BytesIO()
        count = eppgbm_workbook(qs, out)
        record(request.user, "export", object_type="measurements.measurement", request=request,
               region_code=data["region"] or "",
               summary=_("EPPGBM by-name export (%(n)d rows)") % {"n": count},
               detail={k: str(v) for k, v in data.items() if v})
        response = HttpResponse(out.getvalue(), content_type=XLSX)
        stamp = timezone.localdate().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="eppgbm-{data["region"] or "semua"}-{stamp}.xlsx"'
        return response
    return render(request, "imports/export.html", {"form": form})
