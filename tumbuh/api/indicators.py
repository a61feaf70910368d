"""The indicators context through the API: the KPM desa scorecard and the RAN-PASTI indicators,
read-only. The numbers are the pages' own: the same selectors (`indicators.selectors.scorecard`,
`indicator_table`) over the requester's Scope. What differs from the pages is only strictness: a
region outside the scope is 404 and a period or mode the pages would silently replace is 400."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from tumbuh.analytics.periods import Period
from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.indicators import ranpasti, selectors
from tumbuh.indicators import scorecard as sc
from tumbuh.regions.models import Region
from tumbuh.regions.selectors import regions_for

from .filters import region_code
from .permissions import scope_of

SCORECARD_KINDS = ("quarter",)
RANPASTI_KINDS = ("quarter", "semester", "year")


def resolve_region(request, scope) -> tuple[str, Region | None]:
    """The region asked for (inside the scope, else 404), or the scope's own, as the pages do."""
    own = scope.covering_code
    code = region_code(request)
    if code is None or code == own:
        if own is None:
            raise NotFound
        return own, Region.objects.filter(code=own).first() if own else None
    region = regions_for(scope).filter(code=code).first()
    if region is None:
        raise NotFound(_("Region not found"))
    return code, region


def resolve_period(request, kinds: tuple[str, ...], default_kind: str) -> Period:
    """The period asked for (one of `kinds`, already begun), or the pages' default: the last
    complete period of `default_kind`."""
    today = timezone.localdate()
    raw = (request.query_params.get("period") or "").strip()
    if not raw:
        return Period.containing(today, default_kind).previous()
    try:
        period = Period.parse(raw)
    except ValueError:
        period = None
    if period is None or period.kind not in kinds:
        raise ValidationError({"period": [_("%(value)s is not a period here (%(kinds)s)")
                                          % {"value": raw[:40], "kinds": ", ".join(kinds)}]})
    if period.start > today:
        raise ValidationError({"period": [_("%(value)s has not begun yet") % {"value": raw[:40]}]})
    return period


# --- serializers --------------------------------------------------------------------------------


class ScoreSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="items received (Y)")
    expected = serializers.IntegerField(help_text="items that apply (Y + T)")
    percent = serializers.FloatField(allow_null=True, help_text="received / expected, percent; null: nothing applies")


class RegionRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


def _counts_field():
    return serializers.DictField(child=serializers.IntegerField(), help_text="Y, T, TS, ND: people per status")


class ItemCountSerializer(serializers.Serializer):
    item = serializers.CharField()
    counts = _counts_field()
    expected = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)


class GroupSerializer(serializers.Serializer):
    group = serializers.CharField(help_text="bumil (pregnant women), anak (children 0-23 months), paud")
    people = serializers.IntegerField()
    complete = serializers.IntegerField(help_text="people with the complete package")
    score = ScoreSerializer()
    items = ItemCountSerializer(many=True)


class DesaCardSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kecamatan = serializers.CharField()
    lokus = serializers.BooleanField()
    rank = serializers.IntegerField(allow_null=True, help_text="within its kecamatan")
    score = ScoreSerializer()
    groups = serializers.DictField(child=ScoreSerializer())
    growth_mat = serializers.DictField(child=serializers.IntegerField())


class KecamatanSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    desa = serializers.IntegerField()
    lokus = serializers.IntegerField()
    rank = serializers.IntegerField(allow_null=True)
    score = ScoreSerializer()


class PersonRowSerializer(serializers.Serializer):
    person_id = serializers.IntegerField()
    group = serializers.CharField()
    name = serializers.CharField()
    desa = serializers.CharField()
    posyandu = serializers.IntegerField(allow_null=True)
    detail = serializers.CharField(allow_blank=True)
    statuses = serializers.DictField(child=serializers.ChoiceField(choices=sc.STATUSES))
    score = ScoreSerializer()
    complete = serializers.BooleanField(allow_null=True)


class ScorecardSerializer(serializers.Serializer):
    region = RegionRefSerializer(allow_null=True)
    period = serializers.CharField()
    mode = serializers.ChoiceField(choices=sc.MODES)
    version = serializers.CharField()
    score = ScoreSerializer(help_text="the village convergence level, all groups")
    groups = GroupSerializer(many=True)
    growth_mat = serializers.DictField(child=serializers.IntegerField())
    desa = DesaCardSerializer(many=True)
    kecamatan = KecamatanSerializer(many=True)
    people = PersonRowSerializer(many=True, help_text="per person, only where the page names people "
                                                       "(a desa, or a cadre's posyandu); else empty")


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    group = serializers.CharField()
    pillar = serializers.CharField(allow_blank=True)
    opd = serializers.CharField(allow_blank=True)
    numerator_text = serializers.CharField(allow_blank=True)
    denominator_text = serializers.CharField(allow_blank=True)
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    value = serializers.FloatField(allow_null=True, help_text="percent, or the count for count indicators")
    is_count = serializers.BooleanField()
    lower_is_better = serializers.BooleanField()
    target_2024 = serializers.FloatField(allow_null=True)
    target_note = serializers.CharField(allow_blank=True)
    local_target = serializers.FloatField(allow_null=True)
    local_source = serializers.CharField(allow_blank=True)
    meets_national = serializers.BooleanField(allow_null=True)
    meets_local = serializers.BooleanField(allow_null=True)
    computable = serializers.BooleanField()
    why = serializers.CharField(allow_blank=True, help_text="why it is not computable")
    source = serializers.CharField(allow_blank=True)
    data = serializers.CharField(allow_blank=True)


