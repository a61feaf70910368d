"""The API's views: thin. Each reads through the contexts' scoped selectors with the requester's
Scope (`permissions.scope_of`) and writes through `services`."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.measurements.selectors import measurements_for
from tumbuh.regions.selectors import posyandu_for
from tumbuh.web.text import ascii_digits

from . import selectors, services
from .filters import filter_dates, filter_region, filter_updated_since, parse_date
from .permissions import scope_of
from .serializers import (
    BulkEnvelopeSerializer,
    BulkRequestSerializer,
    BulkResponseSerializer,
    MeasurementItemSerializer,
    MeasurementSerializer,
    ResultSerializer,
    RosterSerializer,
    flatten_errors,
    results_data,
)
from .throttling import BulkThrottle

REGION = OpenApiParameter("region", str, description="Region code (Kemendagri); the region and everything in it")
UPDATED_SINCE = OpenApiParameter("updated_since", OpenApiTypes.DATETIME,
                                 description="Only records changed at or after this time (ISO 8601), for sync")
PERIOD = OpenApiParameter("period", str, description="Period key: 2025, 2025-S1, 2025-Q3, 2025-08, 2025-B08")
DATE_FROM = OpenApiParameter("date_from", OpenApiTypes.DATE)
DATE_TO = OpenApiParameter("date_to", OpenApiTypes.DATE)


def audit_list(request, object_type: str, count: int, **detail) -> None:
    """A read of personal data through the API is audited like a list page."""
    record(request.user, AuditEvent.Action.VIEW_LIST, object_type=object_type, request=request,
           summary=f"API {request.path}"[:255], detail={"count": count, "query": dict(request.query_params), **detail})


def parse_items(raw_items: list) -> list:
    """Each raw item -> services.Item, or a rejected Result when its shape is wrong."""
    out = []
    checker = MeasurementItemSerializer()  # one set of fields for every item
    for raw in raw_items:
        try:
            data = checker.run_validation(raw)
        except ValidationError as exc:
            uid = raw.get("uuid") if isinstance(raw.get("uuid"), str) else None
            out.append(services.rejected(uid, flatten_errors(exc.detail)))
            continue
        out.append(services.Item(**data))
    return out


# --- measurements ----------------------------------------------------------------------------------


@extend_schema(tags=["measurements"])
class BulkMeasurementView(APIView):
    """A posyandu session's rows at once (the offline client's outbox)."""

    throttle_classes = [BulkThrottle]

    @extend_schema(
        summary="Send many measurements (idempotent by uuid)",
        request=BulkRequestSerializer, responses={200: BulkResponseSerializer},
        description="Per-item results: accepted (created now), duplicate (this uuid was created before; the "
                    "stored one is returned), conflict (the child already has another measurement on that "
                    "date; nothing overwritten), rejected (errors; code needs_confirmation: send again with "
                    "confirm=true after checking the values). One bad item never refuses the others.")
    def post(self, request):
        envelope = BulkEnvelopeSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        device_id = envelope.validated_data["device_id"]
        items = parse_items(envelope.validated_data["items"])
        results = services.record_measurements(
            items, user=request.user, scope=scope_of(request), device_id=device_id,
            origin="offline" if device_id else "api", request=request)
        return Response({"results": results_data(results)})


class MeasurementCreateSerializer(MeasurementItemSerializer):
    device_id = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")


@extend_schema(tags=["measurements"])
class MeasurementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Measurements in scope, with their derived values. POST creates one (idempotent by uuid)."""

    serializer_class = MeasurementSerializer
    lookup_value_regex = r"[^/]+"  # any id reaches the view, which answers a JSON 404

    def get_queryset(self):
        qs = measurements_for(scope_of(self.request)).order_by("measured_on", "id")
        qs = filter_region(qs, self.request, "desa_id")
        qs = filter_dates(qs, self.request, "measured_on")
        qs = filter_updated_since(qs, self.request)
        child = self.request.query_params.get("child")
        if child:
            if not ascii_digits(child):
                raise ValidationError({"child": [_("Enter a whole number")]})
            qs = qs.filter(child_id=int(child))
        return qs

    @extend_schema(parameters=[REGION, PERIOD, DATE_FROM, DATE_TO, UPDATED_SINCE, OpenApiParameter("child", int)])
    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        audit_list(request, "measurements.measurement", response.data.get("count", 0))
        return response

    def retrieve(self, request, *args, **kwargs):
        m = self.get_object()
        record(request.user, AuditEvent.Action.VIEW, obj=m, request=request, summary=f"API measurement {m.pk}")
        return Response(self.get_serializer(m).data)

    @extend_schema(
        summary="Create one measurement (idempotent by uuid)", request=MeasurementCreateSerializer,
        responses={201: ResultSerializer, 200: ResultSerializer, 409: ResultSerializer},
        description="201 accepted, 200 duplicate (the stored one), 409 conflict, 400 rejected (the result, "
                    "or an error object for a body that is not JSON). The answer "
                    "carries the derived values (z-scores, categories, flags).")
    def create(self, request):
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": [_("Send one JSON object")]})
        device_id = request.data.get("device_id") if isinstance(request.data.get("device_id"), str) else ""
        result = services.record_measurements(
            parse_items([request.data]), user=request.user, scope=scope_of(request), device_id=device_id[:120],
            origin="api", request=request)[0]
        code = {services.ACCEPTED: status.HTTP_201_CREATED, services.DUPLICATE: status.HTTP_200_OK,
                services.CONFLICT: status.HTTP_409_CONFLICT}.get(result.status, status.HTTP_400_BAD_REQUEST)
        return Response(results_data([result])[0], status=code)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(request):
    raise NotFound


# --- the offline session roster -------------------------------------------------------------------------


@extend_schema(tags=["posyandu"])
class RosterView(APIView):
    @extend_schema(
        summary="The posyandu session roster (for the offline client)",
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE, description="Session date; default today")],
        responses={200: RosterSerializer})
    def get(self, request, posyandu_id: int):
        scope = scope_of(request)
        posyandu = get_object_or_404(posyandu_for(scope).select_related("desa"), pk=posyandu_id)
        on = parse_date(request.query_params.get("date"), "date") or timezone.localdate()
        children = selectors.roster(scope, posyandu, on)
        record(request.user, AuditEvent.Action.VIEW_LIST, object_type="regions.posyandu", object_id=posyandu.pk,
               region_code=posyandu.desa_id, request=request,
               summary=_("Posyandu session %(posyandu)s %(date)s") % {"posyandu": posyandu.name,
                                                                      "date": on.isoformat()},
               detail={"date": on.isoformat(), "children": len(children), "via": "api"})
        data = RosterSerializer({
            "posyandu": {"id": posyandu.pk, "name": posyandu.name, "desa": posyandu.desa_id,
                         "desa_name": posyandu.desa.name},
            "date": on, "children": children}).data
        return Response(data)
