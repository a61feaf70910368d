"""Writing the audit log. Every create, change, list view, detail view and export of personal
data goes through `record`; nothing else writes AuditEvent rows."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.db import models

from .models import AuditEvent


def _client_ip(request) -> str | None:
    """The client address, behind one reverse proxy. A malformed header is dropped rather than
    allowed to break the write (PostgreSQL's inet type rejects garbage)."""
    if request is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    candidate = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def record(
    user,
    action: str,
    *,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    region_code: str = "",
    summary: str = "",
    detail: dict[str, Any] | None = None,
    request=None,
    username: str = "",
) -> AuditEvent:
    """Write one audit row. `username` names an anonymous actor (a failed login attempt)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        region_code = region_code or getattr(obj, "desa_id", "") or ""
    if action not in AuditEvent.Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    if not region_code and obj is None and authenticated:
        # A list or export without a single object concerns the user's whole scope, so the
        # teams above that scope can read it in their log.
        from tumbuh.accounts.scoping import scope_region_code

        region_code = scope_region_code(user) or ""
    return AuditEvent.objects.create(
        user=user if authenticated else None,
        username=(user.get_username() if authenticated else username)[:150],
        action=action,
        object_type=object_type[:60],
        object_id=str(object_id or ""),
        region_code=region_code or "",
        summary=summary[:255],
        detail=detail or {},
        ip_address=_client_ip(request),
    )
