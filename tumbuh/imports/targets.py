"""Declarations writing the target-group registers (issue 9 item 9), each through
`tumbuh.targets.services` (its checks and its Indonesian messages, its derived verdicts, its
audit), one service call per row inside the import's one transaction:

- `krs`   a BKKBN by-name KRS list (verval KRS export): one row per family (No KK) and semester;
- `catin` an Elsimil screening export: one row per screening of a bride/groom-to-be;
- `bumil` a pregnancy register (kohort ibu): one row per pregnancy, with ANC dates K1..K6.

People are matched with the framework's PersonIndex (NIK, else name + birth date); someone the
file names but Tumbuh does not know is registered in the row's desa (registry service), and put
on the review list when a person born the same day has a close name. Households by No KK in the
region; an unknown KK is registered. Re-importing a file changes nothing (`unchanged`).
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tumbuh.regions.models import Region, within

from .framework import ColumnSet, Declaration, Entry, RowImporter, register
from .matching import normalise_place
from .models import ImportRow
from .parsing import BadValue, _checked_nik, parse_date, parse_number
from .places import PlaceResolver

PERSON_ALIASES = {
    "nik": ["NIK", "No NIK", "Nomor NIK", "NIK Ibu", "NIK Catin"],
    "name": ["Nama", "Nama Lengkap", "Nama Ibu", "Nama Catin", "Nama Ibu Hamil"],
    "birth_date": ["Tgl Lahir", "Tanggal Lahir", "Tgl. Lahir"],
    "sex": ["JK", "Jenis Kelamin", "L/P"],
    "kecamatan": ["Kec", "Kecamatan"],
    "desa": ["Desa/Kel", "Desa/Kelurahan", "Desa", "Kelurahan", "Kel/Desa"],
    "address": ["Alamat"],
}
SEX = {"l": "M", "lk": "M", "laki-laki": "M", "laki laki": "M", "pria": "M", "m": "M",
       "p": "F", "pr": "F", "perempuan": "F", "wanita": "F", "f": "F"}
YES = {"ya", "y", "1", "true", "benar", "ada", "iya", "v", "√"}
NO = {"tidak", "t", "0", "false", "tdk", "bukan", "n", "no", "belum"}


def yes_no(text: str) -> bool | None:
    t = text.strip().lower()
    if not t:
        return None
    if t in YES:
        return True
    if t in NO:
        return False
    raise BadValue(_("'%(value)s' is not Ya or Tidak") % {"value": text})


class TargetImporter(RowImporter):
    """Shared steps: the person's columns, the desa, matching or registering the person."""

    female_only = False

    def begin(self, header, mapping):
        super().begin(header, mapping)
        self.next_temp = -1
        self.pending: dict[int, dict] = {}
        self.temp_to_id: dict[int, int] = {}
        self.created_now: list[tuple[int, int]] = []
        self.places = PlaceResolver(self.user, self.region)
        self.single_desa = self.region.code if self.region.level == Region.Level.DESA else None

    def number(self, e: Entry, cells, name: str):
        text = cells[name]
        if not text:
            return None
        try:
            value = parse_number(text)
        except BadValue as exc:
            e.reject(f"{cells.column(name)}: {exc}")
            return None
        if value is not None and value <= 0:
            e.notes.append(_("%(col)s %(value)s is not a measurement; left empty") % {"col": cells.column(name),
                                                                                       "value": text})
            return None
        return value

    def date(self, e: Entry, cells, name: str, *, required=False):
        try:
            value = parse_date(cells[name])
        except BadValue as exc:
            e.reject(f"{cells.column(name)}: {exc}")
            return None
        if value is None and required:
            e.reject(_("%(col)s is empty") % {"col": cells.column(name, name)})
        return value

    def parse_person(self, e: Entry, cells) -> None:
        v = e.values
        v["name"] = cells["name"]
        if not v["name"]:
            e.reject(_("%(col)s is empty") % {"col": cells.column("name", "Nama")})
        elif len(v["name"]) > 120:
            e.reject(_("%(col)s is longer than 120 characters (nothing was cut)") % {"col": cells.column("name")})
        v["birth_date"] = self.date(e, cells, "birth_date", required=True)
        nik = ""
        text = cells["nik"]
        if text and text.strip("-0 "):
            nik, error = _checked_nik(text)
            if error:
                e.notes.append(_("NIK not used: %(error)s") % {"error": error})
        v["nik"] = nik
        sex = SEX.get(cells["sex"].lower()) if cells["sex"] else None
        if self.female_only:
            if sex == "M":
                e.reject(_("%(col)s says male; this register is for women") % {"col": cells.column("sex")})
            sex = "F"
        elif sex is None:
            e.reject(_("%(col)s '%(value)s' is not L or P") % {"col": cells.column("sex", "JK"), "value": cells["sex"]})
        v["sex"] = sex
        v["kecamatan"], v["desa"], v["address"] = cells["kecamatan"], cells["desa"], cells["address"][:255]
        v["parent_name"] = ""

    def resolve_desa(self, e: Entry) -> str | None:
        v = e.values
        if v.get("desa"):
            code = self.places.desa(v.get("kecamatan", ""), v["desa"])
            if code is None:
                e.reject(_("Desa/Kel '%(desa)s' (Kec '%(kec)s') is not a desa/kelurahan of %(region)s")
                         % {"desa": v["desa"], "kec": v.get("kecamatan", ""),
                            "region": f"{self.region.name} ({self.region.code})"})
            return code
        if self.single_desa:
            return self.single_desa
        e.reject(_("Desa/Kel is empty (the file is for %(region)s, which has several)") % {"region": self.region.name})
        return None

    def create_person(self, e: Entry) -> int | None:
        """Someone Tumbuh does not know: a temporary id now; registered in write() together with
        the row's record (one savepoint), so a row the service refuses registers no one."""
        desa = self.resolve_desa(e)
        if desa is None:
            return None
        v = e.values
        temp = self.next_temp
        self.next_temp -= 1
        self.pending[temp] = {"nik": v["nik"], "name": v["name"], "sex": v["sex"], "birth_date": v["birth_date"],
                              "desa_id": desa}
        self.people.add(temp, v["nik"], v["name"], v["birth_date"], "", (v["name"], v["birth_date"], desa, None, None,
                                                                        v["sex"]))
        return temp

    def real_person(self, e: Entry):
        """The row's Person, registering it now if the file introduced it (call inside the
        row's savepoint)."""
        from tumbuh.registry import services as registry

        if e.person > 0:
            return self.person(e.person)
        if e.person in self.temp_to_id:
            real = self.temp_to_id[e.person]
        else:
            try:
                real = registry.create_person(self.user, dict(self.pending[e.person])).pk
            except Exception as exc:  # noqa: BLE001  (the registry's validation, in Indonesian)
                raise RowRefused(_("could not register the person: %(error)s") % {"error": _message(exc)}) from exc
            self.created_now.append((e.person, real))
        e.extra["temp"] = e.person
        return self.person(real)

    def settle(self, e: Entry, ok: bool) -> None:
        """After the row's savepoint: a person registered for it counts (and is reviewed)."""
        temp = e.extra.get("temp")
        if temp is None:
            return
        if ok:
            for t, real in self.created_now:
                self.temp_to_id[t] = real
                self.batch.people_created += 1
            e.person = self.temp_to_id[temp]
            if e.review is not None:
                e.review = (e.person, self.real(e.review[1]), e.review[2])
        self.created_now = []

    def real(self, pk: int) -> int | None:
        return self.temp_to_id.get(pk) if pk < 0 else pk

    def resolve(self, entries):
        self.match_person(entries, create=self.create_person)

    def person(self, pk: int):
        from tumbuh.registry.models import Person

        return Person.objects.select_related("household").get(pk=pk)


