"""Register rows, shared by the register pages and their xlsx exports (Indonesian title block)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from tumbuh.web import xlsx
from tumbuh.web.text import mask_nik, rounded

from . import rules
from .labels import GROUP_TITLES, reasons

XLSX = xlsx.CONTENT_TYPE


def _yes(v) -> str:
    return _("yes") if v else _("no")


def columns(group: str, *, masked: bool = False) -> list[tuple[str, object]]:
    """(header, getter) per column. `masked`: NIK and KK number with only their last 4 digits, as
    lists show them and as exports give them to roles that see masked NIKs (docs/access.md)."""
    if masked:
        return [(h, (lambda r, get=get: mask_nik(get(r) or ""))) if h in (_("NIK"), _("KK number")) else (h, get)
                for h, get in columns(group)]
    person = [(_("Name"), lambda r: r.person.name), (_("NIK"), lambda r: r.person.nik),
              (_("Age"), lambda r: rules.age_years(r.person.birth_date, timezone.localdate())),
              (_("Desa/kelurahan"), lambda r: r.desa.name),
              (_("Posyandu"), lambda r: r.posyandu.name if r.posyandu else "")]
    if group == "catin":
        return person + [
            (_("Screening date"), lambda r: r.screened_on), (_("Planned marriage"), lambda r: r.planned_marriage_on),
            (_("IMT"), lambda r: r.bmi), (_("LiLA (cm)"), lambda r: r.lila_cm), (_("Hb (g/dL)"), lambda r: r.hb_gdl),
            (_("Result"), lambda r: _("red") if r.at_risk else _("green")), (_("Reasons"), lambda r: reasons(r.reasons)),
            (_("Rule version"), lambda r: r.rule_version)]
    if group == "bumil":
        return person + [
            (_("HPHT"), lambda r: r.hpht), (_("HPL"), lambda r: r.due_on),
            (_("Weeks"), lambda r: rules.gestational_weeks(r.hpht, timezone.localdate())),
            (_("KEK"), lambda r: _yes(r.kek)), (_("Anaemia"), lambda r: _yes(r.anaemia)),
            (_("4T"), lambda r: reasons(r.four_t)), (_("ANC contacts"), lambda r: r.anc_contacts),
            (_("K6"), lambda r: _yes(r.k6)), (_("TTD tablets"), lambda r: r.ttd_total)]
    if group == "nifas":
        return person + [
            (_("Delivery date"), lambda r: r.delivered_on),
            (_("Phase"), lambda r: _("nifas") if rules.postpartum_phase(r.delivered_on, timezone.localdate()) == "nifas" else _("breastfeeding")),
            (_("KF visits"), lambda r: r.kf_count), (_("KB pascasalin"), lambda r: r.get_kb_method_display())]
    if group == "remaja":
        return person + [
            (_("School"), lambda r: r.school), (_("Class"), lambda r: r.grade),
            (_("Latest Hb"), lambda r: r.latest_hb_gdl), (_("Hb date"), lambda r: r.latest_hb_on),
            (_("Anaemia"), lambda r: _yes(r.anaemia))]
    if group == "krs":
        return [
            (_("Head of household"), lambda r: r.household.head_name), (_("KK number"), lambda r: r.household.kk_number),
            (_("Address"), lambda r: r.household.address), (_("RT/RW"), lambda r: f"{r.household.rt}/{r.household.rw}"),
            (_("Desa/kelurahan"), lambda r: r.desa.name), (_("Semester"), lambda r: r.period),
            (_("Wife"), lambda r: r.wife.name if r.wife else ""), (_("PUS"), lambda r: _yes(r.pus)),
            (_("Pregnant"), lambda r: r.pregnant), (_("Baduta"), lambda r: r.baduta), (_("Balita"), lambda r: r.balita),
            (_("Water"), lambda r: r.get_water_source_display()), (_("Latrine"), lambda r: r.get_latrine_display()),
            (_("Risk factors"), lambda r: reasons(r.risk_factors)), (_("KRS"), lambda r: _yes(r.krs)),
            (_("Unmet need"), lambda r: _yes(r.unmet_need)),
            (_("TPK visit this month"), lambda r: _yes(getattr(r, "visited_this_month", False)))]
    raise KeyError(group)


def _text(value) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, float):
        return number_format(rounded(value, 1), 1)  # rounded first: number_format cuts digits
    return "" if value is None else str(value)


def rows(group: str, objects, *, masked: bool = False) -> list[list[str]]:
    cols = columns(group, masked=masked)
    return [[_text(get(o)) for _h, get in cols] for o in objects]


def register_workbook(group: str, objects, *, region_name: str, filters: dict, user) -> bytes:
    """The register as .xlsx through the project's one writer (tumbuh.web.xlsx: typed names are
    text, never formulas; control characters dropped)."""
    today = timezone.localdate()
    preamble = [
        [_("Register: %(title)s") % {"title": GROUP_TITLES[group]}],
        [_("Region"), region_name],
        [_("Printed"), date_format(today, "j M Y"), _("by"), user.get_username()],
        [_("Filters"), ", ".join(f"{k}={v}" for k, v in filters.items() if v) or _("none")],
        [_("Source"), _("Tumbuh; rules version %(v)s (see docs/targets.md)") % {"v": rules.version()}],
        [_("Personal data (UU 27/2022): for the stunting programme only; do not share.")],
        [],
    ]
    from tumbuh.accounts.scoping import scope_for

    cols = columns(group, masked=not scope_for(user).sees_full_nik)  # province teams, OPD officers
    sheet = xlsx.Sheet(str(GROUP_TITLES[group]), ([get(o) for _h, get in cols] for o in objects),
                       header=[h for h, _g in cols], preamble=preamble, bold_rows={0})
    return xlsx.workbook_bytes([sheet])
