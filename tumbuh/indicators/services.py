"""Writes: the typed-in Dana Desa figure, the lokus desa of a year, local indicator targets. Each
in a transaction, audited, refused (PermissionDenied) outside the writer's scope or role."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction

from tumbuh.accounts.models import Role
from tumbuh.accounts.scoping import as_scope
from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.regions.models import Region
from tumbuh.regions.selectors import regions_for

from . import ranpasti
from .models import DanaDesa, LocalTarget, LokusDesa

# Who may type what (docs/indicators.md): the desa team and the teams above it type Dana Desa;
# the kab/kota team (from the Bupati's SK) and the province set lokus and local targets.
DANA_DESA_ROLES = {Role.DESA, Role.KECAMATAN, Role.KABUPATEN, Role.ADMIN}
LOKUS_ROLES = {Role.KABUPATEN, Role.PROVINSI, Role.ADMIN}
TARGET_ROLES = {Role.KABUPATEN, Role.PROVINSI, Role.ADMIN}


def _role(user) -> str:
    return as_scope(user).role


def can_dana_desa(user) -> bool:
    return _role(user) in DANA_DESA_ROLES


def can_lokus(user) -> bool:
    return _role(user) in LOKUS_ROLES


def can_targets(user) -> bool:
    return _role(user) in TARGET_ROLES


def _region(user, code: str, level: str | None = None) -> Region:
    region = regions_for(user).filter(code=code).first()
    if region is None or (level and region.level != level):
        raise PermissionDenied
    return region


@transaction.atomic
def set_dana_desa(user, desa_code: str, year: int, total: Decimal, stunting: Decimal, *, request=None) -> DanaDesa:
    if not can_dana_desa(user):
        raise PermissionDenied
    desa = _region(user, desa_code, Region.Level.DESA)
    if total < 0 or stunting < 0 or stunting > total:
        raise ValueError("stunting share must be between 0 and the total")
    row, created = DanaDesa.objects.update_or_create(desa=desa, year=year, defaults={
        "total": total, "stunting": stunting, "updated_by": user})
    record(user, AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, obj=row, region_code=desa.code,
           summary=f"Dana Desa {year} {desa.name}: {stunting}/{total}", request=request)
    return row


@transaction.atomic
def set_lokus(user, desa_code: str, year: int, lokus: bool, decree: str = "", *, request=None) -> LokusDesa | None:
    if not can_lokus(user):
        raise PermissionDenied
    desa = _region(user, desa_code, Region.Level.DESA)
    if not lokus:
        deleted, _ = LokusDesa.objects.filter(desa=desa, year=year).delete()
        if deleted:
            record(user, AuditEvent.Action.DELETE, object_type="indicators.lokusdesa", region_code=desa.code,
                   summary=f"lokus {year} {desa.name} removed", request=request)
        return None
    row, created = LokusDesa.objects.update_or_create(desa=desa, year=year, defaults={"decree": decree,
                                                                                      "updated_by": user})
    record(user, AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, obj=row, region_code=desa.code,
           summary=f"lokus {year} {desa.name}", request=request)
    return row


@transaction.atomic
def set_local_target(user, region_code: str, indicator: str, year: int, target: Decimal, source: str = "", *,
                     request=None) -> LocalTarget:
    if not can_targets(user):
        raise PermissionDenied
    region = _region(user, region_code)
    if region.level not in (Region.Level.KABUPATEN, Region.Level.PROVINSI):
        raise PermissionDenied
    ranpasti.definition(indicator)  # KeyError for an unknown code
    row, created = LocalTarget.objects.update_or_create(region=region, indicator=indicator, year=year, defaults={
        "target_percent": Decimal(str(target)), "source": source, "updated_by": user})
    record(user, AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, obj=row, region_code=region.code,
           summary=f"target {indicator} {year} {region.name}: {target}%", request=request)
    return row