class RowRefused(Exception):
    pass


def _message(exc) -> str:
    problems = getattr(exc, "problems", None)
    if problems:
        return "; ".join(str(p) for p in problems)
    messages = getattr(exc, "messages", None)
    if messages:
        return "; ".join(str(m) for m in messages)
    return str(exc)


def _voided(e, old) -> bool:
    """A record a user voided in Tumbuh is not brought back by an import: the row is rejected with
    the reason, so nothing is lost silently and the user's decision stands."""
    if old.voided_at is None:
        return False
    e.reject(_("this record was voided in Tumbuh on %(date)s (%(reason)s); it is not imported again")
             % {"date": timezone.localtime(old.voided_at).strftime("%d/%m/%Y"), "reason": old.void_reason})
    return True


def _compare(old, new: dict, fields) -> dict:
    """The fields whose recorded value differs from the file's (floats to 0.01)."""
    out = {}
    for name in fields:
        a, b = getattr(old, name), new.get(name)
        if isinstance(a, float) or isinstance(b, float):
            same = a is not None and b is not None and abs(a - b) < 0.01 or (a is None and b is None)
        else:
            same = (a or None) == (b or None)
        if not same:
            out[name] = a.isoformat() if isinstance(a, dt.date) else a
    return out


# --- catin (Elsimil) -------------------------------------------------------------------------------

