"""The one place that decides what a user may see.

A user is turned into a `Scope` value once per request (`scope_for`, also `request.scope`): the
role, the region codes and the posyandu ids the user may see. Views hand that value to each
context's selectors, and each context applies it to its own models with the Q builders below
(`Scope.person_q`, `Scope.place_q`, `Scope.region_q`, `Scope.posyandu_q`). This module knows the
region tree (`tumbuh.regions`), which every scope is expressed in, and no other context's models.

Anything unexpected (inactive user, no role, a role without its scope, a region at the wrong level
for the role) yields the empty scope: access fails closed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from tumbuh.regions.models import Region, within

from .models import ROLE_REGION_LEVEL, Role

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Scope:
    """What one user may see, resolved once. Exactly one of the shapes applies:

    - `everything`: administrators;
    - `posyandu_ids`: cadres, who follow the children of their posyandu (people, not a place);
    - `desa_codes`: puskesmas officers, the desa their puskesmas serves;
    - `region_code`: desa/kecamatan/kabupaten/provinsi teams, their region and everything in it;
    - none of them: nothing at all.
    """

    user_id: int | None = None
    role: str = ""
    everything: bool = False
    region_code: str | None = None
    desa_codes: tuple[str, ...] = ()
    posyandu_ids: tuple[int, ...] = ()
    puskesmas_id: int | None = None
    # The cadre's posyandu desa: the narrowest region covering a cadre's children.
    home_desa: str | None = None
    # An OPD programme officer: their agency and its kab/kota. Deliberately *not* region_code:
    # every selector that does not know about agencies sees an empty scope and shows nothing;
    # only the contexts that first restrict rows to the agency's catalogue items (interventions,
    # convergence) widen it, through `opd_area()`.
    agency_id: int | None = None
    opd_region_code: str | None = None

    # -- what kind of scope ------------------------------------------------------------------
    @property
    def is_admin(self) -> bool:
        return self.everything

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.region_code or self.desa_codes or self.posyandu_ids)

    @property
    def sees_full_nik(self) -> bool:
        """Whether pages about one person and personal-data exports show whole NIK/KK numbers.
        Province teams and OPD officers work with aggregates and target lists: they see masked
        numbers unless they open a person's number on purpose (audited; docs/access.md)."""
        if self.everything:
            return True
        return not self.is_empty and self.role not in (Role.PROVINSI, Role.OPD)

    @property
    def is_opd(self) -> bool:
        return bool(self.agency_id and self.opd_region_code) and not self.everything

    def opd_area(self) -> Scope:
        """The officer's kab/kota as a region-shaped scope, for selectors that have already
        restricted their rows to the officer's agency's catalogue items; EMPTY for anyone else."""
        if not self.is_opd:
            return EMPTY
        return Scope(user_id=self.user_id, role=self.role, region_code=self.opd_region_code)

    @property
    def is_cadre(self) -> bool:
        return bool(self.posyandu_ids) and not self.everything

    @property
    def covering_code(self) -> str | None:
        """The narrowest single region code covering everything in scope: "" = everything,
        None = nothing."""
        if self.everything:
            return ""
        if self.posyandu_ids:
            return self.home_desa
        if self.desa_codes:
            return common_region(list(self.desa_codes))
        return self.region_code

    # -- Q builders, one per shape of model ----------------------------------------------------
    def person_q(self, prefix: str = "") -> Q:
        """Q over a model that has `desa` and `posyandu` columns (Person, Measurement, target-group
        records); `prefix` reaches them through a relation (e.g. "child__")."""
        if self.everything:
            return Q()
        if self.posyandu_ids:
            return Q(**{f"{prefix}posyandu_id__in": self.posyandu_ids})
        if self.desa_codes:
            return Q(**{f"{prefix}desa_id__in": self.desa_codes})
        if self.region_code:
            return within(f"{prefix}desa__code", self.region_code)
        return NOTHING

    def place_q(self, field: str = "desa") -> Q:
        """Q over a model placed only by a desa (Household, Posyandu): the user's area. A cadre's
        scope is people, not a place, so it matches no place."""
        if self.everything:
            return Q()
        if self.desa_codes:
            return Q(**{f"{field}_id__in": self.desa_codes})
        if self.region_code and not self.posyandu_ids:
            return within(f"{field}__code", self.region_code)
        return NOTHING

    def region_q(self, field: str = "code") -> Q:
        """Q over Region (or any region-code column): regions the user may select in filters,
        their own and everything inside it."""
        if self.everything:
            return Q()
        if self.posyandu_ids:
            return Q(**{field: self.home_desa}) if self.home_desa else NOTHING
        if self.desa_codes:
            return Q(**{f"{field}__in": self.desa_codes})
        if self.region_code:
            return within(field, self.region_code)
        return NOTHING

    def posyandu_q(self) -> Q:
        """Q over Posyandu: the cadre's own, the puskesmas' own plus those in its service area,
        the posyandu inside a region team's region."""
        if self.everything:
            return Q()
        if self.posyandu_ids:
            return Q(pk__in=self.posyandu_ids)
        if self.puskesmas_id:
            return Q(puskesmas_id=self.puskesmas_id) | self.place_q()
        return self.place_q()


