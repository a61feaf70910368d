"""Markers a view must carry to be reachable at all (see middleware.RegionAccessMiddleware).

`classify` is the single answer to "may this view be reached, and how?"; the middleware and the
scoping-matrix test both ask it, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable

PUBLIC = "public"
REGION_SAFE = "region_safe"
ADMIN = "admin"

# Framework views that carry no personal data and must work for everyone, logged in or not.
# Matched by module and name because we cannot decorate Django's own functions.
ALWAYS_ALLOWED = {
    ("django.views.i18n", "set_language"),
}


def public(view: Callable) -> Callable:
    """Reachable without logging in (login page, language switch)."""
    view.tumbuh_public = True
    return view


def region_safe(view: Callable) -> Callable:
    """The view filters everything it shows through `scoping` for the requesting user."""
    view.tumbuh_region_safe = True
    return view


def _marked(view_func: Callable, attr: str) -> bool:
    # Class-based views: the marker may sit on the class (decorated class) or on as_view()'s result.
    target = getattr(view_func, "view_class", None)
    return bool(getattr(view_func, attr, False) or (target is not None and getattr(target, attr, False)))


def is_admin_view(view_func: Callable, namespaces: list[str] | tuple[str, ...] = ()) -> bool:
    """Django admin views, recognised by the admin site's own wrapper attributes or namespace
    (UserAdmin's password view lives in django.contrib.auth.admin, so module names are not enough)."""
    if "admin" in namespaces:
        return True
    if hasattr(view_func, "admin_site") or hasattr(view_func, "model_admin"):
        return True
    return (getattr(view_func, "__module__", "") or "").startswith("django.contrib.admin")


def classify(view_func: Callable, namespaces: list[str] | tuple[str, ...] = ()) -> str | None:
    """PUBLIC, REGION_SAFE, ADMIN, or None for a view nobody may reach (deny by default)."""
    if _marked(view_func, "tumbuh_public"):
        return PUBLIC
    key = (getattr(view_func, "__module__", "") or "", getattr(view_func, "__name__", "") or "")
    if key in ALWAYS_ALLOWED:
        return PUBLIC
    if is_admin_view(view_func, namespaces):
        return ADMIN
    if _marked(view_func, "tumbuh_region_safe"):
        return REGION_SAFE
    return None