CATIN_ALIASES = {
    **PERSON_ALIASES,
    "screened_on": ["Tanggal Skrining", "Tgl Skrining", "Tanggal Pemeriksaan", "Tgl Pemeriksaan", "Tanggal Input",
                    "Tanggal Pendampingan"],
    "planned_marriage_on": ["Rencana Tanggal Menikah", "Tanggal Rencana Menikah", "Rencana Pernikahan",
                            "Tgl Rencana Nikah", "Tanggal Rencana Pernikahan"],
    "kua": ["KUA", "Nama KUA"],
    "partner_name": ["Nama Pasangan", "Nama Calon Pasangan", "Pasangan"],
    "weight_kg": ["BB", "Berat Badan", "BB (kg)", "Berat"],
    "height_cm": ["TB", "Tinggi Badan", "TB (cm)", "Tinggi"],
    "lila_cm": ["LiLA", "LILA (cm)", "Lingkar Lengan Atas"],
    "hb_gdl": ["Hb", "Kadar Hb", "Hb (g/dL)", "Hemoglobin"],
    "waist_cm": ["Lingkar Perut", "LP", "Lingkar Pinggang"],
    "smoking": ["Merokok", "Perokok", "Status Merokok"],
}
CATIN_COLUMNS = ColumnSet(CATIN_ALIASES, ("name", "birth_date", "screened_on"), min_recognised=4)
CATIN_VALUES = ("planned_marriage_on", "kua", "partner_name", "weight_kg", "height_cm", "lila_cm", "hb_gdl",
                "waist_cm", "smoking")


