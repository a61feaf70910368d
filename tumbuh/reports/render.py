"""Turning report data into files: HTML templates printed by WeasyPrint (Debian's Pango and DejaVu
fonts, nothing fetched: the URL fetcher refuses every URL but inline data), and xlsx through the
project's one writer (tumbuh.web.xlsx). Charts are inline SVG from the project's chart helpers
(tumbuh.web.charts for lines and bars, tumbuh.analytics.svg for the map)."""

from __future__ import annotations

import base64
import datetime as dt
import math
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tumbuh.analytics import svg
from tumbuh.analytics.periods import Period
from tumbuh.regions.models import Region
from tumbuh.web.charts import Axis, LineChart
from tumbuh.web.text import rounded
from tumbuh.web.timezones import zone_for_region

from . import sections


class OfflineOnly(Exception):
    pass


def _no_network(url: str, *args, **kwargs):
    """WeasyPrint's URL fetcher: inline data only; a report never reaches the network."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url)
    raise OfflineOnly(url)


def pdf_bytes(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_no_network, base_url="/").write_pdf()


def period_label(period: Period) -> str:
    """The analytics pages' words for a period, but a semester as officials write it ("Semester I
    2026")."""
    if period.kind == "semester":
        return f"Semester {'I' if period.index == 1 else 'II'} {period.year}"
    from tumbuh.analytics.views import period_label as label

    return label(period)


def short_label(period: Period) -> str:
    """A period in a few characters, for chart axes: "S1 2026", "Agu 2026", "T3 2026"."""
    from django.utils.dates import MONTHS_3

    if period.kind == "semester":
        return f"S{period.index} {period.year}"
    if period.kind == "quarter":
        return _("Q%(n)d %(year)d") % {"n": period.index, "year": period.year}
    if period.kind in ("month", "weighing"):
        return f"{str(MONTHS_3[period.index]).title()} {period.year}"
    return str(period.year)


def logo_data_uri(region_code: str) -> str:
    """The region's logo for the header slot: TUMBUH_REPORT_LOGO_DIR/<code>.png|.svg, or the
    province's / kab/kota's above it; "" when none is installed (the slot stays empty)."""
    folder = Path(getattr(settings, "TUMBUH_REPORT_LOGO_DIR", settings.VAR_DIR / "logos"))
    parts = region_code.split(".")
    for i in range(len(parts), 0, -1):
        code = ".".join(parts[:i])
        for ext, mime in (("svg", "image/svg+xml"), ("png", "image/png")):
            path = folder / f"{code}.{ext}"
            if path.is_file() and path.stat().st_size < 2_000_000:
                return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"
    return ""


def meta(region: Region, user, title: str, subtitle: str = "") -> dict:
    """Header and footer of every page: region name, logo slot, generated at (the region's time
    zone) and by whom."""
    zone = zone_for_region(region.code)
    now = timezone.now().astimezone(zone)
    by = (user.get_full_name() or user.username) if user is not None else ""
    return {"region": region, "title": title, "subtitle": subtitle, "logo": logo_data_uri(region.code),
            "generated_at": now, "zone": now.tzname(), "generated_by": by,
            "region_chain": " · ".join(a.name for a in region.ancestors())}


# ---- charts --------------------------------------------------------------------------------------

def trend_chart(trend: list[dict], targets: list[dict], *, width=640, height=260, chart_id="trend") -> str:
    """Stunting per period with its 95% CI and each target source as a dashed line."""
    if not trend:
        return ""
    labels = [short_label(Period.parse(p["period"])) for p in trend]
    ours = [p.get("rate") for p in trend]
    lower = [p.get("lower") for p in trend]
    upper = [p.get("upper") for p in trend]
    years = [Period.parse(p["period"]).year for p in trend]
    lines = []
    for source in sorted({t["source"] for t in targets}):
        by_year = {t["year"]: t["percent"] for t in targets if t["source"] == source}
        if set(years) & set(by_year):
            lines.append((source, [by_year.get(y) for y in years]))
    values = [v for seq in (ours, upper, *(v for _s, v in lines)) for v in seq if v is not None]
    top = max([*values, 1.0])
    ymax = 5 * math.ceil(top / 5) + (5 if top % 5 == 0 else 0)
    step = 5 if ymax <= 40 else 10
    n = len(labels)
    every = max(1, math.ceil(n / 7))
    chart = LineChart(
        x=Axis(_("Period"), -0.5, n - 0.5, ticks=sorted(range(n - 1, -1, -every)),
               tick_label=lambda i: labels[int(i)], grid=False),
        y=Axis(_("Stunting (%)"), 0, ymax, ticks=range(0, ymax + 1, step), tick_label=lambda v: f"{v:g}%"),
        title=_("Stunting prevalence over time"),
        desc=_("Stunting prevalence (routine data) per period with its 95% confidence interval, and the targets."),
        chart_id=chart_id, width=width, height=height, margin=(34, 16, 52, 58),
    )
    xs = list(range(n))
    if any(v is not None for v in lower):
        chart.add_band(xs, lower, upper, css_class="band trend-ci", label=_("95% CI"))
    for source, ys in lines:
        chart.add_line(xs, ys, css_class="target", label=_("Target (%(source)s)") % {"source": source}, dashed=True)
    tips = [f"{lab}: " + ("–" if v is None else f"{number_format(rounded(v, 1), decimal_pos=1)}%") for lab, v in zip(labels, ours, strict=True)]
    chart.add_points(xs, ours, css_class="series", label=_("Tumbuh (routine data)"), titles=tips)
    svg_text = str(chart.render())
    # Values printed at the points: a printed chart has no tooltips.
    return mark_safe(svg_text.replace("</svg>", _point_labels(chart, xs, ours) + "</svg>"))  # noqa: S308 - built here, values escaped


