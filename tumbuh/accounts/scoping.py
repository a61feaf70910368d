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


def people_for(user):
    from tumbuh.registry.models import Person

    return Person.objects.filter(person_scope_q(user)).distinct() if _needs_distinct(user) else Person.objects.filter(person_scope_q(user))


def measurements_for(user):
    from tumbuh.measurements.models import Measurement

    # Scoped through the child, so a measurement follows its child's current scope.
    qs = Measurement.objects.filter(person_scope_q(user, prefix="child__"))
    return qs.distinct() if _needs_distinct(user) else qs


def households_for(user):
    from tumbuh.registry.models import Household

    if is_admin(user):
        return Household.objects.all()
    return Household.objects.filter(members__in=people_for(user)).distinct()


def posyandu_for(user):
    from tumbuh.regions.models import Posyandu

    if not (user and user.is_authenticated and user.is_active):
        return Posyandu.objects.none()
    if is_admin(user):
        return Posyandu.objects.all()
    if user.role == Role.CADRE:
        return Posyandu.objects.filter(pk=user.posyandu_id)
    if user.role == Role.PUSKESMAS:
        return Posyandu.objects.filter(puskesmas_id=user.puskesmas_id)
    if user.region_id:
        return Posyandu.objects.filter(within("desa_id", user.region_id))
    return Posyandu.objects.none()


def regions_for(user):
    """Regions the user may select in filters: their own region and everything inside it."""
    from tumbuh.regions.models import Region

    if not (user and user.is_authenticated and user.is_active):
        return Region.objects.none()
    if is_admin(user):
        return Region.objects.all()
    if user.role == Role.CADRE and user.posyandu_id:
        return Region.objects.filter(pk=user.posyandu.desa_id)
    if user.role == Role.PUSKESMAS and user.puskesmas_id:
        return Region.objects.filter(serving_puskesmas=user.puskesmas_id)
    if user.region_id:
        return Region.objects.filter(within("code", user.region_id))
    return Region.objects.none()


def scope_region_code(user) -> str | None:
    """The narrowest single region code covering everything the user may see ("" = everything)."""
    if is_admin(user):
        return ""
    if user.role == Role.CADRE and user.posyandu_id:
        return user.posyandu.desa_id
    if user.role == Role.PUSKESMAS and user.puskesmas_id:
        return user.puskesmas.kecamatan_id
    return user.region_id


def _needs_distinct(user) -> bool:
    # Only the puskesmas scope goes through a many-to-many join.
    return bool(user and getattr(user, "role", None) == Role.PUSKESMAS)
