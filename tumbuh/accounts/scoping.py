"""The one place that decides what a user may see.

Every selector that returns personal data starts from these querysets; views never filter by
region themselves. Anything unexpected (inactive user, no role, a role without its scope, a region
at the wrong level for the role) yields an empty queryset: access fails closed.
"""

from __future__ import annotations

from django.db.models import Q

from tumbuh.regions.models import Region, within

from .models import ROLE_REGION_LEVEL, Role

NOTHING = Q(pk__in=[])


def is_active_account(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_admin(user) -> bool:
    return is_active_account(user) and (user.is_superuser or user.role == Role.ADMIN)


def role_region_code(user) -> str | None:
    """The region code of a desa/kecamatan/kabupaten/provinsi user, if it matches the role's
    level. Checked from the code's shape (no query) so a mis-saved kabupaten user anchored at a
    province does not silently see the whole province."""
    level = ROLE_REGION_LEVEL.get(user.role)
    code = user.region_id
    if not (level and code):
        return None
    try:
        return code if Region.level_of(code) == level else None
    except KeyError:
        return None


def _service_area(puskesmas_id: int):
    return Region.objects.filter(serving_puskesmas=puskesmas_id).values("code")


def person_scope_q(user, prefix: str = "") -> Q:
    """Q over a model that has `desa` and `posyandu` columns (Person, Measurement); `prefix`
    reaches them through a relation (e.g. "child__")."""
    if not is_active_account(user):
        return NOTHING
    if is_admin(user):
        return Q()
    if user.role == Role.CADRE and user.posyandu_id:
        return Q(**{f"{prefix}posyandu_id": user.posyandu_id})
    if user.role == Role.PUSKESMAS and user.puskesmas_id:
        # A subquery rather than a join through the many-to-many: no duplicate rows, no DISTINCT.
        return Q(**{f"{prefix}desa_id__in": _service_area(user.puskesmas_id)})
    code = role_region_code(user)
    if code:
        return within(f"{prefix}desa__code", code)
    return NOTHING


def people_for(user):
    from tumbuh.registry.models import Person

    return Person.objects.filter(person_scope_q(user))


def measurements_for(user):
    from tumbuh.measurements.models import Measurement

    # Scoped through the child, so a measurement follows its child's current scope.
    return Measurement.objects.filter(person_scope_q(user, prefix="child__"))


def households_for(user):
    """Households living in the user's area, plus any household with a member the user may see
    (a cadre follows children, not addresses)."""
    from tumbuh.registry.models import Household

    if not is_active_account(user):
        return Household.objects.none()
    if is_admin(user):
        return Household.objects.all()
    with_members = Q(pk__in=people_for(user).filter(household__isnull=False).values("household_id"))
    if user.role == Role.CADRE:
        return Household.objects.filter(with_members)
    return Household.objects.filter(place_scope_q(user) | with_members)


def place_scope_q(user) -> Q:
    """Q over a model with only a `desa` column (Household, Posyandu): the user's area."""
    if not is_active_account(user):
        return NOTHING
    if is_admin(user):
        return Q()
    if user.role == Role.CADRE and user.posyandu_id:
        return NOTHING  # a cadre's scope is people, not a place
    if user.role == Role.PUSKESMAS and user.puskesmas_id:
        return Q(desa_id__in=_service_area(user.puskesmas_id))
    code = role_region_code(user)
    return within("desa__code", code) if code else NOTHING


def posyandu_for(user):
    from tumbuh.regions.models import Posyandu

    if not is_active_account(user):
        return Posyandu.objects.none()
    if is_admin(user):
        return Posyandu.objects.all()
    if user.role == Role.CADRE:
        return Posyandu.objects.filter(pk=user.posyandu_id) if user.posyandu_id else Posyandu.objects.none()
    if user.role == Role.PUSKESMAS and user.puskesmas_id:
        return Posyandu.objects.filter(
            Q(puskesmas_id=user.puskesmas_id) | place_scope_q(user)
        )
    return Posyandu.objects.filter(place_scope_q(user))


def regions_for(user):
    """Regions the user may select in filters: their own region and everything inside it."""
    if not is_active_account(user):
        return Region.objects.none()
    if is_admin(user):
        return Region.objects.all()
    if user.role == Role.CADRE and user.posyandu_id:
        return Region.objects.filter(posyandu=user.posyandu_id)
    if user.role == Role.PUSKESMAS and user.puskesmas_id:
        return Region.objects.filter(code__in=_service_area(user.puskesmas_id))
    code = role_region_code(user)
    return Region.objects.filter(within("code", code)) if code else Region.objects.none()


def scope_region_code(user) -> str | None:
    """The narrowest single region code covering everything the user may see: "" = everything,
    None = nothing."""
    if not is_active_account(user):
        return None
    if is_admin(user):
        return ""
    if user.role == Role.CADRE:
        return user.posyandu.desa_id if user.posyandu_id else None
    if user.role == Role.PUSKESMAS:
        if not user.puskesmas_id:
            return None
        codes = list(_service_area(user.puskesmas_id).values_list("code", flat=True))
        return common_region(codes) if codes else None
    return role_region_code(user)


def common_region(codes: list[str]) -> str:
    """Longest dotted prefix shared by all codes ("" when they span provinces)."""
    parts = [c.split(".") for c in codes]
    shared: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        shared.append(level[0])
    return ".".join(shared)
