"""Indicator pages: the desa scorecard (screen, print, xlsx), the RAN-PASTI indicators, outcome
beside coverage, and the typed-in figures (Dana Desa, lokus, local targets). Thin: reads through
selectors under `request.scope`, writes through services; personal-data lists are audited."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.access import region_safe
from tumbuh.accounts.scoping import scope_for
from tumbuh.analytics.periods import Period
from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.regions.models import Region
from tumbuh.regions.selectors import regions_for

from . import exports, ranpasti, selectors, services
from . import scorecard as sc
from .forms import DanaDesaForm, LocalTargetForm, LokusForm

PERIOD_KINDS = ("quarter", "semester", "year")


def _scope(request):
    return getattr(request, "scope", None) or scope_for(request.user)


def _today() -> dt.date:
    return timezone.localdate()


def _region(request, scope) -> tuple[str | None, Region | None]:
    """The region asked for if the scope may select it, else the scope's own (None: nothing)."""
    code = request.GET.get("region", "")
    if code and regions_for(scope).filter(code=code).exists():
        return code, Region.objects.filter(code=code).first()
    own = scope.covering_code
    if own is None or scope.is_empty:
        return None, None
    return own, Region.objects.filter(code=own).first() if own else None


def _period(request, kinds=("quarter",), default_kind="quarter") -> Period:
    today = _today()
    try:
        period = Period.parse(request.GET.get("period", ""))
        if period.kind in kinds and period.start <= today:
            return period
    except ValueError:
        pass
    return Period.containing(today, default_kind).previous()


def _period_choices(kinds) -> list[Period]:
    today = _today()
    out = []
    for kind in kinds:
        out += reversed(Period.containing(today, kind).history({"quarter": 8, "semester": 4, "year": 3}[kind]))
    return out


def _region_choices(scope) -> list[tuple[str, str]]:
    return list(regions_for(scope).order_by("code").values_list("code", "name")[:500])


@region_safe
def scorecard(request):
    scope = _scope(request)
    code, region = _region(request, scope)
    period = _period(request)
    mode = request.GET.get("mode", "benar")
    if mode not in sc.MODES:
        mode = "benar"
    personal = code is not None and (scope.is_cadre or (region is not None and region.level == Region.Level.DESA))
    card = selectors.scorecard(scope, code, period, mode, with_people=personal) if code is not None else None
    if card is not None and personal:
        action = AuditEvent.Action.EXPORT if request.GET.get("format") == "xlsx" else AuditEvent.Action.VIEW_LIST
        record(request.user, action, object_type="indicators.scorecard", region_code=code or "",
               summary=_("Village scorecard %(p)s") % {"p": period.key},
               detail={"people": len(card.people), "mode": mode}, request=request)
    if card is not None and request.GET.get("format") == "xlsx":
        return exports.scorecard_download(card, user=request.user)
    return render(request, "indicators/scorecard.html", {
        "card": card, "region": region, "region_code": code, "period": period, "mode": mode,
        "modes": [(m, sc.mode_config(m)["label"]) for m in sc.MODES], "personal": personal,
        "periods": _period_choices(("quarter",)), "regions": _region_choices(scope),
        "print": bool(request.GET.get("print")), "item_labels": {k: v["label"] for k, v in sc.config()["items"].items()},
        "groups": sc.config()["groups"], "statuses": sc.STATUSES,
    })


@region_safe
def scorecard_trend(request):
    scope = _scope(request)
    code, region = _region(request, scope)
    period = _period(request)
    mode = request.GET.get("mode", "benar")
    if mode not in sc.MODES:
        mode = "benar"
    points = selectors.scorecard_trend(scope, code, period, 4, mode) if code is not None else []
    return render(request, "indicators/_trend.html", {"points": points, "region": region})


@region_safe
def indicators(request):
    scope = _scope(request)
    code, region = _region(request, scope)
    period = _period(request, PERIOD_KINDS, "semester")
    values = selectors.indicator_table(scope, code, period) if code is not None else []
    if code is not None and request.GET.get("format") == "xlsx":
        record(request.user, AuditEvent.Action.EXPORT, object_type="indicators.ranpasti", region_code=code or "",
               summary=_("RAN-PASTI indicators %(p)s") % {"p": period.key}, request=request)
        return exports.indicators_download(values, region, period, user=request.user)
    return render(request, "indicators/indicators.html", {
        "values": values, "region": region, "region_code": code, "period": period,
        "periods": _period_choices(PERIOD_KINDS), "regions": _region_choices(scope),
        "version": ranpasti.config()["version"],
    })


@region_safe
def outcome(request):
    scope = _scope(request)
    code, region = _region(request, scope)
    as_of = _today()
    report = selectors.outcome_report(scope, code, as_of) if code is not None else None
    return render(request, "indicators/outcome.html", {"report": report, "region": region, "region_code": code,
                                                       "regions": _region_choices(scope)})


@region_safe
def settings_page(request):
    """Dana Desa (desa team and above), lokus desa and local targets (kab/kota and province)."""
    scope = _scope(request)
    year = _today().year
    desa = list(regions_for(scope).filter(level=Region.Level.DESA).order_by("name").values_list("code", "name"))
    upper = list(regions_for(scope).filter(level__in=(Region.Level.KABUPATEN, Region.Level.PROVINSI))
                 .order_by("code").values_list("code", "name"))
    indicator_choices = [(d["code"], d["name"]) for d in ranpasti.definitions()
                         if d.get("computable", True) and not d.get("count")]
    data = request.POST if request.method == "POST" else None
    which = request.POST.get("form") if data else None
    dana = DanaDesaForm(data if which == "dana" else None, prefix="d", desa_choices=desa, initial={"year": year})
    lokus = LokusForm(data if which == "lokus" else None, prefix="l", desa_choices=desa, initial={"year": year})
    target = LocalTargetForm(data if which == "target" else None, prefix="t", region_choices=upper,
                             indicator_choices=indicator_choices, initial={"year": year})
    if data:
        try:
            if which == "dana" and dana.is_valid():
                c = dana.cleaned_data
                services.set_dana_desa(request.user, c["desa"], c["year"], c["total"], c["stunting"], request=request)
                messages.success(request, _("Saved."))
                return redirect("indicators:settings")
            if which == "lokus" and lokus.is_valid():
                c = lokus.cleaned_data
                services.set_lokus(request.user, c["desa"], c["year"], c["lokus"], c["decree"], request=request)
                messages.success(request, _("Saved."))
                return redirect("indicators:settings")
            if which == "target" and target.is_valid():
                c = target.cleaned_data
                services.set_local_target(request.user, c["region"], c["indicator"], c["year"],
                                          c["target_percent"], c["source"], request=request)
                messages.success(request, _("Saved."))
                return redirect("indicators:settings")
        except PermissionDenied as exc:
            raise Http404 from exc
    region_code = scope.covering_code
    return render(request, "indicators/settings.html", {
        "dana": dana if services.can_dana_desa(request.user) and desa else None,
        "lokus": lokus if services.can_lokus(request.user) and desa else None,
        "target": target if services.can_targets(request.user) and upper else None,
        "dana_rows": sorted(selectors.dana_desa(scope, region_code or "", year).values(), key=lambda d: d.desa_id)
        if region_code is not None else [],
        "lokus_rows": sorted(selectors.lokus_codes(scope, year)) if region_code is not None else [],
        "desa_names": dict(desa), "year": year,
        "target_rows": list(selectors.LocalTarget.objects.filter(scope.region_q("region_id"), year__gte=year - 1)
                            .order_by("region_id", "indicator")),
    })
