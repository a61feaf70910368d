import datetime as dt
from dataclasses import replace as dc_replace

from django.shortcuts import redirect, render
from django.utils import timezone

from tumbuh.accounts.access import region_safe
from tumbuh.accounts.scoping import scope_for, scope_region_code
from tumbuh.analytics import memo
from tumbuh.regions.models import Region
from tumbuh.registry import selectors


def _today():
    return timezone.localdate()


def _percent(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


@region_safe
def home(request):
    if scope_for(request.user).is_opd:  # an OPD officer sees only their agency's target lists and deliveries
        return redirect("interventions:opd_home")
    # Counts only, no names: not a view of personal data, so not audited.
    code = scope_region_code(request.user)
    region = Region.objects.filter(pk=code).first() if code else None
    today = _today()
    # Reused while nothing was written (analytics.memo: fresh after every write); shared by
    # everyone with the same scope.
    key = (dc_replace(scope_for(request.user), user_id=None), today)
    counts = memo.memoized("web.home_counts", key, lambda: selectors.home_counts(request.user, today))
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    return render(request, "web/home.html", {
        "counts": counts,
        "month": today,
        "last_month": last_month,
        "coverage_last_month": _percent(counts["measured_last_month"], counts["children_last_month"]),
        "stunted_percent": _percent(counts["stunted"], counts["valid_latest"]),
        "scope_name": region.name if region else "",
    })
