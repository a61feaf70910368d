from django.core.paginator import Paginator
from django.shortcuts import render

from tumbuh.accounts.access import region_safe
from tumbuh.regions.models import Region

from .filters import AuditEventFilter, object_type_label
from .selectors import events_for

PAGE_SIZE = 50


@region_safe
def event_list(request):
    """The audit log. Reading it is deliberately not itself audited: every page view would add a
    row to the very list being read."""
    events = events_for(request.user).only(
        "at", "username", "action", "object_type", "object_id", "region_code", "summary", "user_id"
    )
    filterset = AuditEventFilter(request.GET or None, queryset=events)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else events
    page = Paginator(qs.order_by("-at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    # One query for the region names on this page, not one per row.
    names = Region.objects.in_bulk({e.region_code for e in rows if e.region_code})
    for event in rows:
        region = names.get(event.region_code)
        event.region_name = region.name if region else ""
        event.object_label = object_type_label(event.object_type) if event.object_type else ""
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "events": rows,
        "query": query.urlencode(),
        "invalid": filterset.is_bound and not filterset.is_valid(),
        "is_admin": request.scope.everything if hasattr(request, "scope") else False,
    }
    template = "audit/_table.html" if request.headers.get("HX-Request") else "audit/event_list.html"
    return render(request, template, context)


EXPORT_COLUMNS = ["at", "username", "action", "object_type", "object_id", "region_code", "summary",
                  "ip_address", "detail"]


def _text(value) -> str:
    """A cell as inert text: usernames and summaries are typed by anyone (a failed login's
    username), so a leading = + - @ would make a live spreadsheet formula."""
    text = "" if value is None else str(value)
    text = "".join(ch for ch in text if ch in "\t\n" or ord(ch) >= 32)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@region_safe
def export(request):
    """The audit log (with the list's filters) as CSV or XLSX, for administrators: the DPO's
    copy. Other roles are refused (and the refusal audited). The export is itself audited."""
    import csv
    import json

    from django.core.exceptions import PermissionDenied
    from django.http import HttpResponse, StreamingHttpResponse
    from django.utils import timezone

    from tumbuh.accounts.scoping import is_admin

    from .models import AuditEvent
    from .services import record

    if not is_admin(request.user):
        record(request.user, AuditEvent.Action.DENIED, summary=request.path[:255],
               detail={"reason": "audit export is for administrators"}, request=request)
        raise PermissionDenied
    filterset = AuditEventFilter(request.GET or None, queryset=events_for(request.user))
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else events_for(request.user)
    qs = qs.order_by("at", "pk")
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    record(request.user, AuditEvent.Action.EXPORT, object_type="audit.auditevent",
           summary=f"audit log ({fmt})", detail={"filters": request.GET.dict()}, request=request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")

    def rows():
        for e in qs.iterator(chunk_size=2000):
            yield [timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.username, e.action, e.object_type,
                   e.object_id, e.region_code, e.summary, e.ip_address or "",
                   json.dumps(e.detail, ensure_ascii=False, default=str)]

    if fmt == "csv":
        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo())
        body = (writer.writerow([_text(c) for c in row]) for row in [EXPORT_COLUMNS, *rows()])
        response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        return response
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("audit")
    sheet.append(EXPORT_COLUMNS)
    for row in rows():
        sheet.append([_text(c) for c in row])
    out = BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.xlsx"'
    return response
