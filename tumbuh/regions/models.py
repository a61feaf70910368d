"""Kemendagri administrative regions, puskesmas and posyandu.

Region codes are hierarchical by prefix (`64.74` kota Bontang, `64.74.01` kecamatan Bontang Utara,
`64.74.01.1001` kelurahan Bontang Kuala), so the code is the primary key and "everything inside a
region" is a prefix match on any column that stores a region code: no joins, one index.
"""

from django.db import connection, models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    class Level(models.TextChoices):
        PROVINSI = "provinsi", _("Province")
        KABUPATEN = "kabupaten", _("Regency/City")
        KECAMATAN = "kecamatan", _("District")
        DESA = "desa", _("Village")

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=120)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def level_of(code: str) -> str:
        return {1: "provinsi", 2: "kabupaten", 3: "kecamatan", 4: "desa"}[code.count(".") + 1]

    def contains(self, code: str | None) -> bool:
        return bool(code) and (code == self.code or code.startswith(self.code + "."))

    def ancestors(self) -> list["Region"]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


def within(field: str, region_code: str) -> models.Q:
    """Q for rows whose region-code column `field` lies inside `region_code` (or equals it).

    `field` may be a code column ("code", "region_code") or a foreign key to Region given by its
    column ("desa_id", "child__desa_id") or its path ("desa__code")."""
    inside = region_code + "."
    if connection.vendor == "sqlite":
        # SQLite compares bytes, so a range is exact ('/' sorts right after '.') and, unlike its
        # case-insensitive LIKE, can use an index such as (desa, measured_on).
        return models.Q(**{field: region_code}) | models.Q(**{f"{field}__gte": inside, f"{field}__lt": region_code + "/"})
    # Other databases may collate with punctuation ignored (glibc en_US: '64.74.01.1001' sorts
    # after '64.74/'), so only a prefix match is exact; on PostgreSQL Django's varchar_pattern_ops
    # index serves it. Django offers no startswith on a foreign key; through the target's key it
    # does, and trims the join, so this is still a LIKE on the local column.
    prefix_field = field.removesuffix("_id") + "__pk" if field.endswith("_id") else field
    return models.Q(**{field: region_code}) | models.Q(**{f"{prefix_field}__startswith": inside})


class Puskesmas(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kecamatan = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="puskesmas",
        limit_choices_to={"level": Region.Level.KECAMATAN},
    )
    # The desa/kelurahan this puskesmas serves; a kecamatan may have several puskesmas.
    service_area = models.ManyToManyField(
        Region, related_name="serving_puskesmas", blank=True,
        limit_choices_to={"level": Region.Level.DESA},
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("puskesmas")
        verbose_name_plural = _("puskesmas")

    def __str__(self) -> str:
        return self.name


class Posyandu(models.Model):
    name = models.CharField(_("name"), max_length=120)
    desa = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="posyandu",
        limit_choices_to={"level": Region.Level.DESA},
    )
    puskesmas = models.ForeignKey(
        Puskesmas, null=True, blank=True, on_delete=models.PROTECT, related_name="posyandu"
    )
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["desa_id", "name"]
        verbose_name = _("posyandu")
        verbose_name_plural = _("posyandu")
        constraints = [models.UniqueConstraint(fields=["desa", "name"], name="posyandu_unique_name_in_desa")]

    def __str__(self) -> str:
        return self.name
