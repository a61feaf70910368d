"""What the API keeps of its own: per-user tokens (only a hash) and the client keys that make
writes idempotent (a client-generated UUID -> the record it created), so no other context's model
needs a uuid column."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A per-user token for machine clients. The token itself is shown once, at creation; only its
    SHA-256 is stored, with a short prefix so its owner can tell tokens apart."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user_id} {self.prefix}… {self.name}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ClientKey(models.Model):
    """A client-generated UUID and the record its first request created: the same UUID sent again
    answers with that record instead of creating another."""

    uuid = models.UUIDField(unique=True)
    model = models.CharField(max_length=60)  # app_label.model_name of the record
    object_pk = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    device_id = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("client key")
        verbose_name_plural = _("client keys")
        indexes = [models.Index(fields=["model", "object_pk"])]

    def __str__(self) -> str:
        return f"{self.uuid} -> {self.model} {self.object_pk}"
