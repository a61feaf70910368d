"""The semester report as a list of sections (Perpres 72/2021 report structure). Each section is
one function `build(ctx) -> dict` returning JSON-ready numbers (frozen into the report's snapshot
when it is finalised), a template block `reports/sections/<code>.html` that prints them, and
optionally `sheets(data) -> [Sheet]` for the xlsx.

Numbers come from the same functions the pages use, so a figure in a report and on the page agree:
prevalence, coverage, trend and ranking from `tumbuh.analytics.reports.dashboard` (the dashboard's
code path); aksi, meetings, commitments and deadlines from `tumbuh.coordination` (selectors,
metrics). Sections whose source app is not installed yet (Lampiran A indicators, interventions per
OPD, convergence) are built by a *provider* the owning app registers with `register_provider(code,
fn)`; without one the section says "not available yet" and carries no number.

The numbers are the region's own (the figures of the region's team): they are read under the
system scope restricted to the region by the analytics functions, as coordination's metrics are.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tumbuh.analytics import reports as ar
from tumbuh.analytics.periods import Period
from tumbuh.analytics.prevalence import is_small_sample
from tumbuh.analytics.services import figures_for, targets_for
from tumbuh.regions.models import Region, within
from tumbuh.web import text as webtext

SYSTEM = None  # set lazily (tumbuh.coordination.metrics.SYSTEM: Scope(everything=True))

INDICATORS = ("stunting", "severe_stunting", "wasting", "underweight", "overweight")
INDICATOR_LABELS = {
    "stunting": gettext_lazy("Stunting"),
    "severe_stunting": gettext_lazy("Severe stunting"),
    "wasting": gettext_lazy("Wasting"),
    "underweight": gettext_lazy("Underweight"),
    "overweight": gettext_lazy("Overweight"),
}


def system_scope():
    from tumbuh.coordination.metrics import SYSTEM as scope

    return scope


def r(value, digits: int = 1):
    """Round as the pages print (Django's floatformat: the float's repr, half up), so a frozen
    number and the number on the dashboard are the same digits. None for missing."""
    if value is None:
        return None
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return None
    return webtext.rounded(value, digits)


@dataclass
class Context:
    region: Region
    period: Period  # the semester
    today: dt.date
    report: object | None = None  # SemesterReport (texts, roll-up), or None for a preview
    cache: dict = field(default_factory=dict)

    def dashboard(self):
        if "dashboard" not in self.cache:
            self.cache["dashboard"] = ar.dashboard(system_scope(), self.region, self.period)
        return self.cache["dashboard"]


@dataclass(frozen=True)
class Section:
    code: str
    number: str  # the chapter number printed ("I", "II", ...)
    title: object
    build: Callable[[Context], dict]
    sheets: Callable[[dict], list] | None = None

    @property
    def template(self) -> str:
        return f"reports/sections/{self.code}.html"


# ---- providers: sections other apps supply ------------------------------------------------------

PROVIDERS: dict[str, Callable[[Context], dict]] = {}


def register_provider(code: str, build: Callable[[Context], dict]) -> None:
    """Another app (indicators, interventions, convergence) supplies the numbers of a section:
    `build(ctx)` returns a JSON-ready dict with `"available": True` and the rows its block
    prints. Call from the app's AppConfig.ready."""
    PROVIDERS[code] = build


def _provided(code: str, source: str) -> Callable[[Context], dict]:
    def build(ctx: Context) -> dict:
        fn = PROVIDERS.get(code)
        if fn is None:
            return {"available": False, "source": source}
        data = fn(ctx)
        data.setdefault("available", True)
        data.setdefault("source", source)
        return data

    return build


# ---- I. identity -------------------------------------------------------------------------------

LEVEL_LABELS = {
    Region.Level.PROVINSI: gettext_lazy("Province"),
    Region.Level.KABUPATEN: gettext_lazy("Regency/city"),
    Region.Level.KECAMATAN: gettext_lazy("District (kecamatan)"),
    Region.Level.DESA: gettext_lazy("Village (desa/kelurahan)"),
}


