"""Writing the audit log. Every create, change, list view, detail view and export of personal
data goes through `record` (or `record_many`, the same rows for many objects in one insert);
nothing else writes AuditEvent rows."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from .models import AuditEvent


def _trusted(address, networks) -> bool:
    return any(address in network for network in networks)


def client_ip(request) -> str | None:
    """The client's address. `X-Forwarded-For` is believed only when the direct peer is one of
    the reverse proxies in settings.TUMBUH_TRUSTED_PROXIES, and then only up to the first address
    no trusted proxy added (so a client cannot choose the address the audit log and the login
    throttle see). A malformed address is dropped rather than allowed to break the write
    (PostgreSQL's inet type rejects garbage). Also django-axes' AXES_CLIENT_IP_CALLABLE."""
    if request is None:
        return None
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", "").strip())
    except ValueError:
        return None
    networks = _trusted_networks()
    if not networks or not _trusted(peer, networks):
        return str(peer)
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    client = peer
    for hop in reversed(hops):  # nearest first: each trusted proxy appended the one before it
        try:
            client = ipaddress.ip_address(hop)
        except ValueError:
            break  # garbage cannot be the client's address; keep the last good hop
        if not _trusted(client, networks):
            break
    return str(client)


def _trusted_networks():
    from django.conf import settings

    raw = getattr(settings, "TUMBUH_TRUSTED_PROXIES", ())
    return tuple(ipaddress.ip_network(n, strict=False) for n in raw)


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
        ip_address=client_ip(request),
    )


@dataclass
class AuditRow:
    """One object's row for `record_many`."""

    obj: models.Model
    summary: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def record_many(user, action: str, rows: list[AuditRow], *, request=None) -> list[AuditEvent]:
    """The rows `record(user, action, obj=row.obj, summary=..., detail=..., request=request)` would
    write for each row, in one insert (a bulk upload of a thousand measurements)."""
    if action not in AuditEvent.Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    ip = client_ip(request)
    username = user.get_username()[:150] if authenticated else ""
    events = [AuditEvent(
        user=user if authenticated else None, username=username, action=action,
        object_type=row.obj._meta.label_lower[:60], object_id=str(row.obj.pk or ""),
        region_code=getattr(row.obj, "desa_id", "") or "", summary=row.summary[:255], detail=row.detail or {},
        ip_address=ip) for row in rows]
    return AuditEvent.objects.bulk_create(events, batch_size=500)