def _point_labels(chart: LineChart, xs, ys) -> str:
    out = []
    for x, y in zip(xs, ys, strict=True):
        if y is None:
            continue
        out.append(f'<text x="{chart.x_px(x):.1f}" y="{chart.y_px(y) - 8:.1f}" text-anchor="middle" '
                   f'font-size="10" fill="#1d2939">{number_format(rounded(y, 1), decimal_pos=1)}</text>')
    return "".join(out)


def map_svg(region_code: str, unit_kind: str, ranking: list[dict]) -> str:
    """The dashboard's map (choropleth when boundaries were uploaded, else tiles) from frozen rows."""
    from tumbuh.analytics.models import BoundaryUpload

    values = {}
    for x in ranking:
        rate = x.get("rate")
        tip = f"{x['name']}: " + ("–" if rate is None else f"{number_format(rounded(rate, 1), decimal_pos=1)}%")
        values[str(x["key"])] = (x["name"], None if rate is None or x.get("small") else rate, tip)
    if not values:
        return ""
    region = Region.objects.filter(code=region_code).first()
    if unit_kind == "region" and region is not None and region.level in (Region.Level.KABUPATEN,
                                                                         Region.Level.KECAMATAN):
        level = Region.Level.KECAMATAN if region.level == Region.Level.KABUPATEN else Region.Level.DESA
        upload = BoundaryUpload.objects.filter(parent=region, level=level).first()
        if upload:
            try:
                features = svg.parse_features(upload.geojson, upload.property_key)
            except ValueError:
                features = []
            names = {name.casefold(): key for key, (name, _r, _t) in values.items()}
            matched = [(k if k in values else names.get(k.casefold(), k), rings) for k, rings in features]
            if matched:
                return mark_safe(svg.choropleth(matched, values))  # noqa: S308 - the helper escapes
    return mark_safe(svg.tile_grid([(k, v[0], v[1], v[2]) for k, v in values.items()], size=84))  # noqa: S308


# ---- the semester report -------------------------------------------------------------------------

def semester_html(report, data: dict, user) -> str:
    period = Period(report.year, "semester", report.semester)
    secs = data["sections"]
    prevalence = secs.get("prevalence", {})
    blocks = []
    for section in sections.SECTIONS:
        blocks.append({"section": section, "s": secs.get(section.code, {}),
                       "template": section.template})
    context = {
        **meta(report.region, user, _("Report on the acceleration of stunting reduction"),
               period_label(period)),
        "report": report, "period": period, "period_label": period_label(period), "blocks": blocks,
        "trend_svg": trend_chart(prevalence.get("trend", []), prevalence.get("targets", [])),
        "map_svg": map_svg(report.region_id, prevalence.get("unit_kind", "region"), prevalence.get("ranking", [])),
        "draft": not report.is_frozen, "computed_on": data.get("computed_on"),
        "levels": dict(Region.Level.choices),
    }
    return render_to_string("reports/pdf/semester.html", context)


