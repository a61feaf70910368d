"""Print lists other apps supply (gap lists from convergence, distribution-day lists from
interventions): registered here, rendered as the same A4 print list as BNBA, with boxes to tick.

    register_list("gaps", gettext_lazy("Children with a service gap"), build)

`build(user, region, period, posyandu_id)` reads under the user's own scope and returns
{"columns": [...], "rows": [[...], ...], "checks": ["Hadir", ...], "note": ""}; every row becomes a
numbered line with one empty box per check column. Call from the app's AppConfig.ready."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PrintList:
    code: str
    label: object
    build: Callable


LISTS: dict[str, PrintList] = {}


def register_list(code: str, label, build: Callable) -> PrintList:
    item = PrintList(code, label, build)
    LISTS[code] = item
    return item


def choices() -> list[tuple[str, str]]:
    return [(f"list:{item.code}", str(item.label)) for item in LISTS.values()]
