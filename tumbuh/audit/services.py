"""Writing the audit log. Every create, change, list view, detail view and export of personal
data goes through `record`; nothing else writes AuditEvent rows."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEvent


def _client_ip(request) -> str | None:
    if request is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return (forwarded.split(",")[0].strip() or None) if forwarded else request.META.get("REMOTE_ADDR")


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
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        region_code = region_code or getattr(obj, "desa_id", "") or ""
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return AuditEvent.objects.create(
        user=user if authenticated else None,
        username=(user.get_username() if authenticated else ""),
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        region_code=region_code or "",
        summary=summary[:255],
        detail=detail or {},
        ip_address=_client_ip(request),
    )
