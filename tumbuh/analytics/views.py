"""Analytics pages. Thin: parse the region and period, call `reports`, render or export."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace as dc_replace

import pandas as pd
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from tumbuh.accounts.access import region_safe
from tumbuh.accounts.models import Role
from tumbuh.accounts.scoping import is_admin, scope_for, scope_region_code
from tumbuh.audit.services import record
from tumbuh.growth.categories import LABELS as CATEGORY_LABELS
from tumbuh.regions.models import Region, within
from tumbuh.regions.selectors import posyandu_for, regions_for
from tumbuh.web.charts import Axis, LineChart
from tumbuh.web.text import mask_nik

from . import areas, exports, memo, reports, svg
from .areas import is_service_area, service_area_for
from .forms import BoundaryForm, FigureForm, TargetForm
from .models import BoundaryUpload, ExternalFigure, RegionTarget
from .periods import KINDS, Period
from .prevalence import SMALL_SAMPLE_CI_POINTS, SMALL_SAMPLE_N, is_small_sample
from .quality import dps_class
from .services import figures_for, targets_for

INDICATOR_LABELS = {
    "stunting": _l("Stunting"),
    "severe_stunting": _l("Severe stunting"),
    "wasting": _l("Wasting"),
    "underweight": _l("Underweight"),
    "overweight": _l("Overweight"),
}


def _region(request) -> Region:
    allowed = regions_for(request.user)
    requested = request.GET.get("region") or ""
    area = service_area_for(request.user)
    # A puskesmas officer's service area (several desa, not one region) answers to its covering
    # region's code and is the default: the officer's scope limits it to the served desa.
    if area is not None and requested in ("", area.code):
        return area
    code = requested or scope_region_code(request.user) or ""
    if not code:  # an administrator with no region chosen: start at the first kabupaten/kota
        first = allowed.filter(level=Region.Level.KABUPATEN).first() or allowed.first()
        if first is None:
            raise Http404
        return first
    region = allowed.filter(code=code).select_related("parent").first()
    if region is None:
        raise Http404(_("Region not found"))
    return region


def _today() -> dt.date:
    return timezone.localdate()


def _period(request, region: Region) -> Period:
    key = request.GET.get("period")
    kind = request.GET.get("kind")
    if key:
        try:
            chosen = Period.parse(key)
        except ValueError as exc:
            raise Http404(str(exc)) from exc
        # The kind picker changed but the period list still holds the old kind's key.
        return chosen if kind not in KINDS or kind == chosen.kind else Period.containing(chosen.end, kind)
    if kind not in KINDS:
        kind = "month"
    today = _today()
    return memo.memoized("analytics.default_period", (_scope_key(request), region.code, kind, today),
                         lambda: reports.default_period(request.user, region.code, kind, today))


def _scope_key(request):
    """Who is asking, as far as the figures go: their scope without their user id (every
    kabupaten team member of one kab/kota shares one memoized dashboard)."""
    return dc_replace(scope_for(request.user), user_id=None)


def _posyandu(request):
    raw = request.GET.get("posyandu")
    if not raw:
        return None
    try:
        return posyandu_for(request.user).get(pk=int(raw))
    except (ValueError, posyandu_for(request.user).model.DoesNotExist) as exc:
        raise Http404 from exc


def _picker(request, region: Region, period: Period) -> dict:
    allowed = regions_for(request.user)
    area = service_area_for(request.user)
    if is_service_area(region):
        chain, children = [], [r for r in allowed.order_by("name")]
    else:
        chain = [r for r in region.ancestors() if allowed.filter(code=r.code).exists()]
        if area is not None:
            chain = [area]
        children = list(allowed.filter(parent=region))
    today = _today()
    # Never a future period in the list; the period in progress may be chosen (it is not the default).
    period_options = [p for p in period.history(HISTORY_OPTIONS[period.kind])][::-1]
    following = [p for p in (period.shift(i) for i in (3, 2, 1)) if p.start <= today]
    posyandu_levels = (Region.Level.DESA, Region.Level.KECAMATAN, areas.LEVEL)
    return {
        "region": region, "period": period, "region_chain": chain, "region_children": children,
        "period_options": [{"key": p.key, "label": period_label(p)} for p in following + period_options],
        "period_label": period_label(period), "kinds": KIND_LABELS,
        "small_n": SMALL_SAMPLE_N, "small_ci": SMALL_SAMPLE_CI_POINTS,
        "period_in_progress": period.end >= today,
        "posyandu_options": posyandu_choices(request.user, region.code)
        if region.level in posyandu_levels else [],
    }


def posyandu_choices(user, region_code: str) -> list[dict]:
    """Posyandu of the region for a picker, each with its desa (names repeat across desa)."""
    qs = posyandu_for(user).select_related("desa").order_by("desa__name", "name", "pk")
    if region_code:
        qs = qs.filter(within("desa_id", region_code))
    return [{"pk": p.pk, "name": p.name, "desa": p.desa.name, "label": f"{p.name} ({p.desa.name})"}
            for p in qs[:500]]


def period_label(period: Period) -> str:
    """The period in words of the active language: "November 2026", "Triwulan 3 2026"."""
    if period.kind == "month":
        return f"{MONTHS[period.index]} {period.year}"
    if period.kind == "quarter":
        return _("Quarter %(n)d %(year)d") % {"n": period.index, "year": period.year}
    if period.kind == "semester":
        return _("Semester %(n)d %(year)d") % {"n": period.index, "year": period.year}
    if period.kind == "weighing":
        return _("Weighing month %(month)s %(year)d") % {"month": MONTHS[period.index], "year": period.year}
    return str(period.year)


HISTORY_OPTIONS = {"month": 24, "quarter": 12, "semester": 8, "year": 6, "weighing": 8}
KIND_LABELS = [("month", _l("Month")), ("quarter", _l("Quarter")), ("semester", _l("Semester")),
               ("year", _l("Year")), ("weighing", _l("Weighing month (Feb/Aug)"))]


def fmt_decimal(v, digits=1) -> str:
    """A number in the active language's format ("37,0" in Indonesian), for text built in Python
    (tooltips); templates use floatformat, which localizes the same way."""
    return number_format(round(float(v), digits), decimal_pos=digits)


def _num(v, digits=1):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v), digits)


@region_safe
def dashboard(request):
    region = _region(request)
    period = _period(request, region)
    show_all = request.GET.get("ranking") == "all"
    # The figures depend on who asks (their scope, not their user id), the region, the period,
    # "show all" and the language; reused while no write committed (memo.py: fresh after every
    # write), which is what lets the dashboard serve many TPPS members at once.
    key = (_scope_key(request), type(region).__name__, region.code, period.kind, period.key,
           show_all, get_language())
    figures = memo.memoized("analytics.dashboard", key,
                            lambda: _dashboard_figures(request, region, period, show_all))
    context = {**_picker(request, region, period), **figures}
    return render(request, "analytics/dashboard.html", context)


def _dashboard_figures(request, region, period, asked_all: bool) -> dict:
    board = reports.dashboard(request.user, region, period)
    est = board.report.estimates
    targets = targets_for(region)
    figures = [] if is_service_area(region) else figures_for(region)

    chart, chart_legend = _trend_chart(board.trend, targets)
    verdict = _verdict(board.trend, targets, period)
    tiles_values = {}
    small_label = _("small sample")
    for row in board.ranking.itertuples():
        small = not math.isnan(row.rate) and is_small_sample(row.children, row.lower, row.upper)
        rate_text = "–" if math.isnan(row.rate) else f"{fmt_decimal(row.rate)}% ({row.cases}/{row.children})"
        tip = f"{row.name}: {rate_text}" + (f" · {small_label}" if small else "")
        # A small sample is left out of the map's colours (drawn as "no data" with its tooltip).
        tiles_values[str(row.key)] = (row.name, None if math.isnan(row.rate) or small else float(row.rate), tip)
    map_svg = _map(region, board.unit_kind, tiles_values)

    ranking_rows = []
    for r in board.ranking.itertuples():
        small = not math.isnan(r.rate) and is_small_sample(r.children, r.lower, r.upper)
        prev_small = not math.isnan(r.previous) and is_small_sample(r.previous_children, r.previous_lower,
                                                                    r.previous_upper)
        ranking_rows.append({
            "key": r.key, "name": r.name, "rate": _num(r.rate), "lower": _num(r.lower), "upper": _num(r.upper),
            "cases": r.cases, "children": r.children, "registered": r.registered, "coverage": _num(r.coverage),
            "previous": _num(r.previous), "small": small,
            # A change from or to a small sample is noise, not a trend: not shown, not listed.
            "change": None if small or prev_small else _num(r.change)})
    # Reliable rates first (highest first), then the small samples, then units without data.
    ranking_rows.sort(key=lambda r: (r["rate"] is None, r["small"], -(r["rate"] or 0), r["name"]))
    by_change = sorted([r for r in ranking_rows if r["change"] is not None], key=lambda r: r["change"])
    # Long rankings (hundreds of posyandu) are cut to the highest and lowest rates on screen;
    # `?ranking=all` shows every row. The map above still colours every unit.
    show_all = asked_all or len(ranking_rows) <= 2 * RANKING_SHOWN
    rank = 0
    for r in ranking_rows:
        if r["rate"] is not None and not r["small"]:
            rank += 1
            r["rank"] = rank
        else:
            r["rank"] = None
    shown = ranking_rows if show_all else (ranking_rows[:RANKING_SHOWN] + ranking_rows[-RANKING_SHOWN:])
    skdn = _skdn_rows(request.user, board.skdn)
    show_skdn_all = asked_all
    return {
        "kpis": [(k, INDICATOR_LABELS[k], est[k]) for k in ("stunting", "wasting", "underweight", "overweight")],
        "severe": est["severe_stunting"],
        "coverage": board.report.coverage,
        "chart": chart, "chart_legend": chart_legend, "verdict": verdict, "map_svg": map_svg, "bands": svg.BANDS,
        "ranking": shown, "ranking_total": len(ranking_rows), "ranking_cut": not show_all,
        "ranking_shown": RANKING_SHOWN,
        "improving": [r for r in by_change if r["change"] < 0][:5],
        "worsening": [r for r in by_change[::-1] if r["change"] > 0][:5],
        "unit_kind": board.unit_kind,
        "figures": figures, "targets": targets,
        # Cut on its own count, not the ranking's: a kabupaten has ~10 kecamatan (ranking shown
        # whole) but hundreds of posyandu, whose rows were most of the page's rendering time.
        "skdn": skdn if show_skdn_all or len(skdn) <= SKDN_SHOWN else skdn[:SKDN_SHOWN], "skdn_total": len(skdn),
        # Issue 9 item 11: the target groups' counts and rates for the same region, summed from
        # the target-group summary cells (targets/summary.py), rebuilt in every write's transaction.
        "target_counts": _target_counts(request, region),
    }


def _target_counts(request, region):
    """The target-group KPIs of the dashboard's region; None for a cadre (their area is their
    posyandu's children, not a region's registers) and for an area (puskesmas service area)."""
    from tumbuh.targets.selectors import group_counts

    scope = request.scope
    if scope.is_cadre or not getattr(region, "code", None) or is_service_area(region):
        return None
    return group_counts(scope, region=region.code)


RANKING_SHOWN = 10  # highest and lowest rates shown before "show all"
SKDN_SHOWN = 50  # posyandu with the lowest D/S first


def _trend_chart(trend, targets) -> tuple[str, list[dict]]:
    """The stunting trend on the project's chart helper (tumbuh.web.charts): our rate per period
    with its 95% CI as a band and as tooltips, and each target source as a dashed line. Returns the
    SVG and the legend entries (drawn in HTML beside the chart)."""
    labels = [p.period.key for p in trend]
    ours = [p.estimate.rate if p.estimate and p.estimate.available else None for p in trend]
    lower = [p.estimate.lower if p.estimate and p.estimate.available else None for p in trend]
    upper = [p.estimate.upper if p.estimate and p.estimate.available else None for p in trend]
    years = {p.period.year for p in trend}
    lines = []
    for source in sorted({t.source for t in targets}):
        by_year = {t.year: float(t.target_percent) for t in targets if t.source == source}
        if years & set(by_year):
            lines.append((source, [by_year.get(p.period.year) for p in trend]))
    values = [v for seq in (ours, upper, *(v for _, v in lines)) for v in seq if v is not None and not math.isnan(v)]
    top = max([*values, 1.0])
    ymax = 5 * math.ceil(top / 5) + (5 if top % 5 == 0 else 0)
    step = 5 if ymax <= 40 else 10
    n = len(labels)
    every = max(1, math.ceil(n / 8))
    chart = LineChart(
        x=Axis(_("Period"), -0.5, n - 0.5, ticks=[i for i in range(n) if i % every == 0 or i == n - 1],
               tick_label=lambda i: labels[int(i)], grid=False),
        y=Axis(_("Stunting (%)"), 0, ymax, ticks=range(0, ymax + 1, step), tick_label=lambda v: f"{v:g}%"),
        title=_("Stunting prevalence over time"),
        desc=_("Stunting prevalence (routine data) per period with its 95% confidence interval, and the targets."),
        chart_id="trend-chart", width=640, height=300, margin=(34, 16, 52, 58),
    )
    xs = list(range(n))
    chart.add_band(xs, lower, upper, css_class="band trend-ci", label=_("95% CI"))
    legend = []
    for source, ys in lines:
        css = "target target-national" if source == "Nasional" else "target target-own"
        label = _("Target (%(source)s)") % {"source": source}
        chart.add_line(xs, ys, css_class=css, label=label, dashed=True)
        legend.append({"css": css, "label": label, "dashed": True})
    tips = [f"{lab}: " + ("–" if p.estimate is None or not p.estimate.available else
                          f"{fmt_decimal(p.estimate.rate)}% ({fmt_decimal(p.estimate.lower)}–"
                          f"{fmt_decimal(p.estimate.upper)}), "
                          f"{p.estimate.cases}/{p.estimate.children}") for lab, p in zip(labels, trend, strict=True)]
    ours_label = _("Tumbuh (routine data)")
    small = [bool(p.estimate is not None and p.estimate.small) for p in trend]
    tips = [t + (f" · {_('small sample')}" if s_ else "") for t, s_ in zip(tips, small, strict=True)]
    chart.add_points(xs, ours, css_class="series trend-ours", label=ours_label, titles=tips,
                     point_classes=["small-sample" if s_ else "" for s_ in small])
    legend.insert(0, {"css": "trend-ours", "label": ours_label, "dashed": False})
    return chart.render(), legend


def _skdn_rows(user, table) -> list[dict]:
    names = reports.posyandu_labels(user)
    rows = []
    for r in table.to_dict("records"):
        rows.append({"name": names.get(r["posyandu_id"], "-"), "S": r["S"], "D": r["D"], "N": r["N"],
                     "T": r["T"], "T2": r["2T"], "O": r["O"], "B": r["B"], "BGM": r["BGM"],
                     "D_S": _num(r["D/S"]), "N_D": _num(r["N/D"])})
    return sorted(rows, key=lambda r: (r["D_S"] is None, r["D_S"] or 0))


def _verdict(trend, targets, period: Period) -> dict | None:
    """On course when the latest rate is at or under the straight line from the first measured
    point to the nearest target (own target preferred over the national one)."""
    points = [(i, p.estimate.rate) for i, p in enumerate(trend) if p.estimate and p.estimate.available]
    future = sorted((t for t in targets if t.year >= period.year),
                    key=lambda t: (t.year, t.region_id is None))
    if not points or not future:
        return None
    goal = future[0]
    target = float(goal.target_percent)
    last_i, last = points[-1]
    first_i, first = points[0]
    months_left = max(1, (dt.date(goal.year, 12, 31) - period.end).days / 30.4)
    if last <= target:
        status = "on_target"
    else:
        slope = (last - first) / max(1, last_i - first_i) if last_i > first_i else 0.0
        per_period_months = period.months
        projected = last + slope * months_left / per_period_months
        status = "on_course" if projected <= target else "off_course"
    return {"status": status, "target": target, "year": goal.year, "source": goal.source, "latest": last}


def _map(region: Region, unit_kind: str, values: dict) -> str:
    if unit_kind == "region" and not is_service_area(region):
        child_level = Region.Level.KECAMATAN if region.level == Region.Level.KABUPATEN else Region.Level.DESA
        upload = BoundaryUpload.objects.filter(parent=region, level=child_level).first()
        if upload:
            try:
                features = svg.parse_features(upload.geojson, upload.property_key)
            except ValueError:
                features = []
            names = {name.casefold(): key for key, (name, _r, _t) in values.items()}
            matched = [(k if k in values else names.get(k.casefold(), k), rings) for k, rings in features]
            if matched:
                return svg.choropleth(matched, values)
    tiles = [(k, v[0], v[1], v[2]) for k, v in values.items()]
    return svg.tile_grid(tiles)


@region_safe
def prevalence(request):
    region = _region(request)
    period = _period(request, region)
    posyandu = _posyandu(request)
    report = reports.prevalence_report(request.user, region, period, posyandu.pk if posyandu else None)
    if request.GET.get("format") == "xlsx":
        record(request.user, "export", object_type="analytics.prevalence", object_id=period.key,
               region_code=region.code, summary=_("Prevalence table %(region)s %(period)s") % {"region": region.code, "period": period.key},
               detail={"period": period.key, "posyandu": posyandu.pk if posyandu else None}, request=request)
        return _xlsx(exports.prevalence_workbook(report), f"prevalensi-{region.code}-{period.key}.xlsx")
    table = report.table
    blocks = []
    for label, name in (("HA", _("Length/height-for-age (TB/U)")), ("WA", _("Weight-for-age (BB/U)")),
                        ("WH", _("Weight-for-length/height (BB/TB)")), ("BMI", _("BMI-for-age (IMT/U)"))):
        rows = []
        for r in table.itertuples(index=False):
            d = r._asdict()
            rows.append({"group": d["Group"], "n": int(d[f"{label}Z_unwpop"]),
                         "cut": [(_num(d[f"{label}{s}_r"]), _num(d[f"{label}{s}_ll"]), _num(d[f"{label}{s}_ul"]),
                                  int(d[f"{label}{s}_n"])) for s in ("_3", "_2", "1", "2")],
                         "mean": _num(d[f"{label}_r"], 2), "sd": _num(d[f"{label}_stdev"], 2)})
        blocks.append({"label": label, "name": name, "rows": rows})
    context = {**_picker(request, region, period), "report": report, "blocks": blocks,
               "coverage": report.coverage, "posyandu": posyandu,
               "kpis": [(k, INDICATOR_LABELS[k], report.estimates[k]) for k in INDICATOR_LABELS]}
    return render(request, "analytics/prevalence.html", context)


def _categories(*codes: str) -> str:
    """Permenkes 2/2020 category names from the growth engine's table (one wording project-wide)."""
    lang = "id" if (get_language() or "id").startswith("id") else "en"
    return " + ".join(CATEGORY_LABELS[c][lang] for c in codes)


