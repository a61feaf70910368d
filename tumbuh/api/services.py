"""Writes of the API: tokens (create, revoke), and the client keys that make writes idempotent
(a client-generated UUID -> the record it created, `ClientKey`). The records themselves are
written by their contexts' services: measurements by `measurements.services.record_measurements`
(given `ClientKeyStore`), deliveries by `interventions.services.record_delivery`.

"""

from __future__ import annotations

import hashlib
import secrets
import uuid as uuid_lib

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.measurements import services as measurements

from .models import ApiToken, ClientKey

MEASUREMENT_LABEL = "measurements.measurement"
TOKEN_PREFIX = "tmb_"

# The measurements context's bulk contract, as the views use it.
Item, Result, rejected = measurements.Item, measurements.Result, measurements.rejected
ACCEPTED, DUPLICATE, REJECTED, CONFLICT = (measurements.ACCEPTED, measurements.DUPLICATE, measurements.REJECTED,
                                           measurements.CONFLICT)


# --- tokens ------------------------------------------------------------------------------------


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(user, name: str, request=None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns (token row, the key), the key never to be shown again."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip()[:80] or _("API token"), prefix=key[:12],
                                    key_hash=hash_key(key))
    record(user, AuditEvent.Action.CREATE, obj=token, request=request,
           summary=_("API token %(prefix)s… created") % {"prefix": token.prefix},
           detail={"name": token.name, "prefix": token.prefix})
    return token, key


def revoke_token(token: ApiToken, user, request=None) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(user, AuditEvent.Action.DELETE, obj=token, request=request,
           summary=_("Token %(prefix)s… revoked") % {"prefix": token.prefix},
           detail={"name": token.name, "prefix": token.prefix})


REFUSALS = {"unknown": gettext_lazy("unknown token"), "revoked": gettext_lazy("revoked token"),
            "malformed": gettext_lazy("malformed header"), "inactive user": gettext_lazy("inactive account")}


def token_refused(request, key: str, why: str) -> None:
    """A request with a token that does not authenticate: recorded (the prefix only)."""
    record(None, AuditEvent.Action.DENIED, object_type="api.apitoken", request=request,
           summary=(_("API token refused: %(why)s") % {"why": REFUSALS.get(why, why)})[:255],
           detail={"reason": f"api token {why}", "prefix": key[:12], "path": getattr(request, "path", "")[:200]})




# --- client keys (idempotent writes) ------------------------------------------------------------------


class ClientKeyStore:
    """`measurements.services.ClientKeys` over the API's own table, for one model: uuid -> the
    record its first request created."""

    def __init__(self, label: str, user, device_id: str = ""):
        self.label, self.user, self.device_id = label, user, (device_id or "")[:120]

    def used(self, uuids) -> dict[uuid_lib.UUID, int | None]:
        return {k.uuid: int(k.object_pk) if k.model == self.label else None
                for k in ClientKey.objects.filter(uuid__in=uuids)}

    def keep(self, pairs) -> None:
        user = self.user if getattr(self.user, "is_authenticated", False) else None
        ClientKey.objects.bulk_create([ClientKey(uuid=u, model=self.label, object_pk=str(pk), user=user,
                                                 device_id=self.device_id) for u, pk in pairs])


def record_measurements(items, *, user, scope, device_id: str = "", origin: str = "api", request=None):
    """The measurements context's bulk write, idempotent through the API's client keys."""
    return measurements.record_measurements(
        items, user=user, scope=scope, keys=ClientKeyStore(MEASUREMENT_LABEL, user, device_id),
        device_id=device_id, origin=origin, request=request)