def build_identity(ctx: Context) -> dict:
    region = ctx.region
    chain = [{"code": a.code, "name": a.name} for a in region.ancestors()]
    children = Region.objects.filter(parent=region)
    from tumbuh.regions.models import Posyandu

    posyandu = Posyandu.objects.filter(within("desa_id", region.code)).count()
    desa = Region.objects.filter(within("code", region.code), level=Region.Level.DESA).count()
    return {
        "region": region.code, "region_name": region.name, "level": region.level,
        "level_label": str(LEVEL_LABELS.get(region.level, region.level)),
        "parents": chain, "children": children.count(), "desa": desa, "posyandu": posyandu,
        "period": ctx.period.key, "start": ctx.period.start.isoformat(), "end": ctx.period.end.isoformat(),
    }


# ---- II. prevalence and trend ------------------------------------------------------------------

def _estimate(est) -> dict:
    available = bool(est is not None and est.available)
    return {
        "rate": r(est.rate) if available else None, "lower": r(est.lower) if available else None,
        "upper": r(est.upper) if available else None, "cases": int(est.cases) if est else 0,
        "children": int(est.children) if est else 0, "small": bool(available and est.small),
    }


def ranking_rows(table) -> list[dict]:
    """The dashboard's ranking order and rank numbers: reliable rates first (highest first), then
    small samples (no rank), then units without data; no change shown from or to a small sample."""
    rows = []
    for u in table.itertuples():
        has = not math.isnan(u.rate)
        small = has and is_small_sample(u.children, u.lower, u.upper)
        prev_small = not math.isnan(u.previous) and is_small_sample(u.previous_children, u.previous_lower,
                                                                    u.previous_upper)
        rows.append({"key": str(u.key), "name": u.name, "rate": r(u.rate), "lower": r(u.lower), "upper": r(u.upper),
                     "cases": int(u.cases), "children": int(u.children), "registered": int(u.registered),
                     "coverage": r(u.coverage), "previous": r(u.previous), "small": bool(small),
                     "change": None if small or prev_small else r(u.change)})
    rows.sort(key=lambda x: (x["rate"] is None, x["small"], -(x["rate"] or 0), x["name"]))
    rank = 0
    for x in rows:
        if x["rate"] is not None and not x["small"]:
            rank += 1
            x["rank"] = rank
        else:
            x["rank"] = None
    return rows


def verdict(trend: list[dict], targets: list[dict], period: Period) -> dict | None:
    """The dashboard's course verdict (tumbuh.analytics.views._verdict) on frozen numbers."""
    points = [(i, p["rate"]) for i, p in enumerate(trend) if p["rate"] is not None]
    future = sorted((t for t in targets if t["year"] >= period.year), key=lambda t: (t["year"], not t["own"]))
    if not points or not future:
        return None
    goal = future[0]
    last_i, last = points[-1]
    first_i, first = points[0]
    months_left = max(1, (dt.date(goal["year"], 12, 31) - period.end).days / 30.4)
    if last <= goal["percent"]:
        status = "on_target"
    else:
        slope = (last - first) / max(1, last_i - first_i) if last_i > first_i else 0.0
        status = "on_course" if last + slope * months_left / period.months <= goal["percent"] else "off_course"
    return {"status": status, "target": goal["percent"], "year": goal["year"], "source": goal["source"],
            "latest": last}