def semester_sheets(report, data: dict, user) -> list:
    from tumbuh.web.xlsx import Sheet

    period = Period(report.year, "semester", report.semester)
    m = meta(report.region, user, "")
    title = [[_("Report on the acceleration of stunting reduction")], [_("Region"), report.region.name, report.region.code],
             [_("Period"), period_label(period), f"{period.start:%d-%m-%Y} – {period.end:%d-%m-%Y}"],
             [_("Status"), report.get_status_display(), f"v{report.version}"],
             [_("Generated"), m["generated_at"].strftime("%d-%m-%Y %H:%M ") + m["zone"], m["generated_by"]]]
    sheets = [Sheet(_("Report"), rows=[], preamble=title, bold_rows={0}, freeze=False)]
    for section in sections.SECTIONS:
        if section.sheets:
            sheets += section.sheets(data["sections"].get(section.code, {}))
    return sheets


# ---- the Rakor pack ------------------------------------------------------------------------------

LAMPIRAN_A_MONITORED = 90.0  # Lampiran A: balita whose growth and development are monitored, 2024 target


def rakor_data(meeting) -> dict:
    """The figures of a meeting's region as of the meeting date (the month containing it, or the
    latest month with data before it), from the frozen meeting materials when the meeting froze
    them (so the pack reads as the meeting page does), otherwise computed now for that month."""
    from tumbuh.coordination.data_evidence import period_at
    from tumbuh.coordination.metrics import progress_of
    from tumbuh.coordination.models import OPEN_STATUSES, Commitment, CommitmentStatus

    region = meeting.region
    materials = meeting.materials or {}
    frozen = bool(meeting.materials_frozen_at and materials.get("period"))
    period = Period.parse(materials["period"]) if frozen else period_at(region, meeting.date)
    ctx = sections.Context(region=region, period=period, today=meeting.date)
    live = sections.build_prevalence(ctx)
    if frozen:
        data = {**live, "headline": {k: {**live["headline"].get(k, {}), **v} for k, v in materials.get("headline", {}).items()},
                "coverage": {**live["coverage"], **materials.get("coverage", {})}}
        data["trend"] = [{"period": t["period"], "rate": t["rate"], "lower": None, "upper": None}
                         for t in materials.get("trend", [])]
        from tumbuh.analytics.prevalence import is_small_sample

        rows = [{**x, "small": x["rate"] is not None and is_small_sample(x["children"]), "lower": None, "upper": None,
                 "change": None} for x in materials.get("ranking", [])]
        rows.sort(key=lambda x: (x["rate"] is None, x["small"], -(x["rate"] or 0), x["name"]))
        rank = 0
        for x in rows:
            rank, x["rank"] = (rank + 1, rank + 1) if x["rate"] is not None and not x["small"] else (rank, None)
        data["ranking"] = rows
        data["verdict"] = sections.verdict(data["trend"], data["targets"], period)
    else:
        data = live
    # Coverage against targets: stunting vs the nearest target of the year, D/S vs Lampiran A.
    year_targets = sorted((t for t in data["targets"] if t["year"] >= period.year), key=lambda t: (t["year"], not t["own"]))
    stunting = data["headline"].get("stunting", {})
    targets = []
    if year_targets:
        t = year_targets[0]
        targets.append({"name": _("Stunting prevalence"), "value": stunting.get("rate"), "target": t["percent"],
                        "lower_is_better": True, "note": f"{t['source']} {t['year']}",
                        "met": stunting.get("rate") is not None and stunting["rate"] <= t["percent"]})
    ds = data["coverage"].get("d_over_s")
    targets.append({"name": _("Children under five whose growth is monitored (D/S)"), "value": ds,
                    "target": LAMPIRAN_A_MONITORED, "lower_is_better": False, "note": "Lampiran A Perpres 72/2021",
                    "met": ds is not None and ds >= LAMPIRAN_A_MONITORED})
    indicators = sections.by_code("indicators").build(ctx)
    convergence = sections.by_code("convergence").build(ctx)
    # Commitments of the region as of the meeting date: their status then, overdue counted at the date.
    from django.db.models import Q

    # Those that existed at the meeting, and those made at it or an earlier meeting (entered later).
    qs = (Commitment.objects.filter(within_region(region.code))
          .filter(Q(created_at__date__lte=meeting.date) | Q(meeting__date__lte=meeting.date))
          .select_related("agency", "owner").order_by("due_date", "pk"))
    from tumbuh.coordination.selectors import statuses_as_of
    from tumbuh.web.timezones import zone_for_region

    qs = list(qs)
    # The status at the end of the meeting day, from the commitments' status history.
    status_at = statuses_as_of(qs, meeting.date, zone_for_region(region.code))
    labels = dict(CommitmentStatus.choices)
    rows = []
    for c in qs:
        prog = progress_of(c)
        status, known = status_at[c.pk]
        rows.append({"what": c.what, "owner": c.owner_label, "due": c.due_date, "status": status,
                     "status_label": labels[status], "status_known": known, "current": c.status,
                     "current_label": labels[c.status], "value": prog.value, "target": prog.target, "unit": c.unit,
                     "overdue": status in OPEN_STATUSES and c.due_date < meeting.date})
    counts = [{"status": s, "label": label, "n": sum(1 for x in rows if x["status"] == s)}
              for s, label in CommitmentStatus.choices]
    return {"period": period, "period_label": period_label(period), "frozen": frozen,
            "frozen_at": meeting.materials_frozen_at, "prevalence": data, "targets_table": targets,
            "indicators": indicators, "convergence": convergence, "commitments": rows, "commitment_counts": counts,
            "overdue": sum(1 for x in rows if x["overdue"]),
            "status_unknown": sum(1 for x in rows if not x["status_known"]),
            "open": [x for x in rows if x["status"] in OPEN_STATUSES]}