class CatinImporter(TargetImporter):
    def parse(self, e, cells):
        self.parse_person(e, cells)
        v = e.values
        v["screened_on"] = self.date(e, cells, "screened_on", required=True)
        v["planned_marriage_on"] = self.date(e, cells, "planned_marriage_on")
        v["kua"], v["partner_name"] = cells["kua"][:120], cells["partner_name"][:120]
        for name in ("weight_kg", "height_cm", "lila_cm", "hb_gdl", "waist_cm"):
            v[name] = self.number(e, cells, name)
        try:
            v["smoking"] = bool(yes_no(cells["smoking"]))
        except BadValue as exc:
            e.reject(f"{cells.column('smoking')}: {exc}")

    def decide(self, entries):
        from tumbuh.targets.models import CatinScreening

        keys = {(e.person, e.values["screened_on"]) for e in entries}
        existing = {(s.person_id, s.screened_on): s for s in CatinScreening.all_objects.filter(
            person_id__in={p for p, _d in keys}, screened_on__in={d for _p, d in keys})}
        for e in entries:
            e.key = ("catin", e.person, e.values["screened_on"])
            old = existing.get((e.person, e.values["screened_on"]))
            if old is None:
                e.outcome = ImportRow.Outcome.IMPORTED
                continue
            e.object_id = old.pk
            if _voided(e, old):
                continue
            differs = _compare(old, e.values, CATIN_VALUES)
            if differs:
                e.reject(_("a screening of this person on %(date)s is already recorded with other values (%(fields)s); "
                           "correct it in Tumbuh or in the file") % {"date": e.values["screened_on"].strftime("%d/%m/%Y"),
                                                                     "fields": ", ".join(sorted(differs))})
            else:
                e.outcome = ImportRow.Outcome.UNCHANGED

    def comparable(self, e):
        return tuple(str(e.values.get(k)) for k in CATIN_VALUES)

    def write(self, entries):
        from django.core.exceptions import PermissionDenied
        from django.db import transaction

        from tumbuh.targets import services

        for e in entries:
            data = {k: e.values[k] for k in ("screened_on", *CATIN_VALUES)}
            try:
                with transaction.atomic():
                    e.object_id = services.screen_catin(self.user, self.real_person(e), data).pk
            except (services.InputError, RowRefused) as exc:
                e.reject(_message(exc))
            except PermissionDenied:
                e.reject(_("this person is outside your area"))
            self.settle(e, not e.reasons)


# --- bumil (kohort ibu) -----------------------------------------------------------------------------

BUMIL_ALIASES = {
    **PERSON_ALIASES,
    "hpht": ["HPHT", "Tgl HPHT", "Tanggal HPHT", "Hari Pertama Haid Terakhir"],
    "gravida": ["Gravida", "G", "Kehamilan Ke"],
    "para": ["Para", "P"],
    "abortus": ["Abortus", "A"],
    "last_birth_on": ["Tgl Persalinan Terakhir", "Tanggal Persalinan Terakhir", "Tgl Lahir Anak Terakhir"],
    "height_cm": ["TB", "Tinggi Badan", "TB (cm)"],
    "weight_before_kg": ["BB", "Berat Badan", "BB (kg)", "BB Sebelum Hamil", "BB TM1"],
    "lila_cm": ["LiLA", "LILA (cm)", "Lingkar Lengan Atas"],
    "hb_gdl": ["Hb", "Kadar Hb", "Hb (g/dL)"],
    **{f"k{i}": [f"K{i}", f"Tgl K{i}", f"Tanggal K{i}", f"Kunjungan K{i}"] for i in range(1, 7)},
}
BUMIL_COLUMNS = ColumnSet(BUMIL_ALIASES, ("name", "birth_date", "hpht"), min_recognised=4)
BUMIL_VALUES = ("gravida", "para", "abortus", "last_birth_on", "height_cm", "weight_before_kg", "lila_cm", "hb_gdl")


