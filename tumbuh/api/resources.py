"""Read-only resources: one thin viewset per context's scoped selector. Nothing here decides who
sees what: each queryset is the context's own selector given the requester's Scope."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.convergence import selectors as convergence
from tumbuh.convergence.models import Gap
from tumbuh.coordination import selectors as coordination
from tumbuh.coordination.models import Commitment, Meeting
from tumbuh.interventions import selectors as interventions
from tumbuh.interventions.models import CatalogueItem, Delivery
from tumbuh.regions.selectors import posyandu_for, regions_for
from tumbuh.registry.selectors import households_for, people_for
from tumbuh.targets import selectors as targets
from tumbuh.targets.models import Adolescent, CatinScreening, KrsSnapshot, Postpartum, Pregnancy
from tumbuh.web.text import ascii_digits

from .filters import filter_dates, filter_region, filter_updated_since
from .permissions import HasScopeOrOpd, scope_of
from .serializers import HouseholdSerializer, PersonSerializer, PosyanduSerializer, RegionSerializer

REGION = OpenApiParameter("region", str, description="Region code (Kemendagri): the region and everything in it")
UPDATED_SINCE = OpenApiParameter("updated_since", OpenApiTypes.DATETIME,
                                 description="Only records changed at or after this time (ISO 8601), for sync")
PERIOD = OpenApiParameter("period", str, description="Period key: 2025, 2025-S1, 2025-Q3, 2025-08, 2025-B08")
DATE_FROM = OpenApiParameter("date_from", OpenApiTypes.DATE)
DATE_TO = OpenApiParameter("date_to", OpenApiTypes.DATE)


class ScopedList(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A list over `selector(scope)`, with the filters the model has columns for (ScopedReadOnly:
    and a detail by id)."""

    selector = None  # staticmethod: scope -> QuerySet
    region_field: str | None = None
    date_field: str | None = None
    updated_field: str | None = None
    personal: bool = False  # reads of personal data are audited like the pages
    ordering: tuple[str, ...] = ("pk",)
    lookup_value_regex = r"[^/]+"  # any id reaches the view, which answers a JSON 404

    def get_queryset(self):
        qs = type(self).selector(scope_of(self.request)).order_by(*self.ordering)
        if self.region_field:
            qs = filter_region(qs, self.request, self.region_field)
        if self.date_field:
            qs = filter_dates(qs, self.request, self.date_field)
        if self.updated_field:
            qs = filter_updated_since(qs, self.request, self.updated_field)
        return qs

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        if self.personal:
            record(request.user, AuditEvent.Action.VIEW_LIST, object_type=self.queryset_label(), request=request,
                   summary=f"API {request.path}"[:255],
                   detail={"count": response.data.get("count", 0), "query": dict(request.query_params)})
        return response

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "scope": scope_of(self.request)}

    def queryset_label(self) -> str:
        return self.get_serializer_class().Meta.model._meta.label_lower


class ScopedReadOnly(mixins.RetrieveModelMixin, ScopedList):
    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        if self.personal:
            record(request.user, AuditEvent.Action.VIEW, obj=obj, request=request, summary=f"API {request.path}"[:255])
        return Response(self.get_serializer(obj).data)


def params(view) -> list[OpenApiParameter]:
    out = []
    if view.region_field:
        out.append(REGION)
    if view.date_field:
        out += [PERIOD, DATE_FROM, DATE_TO]
    if view.updated_field:
        out.append(UPDATED_SINCE)
    return out


def documented(tag: str):
    def wrap(cls):
        views = {"list": extend_schema(tags=[tag], parameters=params(cls))}
        if hasattr(cls, "retrieve"):
            views["retrieve"] = extend_schema(tags=[tag])
        return extend_schema_view(**views)(cls)
    return wrap


def model_serializer(model_, exclude_=("created_by",)):
    class Meta:
        model = model_
        exclude = exclude_

    return type(f"{model_.__name__}Serializer", (serializers.ModelSerializer,), {"Meta": Meta})


# --- places and people ---------------------------------------------------------------------------