EMPTY = Scope()


def is_active_account(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


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


def _resolve(user) -> Scope:
    if not is_active_account(user):
        return EMPTY
    if user.is_superuser or user.role == Role.ADMIN:
        return Scope(user_id=user.pk, role=Role.ADMIN, everything=True)
    if user.role == Role.CADRE:
        if not user.posyandu_id:
            return Scope(user_id=user.pk, role=user.role)
        return Scope(user_id=user.pk, role=user.role, posyandu_ids=(user.posyandu_id,),
                     home_desa=user.posyandu.desa_id)
    if user.role == Role.PUSKESMAS:
        if not user.puskesmas_id:
            return Scope(user_id=user.pk, role=user.role)
        codes = tuple(sorted(Region.objects.filter(serving_puskesmas=user.puskesmas_id)
                             .values_list("code", flat=True)))
        if not codes:
            return Scope(user_id=user.pk, role=user.role)
        return Scope(user_id=user.pk, role=user.role, desa_codes=codes, puskesmas_id=user.puskesmas_id)
    if user.role == Role.OPD:
        code = role_region_code(user)
        if not (code and user.agency_id):
            return Scope(user_id=user.pk, role=user.role)
        return Scope(user_id=user.pk, role=user.role, agency_id=user.agency_id, opd_region_code=code)
    return Scope(user_id=user.pk, role=user.role or "", region_code=role_region_code(user))


def _cache_key(user) -> tuple:
    # Every field the scope depends on: a user object changed in place (a test, the admin) gets a
    # fresh scope instead of a stale one.
    return (user.pk, user.is_active, user.is_superuser, user.role, user.region_id,
            user.posyandu_id, user.puskesmas_id, user.agency_id)


def scope_for(user) -> Scope:
    """The user's scope, resolved once per user object (so once per request: `request.user` is
    one object for the whole request)."""
    if isinstance(user, Scope):
        return user
    if not is_active_account(user):
        return EMPTY
    key = _cache_key(user)
    cached = getattr(user, "_tumbuh_scope", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    scope = _resolve(user)
    user._tumbuh_scope = (key, scope)
    return scope


# A selector takes a Scope; these accept a user too, so callers holding only a user (management
# commands, services called outside a request) need not resolve it first.
def as_scope(user_or_scope) -> Scope:
    return scope_for(user_or_scope)


def is_admin(user_or_scope) -> bool:
    return scope_for(user_or_scope).everything


def person_scope_q(user_or_scope, prefix: str = "") -> Q:
    return scope_for(user_or_scope).person_q(prefix)


def place_scope_q(user_or_scope, field: str = "desa") -> Q:
    return scope_for(user_or_scope).place_q(field)


def scope_region_code(user_or_scope) -> str | None:
    """The narrowest single region code covering everything the user may see: "" = everything,
    None = nothing."""
    return scope_for(user_or_scope).covering_code


def common_region(codes: list[str]) -> str:
    """Longest dotted prefix shared by all codes ("" when they span provinces)."""
    parts = [c.split(".") for c in codes]
    shared: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        shared.append(level[0])
    return ".".join(shared)
