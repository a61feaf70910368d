"""A puskesmas service area as a region-like scope for the analytics pages (issue 8, item 4).

A puskesmas officer sees the desa its puskesmas serves, which are not one Kemendagri region. The
analytics pages work on a region code (`within(..., code)`) intersected with the user's scope, so
the service area is the narrowest region covering its desa (`scope_region_code`) with a name, a
level of its own and the served desa as its units (ranking, map, quality by area). Because every
read is also filtered by `person_scope_q(user)`, the common prefix never lets a desa outside the
service area in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from tumbuh.accounts.models import Role
from tumbuh.accounts.scoping import is_active_account, scope_region_code
from tumbuh.regions.models import Puskesmas, Region
from tumbuh.regions.selectors import regions_for

LEVEL = "puskesmas"


@dataclass
class ServiceArea:
    code: str  # the narrowest region code covering every served desa ("" = across provinces)
    name: str
    units: list[tuple[str, str]] = field(default_factory=list)  # served desa (code, name)
    base: Region | None = None  # the region of `code`, for targets of the regions above
    level: str = LEVEL
    is_service_area: bool = True

    def ancestors(self) -> list[Region]:
        return [*self.base.ancestors(), self.base] if self.base is not None else []

    def get_level_display(self) -> str:
        return _("Puskesmas")

    def __str__(self) -> str:
        return self.name


def service_area_for(user) -> ServiceArea | None:
    """The puskesmas officer's service area when it spans more than one desa, else None (a
    single-desa area is that desa, an ordinary region)."""
    if not (is_active_account(user) and user.role == Role.PUSKESMAS and user.puskesmas_id):
        return None
    desa = list(regions_for(user).order_by("name").values_list("code", "name"))
    if len(desa) < 2:
        return None
    code = scope_region_code(user) or ""
    puskesmas = Puskesmas.objects.filter(pk=user.puskesmas_id).values_list("name", flat=True).first() or ""
    name = _("Service area of %(puskesmas)s") % {"puskesmas": puskesmas}
    return ServiceArea(code=code, name=name, units=desa, base=Region.objects.filter(code=code).first())


def is_service_area(region) -> bool:
    return bool(getattr(region, "is_service_area", False))