@documented("regions")
class RegionViewSet(ScopedReadOnly):
    serializer_class = RegionSerializer
    selector = staticmethod(regions_for)
    region_field = "code"
    ordering = ("code",)
    lookup_value_regex = r"[^/]+"  # region codes have dots


@documented("posyandu")
class PosyanduViewSet(ScopedReadOnly):
    serializer_class = PosyanduSerializer
    selector = staticmethod(posyandu_for)
    region_field = "desa_id"


@documented("people")
class PersonViewSet(ScopedReadOnly):
    serializer_class = PersonSerializer
    selector = staticmethod(people_for)
    region_field, updated_field, personal = "desa_id", "updated_at", True


@documented("households")
class HouseholdViewSet(ScopedReadOnly):
    serializer_class = HouseholdSerializer
    selector = staticmethod(households_for)
    region_field, updated_field, personal = "desa_id", "updated_at", True


# --- target groups (tumbuh/targets) -----------------------------------------------------------------


class TargetRecords(ScopedReadOnly):
    region_field, updated_field, personal = "desa_id", "updated_at", True


@documented("targets")
class CatinViewSet(ScopedList):
    region_field, updated_field, personal = "desa_id", "updated_at", True
    serializer_class = model_serializer(CatinScreening)
    selector = staticmethod(targets.catin_for)
    date_field = "screened_on"


@documented("targets")
class PregnancyViewSet(TargetRecords):
    serializer_class = model_serializer(Pregnancy)
    selector = staticmethod(targets.pregnancies_for)
    date_field = "hpht"


@documented("targets")
class PostpartumViewSet(TargetRecords):
    serializer_class = model_serializer(Postpartum)
    selector = staticmethod(targets.postpartum_for)
    date_field = "delivered_on"


@documented("targets")
class AdolescentViewSet(TargetRecords):
    serializer_class = model_serializer(Adolescent)
    selector = staticmethod(targets.adolescents_for)


@documented("targets")
class KrsViewSet(ScopedList):
    """Keluarga berisiko stunting: one household's BKKBN criteria per semester (`period`)."""

    serializer_class = model_serializer(KrsSnapshot, exclude_=())
    selector = staticmethod(targets.krs_for)
    region_field, updated_field, personal = "desa_id", "updated_at", True

    def get_queryset(self):
        qs = super().get_queryset()
        semester = self.request.query_params.get("semester")
        return qs.filter(period=semester) if semester else qs


# --- coordination ------------------------------------------------------------------------------------


@documented("coordination")
class MeetingViewSet(ScopedReadOnly):
    serializer_class = model_serializer(Meeting, exclude_=("created_by", "invited_users"))
    selector = staticmethod(coordination.meetings_for)
    region_field, date_field = "region_id", "date"
    ordering = ("-date", "-pk")


@documented("coordination")
class CommitmentViewSet(ScopedReadOnly):
    serializer_class = model_serializer(Commitment, exclude_=())
    selector = staticmethod(coordination.commitments_for)
    region_field, date_field, updated_field = "region_id", "due_date", "updated_at"
    ordering = ("due_date", "pk")


# --- interventions (tumbuh/interventions) ----------------------------------------------------------


class InterventionRows(ScopedReadOnly):
    permission_classes = [IsAuthenticated, HasScopeOrOpd]


@documented("interventions")
class CatalogueViewSet(InterventionRows):
    """The intervention catalogue: national items and the local ones of the requester's area."""

    serializer_class = model_serializer(CatalogueItem, exclude_=("updated_by",))
    selector = staticmethod(interventions.catalogue_items_for)
    updated_field = "updated_at"
    ordering = ("code", "pk")


@documented("interventions")
class DeliveryViewSet(InterventionRows):
    """Deliveries by name and address (voided ones carry `voided_at`)."""

    serializer_class = model_serializer(Delivery, exclude_=("created_by", "voided_by", "import_key"))
    selector = staticmethod(interventions.deliveries_for)
    region_field, date_field, updated_field, personal = "desa_id", "date", "updated_at", True

    def get_queryset(self):
        qs = super().get_queryset()
        code = self.request.query_params.get("code")
        return qs.filter(code=code) if code else qs


