"""Logins and failed logins go to the audit log (who reached personal data, and who tried)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record

from .scoping import scope_region_code


@receiver(user_logged_in, dispatch_uid="tumbuh_audit_login")
def audit_login(sender, request, user, **kwargs):
    record(
        user, AuditEvent.Action.LOGIN, object_type="accounts.user", object_id=user.pk,
        region_code=scope_region_code(user) or "", request=request,
    )


@receiver(user_login_failed, dispatch_uid="tumbuh_audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; keep only the name tried.
    attempted = str(credentials.get("username", ""))[:150]
    record(
        None, AuditEvent.Action.LOGIN_FAILED, object_type="accounts.user",
        summary=attempted, username=attempted, request=request,
    )


@receiver(user_locked_out, dispatch_uid="tumbuh_audit_locked_out")
def audit_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    attempted = str(username or "")[:150]
    record(
        None, AuditEvent.Action.LOCKED_OUT, object_type="accounts.user",
        summary=f"{attempted} @ {ip_address or '?'}"[:255], username=attempted,
        detail={"ip_address": ip_address or ""}, request=request,
    )
