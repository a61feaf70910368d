"""Users, each with one role and one place in the region tree.

Access is decided in one place (`scoping.py`) from these fields; a user without a role or a
scope sees nothing.
"""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.regions.models import Posyandu, Puskesmas, Region


class Role(models.TextChoices):
    CADRE = "cadre", _("Posyandu cadre")
    PUSKESMAS = "puskesmas", _("Puskesmas officer")
    DESA = "desa", _("Village (desa/kelurahan) team")
    KECAMATAN = "kecamatan", _("District (kecamatan) team")
    KABUPATEN = "kabupaten", _("Regency/city TPPS")
    PROVINSI = "provinsi", _("Province team")
    # An OPD programme officer: the target lists of their agency's catalogue items in their
    # kab/kota, and recording deliveries; nothing else (docs/access.md).
    OPD = "opd", _("OPD programme officer")
    ADMIN = "admin", _("Administrator")


# The region level each role's scope is anchored at.
ROLE_REGION_LEVEL = {
    Role.DESA: Region.Level.DESA,
    Role.KECAMATAN: Region.Level.KECAMATAN,
    Role.KABUPATEN: Region.Level.KABUPATEN,
    Role.PROVINSI: Region.Level.PROVINSI,
    Role.OPD: Region.Level.KABUPATEN,
}


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="users",
        help_text=_("For desa, kecamatan, kabupaten and provinsi roles."),
    )
    posyandu = models.ForeignKey(
        Posyandu, null=True, blank=True, on_delete=models.PROTECT, related_name="cadres",
        help_text=_("For cadres."),
    )
    puskesmas = models.ForeignKey(
        Puskesmas, null=True, blank=True, on_delete=models.PROTECT, related_name="officers",
        help_text=_("For puskesmas officers."),
    )
    agency = models.ForeignKey(
        "coordination.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="officers",
        help_text=_("For OPD programme officers: the agency (OPD) they work for."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        """One role, one scope: the field the role is scoped by must be set, and the others left
        empty, so the admin screen never suggests a scope the access rules do not apply."""
        super().clean()
        errors: dict[str, str] = {}
        if self.role == Role.CADRE and not self.posyandu_id:
            errors["posyandu"] = _("A cadre must belong to a posyandu.")
        if self.role == Role.PUSKESMAS and not self.puskesmas_id:
            errors["puskesmas"] = _("A puskesmas officer must belong to a puskesmas.")
        level = ROLE_REGION_LEVEL.get(self.role)
        if level and (self.region is None or self.region.level != level):
            errors["region"] = _("This role needs a region at level %(level)s.") % {
                "level": Region.Level(level).label
            }
        if self.role == Role.OPD:
            if not self.agency_id:
                errors["agency"] = _("An OPD programme officer must belong to an agency (OPD).")
            elif self.region_id and self.agency.region_id != self.region_id:
                errors["agency"] = _("The agency must belong to the officer's region.")
        elif self.agency_id:
            errors["agency"] = _("Only OPD programme officers belong to an agency; leave this empty.")
        if self.posyandu_id and self.role != Role.CADRE:
            errors.setdefault("posyandu", _("Only cadres are scoped by posyandu; leave this empty."))
        if self.puskesmas_id and self.role != Role.PUSKESMAS:
            errors.setdefault("puskesmas", _("Only puskesmas officers are scoped by puskesmas; leave this empty."))
        if self.region_id and not level:
            errors.setdefault("region", _("This role is not scoped by region; leave this empty."))
        if errors:
            raise ValidationError(errors)

    @property
    def scope_label(self) -> str:
        """Human description of what this user may see, for the account page and the admin."""
        if not self.is_active:
            return str(_("nothing (account inactive)"))
        if self.is_superuser or self.role == Role.ADMIN:
            return str(_("everything (administrator)"))
        if self.role == Role.CADRE and self.posyandu_id:
            return str(_("children of posyandu %(name)s") % {"name": self.posyandu})
        if self.role == Role.PUSKESMAS and self.puskesmas_id:
            return str(_("the service area of puskesmas %(name)s") % {"name": self.puskesmas})
        if self.role == Role.OPD and self.agency_id and self.region_id:
            return str(_("the catalogue items of %(agency)s in %(region)s")
                       % {"agency": self.agency, "region": self.region})
        if ROLE_REGION_LEVEL.get(self.role) and self.region_id:
            return str(self.region)
        return str(_("nothing (no role or scope assigned)"))
