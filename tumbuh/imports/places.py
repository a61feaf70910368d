"""Region, puskesmas and posyandu names in a file -> codes and ids, inside the import's region."""

from __future__ import annotations

from collections import Counter

from tumbuh.regions.models import Posyandu, Puskesmas, Region, within
from tumbuh.regions.selectors import regions_for

from .matching import normalise_place


def kecamatan_of(desa_code: str) -> str:
    return desa_code.rsplit(".", 1)[0]


class PlaceResolver:
    def __init__(self, user, region: Region):
        self.region = region
        self.by_kec_desa: dict[tuple[str, str], str] = {}
        self.by_desa: dict[str, list[str]] = {}
        rows = list(
            regions_for(user).filter(within("code", region.code)).values_list("code", "name", "level")
        )
        kec_names = {code: normalise_place(name) for code, name, level in rows if level == Region.Level.KECAMATAN}
        if region.level == Region.Level.DESA and region.parent_id:
            kec_names[region.parent_id] = normalise_place(region.parent.name)
        for code, name, level in rows:
            if level != Region.Level.DESA:
                continue
            desa_n = normalise_place(name)
            self.by_kec_desa[(kec_names.get(kecamatan_of(code), ""), desa_n)] = code
            self.by_desa.setdefault(desa_n, []).append(code)
        self._cache: dict[tuple[str, str], str | None] = {}
        self.unknown_desa: Counter[str] = Counter()

        # Every posyandu of the region, not only those in the user's own scope: a posyandu's name
        # and desa are not personal data, and a posyandu missed here would be created again and
        # break the (desa, name) constraint.
        self.posyandu: dict[tuple[str, str], int] = {
            (desa_id, normalise_place(name)): pk
            for pk, desa_id, name in Posyandu.objects.filter(within("desa_id", region.code))
            .values_list("pk", "desa_id", "name")
        }
        kec_prefix = kecamatan_of(region.code) if region.level == Region.Level.DESA else region.code
        self.puskesmas: dict[tuple[str, str], int] = {
            (kec, normalise_place(name)): pk
            for pk, kec, name in Puskesmas.objects.filter(within("kecamatan_id", kec_prefix))
            .values_list("pk", "kecamatan_id", "name")
        }
        self.unknown_puskesmas: Counter[str] = Counter()
        self.created_posyandu: list[str] = []

    def desa(self, kecamatan: str, desa: str) -> str | None:
        key = (kecamatan, desa)
        if key not in self._cache:
            kec_n, desa_n = normalise_place(kecamatan), normalise_place(desa)
            code = self.by_kec_desa.get((kec_n, desa_n))
            if code is None and len(self.by_desa.get(desa_n, ())) == 1:
                code = self.by_desa[desa_n][0]  # kecamatan missing or spelled differently
            self._cache[key] = code
        code = self._cache[key]
        if code is None:
            self.unknown_desa[f"{kecamatan} / {desa}" if kecamatan else desa] += 1
        return code

    def posyandu_id(self, desa_code: str, name: str) -> int | None:
        return self.posyandu.get((desa_code, normalise_place(name))) if name else None

    def create_posyandu(self, wanted: dict[tuple[str, str], tuple[str, str]]) -> None:
        """Create the posyandu the file names but Tumbuh does not know yet (one query), so a
        file from a newly opened posyandu is not thrown away; listed on the report."""
        objects = []
        for (desa_code, _norm), (name, puskesmas_name) in wanted.items():
            kec = kecamatan_of(desa_code)
            puskesmas_id = None
            if puskesmas_name:
                puskesmas_id = self.puskesmas.get((kec, normalise_place(puskesmas_name)))
                if puskesmas_id is None:
                    self.unknown_puskesmas[puskesmas_name] += 1
            objects.append(Posyandu(name=name, desa_id=desa_code, puskesmas_id=puskesmas_id))
        Posyandu.objects.bulk_create(objects)
        for (desa_code, norm), obj in zip(wanted, objects, strict=True):
            if obj.pk is None:  # backends that return no ids
                obj = Posyandu.objects.get(desa_id=desa_code, name=obj.name)
            self.posyandu[(desa_code, norm)] = obj.pk
            self.created_posyandu.append(f"{obj.name} ({desa_code})")