class BumilImporter(TargetImporter):
    female_only = True

    def parse(self, e, cells):
        self.parse_person(e, cells)
        v = e.values
        v["hpht"] = self.date(e, cells, "hpht", required=True)
        v["last_birth_on"] = self.date(e, cells, "last_birth_on")
        for name, default in (("gravida", 1), ("para", 0), ("abortus", 0)):
            text = cells[name]
            v[name] = default
            if text:
                try:
                    v[name] = int(parse_number(text))
                except (BadValue, TypeError):
                    e.reject(_("%(col)s '%(value)s' is not a number") % {"col": cells.column(name), "value": text})
        for name in ("height_cm", "weight_before_kg", "lila_cm", "hb_gdl"):
            v[name] = self.number(e, cells, name)
        v["visits"] = sorted({d for d in (self.date(e, cells, f"k{i}") for i in range(1, 7)) if d is not None})

    def decide(self, entries):
        from tumbuh.targets.models import Pregnancy

        existing = {(p.person_id, p.hpht): p for p in Pregnancy.all_objects.filter(
            person_id__in={e.person for e in entries}).prefetch_related("visits")}
        for e in entries:
            e.key = ("bumil", e.person, e.values["hpht"])
            old = existing.get((e.person, e.values["hpht"]))
            if old is None:
                e.outcome = ImportRow.Outcome.IMPORTED
                continue
            e.object_id = old.pk
            if _voided(e, old):
                continue
            differs = _compare(old, e.values, BUMIL_VALUES)
            if differs:
                e.reject(_("a pregnancy of this woman with HPHT %(date)s is already recorded with other values "
                           "(%(fields)s); correct it in Tumbuh or in the file")
                         % {"date": e.values["hpht"].strftime("%d/%m/%Y"), "fields": ", ".join(sorted(differs))})
                continue
            recorded = {v.visited_on for v in old.visits.all()}
            new = [d for d in e.values["visits"] if d not in recorded]
            e.extra["pregnancy"], e.extra["new_visits"] = old, new
            if new:
                e.outcome = ImportRow.Outcome.MERGED
                e.previous = {"visits": [d.isoformat() for d in sorted(recorded)]}
            else:
                e.outcome = ImportRow.Outcome.UNCHANGED

    def comparable(self, e):
        return (*(str(e.values.get(k)) for k in BUMIL_VALUES), tuple(e.values["visits"]))

    def write(self, entries):
        from django.core.exceptions import PermissionDenied
        from django.db import transaction

        from tumbuh.targets import services

        for e in entries:
            try:
                with transaction.atomic():  # a refused visit takes its pregnancy back with it
                    pregnancy = e.extra.get("pregnancy")
                    if pregnancy is None:
                        data = {k: e.values[k] for k in ("hpht", *BUMIL_VALUES)}
                        pregnancy = services.register_pregnancy(self.user, self.real_person(e), data)
                        visits = e.values["visits"]
                    else:
                        visits = e.extra["new_visits"]
                    for day in visits:
                        services.add_anc_visit(self.user, pregnancy, {"visited_on": day})
                    e.object_id = pregnancy.pk
            except (services.InputError, RowRefused) as exc:
                e.reject(_message(exc))
            except PermissionDenied:
                e.reject(_("this person is outside your area"))
            self.settle(e, not e.reasons)


# --- KRS (BKKBN verval KRS) -------------------------------------------------------------------------

KRS_ALIASES = {
    "kk": ["No KK", "Nomor KK", "No. KK", "KK", "No Kartu Keluarga"],
    "head_name": ["Nama Kepala Keluarga", "Nama KK", "Kepala Keluarga", "Nama"],
    "kecamatan": ["Kec", "Kecamatan"],
    "desa": ["Desa/Kel", "Desa/Kelurahan", "Desa", "Kelurahan"],
    "address": ["Alamat"],
    "rt": ["RT"],
    "rw": ["RW"],
    "period": ["Periode", "Semester", "Periode Pendataan"],
    "surveyed_on": ["Tanggal Pendataan", "Tgl Pendataan", "Tanggal Verval", "Tgl Verval"],
    "water_source": ["Sumber Air Minum", "Sumber Air Minum Utama", "Air Minum"],
    "latrine": ["Jamban", "Fasilitas BAB", "Kepemilikan Jamban", "Jamban Sehat"],
    "house_livable": ["Rumah Layak Huni", "Rumah Layak", "RLH"],
    "welfare": ["Tahapan KS", "Tahapan Keluarga Sejahtera", "Kesejahteraan", "Tingkat Kesejahteraan"],
    "couple": ["PUS", "Pasangan Usia Subur", "Ada Pasangan"],
    "modern_contraception": ["KB Modern", "Peserta KB Modern", "Ber-KB Modern", "Kesertaan KB Modern"],
}
KRS_COLUMNS = ColumnSet(KRS_ALIASES, ("kk",), min_recognised=4)
WATER = [("kemasan", "kemasan"), ("isi ulang", "isi_ulang"), ("isi_ulang", "isi_ulang"), ("ledeng", "pam"),
         ("pdam", "pam"), ("pam", "pam"), ("perpipaan", "pam"), ("sumur bor", "sumur_bor"), ("pompa", "sumur_bor"),
         ("tak terlindung", "sumur_tak_terlindungi"), ("tidak terlindung", "sumur_tak_terlindungi"),
         ("terlindung", "sumur_terlindungi"), ("mata air", "mata_air"), ("sungai", "sungai"), ("danau", "sungai"),
         ("hujan", "hujan"), ("lainnya", "lainnya"), ("lain", "lainnya")]
