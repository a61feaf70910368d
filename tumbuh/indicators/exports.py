"""The scorecard and the RAN-PASTI table as .xlsx through the project's one writer (tumbuh.web.xlsx),
each with an Indonesian title block. Numbers are the very objects the pages render."""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tumbuh.web import xlsx

from . import scorecard as sc

STATUS_WORDS = {sc.Y: "Y", sc.T: "T", sc.TS: "TS", sc.ND: "tidak ada data"}


def _pct(value):
    return round(value, 2) if value is not None else None


def _title(title: str, region_name: str, period, user, extra=()) -> list[list]:
    return [
        [title],
        [_("Region"), region_name],
        [_("Period"), period.key, date_format(period.start, "j M Y"), date_format(period.end, "j M Y")],
        *extra,
        [_("Printed"), date_format(timezone.localdate(), "j M Y"), _("by"), user.get_username()],
        [],
    ]


def scorecard_sheets(card, *, user) -> list[xlsx.Sheet]:
    region_name = card.region.name if card.region else _("my whole area")
    mode = sc.mode_config(card.mode)["label"]
    pre = _title(_("Village convergence scorecard"), region_name, card.period, user,
                 [[_("Counting"), mode, _("rules version"), card.version]])
    desa_rows = []
    for d in card.desa:
        g = d.groups
        money = d.dana_desa
        desa_rows.append([
            d.code, d.name, d.kecamatan, _("yes") if d.lokus else "", g["bumil"].people, g["anak"].people,
            g["paud"].people, _pct(g["bumil"].score.percent), _pct(g["anak"].score.percent), _pct(d.score.percent),
            d.score.received, d.score.expected, d.rank, int(money.total) if money else None,
            int(money.stunting) if money else None, _pct(money.share) if money else None])
    sheets = [xlsx.Sheet(_("Village level"), desa_rows, preamble=pre, bold_rows={0}, header=[
        _("Village code"), _("Village"), _("District code"), _("Priority (lokus)"), _("Pregnant women"),
        _("Children 0-23 months"), _("Children 2-6 years"), _("Pregnant women level (%)"), _("Children level (%)"),
        _("Village level (%)"), _("Services received (Y)"), _("Services due (items - TS - no data)"),
        _("Rank in district"), _("Dana Desa (Rp)"), _("Dana Desa for stunting (Rp)"), _("Share of Dana Desa (%)")])]
    item_rows = []
    for group, summary in card.groups.items():
        for ic in summary.items:
            item_rows.append([group, sc.item_short(ic.item), sc.item_label(ic.item), ic.counts[sc.Y], ic.counts[sc.T],
                              ic.counts[sc.TS], ic.counts[sc.ND], _pct(ic.percent)])
        item_rows.append([group, "", _("Level"), summary.score.received, summary.score.expected, None, None,
                          _pct(summary.score.percent)])
    item_rows.append(["", "", _("Overall level"), card.score.received, card.score.expected, None, None,
                      _pct(card.score.percent)])
    sheets.append(xlsx.Sheet(_("Per item"), item_rows, preamble=pre, bold_rows={0}, header=[
        _("Group"), _("Item"), _("Indicator"), "Y", "T", "TS", _("no data"), "%"]))
    # in Tabel 1's order already (selectors.scorecard sorts it with breakdown_key)
    targets = [[g, detail, n] for (g, detail), n in card.breakdown.items()]
    targets.append(["paud", "2-6 th", card.groups["paud"].people])
    targets += [[], [_("Growth mat"), "TD / M / K / H"], *[["", k, v] for k, v in card.growth_mat.items()]]
    sheets.append(xlsx.Sheet(_("Targets"), targets, preamble=pre, bold_rows={0},
                             header=[_("Group"), _("Sub-group"), _("People")]))
    if card.people:
        people_pre = pre[:-1] + [[_("Personal data (UU 27/2022): for the stunting programme only; do not share.")], []]
        for group in ("bumil", "anak"):
            items = sc.group_items(group)
            rows = [[r.name, r.nik, r.desa, r.detail, *[STATUS_WORDS[r.statuses[i]] for i in items],
                     r.score.received, r.score.expected, _pct(r.score.percent),
                     "" if r.complete is None else (_("yes") if r.complete else _("no"))]
                    for r in card.people if r.group == group]
            sheets.append(xlsx.Sheet(sc.config()["groups"][group]["label"], rows, preamble=people_pre,
                                     bold_rows={0}, header=[_("Name"), "NIK", _("Village code"), _("Stage / age"),
                                                            *[sc.item_short(i) for i in items], "Y", _("due"), "%",
                                                            _("complete package")]))
    return sheets


def scorecard_download(card, *, user):
    name = f"scorecard-{card.region_code or 'semua'}-{card.period.key}-{card.mode}.xlsx"
    return xlsx.download(scorecard_sheets(card, user=user), name)


def indicators_download(values, region, period, *, user):
    pre = _title(_("RAN-PASTI indicators (Perpres 72/2021 Lampiran A)"), region.name if region else
                 _("my whole area"), period, user)
    rows = [[v.name, v.numerator_text, v.denominator_text,
             v.numerator, v.denominator, _pct(v.value), v.target_2024, v.local_target,
             "" if v.computable else (v.why or _("not computable from Tumbuh's data")), v.source]
            for v in values]
    sheet = xlsx.Sheet(_("Indicators"), rows, preamble=pre, bold_rows={0}, header=[
        _("Indicator"), _("Numerator"), _("Denominator"), _("Numerator (n)"), _("Denominator (n)"),
        _("Value"), _("National target 2024 (%)"), _("Local target (%)"), _("Note"), _("Source")])
    return xlsx.download([sheet], f"ranpasti-{region.code if region else 'semua'}-{period.key}.xlsx")