def build_prevalence(ctx: Context) -> dict:
    board = ctx.dashboard()
    est = board.report.estimates
    cov = board.report.coverage
    trend = [{"period": t.period.key, **_estimate(t.estimate)} for t in board.trend]
    targets = [{"source": t.source, "year": t.year, "percent": float(t.target_percent), "own": t.region_id is not None}
               for t in targets_for(ctx.region)]
    figures = [{"source": f.get_source_display(), "year": f.year, "label": f.period_label, "percent": float(f.value_percent),
                "survey": bool(f.is_survey)} for f in figures_for(ctx.region)]
    data = {
        "headline": {k: _estimate(est.get(k)) for k in INDICATORS},
        "coverage": {"registered": cov.registered, "weighed": cov.weighed, "gained": cov.gained,
                     "d_over_s": r(cov.d_over_s), "n_over_d": r(cov.n_over_d),
                     "measured_unregistered": cov.measured_unregistered},
        "trend": trend, "targets": sorted(targets, key=lambda t: (t["year"], t["source"])), "figures": figures,
        "unit_kind": board.unit_kind, "ranking": ranking_rows(board.ranking),
    }
    data["verdict"] = verdict(trend, data["targets"], ctx.period)
    return data


def prevalence_sheets(data: dict) -> list:
    from tumbuh.web.xlsx import Sheet

    head = [[str(INDICATOR_LABELS[k]), v["rate"], v["lower"], v["upper"], v["cases"], v["children"]]
            for k, v in data["headline"].items()]
    c = data["coverage"]
    cov = [[_("Registered children (S)"), c["registered"]], [_("Measured (D)"), c["weighed"]],
           ["D/S (%)", c["d_over_s"]], [_("Gained weight (N)"), c["gained"]], ["N/D (%)", c["n_over_d"]]]
    trend = [[t["period"], t["rate"], t["lower"], t["upper"], t["cases"], t["children"]] for t in data["trend"]]
    ranking = [[x["rank"], x["name"], x["rate"], x["lower"], x["upper"], x["cases"], x["children"], x["registered"],
                x["coverage"], x["change"]] for x in data["ranking"]]
    return [
        Sheet(_("Prevalence"), rows=head + [[]] + cov,
              header=[_("Indicator"), _("Rate (%)"), _("95% CI lower"), _("95% CI upper"), _("Cases"), _("Children")]),
        Sheet(_("Trend"), rows=trend,
              header=[_("Period"), _("Stunting (%)"), _("95% CI lower"), _("95% CI upper"), _("Cases"), _("Children")]),
        Sheet(_("Ranking"), rows=ranking,
              header=["#", _("Name"), _("Stunting (%)"), _("95% CI lower"), _("95% CI upper"), _("Cases"),
                      _("Children"), _("Registered (S)"), "D/S (%)", _("Change (points)")]),
    ]


def build_per_desa(ctx: Context) -> dict:
    """Per desa (kab/kota and kecamatan reports): registered, measured, coverage, stunted, rate."""
    if ctx.region.level not in (Region.Level.KABUPATEN, Region.Level.KECAMATAN):
        return {"applicable": False, "rows": []}
    from tumbuh.coordination.data_evidence import per_desa

    rows = per_desa(ctx.region, ctx.period)
    parent_names = dict(Region.objects.filter(within("code", ctx.region.code), level=Region.Level.KECAMATAN)
                        .values_list("code", "name"))
    for row in rows:
        row["kecamatan"] = parent_names.get(row["code"].rsplit(".", 1)[0], "")
    rows.sort(key=lambda x: (x["kecamatan"], x["name"]))
    return {"applicable": True, "rows": rows}


def per_desa_sheets(data: dict) -> list:
    from tumbuh.web.xlsx import Sheet

    if not data.get("applicable"):
        return []
    return [Sheet(_("Per desa"), header=[_("Code"), _("District"), _("Village"), _("Registered (S)"), _("Measured (D)"),
                                        "D/S (%)", _("Stunted"), _("Stunting (%)")],
                  rows=[[x["code"], x["kecamatan"], x["name"], x["registered"], x["measured"], x["coverage"],
                         x["stunted"], x["prevalence"]] for x in data["rows"]])]


# ---- III-V. sections other apps provide ----------------------------------------------------------

build_indicators = _provided("indicators", "tumbuh.indicators")
build_interventions = _provided("interventions", "tumbuh.interventions")
build_convergence = _provided("convergence", "tumbuh.convergence")


