"""Sections III-V of the semester report and the gap print list, from the apps that own the
numbers (registered in ReportsConfig.ready when those apps are installed):

- III indicators: `tumbuh.indicators.selectors.indicator_table` (the /indicators/ page's table);
- IV interventions: active deliveries of the semester per OPD and item
  (`tumbuh.interventions.selectors.active_deliveries_for`, the deliveries list's rows);
- V convergence: the maintained gap and completeness tables (`tumbuh.convergence.selectors`, what
  /convergence/ lists), refreshed first as the page does (`services.ensure_fresh`). They hold the
  gaps of the day computed (not of the semester's end): the section says so (`computed_on`).

Each reads under the system scope restricted to the report's region, like every other section."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tumbuh.regions.models import within
from tumbuh.web.text import format_count

from . import lists, sections


def _agency_names(region_code: str) -> dict[str, str]:
    from tumbuh.coordination.models import Agency

    kab = ".".join(region_code.split(".")[:2])
    return dict(Agency.objects.filter(region_id__in=[kab, region_code[:2]]).values_list("code", "name"))


def indicators(ctx: sections.Context) -> dict:
    from tumbuh.indicators.selectors import indicator_table

    rows = []
    for v in indicator_table(sections.system_scope(), ctx.region.code, ctx.period):
        rows.append({"code": v.code, "name": v.name, "opd": v.opd, "numerator": v.numerator,
                     "denominator": v.denominator, "value": v.value, "is_count": v.is_count,
                     "target": v.target_2024, "local_target": v.local_target,
                     "meets_national": v.meets_national, "computable": v.computable, "why": v.why})
    return {"indicators": rows, "header": [_("Indicator"), "OPD", _("Numerator"), _("Denominator"), _("Value"),
                                           _("Target 2024"), _("Local target")],
            "rows": [[x["name"], x["opd"], x["numerator"], x["denominator"],
                      None if x["value"] is None else round(float(x["value"]), 1), x["target"], x["local_target"]]
                     for x in rows]}


def interventions(ctx: sections.Context) -> dict:
    from tumbuh.interventions.selectors import active_deliveries_for

    p = ctx.period
    qs = (active_deliveries_for(sections.system_scope()).filter(within("desa_id", ctx.region.code),
                                                                date__gte=p.start, date__lte=p.end))
    names = _agency_names(ctx.region.code)
    grouped = (qs.values("agency__code", "agency__name", "code", "item__name", "unit")
               .annotate(n=Count("pk"), people=Count("person", distinct=True),
                         households=Count("household", distinct=True), quantity=Sum("quantity"))
               .order_by("agency__code", "code"))
    rows = []
    for g in grouped:
        opd = g["agency__name"] or names.get(g["agency__code"] or "", "") or _("(no OPD)")
        rows.append([opd, g["item__name"] or g["code"], g["n"], g["people"] + g["households"],
                     float(g["quantity"] or 0), g["unit"]])
    return {"header": ["OPD", _("Intervention"), _("Deliveries"), _("Recipients"), _("Quantity"), _("Unit")],
            "rows": rows, "note": _("Deliveries recorded in the semester (voided ones left out).")}


def convergence(ctx: sections.Context) -> dict:
    from tumbuh.convergence import selectors as cs
    from tumbuh.convergence import services as csv

    scope = sections.system_scope()
    csv.ensure_fresh(ctx.region.code)
    counted_on = csv.today()  # the maintained table holds the gaps of today, whatever ctx.today says
    gaps = cs.filtered(cs.gaps_for(scope), region=ctx.region.code)
    names = _agency_names(ctx.region.code)
    per_opd = list(gaps.values("agency_code").annotate(
        n=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=ctx.today))).order_by("-n", "agency_code"))
    done = cs.completeness_for(scope).filter(within("desa_id", ctx.region.code), required__gt=0)
    totals = done.aggregate(n=Count("pk"), complete=Count("pk", filter=Q(complete=True)))
    rows = [[names.get(g["agency_code"], g["agency_code"] or _("(no OPD)")), g["n"], g["overdue"]] for g in per_opd]
    total = sum(g["n"] for g in per_opd)  # = the gap list's count for the region
    share = round(100 * totals["complete"] / totals["n"], 1) if totals["n"] else None
    return {"header": ["OPD", _("Open gaps"), _("Overdue")], "rows": rows, "gaps": total,
            "subjects": totals["n"], "complete": totals["complete"], "complete_percent": share,
            "computed_on": counted_on.isoformat(), "period_end": ctx.period.end.isoformat(),
            "note": _("%(complete)s of %(n)s people and families have the complete package (%(share)s%%); "
                      "%(gaps)s open gaps, counted on %(day)s.") % {
                "complete": format_count(totals["complete"]), "n": format_count(totals["n"]), "share": "–" if share is None else f"{share:.1f}".replace(".", ","),
                "gaps": format_count(total), "day": counted_on.strftime("%d-%m-%Y")}}


def gap_list(user, region, period, posyandu_id=None) -> dict:
    """The open gaps of the region (or one posyandu) by name, for the posyandu day."""
    from tumbuh.convergence import selectors as cs
    from tumbuh.convergence import services as csv

    csv.ensure_fresh(region.code)
    gaps = cs.filtered(cs.gaps_for(user), region=region.code)
    if posyandu_id:
        gaps = gaps.filter(posyandu_id=posyandu_id)
    from tumbuh.convergence.models import Gap

    groups = dict(Gap._meta.get_field("target_group").choices)
    rows = cs.gap_rows(cs.ordered(gaps)[:2000], mask_nik=True)
    return {"columns": [_("Name"), _("Target group"), _("Missing"), _("Since"), "OPD", _("Address")],
            "rows": [[r["name"], str(groups.get(r["target_group"], r["target_group"])), r["intervention"],
                      r["since"].strftime("%d-%m-%Y") if r["since"] else "", r["opd_name"],
                      f"{r['address']} · {r['desa']}".strip(" ·")] for r in rows],
            "checks": [_("Given"), _("Referred")],
            "note": _("Open gaps of the package (convergence), as computed today.")}


def distribution_list(user, region, period, posyandu_id=None, *, params: dict) -> dict:
    """The distribution day's list of one catalogue item at a posyandu or in a desa: the people (or
    households) `interventions.selectors.distribution_rows` puts on the distribution page, read under
    the user's own scope, with who already received it that day."""
    import datetime as dt

    from tumbuh.accounts.scoping import scope_for
    from tumbuh.interventions import selectors as isel
    from tumbuh.regions.selectors import posyandu_for

    scope = scope_for(user)
    item = isel.item_for(scope, params.get("code") or "")
    day = dt.date.fromisoformat(params["date"])
    posyandu = (posyandu_for(isel.recipients_scope(scope)).select_related("desa").filter(pk=posyandu_id).first()
                if posyandu_id else None)
    desa = "" if posyandu is not None else (params.get("desa") or "")
    if item is None or (posyandu is None and not desa):
        rows = []
    else:
        rows = isel.distribution_rows(scope, item, on=day, posyandu=posyandu, desa=desa)
    where = f"{posyandu.name} ({posyandu.desa.name})" if posyandu is not None else region.name
    out = []
    if item is not None and item.is_household_item:
        columns = [_("Head of household"), _("Address"), _("Why on the list"), _("Received today")]
        for r in rows:
            h = r["household"]
            address = " ".join(x for x in (h.address, f"RT {h.rt}" if h.rt else "", f"RW {h.rw}" if h.rw else "") if x)
            out.append([h.head_name or "–", address, ", ".join(str(x) for x in r["reasons"]),
                        _("Yes") if r["delivery"] else ""])
    else:
        columns = [_("Name"), _("Birth date"), _("Mother"), _("Address"), _("Why on the list"), _("Last received")]
        for r in rows:
            p = r["person"]
            h = p.household
            address = " ".join(x for x in (h.address, f"RT {h.rt}" if h.rt else "") if x) if h else ""
            last = _("today") if r["delivery"] else (r["last"].strftime("%d-%m-%Y") if r.get("last") else "")
            out.append([p.name, p.birth_date.strftime("%d-%m-%Y"), p.mother.name if p.mother_id else "", address,
                        ", ".join(str(x) for x in r["reasons"]), last])
    label = f"{item.code} · {item.name}" if item is not None else str(params.get("code") or "")
    unit = item.get_unit_display() if item is not None else ""
    columns.append(_("Quantity (%(unit)s)") % {"unit": unit} if unit else _("Quantity"))  # written in by hand
    out = [[*row, ""] for row in out]
    return {"title": _("Distribution day: %(item)s") % {"item": label},
            "subtitle": f"{day:%d-%m-%Y} · {where}", "columns": columns, "rows": out,
            "checks": [_("Present"), _("Received")],
            "count_text": ngettext("%(n)s on this list.", "%(n)s on this list.", len(out)) % {"n": format_count(len(out))},
            "note": _("The eligible people of the distribution page (Interventions › Distribution day) on this date; "
                      "record what was given there afterwards.")}


def register() -> None:
    from django.apps import apps

    if apps.is_installed("tumbuh.indicators"):
        sections.register_provider("indicators", indicators)
    if apps.is_installed("tumbuh.interventions"):
        sections.register_provider("interventions", interventions)
    if apps.is_installed("tumbuh.convergence"):
        sections.register_provider("convergence", convergence)
        from django.utils.translation import gettext_lazy

        lists.register_list("gaps", gettext_lazy("Convergence gaps (missing interventions)"), gap_list)
    if apps.is_installed("tumbuh.interventions"):
        from django.utils.translation import gettext_lazy

        lists.register_list("distribution", gettext_lazy("Distribution day (one intervention)"), distribution_list,
                            page="reports:distribution_print")