def bnba_labels() -> list[tuple[str, str]]:
    return [("stunted", f"{_categories('stunted', 'severely_stunted')} (TB/U < -2 SD)"),
            ("wasted", f"{_categories('wasted', 'severely_wasted')} (BB/TB < -2 SD, {_('or oedema')})"),
            ("2T", _("2T: did not gain twice")), ("BGM", _("BGM: below the red line")),
            ("not_measured", _("Not measured for 2 months"))]
BNBA_SCREEN_LIMIT = 500


@region_safe
def bnba(request):
    region = _region(request)
    period = _period(request, region)
    posyandu = _posyandu(request)
    category = request.GET.get("category") or "stunted"
    if category not in reports.BNBA_CATEGORIES:
        raise Http404
    rows = reports.bnba(request.user, region, period, category, posyandu.pk if posyandu else None)
    if not request.scope.sees_full_nik and len(rows):
        rows["nik"] = rows["nik"].map(lambda n: mask_nik(n or ""))  # province teams: masked (access.md)
    if len(rows):  # convergence: complete package yes/no and items received (docs/convergence.md)
        from tumbuh.convergence.selectors import package_column

        rows["package"] = package_column(rows["child_id"])
    detail = {"category": category, "period": period.key, "posyandu": posyandu.pk if posyandu else None,
              "rows": len(rows)}
    if request.GET.get("format") == "xlsx":
        record(request.user, "export", object_type="analytics.bnba", object_id=category, region_code=region.code,
               summary=_("BNBA %(list)s %(region)s %(period)s (%(n)d children)") % {"list": dict(bnba_labels()).get(category, category), "region": region.code, "period": period.key, "n": len(rows)}, detail=detail,
               request=request)
        label = dict(bnba_labels())[category]
        about = [
            (_("Region"), f"{region.name} ({region.code})" if region.code and not is_service_area(region)
             else region.name),
            (_("Period"), f"{period_label(period)} ({period.start:%d-%m-%Y} – {period.end:%d-%m-%Y})"),
            (_("List"), label),
            ("Posyandu", posyandu.name + f" ({posyandu.desa.name})" if posyandu else _("All")),
            (_("Number of children"), str(len(rows))),
            (_("Generated"), timezone.localtime().strftime("%d-%m-%Y %H:%M")),
            (_("Generated by"), request.user.get_full_name() or request.user.get_username()),
            (_("Note"), _("Each child's latest measurement in the period. Personal data: keep it safe; "
                          "this download is recorded in the audit log.")),
        ]
        title = _("By-name list (BNBA): %(list)s") % {"list": label}
        return _xlsx(exports.bnba_workbook(rows, title, about), f"bnba-{category}-{region.code}-{period.key}.xlsx")
    record(request.user, "view_list", object_type="analytics.bnba", object_id=category, region_code=region.code,
           summary=_("BNBA %(list)s %(region)s %(period)s (%(n)d children)") % {"list": dict(bnba_labels()).get(category, category), "region": region.code, "period": period.key, "n": len(rows)}, detail=detail,
           request=request)
    shown = rows.head(BNBA_SCREEN_LIMIT).to_dict("records")
    for r in shown:
        r["nik"] = mask_nik(r.get("nik") or "")
        for k in ("measured_on", "birth_date"):
            r[k] = None if r.get(k) is None or pd.isna(r[k]) else r[k].date()
        for k in ("haz", "waz", "whz", "age_months", "weight_kg", "length_cm"):
            r[k] = _num(r.get(k), 2 if k.endswith("z") else 1)
    context = {**_picker(request, region, period), "rows": shown, "total": len(rows), "limit": BNBA_SCREEN_LIMIT,
               "category": category, "categories": bnba_labels(),
               "posyandu": posyandu}
    return render(request, "analytics/bnba.html", context)