# --- convergence (tumbuh/convergence) ---------------------------------------------------------------


@documented("convergence")
class GapViewSet(InterventionRows):
    """Convergence gaps: one missing item for one person or household, as of `computed_on`."""

    serializer_class = model_serializer(Gap, exclude_=())
    selector = staticmethod(convergence.gaps_for)
    region_field, date_field, personal = "desa_id", "computed_on", True

    def get_queryset(self):
        qs = super().get_queryset()
        item = self.request.query_params.get("item")
        return qs.filter(item_code=item) if item else qs


# --- prevalence (tumbuh/analytics) ---------------------------------------------------------------------


def _number(value):
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return value
    if math.isnan(f) or math.isinf(f):
        return None
    return int(f) if float(f).is_integer() and not isinstance(value, float) else f


class EstimateSerializer(serializers.Serializer):
    rate = serializers.FloatField(allow_null=True, help_text="percent")
    se = serializers.FloatField(allow_null=True)
    lower = serializers.FloatField(allow_null=True)
    upper = serializers.FloatField(allow_null=True)
    cases = serializers.IntegerField()
    children = serializers.IntegerField()


class PrevalenceSerializer(serializers.Serializer):
    region = serializers.DictField()
    period = serializers.CharField()
    posyandu = serializers.IntegerField(allow_null=True)
    headline = serializers.DictField(child=EstimateSerializer())
    coverage = serializers.DictField()
    table = serializers.ListField(child=serializers.DictField(),
                                  help_text="WHO anthro_prevalence layout: one row per subgroup")


@extend_schema(tags=["analytics"])
class PrevalenceView(APIView):
    """The prevalence table of the dashboard (WHO anthro_prevalence layout), same numbers: the
    analytics context's own report builder over its summary table, for the requester's scope."""

    @extend_schema(
        summary="Prevalence (WHO anthro_prevalence layout)",
        parameters=[REGION, PERIOD, OpenApiParameter("kind", str, enum=["month", "quarter", "semester", "year",
                                                                          "weighing"]),
                    OpenApiParameter("posyandu", int)],
        responses={200: PrevalenceSerializer})
    def get(self, request):
        from tumbuh.analytics import reports
        from tumbuh.analytics import views as analytics_views

        # The dashboard's own resolution of region (scoped: outside -> 404), period and posyandu.
        django_request = request._request
        raw = request.query_params.get("posyandu")
        if raw and not ascii_digits(raw):
            raise ValidationError({"posyandu": [_("Enter a whole number")]})
        region = analytics_views._region(django_request)
        period = analytics_views._period(django_request, region)
        posyandu = analytics_views._posyandu(django_request)
        report = reports.prevalence_report(request.user, region, period, posyandu.pk if posyandu else None)
        record(request.user, AuditEvent.Action.VIEW_LIST, object_type="analytics.prevalence", object_id=period.key,
               region_code=region.code, request=request,
               summary=_("Prevalence table %(region)s %(period)s") % {"region": region.code, "period": period.key},
               detail={"period": period.key, "posyandu": posyandu.pk if posyandu else None})
        table = [{k: _number(v) for k, v in row.items()} for row in report.table.to_dict("records")]
        coverage = report.coverage
        data = {
            "region": {"code": region.code, "name": region.name},
            "period": period.key,
            "posyandu": posyandu.pk if posyandu else None,
            "headline": {k: {"rate": _number(e.rate), "se": _number(e.se), "lower": _number(e.lower),
                             "upper": _number(e.upper), "cases": int(e.cases), "children": int(e.children)}
                         for k, e in report.estimates.items()},
            "coverage": {"registered": coverage.registered, "weighed": coverage.weighed, "gained": coverage.gained,
                         "measured_unregistered": coverage.measured_unregistered,
                         "d_over_s": _number(coverage.d_over_s), "n_over_d": _number(coverage.n_over_d)},
            "table": table,
        }
        return Response(data)
