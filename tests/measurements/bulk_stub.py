"""A stand-in for POST /api/v1/measurements/bulk/ (owned by tumbuh/api, branch h-api), used by the
offline browser test only while that endpoint is not in this tree. It follows the fixed contract
(per item accepted / duplicate / rejected + errors / conflict) through record_measurement, so the
browser side is tested against the same answers; the real endpoint replaces it as soon as
`/api/v1/measurements/bulk/` resolves (see test_offline_browser.bulk_endpoint)."""

import datetime as dt
import json

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path

from tumbuh.accounts.access import region_safe
from tumbuh.measurements.models import Measurement
from tumbuh.measurements.services import MeasurementRejected, NeedsConfirmation, record_measurement
from tumbuh.registry.selectors import people_for

SEEN: dict[str, int] = {}


def _values(m):
    return {"id": m.pk, "weight_kg": m.weight_kg, "height_cm": m.length_cm, "lila_cm": m.arm_circumference_cm}


def _same(m, item):
    return (m.weight_kg, m.length_cm, m.arm_circumference_cm) == (item["weight_kg"], item["height_cm"], item["lila_cm"])


@region_safe
def bulk(request):
    if request.method != "POST" or not request.user.is_authenticated:
        return JsonResponse({"detail": "no"}, status=403)
    body = json.loads(request.body)
    results = []
    for item in body["items"]:
        child = get_object_or_404(people_for(request.user), pk=item["child"])
        on = dt.date.fromisoformat(item["date"])
        base = {"uuid": item["uuid"], "id": None, "errors": {}, "warnings": [], "measurement": None, "conflict_with": None}
        if item["uuid"] in SEEN:
            results.append({**base, "status": "duplicate", "id": SEEN[item["uuid"]]})
            continue
        existing = Measurement.objects.filter(child=child, measured_on=on).first()
        if existing and not _same(existing, item):
            results.append({**base, "status": "conflict", "conflict_with": _values(existing)})
            continue
        lying = item["measured_lying"]
        try:
            m = record_measurement(child=child, measured_on=on, weight_kg=item["weight_kg"], length_cm=item["height_cm"],
                                   position="" if lying is None else ("l" if lying else "h"),
                                   arm_circumference_cm=item["lila_cm"], oedema=item["oedema"], posyandu=child.posyandu,
                                   user=request.user, request=request, confirmed=item["confirm"], ask_confirmation=True)
        except NeedsConfirmation as exc:
            results.append({**base, "status": "rejected", "errors": {"confirm": [str(w) for w in exc.warnings]}})
            continue
        except MeasurementRejected as exc:
            errors: dict[str, list[str]] = {}
            for e in exc.errors:
                errors.setdefault(getattr(e, "field", None) or "non_field_errors", []).append(str(e))
            results.append({**base, "status": "rejected", "errors": errors})
            continue
        SEEN[item["uuid"]] = m.pk
        results.append({**base, "status": "accepted", "id": m.pk, "warnings": m.warning_texts,
                        "measurement": {"weight_for_age_category": m.weight_for_age_category,
                                        "length_for_age_category": m.length_for_age_category,
                                        "weight_for_length_category": m.weight_for_length_category,
                                        "below_red_line": m.below_red_line}})
    return JsonResponse({"results": results})


urlpatterns = [path("api/v1/measurements/bulk/", bulk), path("", include("tumbuh.urls"))]
