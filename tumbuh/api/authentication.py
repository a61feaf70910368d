"""Token authentication for machine clients: `Authorization: Token <key>` (or `Bearer <key>`).

Only the key's SHA-256 is stored (`ApiToken.key_hash`); a revoked, unknown or malformed key is
refused (401) and the refusal audited. Session authentication (with CSRF) serves the browser."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import ApiToken
from .services import hash_key, token_refused

KEYWORDS = ("token", "bearer")
LAST_USED_EVERY = dt.timedelta(minutes=5)  # not a write per request


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in KEYWORDS:
            return None
        if len(header) != 2:
            token_refused(request._request, "", "malformed")
            raise exceptions.AuthenticationFailed(_("Invalid token header"))
        try:
            key = header[1].decode()
        except UnicodeError:
            token_refused(request._request, "", "malformed")
            raise exceptions.AuthenticationFailed(_("Invalid token header")) from None
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        if token is None:
            token_refused(request._request, key, "unknown")
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token"))
        if token.revoked_at is not None:
            token_refused(request._request, key, "revoked")
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token"))
        if not token.user.is_active:
            token_refused(request._request, key, "inactive user")
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token"))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser's session, CSRF enforced for unsafe methods (DRF's own)."""
