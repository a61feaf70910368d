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
    ADMIN = "admin", _("Administrator")


# The region level each role's scope is anchored at.
ROLE_REGION_LEVEL = {
    Role.DESA: Region.Level.DESA,
    Role.KECAMATAN: Region.Level.KECAMATAN,
    Role.KABUPATEN: Region.Level.KABUPATEN,
    Role.PROVINSI: Region.Level.PROVINSI,
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

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        if self.role == Role.CADRE and not self.posyandu_id:
            raise ValidationError({"posyandu": _("A cadre must belong to a posyandu.")})
        if self.role == Role.PUSKESMAS and not self.puskesmas_id:
            raise ValidationError({"puskesmas": _("A puskesmas officer must belong to a puskesmas.")})
        level = ROLE_REGION_LEVEL.get(self.role)
        if level and (self.region is None or self.region.level != level):
            raise ValidationError({"region": _("This role needs a region at level %(level)s.") % {"level": level}})
