"""Deny by default: every endpoint needs an authenticated user whose scope is not empty."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from tumbuh.accounts.scoping import scope_for


def scope_of(request):
    """The requester's Scope. DRF authenticates inside the view (a token user is not known to the
    Django middleware), so the scope is resolved from the authenticated user here, through the
    one scoping module."""
    return scope_for(request.user)


class HasScope(BasePermission):
    message = _("Your account has no area to see: ask your administrator")

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and not scope_of(request).is_empty)