LATRINE = [("tanpa septi", "own_no_septic"), ("tidak ada septi", "own_no_septic"), ("septi", "own_septic"),
           ("bersama", "shared"), ("umum", "shared"), ("mck", "shared"), ("tidak ada", "none"), ("tidak punya", "none"),
           ("babs", "none"), ("tidak memiliki", "none"), ("sendiri", "own_septic"), ("layak", "own_septic")]
WELFARE = [("pra", "pra_s"), ("iii plus", "ks3plus"), ("3 plus", "ks3plus"), ("iii", "ks3"), ("3", "ks3"),
           ("ii", "ks2"), ("2", "ks2"), ("i", "ks1"), ("1", "ks1")]
KRS_VALUES = ("water_source", "latrine", "house_livable", "welfare", "couple", "modern_contraception")
_PERIOD = [re.compile(r"^(\d{4})\s*-?\s*s(?:emester)?\s*([12])$"), re.compile(r"^s(?:emester)?\s*([12])\s*-?\s*(\d{4})$")]


def choose(text: str, table) -> str | None:
    t = normalise_place(text)
    for needle, value in table:
        if re.search(rf"\b{re.escape(needle)}", t):
            return value
    return None


def parse_period(text: str) -> str | None:
    t = " ".join(text.lower().replace("_", " ").split())
    for i, pattern in enumerate(_PERIOD):
        if m := pattern.match(t):
            year, half = (m[1], m[2]) if i == 0 else (m[2], m[1])
            return f"{year}-S{half}"
    return None