def within_region(code: str):
    from tumbuh.regions.models import within

    return within("region_id", code)


def rakor_html(meeting, user, *, slides: bool) -> str:
    data = rakor_data(meeting)
    prev = data["prevalence"]
    context = {
        **meta(meeting.region, user, meeting.title, _("Coordination meeting, %(date)s") % {
            "date": _date(meeting.date)}),
        "meeting": meeting, "d": data, "p": prev,
        "trend_svg": trend_chart(prev["trend"], prev["targets"], width=760 if slides else 640,
                                 height=330 if slides else 250),
        "map_svg": map_svg(meeting.region_id, prev["unit_kind"], prev["ranking"]),
        "top": [x for x in prev["ranking"] if x.get("rank")][:10],
    }
    return render_to_string("reports/pdf/rakor_slides.html" if slides else "reports/pdf/rakor_handout.html", context)


def _date(day: dt.date) -> str:
    from django.utils.formats import date_format

    return date_format(day, "j F Y")


# ---- print lists ---------------------------------------------------------------------------------

def bnba_html(user, region, period: Period, category: str, posyandu_id=None) -> tuple[str, int]:
    from tumbuh.analytics import reports as ar
    from tumbuh.analytics.views import bnba_labels
    from tumbuh.regions.selectors import posyandu_for
    from tumbuh.web.text import mask_nik

    rows = ar.bnba(user, region, period, category, posyandu_id)
    label = dict(bnba_labels()).get(category, category)
    posyandu = posyandu_for(user).filter(pk=posyandu_id).select_related("desa").first() if posyandu_id else None
    items = []
    for i, x in enumerate(rows.to_dict("records"), 1):
        items.append({"n": i, "name": x["name"], "nik": mask_nik(x.get("nik") or ""), "sex": "L" if x["sex"] == "M" else "P",
                      "birth_date": _as_date(x["birth_date"]), "age": x.get("age_months"), "mother": x.get("mother") or "",
                      "address": x.get("address") or "", "rt": x.get("rt") or "", "rw": x.get("rw") or "",
                      "desa": x.get("desa_name") or "", "posyandu": x.get("posyandu") or "",
                      "measured_on": _as_date(x.get("measured_on")), "weight": _f(x.get("weight_kg")),
                      "length": _f(x.get("length_cm")), "haz": _f(x.get("haz"))})
    title = _("By name, by address: %(list)s") % {"list": label}
    subtitle = period_label(period) + (f" · {posyandu.name} ({posyandu.desa.name})" if posyandu else "")
    context = {**meta(region, user, title, subtitle), "rows": items, "category": category, "period": period,
               "list_label": label, "posyandu": posyandu}
    return render_to_string("reports/pdf/print_list.html", context), len(items)


def list_html(user, region, period: Period, code: str, posyandu_id=None, params: dict | None = None) -> tuple[str, int]:
    """A list another app registered (tumbuh.reports.lists), as the same A4 print list."""
    from .lists import LISTS

    item = LISTS[code]
    if item.page:  # a list with its own picker gets the job's parameters
        data = item.build(user, region, period, posyandu_id, params=params or {})
    else:
        data = item.build(user, region, period, posyandu_id)
    rows = [{"n": i, "cells": list(row)} for i, row in enumerate(data.get("rows", []), 1)]
    context = {**meta(region, user, str(data.get("title") or item.label), data.get("subtitle") or period_label(period)),
               "columns": data.get("columns", []), "checks": data.get("checks", []), "rows": rows,
               "note": data.get("note", ""), "count_text": data.get("count_text", "")}
    return render_to_string("reports/pdf/print_table.html", context), len(rows)


def _as_date(value):
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
        return pd.Timestamp(value).date()
    except (TypeError, ValueError):
        return None


def _f(value):
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v