@region_safe
def quality(request):
    region = _region(request)
    period = _period(request, region)
    by = request.GET.get("by") if request.GET.get("by") in ("posyandu", "region") else "posyandu"
    table = reports.quality_report(request.user, region, period, by)
    if request.GET.get("format") == "xlsx":
        record(request.user, "export", object_type="analytics.quality", object_id=period.key,
               region_code=region.code, summary=_("Data quality %(region)s %(period)s") % {"region": region.code, "period": period.key},
               detail={"period": period.key, "by": by}, request=request)
        return _xlsx(exports.frame_workbook({"quality": table}), f"kualitas-data-{region.code}-{period.key}.xlsx")
    rows = []
    for r in table.to_dict("records"):
        r = {k: (_num(v, 2) if isinstance(v, float) else v) for k, v in r.items()}
        r["dps_weight_class"] = dps_class(r["dps_weight"] if r["dps_weight"] is not None else math.nan)
        r["dps_height_class"] = dps_class(r["dps_height"] if r["dps_height"] is not None else math.nan)
        rows.append(r)
    context = {**_picker(request, region, period), "rows": rows, "by": by}
    return render(request, "analytics/quality.html", context)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---- Reference figures and boundaries (no personal data; limited roles) -------------------

MANAGER_ROLES = {Role.KABUPATEN, Role.PROVINSI, Role.ADMIN}