class KrsImporter(TargetImporter):
    needs_people = False

    def begin(self, header, mapping):
        from tumbuh.registry.selectors import households_for

        super().begin(header, mapping)
        self.households = {kk: pk for pk, kk in households_for(self.user).filter(
            within("desa_id", self.region.code)).exclude(kk_number="").values_list("pk", "kk_number")}

    def parse(self, e, cells):
        from tumbuh.targets.rules import semester_of

        v = e.values
        kk = cells["kk"].replace(" ", "").lstrip("'")
        if not kk:
            e.reject(_("%(col)s is empty") % {"col": cells.column("kk", "No KK")})
        elif not (kk.isascii() and kk.isdigit() and len(kk) == 16):
            e.reject(_("%(col)s '%(value)s' is not a 16-digit KK number") % {"col": cells.column("kk"), "value": kk})
        v["kk"] = kk
        v["head_name"] = cells["head_name"][:120]
        v["kecamatan"], v["desa"], v["address"] = cells["kecamatan"], cells["desa"], cells["address"][:255]
        v["rt"], v["rw"] = cells["rt"][:3], cells["rw"][:3]
        period = parse_period(cells["period"]) if cells["period"] else None
        if cells["period"] and period is None:
            e.reject(_("%(col)s '%(value)s' is not a semester (2026-S1, Semester 2 2026)")
                     % {"col": cells.column("period"), "value": cells["period"]})
        if period is None and not e.reasons:
            day = self.date(e, cells, "surveyed_on")
            period = semester_of(day) if day else None
            if period is None and not e.reasons:
                e.reject(_("no semester: give Periode (2026-S1) or Tanggal Pendataan"))
        v["period"] = period
        for name, table, label in (("water_source", WATER, _("a drinking-water source")),
                                   ("latrine", LATRINE, _("a kind of latrine")),
                                   ("welfare", WELFARE, _("a welfare stage (Pra S, KS I, KS II, KS III, KS III Plus)"))):
            text = cells[name]
            value = choose(text, table) if text else ""
            if value is None:
                e.reject(_("%(col)s '%(value)s' is not %(what)s Tumbuh knows") % {
                    "col": cells.column(name), "value": text, "what": label})
            v[name] = value or ""
        for name in ("house_livable", "couple", "modern_contraception"):
            try:
                v[name] = yes_no(cells[name])
            except BadValue as exc:
                e.reject(f"{cells.column(name)}: {exc}")
        if v.get("couple") is None:
            v["couple"] = True  # the register's default: a married couple in the household

    def resolve(self, entries):
        from tumbuh.registry import services as registry
        from tumbuh.registry.models import Household

        unknown = {e.values["kk"] for e in entries if e.values["kk"] not in self.households}
        elsewhere = set(Household.objects.filter(kk_number__in=sorted(unknown)).values_list("kk_number", flat=True))
        for e in entries:
            kk = e.values["kk"]
            if kk in self.households:
                e.extra["household"] = self.households[kk]
                continue
            if kk in elsewhere:
                e.reject(_("KK %(kk)s belongs to a household outside %(region)s")
                         % {"kk": kk, "region": f"{self.region.name} ({self.region.code})"})
                continue
            desa = self.resolve_desa(e)
            if desa is None:
                continue
            try:
                household = registry.create_household(self.user, {
                    "kk_number": kk, "head_name": e.values["head_name"], "address": e.values["address"],
                    "rt": e.values["rt"], "rw": e.values["rw"], "desa_id": desa})
            except Exception as exc:  # noqa: BLE001
                e.reject(_("could not register the household: %(error)s") % {"error": _message(exc)})
                continue
            self.households[kk] = household.pk
            e.extra["household"] = household.pk
            e.notes.append(_("household KK %(kk)s registered (not in Tumbuh before)") % {"kk": kk})

    def decide(self, entries):
        from tumbuh.targets.models import KrsSnapshot

        existing = {(s.household_id, s.period): s for s in KrsSnapshot.all_objects.filter(
            household_id__in={e.extra["household"] for e in entries})}
        for e in entries:
            e.key = ("krs", e.extra["household"], e.values["period"])
            old = existing.get((e.extra["household"], e.values["period"]))
            if old is None:
                e.outcome = ImportRow.Outcome.IMPORTED
                continue
            e.object_id = old.pk
            if _voided(e, old):
                continue
            differs = _compare(old, e.values, KRS_VALUES)
            if differs:
                e.outcome, e.previous = ImportRow.Outcome.MERGED, differs
            else:
                e.outcome = ImportRow.Outcome.UNCHANGED

    def comparable(self, e):
        return tuple(str(e.values.get(k)) for k in KRS_VALUES)

    def write(self, entries):
        from django.core.exceptions import PermissionDenied

        from tumbuh.registry.models import Household
        from tumbuh.targets import services

        households = Household.objects.in_bulk([e.extra["household"] for e in entries])
        for e in entries:
            criteria = {k: e.values[k] for k in KRS_VALUES}
            try:
                snap = services.save_krs(self.user, households[e.extra["household"]], e.values["period"], criteria)
            except services.InputError as exc:
                e.reject(_message(exc))
            except PermissionDenied:
                e.reject(_("this household is outside your area"))
            else:
                e.object_id = snap.pk


CATIN = register(Declaration(
    source="catin", label=gettext_lazy("Catin screening (Elsimil)"), columns=CATIN_COLUMNS, importer=CatinImporter,
    description=gettext_lazy("Elsimil screening export of brides and grooms-to-be"),
))
BUMIL = register(Declaration(
    source="bumil", label=gettext_lazy("Pregnancy register (kohort ibu)"), columns=BUMIL_COLUMNS,
    importer=BumilImporter, description=gettext_lazy("Pregnant women with HPHT and ANC visits K1-K6"),
))
KRS = register(Declaration(
    source="krs", label=gettext_lazy("KRS families (BKKBN verval)"), columns=KRS_COLUMNS, importer=KrsImporter,
    description=gettext_lazy("BKKBN by-name list of families at risk of stunting, one row per KK and semester"),
))
