"""POST /api/v1/deliveries/bulk/: deliveries sent by a client (the offline distribution-day screen's
outbox), idempotent by a client-generated UUID. The rules are the interventions context's own:
`interventions.services.record_deliveries` (the same checks as a row saved on the distribution
day: item, recipient in reach, target group, date, quantity); `Delivery.uuid` is the idempotency
key, so the same uuid sent again answers with the stored delivery and creates nothing."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tumbuh.interventions import selectors as iv_selectors
from tumbuh.interventions import services as interventions
from tumbuh.interventions.models import Delivery, DeliverySource

from .permissions import HasScopeOrOpd, scope_of
from .serializers import flatten_errors
from .throttling import BulkThrottle

MAX_ITEMS = 2000


class DeliveryItemSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(required=False, allow_null=True,
                                 help_text="client-generated UUID (v4): the same uuid twice creates one delivery")
    code = serializers.CharField(max_length=40, help_text="catalogue code, e.g. VIT-A, PMT-BALITA, JAMBAN")
    person = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**31 - 1)
    household = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**31 - 1)
    date = serializers.DateField()
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False,
                                        allow_null=True, help_text="in the item's unit; default 1")
    device_time = serializers.DateTimeField(required=False, allow_null=True, help_text="the phone's clock")

    def validate(self, attrs):
        if not attrs.get("person") and not attrs.get("household"):
            raise ValidationError({"person": [_("Send a person or a household")]})
        return attrs


class DeliveryBulkRequestSerializer(serializers.Serializer):
    device_id = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
    items = serializers.ListField(child=DeliveryItemSerializer(), max_length=MAX_ITEMS)


class DeliveryBulkEnvelopeSerializer(serializers.Serializer):
    """The request's shape only: each item is checked on its own (one bad item never refuses the others)."""

    device_id = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
    items = serializers.ListField(child=serializers.DictField(), max_length=MAX_ITEMS)


class DeliveryResultSerializer(serializers.Serializer):
    uuid = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["accepted", "duplicate", "rejected"])
    id = serializers.IntegerField(allow_null=True)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    delivery = serializers.DictField(allow_null=True, help_text="the stored delivery (as GET /api/v1/deliveries/<id>/)")


class DeliveryBulkResponseSerializer(serializers.Serializer):
    results = DeliveryResultSerializer(many=True)


def _delivery(d: Delivery) -> dict:
    from .resources import DeliveryViewSet

    return dict(DeliveryViewSet.serializer_class(d).data)


@extend_schema(tags=["interventions"])
class BulkDeliveryView(APIView):
    """A distribution day's ticks at once (the offline client's outbox)."""

    permission_classes = [IsAuthenticated, HasScopeOrOpd]
    throttle_classes = [BulkThrottle]

    @extend_schema(
        summary="Send many deliveries (idempotent by uuid)",
        request=DeliveryBulkRequestSerializer, responses={200: DeliveryBulkResponseSerializer},
        description="Per-item results: accepted (created now), duplicate (this uuid was recorded before, or "
                    "twice in this request; the stored delivery is returned), rejected (errors). One bad "
                    "item never refuses the others.")
    def post(self, request):
        envelope = DeliveryBulkEnvelopeSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        device_id = envelope.validated_data["device_id"]
        checker = DeliveryItemSerializer()
        results: list[dict | None] = []
        rows, where, first_of = [], [], {}
        for n, raw in enumerate(envelope.validated_data["items"]):
            uid = raw.get("uuid") if isinstance(raw.get("uuid"), str) else None
            try:
                data = checker.run_validation(raw)
            except ValidationError as exc:
                results.append({"uuid": uid, "status": "rejected", "id": None, "errors": flatten_errors(exc.detail),
                                "delivery": None})
                continue
            key = str(data["uuid"]) if data.get("uuid") else None
            results.append(None)
            if key and key in first_of:  # the same uuid twice in one request: one delivery
                continue
            if key:
                first_of[key] = n
            rows.append({"item_code": data["code"], "person": data.get("person"), "household": data.get("household"),
                         "date": data["date"], "quantity": 1 if data.get("quantity") is None else data["quantity"], "uuid": data.get("uuid")})
            where.append((n, key))
        # Recipients outside the requester's reach are refused here, without naming them (the
        # service's own message names the person, which the distribution-day page may; an API
        # client that sent a stray id may not learn whose it is).
        scope = scope_of(request)
        people = {r["person"] for r in rows if r["person"]}
        households = {r["household"] for r in rows if r["household"]}
        people_ok = set(iv_selectors.people_in_reach(scope).filter(pk__in=people).values_list("pk", flat=True))
        households_ok = set(iv_selectors.households_in_reach(scope).filter(pk__in=households)
                            .values_list("pk", flat=True))
        kept, kept_where = [], []
        for row, (n, key) in zip(rows, where, strict=True):
            if (row["person"] and row["person"] not in people_ok) or \
                    (row["household"] and row["household"] not in households_ok):
                field = "person" if row["person"] and row["person"] not in people_ok else "household"
                results[n] = {"uuid": key, "status": "rejected", "id": None, "delivery": None,
                              "errors": {field: [_("Not found in your area")]}}
                continue
            kept.append(row)
            kept_where.append((n, key))
        rows, where = kept, kept_where
        origin = "offline" if device_id else "api"
        outcome = interventions.record_deliveries(
            scope, rows, source=DeliverySource.DISTRIBUTION, request=request,
            summary=_("%(n)s deliveries recorded through the API (%(origin)s, device %(device)s)")
            % {"n": len(rows), "origin": origin, "device": device_id[:40] or "-"}) if rows else None
        created = {}
        if outcome is not None and outcome.created_index:
            for index, d in zip(outcome.created_index, outcome.deliveries, strict=True):
                created[index] = d
        for i, (n, key) in enumerate(where):
            if i in created:
                d = created[i]
                results[n] = {"uuid": key, "status": "accepted", "id": d.pk, "errors": {}, "delivery": _delivery(d)}
            elif i in outcome.existing:
                d = outcome.existing[i]
                results[n] = {"uuid": key, "status": "duplicate", "id": d.pk, "errors": {}, "delivery": _delivery(d)}
            else:
                problems = [str(p) for p in outcome.errors.get(i, [_("Not saved")])]
                results[n] = {"uuid": key, "status": "rejected", "id": None, "errors": {"non_field_errors": problems},
                              "delivery": None}
        # A uuid repeated in the request answers as its first item did (a duplicate when that one was stored).
        for n, result in enumerate(results):
            if result is None:
                raw = envelope.validated_data["items"][n]
                first = results[first_of[str(checker.run_validation(raw)["uuid"])]]
                results[n] = {**first, "status": "duplicate"} if first["status"] in ("accepted", "duplicate") \
                    else dict(first)
        return Response({"results": results})