def table_sheets(title) -> Callable[[dict], list]:
    """xlsx of a provided section: its `header` and `rows` as they are."""
    def sheets(data: dict) -> list:
        from tumbuh.web.xlsx import Sheet

        if not data.get("available") or not data.get("rows"):
            return []
        return [Sheet(str(title), header=data.get("header"), rows=data["rows"])]

    return sheets


# ---- VI. the aksi konvergensi ------------------------------------------------------------------

def build_aksi(ctx: Context) -> dict:
    from tumbuh.coordination import framework as fw
    from tumbuh.coordination.models import AksiRecord, AksiStatus

    region = ctx.region
    year = ctx.period.year
    try:
        framework = fw.for_year(year)
    except fw.FrameworkMissing:
        return {"applicable": False, "rows": []}
    labels = dict(AksiStatus.choices)
    if region.level == Region.Level.KABUPATEN:
        records = {a.number: a for a in AksiRecord.objects.filter(region=region, year=year).select_related("lead")}
        rows = []
        for action in framework.actions:
            rec = records.get(action.number)
            status = rec.status if rec else AksiStatus.NOT_STARTED
            rows.append({"number": action.number, "name": action.name,
                         "lead": (rec.lead.name if rec and rec.lead else getattr(action, "lead", "")) or "",
                         "status": status, "status_label": str(labels[status]), "notes": rec.notes if rec else "",
                         "evidence": rec.evidence.count() if rec else 0})
        done = sum(1 for x in rows if x["status"] == AksiStatus.DONE)
        return {"applicable": True, "level": "kabupaten", "framework": framework.code, "year": year,
                "rows": rows, "done": done, "total": len(rows)}
    if region.level == Region.Level.PROVINSI:
        rows = []
        for kab in Region.objects.filter(parent=region).order_by("code"):
            recs = list(AksiRecord.objects.filter(region=kab, year=year))
            rows.append({"code": kab.code, "name": kab.name, "total": len(framework.actions),
                         "done": sum(1 for a in recs if a.status == AksiStatus.DONE),
                         "in_progress": sum(1 for a in recs if a.status == AksiStatus.IN_PROGRESS)})
        return {"applicable": True, "level": "provinsi", "framework": framework.code, "year": year, "rows": rows}
    return {"applicable": False, "rows": [], "year": year}


def aksi_sheets(data: dict) -> list:
    from tumbuh.web.xlsx import Sheet

    if not data.get("applicable"):
        return []
    if data["level"] == "kabupaten":
        return [Sheet(_("Convergence actions"), header=[_("Action"), _("Name"), _("Lead OPD"), _("Status"),
                                                       _("Evidence files"), _("Notes")],
                      rows=[[x["number"], x["name"], x["lead"], x["status_label"], x["evidence"], x["notes"]]
                            for x in data["rows"]])]
    return [Sheet(_("Convergence actions"), header=[_("Code"), _("Regency/city"), _("Done"), _("In progress"), _("Actions")],
                  rows=[[x["code"], x["name"], x["done"], x["in_progress"], x["total"]] for x in data["rows"]])]


# ---- VII. meetings and deadlines ----------------------------------------------------------------

def build_meetings(ctx: Context) -> dict:
    from tumbuh.coordination.models import Deadline, Meeting
    from tumbuh.coordination.selectors import ancestors

    p = ctx.period
    meetings = (Meeting.objects.filter(within("region_id", ctx.region.code), date__gte=p.start, date__lte=p.end)
                .select_related("region").order_by("date", "pk"))
    rows = [{"date": m.date.isoformat(), "kind": m.get_kind_display(), "title": m.title, "region": m.region.name,
             "commitments": m.commitments.count()} for m in meetings]
    deadlines = (Deadline.objects.filter(region_id__in=ancestors(ctx.region.code), due_date__gte=p.start,
                                         due_date__lte=p.end + dt.timedelta(days=92)).order_by("due_date"))
    return {"rows": rows, "deadlines": [{"date": d.due_date.isoformat(), "title": d.title, "region": d.region_id}
                                        for d in deadlines]}


