"""Deny by default, as CommCare's LocationAccessMiddleware does: a view that has not been marked
`public` or `region_safe` is refused, so forgetting to think about scope fails closed."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.functional import SimpleLazyObject

from .access import ADMIN, PUBLIC, REGION_SAFE, classify
from .scoping import is_admin, scope_for

ATTEMPTS_PER_WINDOW = 20


class RegionAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Access is resolved once per request: views hand `request.scope` to the selectors.
        request.scope = SimpleLazyObject(lambda: scope_for(request.user))
        response = self.get_response(request)
        if response.status_code in (403, 404):
            self._record_attempt(request, response.status_code)
        return response

    @staticmethod
    def _record_attempt(request, status: int) -> None:
        """An id in the URL that the user may not see answers 404 (never telling whether it
        exists): written in the audit log as an attempt, so someone walking ids shows up. At most
        ATTEMPTS_PER_WINDOW events per user per ten minutes (one more says how many were left
        out), so a script cannot flood the log; anonymous requests never get this far (login)."""
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if not (match and match.kwargs and user is not None and user.is_authenticated):
            return
        if getattr(request, "_tumbuh_denied_recorded", False):
            return  # _deny already wrote this refusal
        from django.core.cache import cache

        from tumbuh.audit.models import AuditEvent
        from tumbuh.audit.services import record

        key = f"tumbuh:attempts:{user.pk}"
        cache.add(key, 0, timeout=600)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=600)
            count = 1
        if count > ATTEMPTS_PER_WINDOW + 1:
            return
        detail = {"status": status, "method": request.method, "url_name": match.view_name,
                  "kwargs": {k: str(v) for k, v in match.kwargs.items()}}
        if count == ATTEMPTS_PER_WINDOW + 1:
            detail["note"] = "further attempts in the next ten minutes are not recorded"
        # The summary is the address alone (the audit list shows it as it is, in any language).
        record(user, AuditEvent.Action.DENIED, summary=request.path[:255], detail=detail, request=request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        kind = classify(view_func, match.namespaces if match else ())
        if kind == PUBLIC:
            return None
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if kind == ADMIN:
            if is_admin(request.user):
                return None
            return self._deny(request, "admin")
        if kind == REGION_SAFE:
            return None
        return self._deny(request, "unmarked view")

    @staticmethod
    def _deny(request, why: str):
        # A refusal is worth reading later: someone probing, or a view shipped without its marker.
        from tumbuh.audit.models import AuditEvent
        from tumbuh.audit.services import record

        record(
            request.user, AuditEvent.Action.DENIED, summary=request.path[:255],
            detail={"reason": why, "method": request.method}, request=request,
        )
        request._tumbuh_denied_recorded = True
        raise PermissionDenied
