"""Response headers every page carries (issue 16, item 7): Permissions-Policy, and
`Cache-Control: no-store` so no browser or proxy cache keeps a page or a file with children's
personal data. Static files never reach this middleware (WhiteNoise answers them earlier, with
their own long-lived caching)."""

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
