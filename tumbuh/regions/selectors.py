"""Scoped reads of the region tree: the regions and posyandu a scope may pick in filters."""

from __future__ import annotations

from django.db.models import QuerySet

from tumbuh.accounts.scoping import Scope, as_scope

from .models import Posyandu, Region


def regions_for(scope: Scope) -> QuerySet:
    """Regions the scope may select: its own region and everything inside it (a user is accepted
    too)."""
    return Region.objects.filter(as_scope(scope).region_q())


def posyandu_for(scope: Scope) -> QuerySet:
    return Posyandu.objects.filter(as_scope(scope).posyandu_q())
