"""Account writes that must be audited: unlocking a login locked by too many failures."""

from __future__ import annotations

from axes.utils import reset

from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record


def unlock_logins(actor, *, username: str | None = None, ip_address: str | None = None, request=None) -> int:
    """Clear the failed-login counters of a username and/or a client address; returns how many
    counters were cleared. Audited even when nothing was locked (an unlock is a decision)."""
    if not username and not ip_address:
        raise ValueError("unlock needs a username or an address")
    cleared = 0
    if username:
        cleared += reset(username=username)
    if ip_address:
        cleared += reset(ip=ip_address)
    record(
        actor, AuditEvent.Action.UNLOCK, object_type="accounts.user",
        summary=" ".join(x for x in (username or "", ip_address or "") if x)[:255],
        detail={"username": username or "", "ip_address": ip_address or "", "cleared": cleared},
        request=request, username="" if actor is not None else "tumbuh unlock",
    )
    return cleared