def _require_manager(user):
    if not (is_admin(user) or user.role in MANAGER_ROLES):
        raise PermissionDenied


@region_safe
def targets(request):
    _require_manager(request.user)
    allowed = regions_for(request.user)
    target_form = TargetForm(prefix="t", regions=allowed)
    figure_form = FigureForm(prefix="f", regions=allowed)
    if request.method == "POST":
        form = (TargetForm(request.POST, prefix="t", regions=allowed) if "t-year" in request.POST
                else FigureForm(request.POST, prefix="f", regions=allowed))
        if form.is_valid():
            form.save()
            messages.success(request, _("Saved."))
            return redirect("analytics:targets")
        target_form, figure_form = (form, figure_form) if isinstance(form, TargetForm) else (target_form, form)
    scope = scope_region_code(request.user) or ""
    own_targets = RegionTarget.objects.filter(region__isnull=True) | RegionTarget.objects.filter(
        region__code__startswith=scope)
    context = {
        "target_form": target_form, "figure_form": figure_form,
        "target_rows": own_targets.select_related("region").order_by("region_id", "year"),
        "figure_rows": ExternalFigure.objects.filter(region__in=allowed).select_related("region"),
    }
    return render(request, "analytics/targets.html", context)


@region_safe
@require_POST
def delete_reference(request, kind: str, pk: int):
    _require_manager(request.user)
    model = {"target": RegionTarget, "figure": ExternalFigure, "boundary": BoundaryUpload}.get(kind)
    if model is None:
        raise Http404
    obj = get_object_or_404(model, pk=pk)
    region_id = obj.parent_id if kind == "boundary" else obj.region_id
    if region_id is None and not is_admin(request.user):
        raise PermissionDenied  # national targets: administrators only
    if region_id and not regions_for(request.user).filter(code=region_id).exists():
        raise Http404
    label = str(obj)
    obj.delete()
    record(request.user, "delete", object_type=model._meta.label_lower, object_id=str(pk),
           region_code=region_id or "", request=request, summary=_("Deleted: %(what)s") % {"what": label})
    messages.success(request, _("Deleted."))
    return redirect("analytics:boundaries" if kind == "boundary" else "analytics:targets")


@region_safe
def boundaries(request):
    _require_manager(request.user)
    allowed = regions_for(request.user)
    form = BoundaryForm(request.POST or None, request.FILES or None, regions=allowed)
    if request.method == "POST" and form.is_valid():
        upload = form.save(commit=False)
        upload.uploaded_by = request.user
        upload.save()
        messages.success(request, _("Boundaries saved."))
        return redirect("analytics:boundaries")
    uploads = BoundaryUpload.objects.filter(parent__in=allowed).select_related("parent").defer("geojson")
    return render(request, "analytics/boundaries.html", {"form": form, "uploads": uploads})