class RanPastiSerializer(serializers.Serializer):
    region = RegionRefSerializer(allow_null=True)
    period = serializers.CharField()
    version = serializers.CharField()
    indicators = IndicatorSerializer(many=True)


# --- shaping ------------------------------------------------------------------------------------


def _score(score: sc.Score) -> dict:
    return {"received": score.received, "expected": score.expected, "percent": score.percent}


def _region_ref(code: str, region: Region | None) -> dict | None:
    if region is not None:
        return {"code": region.code, "name": region.name}
    return {"code": code, "name": _("All regions")} if code == "" else None


def scorecard_data(card, code: str, region: Region | None) -> dict:
    return {
        "region": _region_ref(code, region), "period": card.period.key, "mode": card.mode, "version": card.version,
        "score": _score(card.score),
        "groups": [{"group": g.group, "people": g.people, "complete": g.complete, "score": _score(g.score),
                    "items": [{"item": i.item, "counts": dict(i.counts), "expected": i.expected,
                               "percent": i.percent} for i in g.items]} for g in card.groups.values()],
        "growth_mat": dict(card.growth_mat),
        "desa": [{"code": d.code, "name": d.name, "kecamatan": d.kecamatan, "lokus": bool(d.lokus), "rank": d.rank,
                  "score": _score(d.score), "groups": {k: _score(g.score) for k, g in d.groups.items()},
                  "growth_mat": dict(d.growth_mat)} for d in card.desa],
        "kecamatan": [{"code": k.code, "name": k.name, "desa": k.desa, "lokus": k.lokus, "rank": k.rank,
                       "score": _score(k.score)} for k in card.kecamatan],
        "people": [{"person_id": r.person_id, "group": r.group, "name": r.name, "desa": r.desa,
                    "posyandu": r.posyandu_id, "detail": r.detail or "", "statuses": dict(r.statuses),
                    "score": _score(r.score), "complete": r.complete} for r in card.people],
    }


def _float(value):
    return None if value is None else float(value)


def indicator_data(v: ranpasti.IndicatorValue) -> dict:
    return {
        "code": v.code, "name": v.name, "group": v.group, "pillar": v.pillar or "", "opd": v.opd or "",
        "numerator_text": v.numerator_text or "", "denominator_text": v.denominator_text or "",
        "numerator": v.numerator, "denominator": v.denominator, "value": _float(v.value), "is_count": bool(v.is_count),
        "lower_is_better": bool(v.lower_is_better), "target_2024": _float(v.target_2024),
        "target_note": v.target_note or "", "local_target": _float(v.local_target),
        "local_source": v.local_source or "", "meets_national": v.meets_national, "meets_local": v.meets_local,
        "computable": bool(v.computable), "why": v.why or "", "source": v.source or "", "data": v.data or "",
    }


REGION = OpenApiParameter("region", str, description="Region code (Kemendagri) inside your area; default your own")


@extend_schema(tags=["indicators"])
class ScorecardView(APIView):
    """The KPM desa scorecard (Kartu Skor Konvergensi Desa), the page's numbers."""

    @extend_schema(
        summary="Village convergence scorecard",
        parameters=[REGION,
                    OpenApiParameter("period", str, description="A quarter, e.g. 2026-Q2; default the last complete"),
                    OpenApiParameter("mode", str, enum=list(sc.MODES), description="benar (default) or opensid")],
        responses={200: ScorecardSerializer})
    def get(self, request):
        scope = scope_of(request)
        code, region = resolve_region(request, scope)
        period = resolve_period(request, SCORECARD_KINDS, "quarter")
        mode = request.query_params.get("mode") or "benar"
        if mode not in sc.MODES:
            raise ValidationError({"mode": [_("%(value)s is not a mode (benar, opensid)") % {"value": mode[:40]}]})
        # Names exactly where the page shows them: a desa, or a cadre's own posyandu.
        personal = scope.is_cadre or (region is not None and region.level == Region.Level.DESA)
        card = selectors.scorecard(scope, code, period, mode, with_people=personal)
        if personal:
            record(request.user, AuditEvent.Action.VIEW_LIST, object_type="indicators.scorecard", region_code=code,
                   summary=_("Village scorecard %(p)s") % {"p": period.key}, request=request,
                   detail={"people": len(card.people), "mode": mode, "via": "api"})
        return Response(ScorecardSerializer(scorecard_data(card, code, region)).data)


@extend_schema(tags=["indicators"])
class RanPastiView(APIView):
    """The RAN-PASTI indicators (Perpres 72/2021) of a region and period, the page's numbers."""

    @extend_schema(
        summary="RAN-PASTI indicators",
        parameters=[REGION,
                    OpenApiParameter("period", str, description="2026, 2026-S1 or 2026-Q2; default the last "
                                                                "complete semester")],
        responses={200: RanPastiSerializer})
    def get(self, request):
        scope = scope_of(request)
        code, region = resolve_region(request, scope)
        period = resolve_period(request, RANPASTI_KINDS, "semester")
        values = selectors.indicator_table(scope, code, period)
        data = {"region": _region_ref(code, region), "period": period.key, "version": str(ranpasti.config()["version"]),
                "indicators": [indicator_data(v) for v in values]}
        return Response(RanPastiSerializer(data).data)
