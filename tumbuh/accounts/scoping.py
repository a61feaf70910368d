"""The one place that decides what a user may see.

Every selector that returns personal data starts from these querysets; views never filter by
region themselves.
"""

from __future__ import annotations

from django.db.models import Q

from tumbuh.regions.models import within

from .models import Role


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN))


def person_scope_q(user, prefix: str = "") -> Q:
    """Q over a model that has `desa` and `posyandu` columns (Person, Measurement); `prefix`
    reaches them through a relation (e.g. "child__")."""
    if not (user and user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    if is_admin(user):
        return Q()
    if user.role == Role.CADRE and user.posyandu_id:
        return Q(**{f"{prefix}posyandu_id": user.posyandu_id})
    if user.role == Role.PUSKESMAS and user.puskesmas_id:
        return Q(**{f"{prefix}desa__serving_puskesmas": user.puskesmas_id})
    if user.role in {Role.DESA, Role.KECAMATAN, Role.KABUPATEN, Role.PROVINSI} and user.region_id:
        return within(f"{prefix}desa_id", user.region_id)
    return Q(pk__in=[])
