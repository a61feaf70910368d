"""Which accounts a user may manage (the user-management pages). Deny by default: only
administrators and kabupaten/kota teams manage accounts; a kabupaten team manages the accounts
anchored inside its kabupaten (its own level and below), never an administrator or a province
account. Built on `scoping`, so it follows the same anchors."""

from __future__ import annotations

from django.db.models import Q

from tumbuh.regions.models import Puskesmas, Region, within

from .models import Role, User
from .scoping import is_active_account, is_admin, role_region_code

# Roles a manager may give, by the manager's role.
ASSIGNABLE = {
    Role.KABUPATEN: [Role.KABUPATEN, Role.KECAMATAN, Role.DESA, Role.PUSKESMAS, Role.CADRE, Role.OPD],
}


def can_manage_users(user) -> bool:
    if is_admin(user):
        return True
    return is_active_account(user) and user.role in ASSIGNABLE and role_region_code(user) is not None


def assignable_roles(user) -> list[str]:
    if is_admin(user):
        return list(Role.values)
    return [r.value for r in ASSIGNABLE.get(user.role, [])] if can_manage_users(user) else []


def users_for(user):
    """The accounts `user` may see and edit on the user pages."""
    if is_admin(user):
        return User.objects.all()
    if not can_manage_users(user):
        return User.objects.none()
    code = role_region_code(user)
    inside = (
        (Q(role__in=[Role.KABUPATEN, Role.KECAMATAN, Role.DESA, Role.OPD]) & within("region__code", code))
        | (Q(role=Role.CADRE) & within("posyandu__desa__code", code))
        | (Q(role=Role.PUSKESMAS) & within("puskesmas__kecamatan__code", code))
    )
    return User.objects.filter(inside, is_superuser=False).exclude(role=Role.ADMIN)


def regions_to_assign(user):
    """Regions a manager may anchor an account at (not desa-only: any level in scope)."""
    if is_admin(user):
        return Region.objects.all()
    if not can_manage_users(user):
        return Region.objects.none()
    return Region.objects.filter(within("code", role_region_code(user)))


def puskesmas_to_assign(user):
    if is_admin(user):
        return Puskesmas.objects.all()
    if not can_manage_users(user):
        return Puskesmas.objects.none()
    return Puskesmas.objects.filter(within("kecamatan__code", role_region_code(user)))


def posyandu_to_assign(user):
    from tumbuh.regions.models import Posyandu
    from tumbuh.regions.selectors import posyandu_for

    return posyandu_for(user) if can_manage_users(user) else Posyandu.objects.none()


def agencies_to_assign(user):
    """Agencies (OPD) an OPD officer account may be attached to: those of the manager's region."""
    from tumbuh.coordination.models import Agency

    if is_admin(user):
        return Agency.objects.all()
    if not can_manage_users(user):
        return Agency.objects.none()
    return Agency.objects.filter(within("region__code", role_region_code(user)))