def meetings_sheets(data: dict) -> list:
    from tumbuh.web.xlsx import Sheet

    return [Sheet(_("Meetings"), header=[_("Date"), _("Type"), _("Title"), _("Region"), _("Commitments")],
                  rows=[[dt.date.fromisoformat(x["date"]), x["kind"], x["title"], x["region"], x["commitments"]]
                        for x in data["rows"]])]


# ---- VIII. problems and follow-up (written by the team) -----------------------------------------

def build_problems(ctx: Context) -> dict:
    rep = ctx.report
    return {"problems": getattr(rep, "problems", "") or "", "follow_up": getattr(rep, "follow_up", "") or ""}


# ---- IX. commitments -----------------------------------------------------------------------------

def build_commitments(ctx: Context) -> dict:
    """Commitments of the region (and below) due in the semester, plus earlier ones still open at
    its end (status as of the semester's end, from the status history); progress as the commitment
    page computes it (coordination.metrics.progress_of)."""
    from tumbuh.coordination.metrics import progress_of
    from tumbuh.coordination.models import OPEN_STATUSES, Commitment, CommitmentStatus
    from tumbuh.coordination.selectors import statuses_as_of
    from tumbuh.web.timezones import zone_for_region

    p = ctx.period
    as_of = min(p.end, ctx.today)
    qs = list(Commitment.objects.filter(within("region_id", ctx.region.code), due_date__lte=p.end)
              .select_related("agency", "owner", "region").order_by("due_date", "pk"))
    # Status at the semester's end (or today, if earlier) from the status history.
    status_at = statuses_as_of(qs, as_of, zone_for_region(ctx.region.code))
    labels = dict(CommitmentStatus.choices)
    rows = []
    for c in qs:
        status, known = status_at[c.pk]
        if c.due_date < p.start and status not in OPEN_STATUSES:
            continue  # earlier commitments only while still open
        prog = progress_of(c)
        rows.append({"what": c.what, "opd": c.agency.name if c.agency else "", "owner": c.owner_label,
                     "region": c.region.name, "due": c.due_date.isoformat(), "status": status,
                     "status_label": str(labels[status]), "status_known": known, "target": prog.target,
                     "value": prog.value, "unit": c.unit, "met": prog.met, "live": prog.live,
                     "overdue": status in OPEN_STATUSES and c.due_date < as_of})
    counts = {s: sum(1 for x in rows if x["status"] == s) for s, _label in CommitmentStatus.choices}
    return {"rows": rows, "counts": counts, "overdue": sum(1 for x in rows if x["overdue"]),
            "total": len(rows), "as_of": as_of.isoformat(),
            "status_unknown": sum(1 for x in rows if not x["status_known"])}


def commitments_sheets(data: dict) -> list:
    from tumbuh.web.xlsx import Sheet

    return [Sheet(_("Commitments"), header=[_("Commitment"), _("OPD"), _("Responsible"), _("Region"), _("Due date"),
                                           _("Status"), _("Target"), _("Progress"), _("Unit"), _("Overdue")],
                  rows=[[x["what"], x["opd"], x["owner"], x["region"], dt.date.fromisoformat(x["due"]),
                         x["status_label"], x["target"], x["value"], x["unit"], _("Yes") if x["overdue"] else _("No")]
                        for x in data["rows"]])]


# ---- X. reports of the regions below, rolled up ---------------------------------------------------

