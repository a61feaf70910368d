from django.shortcuts import render
from django.utils import timezone

from tumbuh.accounts.access import region_safe
from tumbuh.accounts.scoping import scope_region_code
from tumbuh.regions.models import Region
from tumbuh.registry import selectors


@region_safe
def home(request):
    # Counts only, no names: not a view of personal data, so not audited.
    code = scope_region_code(request.user)
    region = Region.objects.filter(pk=code).first() if code else None
    today = timezone.localdate()
    return render(request, "web/home.html", {
        "counts": selectors.home_counts(request.user, today),
        "month": today,
        "scope_name": region.name if region else "",
    })
