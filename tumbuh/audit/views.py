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
    }
    template = "audit/_table.html" if request.headers.get("HX-Request") else "audit/event_list.html"
    return render(request, template, context)