def build_rollup(ctx: Context) -> dict:
    """The regions directly below and the report each sent for the semester: status, when, late
    or not, and the frozen headline figures and texts of the reports rolled up into this one."""
    from . import selectors as sel

    region = ctx.region
    if region.level == Region.Level.DESA:
        return {"applicable": False, "rows": []}
    chosen = set(getattr(ctx.report, "rolled_up", None) or [])
    rows = []
    for item in sel.children_status(region, ctx.period.year, int(ctx.period.index), today=ctx.today):
        rep = item["report"]
        snap = (rep.snapshot or {}) if rep is not None else {}
        head = (snap.get("sections", {}).get("prevalence", {}) or {})
        stunting = (head.get("headline") or {}).get("stunting") or {}
        texts = snap.get("sections", {}).get("problems", {}) if rep is not None and rep.pk in chosen else {}
        rows.append({"code": item["region"].code, "name": item["region"].name,
                     "status": item["status"], "status_label": str(item["status_label"]),
                     "submitted_at": rep.submitted_at.isoformat() if rep is not None and rep.submitted_at else None,
                     "due": item["due"].isoformat() if item["due"] else None, "late": item["late"],
                     "report_id": rep.pk if rep is not None else None, "rolled_up": bool(rep is not None and rep.pk in chosen),
                     "stunting": stunting.get("rate"), "children": stunting.get("children"),
                     "d_over_s": (head.get("coverage") or {}).get("d_over_s"),
                     "problems": texts.get("problems", ""), "follow_up": texts.get("follow_up", "")})
    return {"applicable": True, "rows": rows, "received": sum(1 for x in rows if x["submitted_at"]),
            "late": sum(1 for x in rows if x["late"])}


def rollup_sheets(data: dict) -> list:
    from tumbuh.web.xlsx import Sheet

    if not data.get("applicable"):
        return []
    return [Sheet(_("Reports below"), header=[_("Code"), _("Region"), _("Status"), _("Submitted"), _("Due date"),
                                             _("Late"), _("Stunting (%)"), "D/S (%)"],
                  rows=[[x["code"], x["name"], x["status_label"], x["submitted_at"] or "", x["due"] or "",
                         _("Yes") if x["late"] else _("No"), x["stunting"], x["d_over_s"]] for x in data["rows"]])]


SECTIONS: list[Section] = [
    Section("identity", "I", gettext_lazy("Identity"), build_identity),
    Section("prevalence", "II", gettext_lazy("Stunting prevalence and trend"), build_prevalence, prevalence_sheets),
    Section("indicators", "III", gettext_lazy("Lampiran A target indicators"), build_indicators,
            table_sheets(gettext_lazy("Indicators"))),
    Section("interventions", "IV", gettext_lazy("Interventions delivered per OPD"), build_interventions,
            table_sheets(gettext_lazy("Interventions"))),
    Section("convergence", "V", gettext_lazy("Convergence coverage"), build_convergence, table_sheets(gettext_lazy("Convergence"))),
    Section("aksi", "VI", gettext_lazy("Status of the convergence actions"), build_aksi, aksi_sheets),
    Section("meetings", "VII", gettext_lazy("Coordination meetings and deadlines"), build_meetings, meetings_sheets),
    Section("commitments", "VIII", gettext_lazy("Commitments"), build_commitments, commitments_sheets),
    Section("problems", "IX", gettext_lazy("Problems and follow-up"), build_problems),
    Section("rollup", "X", gettext_lazy("Reports of the regions below"), build_rollup, rollup_sheets),
    Section("per_desa", "", gettext_lazy("Annex: coverage and prevalence per village"), build_per_desa, per_desa_sheets),
]


def by_code(code: str) -> Section:
    return next(s for s in SECTIONS if s.code == code)


def build_all(ctx: Context, progress: Callable[[int, str], None] | None = None) -> dict:
    """Every section's numbers: the snapshot a finalised report keeps."""
    out = {}
    for i, section in enumerate(SECTIONS):
        if progress:
            progress(int(5 + 60 * i / len(SECTIONS)), str(section.title))
        out[section.code] = section.build(ctx)
    return {"version": 1, "region": ctx.region.code, "period": ctx.period.key, "computed_on": ctx.today.isoformat(),
            "sections": out}
