"""Markers a view must carry to be reachable at all (see middleware.RegionAccessMiddleware)."""

from collections.abc import Callable


def public(view: Callable) -> Callable:
    """Reachable without logging in (login page, language switch)."""
    view.tumbuh_public = True
    return view


def region_safe(view: Callable) -> Callable:
    """The view filters everything it shows through `scoping` for the requesting user."""
    view.tumbuh_region_safe = True
    return view
