"""Deny by default, as CommCare's LocationAccessMiddleware does: a view that has not been marked
`public` or `region_safe` is refused, so forgetting to think about scope fails closed."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.functional import SimpleLazyObject

from .access import ADMIN, PUBLIC, REGION_SAFE, classify
from .scoping import is_admin, scope_for


class RegionAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Access is resolved once per request: views hand `request.scope` to the selectors.
        request.scope = SimpleLazyObject(lambda: scope_for(request.user))
        return self.get_response(request)

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
            request.user, AuditEvent.Action.DENIED, summary=f"{request.method} {request.path}"[:255],
            detail={"reason": why}, request=request,
        )
        raise PermissionDenied
