"""Who created, changed, viewed or exported personal data (UU 27/2022), readable in the UI."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")
        VIEW = "view", _("viewed")
        VIEW_LIST = "view_list", _("viewed a list")
        EXPORT = "export", _("exported")
        IMPORT = "import", _("imported")
        LOGIN = "login", _("logged in")
        LOGIN_FAILED = "login_failed", _("failed to log in")
        DENIED = "denied", _("was refused access")
        LOCKED_OUT = "locked_out", _("was locked out after failed logins")
        UNLOCK = "unlock", _("unlocked logins")
        NIK_CONFLICT = "nik_conflict", _("entered a NIK/KK number already registered")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)  # kept if the user is deleted
    action = models.CharField(_("action"), max_length=14, choices=Action.choices)
    object_type = models.CharField(_("object"), max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # Region code the event concerns, so a region's team can read its own region's log.
    region_code = models.CharField(max_length=13, blank=True, db_index=True)
    summary = models.CharField(_("summary"), max_length=255, blank=True)
    detail = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["user", "at"]), models.Index(fields=["region_code", "at"]),
                   # one object's history (the child page's change history)
                   models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type} {self.object_id}"
