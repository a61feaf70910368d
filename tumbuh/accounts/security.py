"""Response headers every page carries (issue 16, item 7): Permissions-Policy, and
`Cache-Control: no-store` so no browser or proxy cache keeps a page or a file with children's
personal data. Static files never reach this middleware (WhiteNoise answers them earlier, with
their own long-lived caching)."""

import time

from django.conf import settings
from django.utils.cache import patch_cache_control


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        patch_cache_control(response, no_store=True, private=True)
        response.headers.pop("Expires", None)
        return response


class IdleTimeoutMiddleware:
    """The idle timeout (SESSION_COOKIE_AGE) counts from the last request, but saving the session
    on every request (SESSION_SAVE_EVERY_REQUEST) is a database write per page view, which
    serialises readers on SQLite and costs every dashboard request a transaction. An existing
    session is saved (its expiry pushed forward) at most once every REFRESH_SECONDS, so a session
    ends between SESSION_COOKIE_AGE - REFRESH_SECONDS and SESSION_COOKIE_AGE after the last
    request. Placed inside SessionMiddleware, which does the saving."""

    REFRESH_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key is not None:
            now = int(time.time())
            if now - int(session.get("_seen", 0) or 0) >= self.REFRESH_SECONDS:
                session["_seen"] = now  # marks the session modified: saved with a new expiry
        return response
