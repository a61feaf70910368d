"""Print lists other apps supply (gap lists from convergence, distribution-day lists from
interventions): registered here, rendered as the same A4 print list as BNBA, with boxes to tick.

    register_list("gaps", gettext_lazy("Children with a service gap"), build)

`build(user, region, period, posyandu_id)` reads under the user's own scope and returns
{"columns": [...], "rows": [[...], ...], "checks": ["Hadir", ...], "note": ""}; every row becomes a
numbered line with one empty box per check column. Call from the app's AppConfig.ready.

A list that needs more than region/period/posyandu (the distribution-day list: an item, a desa, a
date) is registered with `page="reports:..."`: it has its own picker page, is not offered among
the BNBA lists, and its build gets the job's parameters as `params=`. Optional keys of the returned
dict: "subtitle" (instead of the period), "count_text" (instead of "n children on this list")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PrintList:
    code: str
    label: object
    build: Callable
    page: str = ""  # URL name of its own picker page; "" = offered on the BNBA print page


LISTS: dict[str, PrintList] = {}


def register_list(code: str, label, build: Callable, *, page: str = "") -> PrintList:
    item = PrintList(code, label, build, page)
    LISTS[code] = item
    return item


def choices() -> list[tuple[str, str]]:
    """The lists picked on the BNBA print page (those without a page of their own)."""
    return [(f"list:{item.code}", str(item.label)) for item in LISTS.values() if not item.page]
