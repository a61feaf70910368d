"""Declaration: the delivery lists OPDs keep in Excel (issue 10 item 7).

`tumbuh import deliveries FILE --region CODE --user NAME`. One row = one intervention delivered
to a person (NIK, or name + birth date + parent's name) or, for a household item (water, latrine,
food aid), to a household (No KK). Written through the interventions context's bulk service
(`tumbuh.interventions.services.record_deliveries`: its checks of the item, the target group, the
date, the quantity, unit, source of funds and agency), one call per chunk, inside the import's
one transaction.

Idempotent by `Delivery.import_key`: a stable identity of the row (recipient + code + date), so
importing the file again changes nothing; a row with the same identity and different values
(quantity, unit, source of funds, OPD, notes) is **merged**: the old delivery is voided (it stays,
audited, with the reason naming the import) and the new one recorded; the old values are kept in
`ImportRow.previous`.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from functools import lru_cache

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tumbuh.regions.models import within

from .bulk import BackgroundCopy, allocate_ids, insert_rows
from .framework import (
    ColumnSet,
    Declaration,
    Entry,
    RowImporter,
    check_keys_per_statement,
    keys_deferred,
    register,
)
from .matching import normalise_name, normalise_place
from .models import ImportRow, MatchReview
from .parsing import BadValue, _checked_nik, parse_date


@lru_cache(maxsize=10_000)
def parse_quantity(text: str):
    from tumbuh.interventions.services import parse_quantity as parse

    return parse(text)

ALIASES = {
    "nik": ["NIK", "NIK Penerima", "No NIK", "Nomor NIK", "NIK Sasaran"],
    "name": ["Nama", "Nama Penerima", "Nama Sasaran", "Nama Lengkap", "Nama Anak"],
    "birth_date": ["Tgl Lahir", "Tanggal Lahir", "Tgl. Lahir"],
    "parent_name": ["Nama Ortu", "Nama Orang Tua", "Nama Orangtua", "Nama Ibu"],
    "kk": ["No KK", "Nomor KK", "No. KK", "KK", "No Kartu Keluarga", "Nomor Kartu Keluarga"],
    "code": ["Kode Intervensi", "Kode", "Intervensi", "Kode Kegiatan", "Jenis Intervensi"],
    "date": ["Tanggal", "Tgl", "Tanggal Pemberian", "Tanggal Penyaluran", "Tgl Pemberian", "Tanggal Terima"],
    "quantity": ["Jumlah", "Jml", "Qty", "Volume", "Banyaknya"],
    "unit": ["Satuan", "Sat"],
    "fund_source": ["Sumber Dana", "Sumber Anggaran", "Dana"],
    "agency": ["OPD", "Instansi", "Pelaksana", "Dinas", "Penyalur", "Mitra"],
    "notes": ["Keterangan", "Catatan", "Ket"],
}
COLUMNS = ColumnSet(ALIASES, ("code", "date", "quantity"), min_recognised=4)

# compared between a row and what is recorded under its import key
VALUE_FIELDS = ("quantity", "unit", "fund_source", "agency_id", "notes")


def import_key(person: int | None, household: int | None, code: str, day) -> str:
    """The row's stable identity: who received what on which day (not the file, not the row
    number: the same delivery in another file or another order is the same delivery)."""
    who = f"p{person}" if person else f"h{household}"
    return hashlib.sha1(f"delivery|{who}|{code}|{day.isoformat()}".encode()).hexdigest()


def review_key(values: dict, candidate: int, code: str, day) -> str:
    """A held row's identity: the recipient as the file names them (NIK, name, birth date,
    parent), the near match proposed, what and when. The same row in another file or a
    re-import is the same review."""
    born = values.get("birth_date")
    who = "|".join([values.get("nik") or "", normalise_name(values.get("name") or ""),
                    born.isoformat() if born else "", normalise_name(values.get("parent_name") or "")])
    return hashlib.sha1(f"delivery-review|{who}|c{candidate}|{code}|{day.isoformat()}".encode()).hexdigest()


def different_reason(candidate_name: str, review) -> str:
    return (_("reviewed by %(user)s: the recipient is not %(name)s; correct the name, birth date or NIK "
              "in the file, or register the person first")
            % {"user": review.decided_by.username if review.decided_by else "-", "name": candidate_name})


class DeliveryImporter(RowImporter):
    def begin(self, header, mapping):
        super().begin(header, mapping)
        self.copier = BackgroundCopy()
        from django.db.models import Q

        from tumbuh.coordination.models import Agency
        from tumbuh.interventions.selectors import catalogue_for
        from tumbuh.registry.selectors import households_for

        kab = ".".join(self.region.code.split(".")[:2])
        self.catalogue = catalogue_for(kab)
        self.agencies: dict[str, int] = {}
        # Agencies serving the file's region (placed at it, above it or inside it), by the file's
        # region rather than the user's scope: the OPD column names who delivered there.
        parts = self.region.code.split(".")
        above = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
        serving = Agency.objects.filter(Q(region_id__in=above) | within("region_id", self.region.code))
        for pk, code, name in serving.values_list("pk", "code", "name"):
            self.agencies.setdefault(normalise_place(code), pk)
            self.agencies.setdefault(normalise_place(name), pk)
        self.agency_objects = {a.pk: a for a in serving}
        from tumbuh.interventions import services as iv
        from tumbuh.interventions.models import Delivery

        self.ctx = iv.validation_context(self.user)
        # whether a delivery of this file may already be recorded (see _recorded)
        self.recorded_before = (Delivery.objects.filter(within("desa_id", self.region.code)).exclude(import_key="")
                                .exists())
        self.held_reviews: dict[str, MatchReview] = {}  # review key -> review filed by this import
        self.immediate = check_keys_per_statement(Delivery)
        self.changed: tuple[set, set, set] = (set(), set(), set())
        self.households: dict[str, tuple[int, str]] = {}
        self.household_facts: dict[int, object] = {}  # pk -> services.Recipient (pk, desa_id)
        for pk, kk, desa in (households_for(self.user).filter(within("desa_id", self.region.code))
                             .values_list("pk", "kk_number", "desa_id")):
            if kk:
                self.households[kk] = (pk, desa)
            self.household_facts[pk] = iv.Recipient(pk, desa_id=desa)

    # -- one row ---------------------------------------------------------------------------------
    def parse(self, e: Entry, cells) -> None:
        v = e.values
        code = cells["code"].upper().replace(" ", "-")
        if not code:
            e.reject(_("%(col)s is empty") % {"col": cells.column("code", "Kode Intervensi")})
        v["code"] = code
        try:
            day = parse_date(cells["date"])
        except BadValue as exc:
            e.reject(f"{cells.column('date')}: {exc}")
            day = None
        else:
            if day is None:
                e.reject(_("%(col)s is empty") % {"col": cells.column("date")})
            elif day > self.today:
                e.reject(_("%(col)s %(date)s is in the future") % {"col": cells.column("date"),
                                                                    "date": day.strftime("%d/%m/%Y")})
            elif day.year < 2000:
                e.reject(_("%(col)s %(date)s is not plausible") % {"col": cells.column("date"),
                                                                    "date": day.strftime("%d/%m/%Y")})
        v["date"] = day
        text = cells["quantity"]
        quantity = parse_quantity(text) if text else None
        if not text:
            e.reject(_("%(col)s is empty") % {"col": cells.column("quantity")})
        elif quantity is None:
            e.reject(_("%(col)s '%(value)s' is not a number") % {"col": cells.column("quantity"), "value": text})
        elif quantity <= 0:
            e.reject(_("%(col)s must be more than 0") % {"col": cells.column("quantity")})
        v["quantity"] = quantity
        v["unit"] = cells["unit"]
        v["fund_source"] = cells["fund_source"]
        v["agency"] = cells["agency"]
        v["notes"] = cells["notes"]
        nik_text = cells["nik"]
        v["nik"] = ""
        if nik_text and nik_text.strip("-0 "):
            nik, error = _checked_nik(nik_text)
            if error:
                e.notes.append(_("NIK not used: %(error)s") % {"error": error})
            v["nik"] = nik
        v["name"] = cells["name"]
        v["parent_name"] = cells["parent_name"]
        try:
            v["birth_date"] = parse_date(cells["birth_date"])
        except BadValue as exc:
            v["birth_date"] = None
            e.notes.append(_("%(col)s not used: %(error)s") % {"col": cells.column("birth_date"), "error": exc})
        kk = cells["kk"].replace(" ", "").lstrip("'")
        if kk and not (kk.isascii() and kk.isdigit() and len(kk) == 16):
            e.notes.append(_("%(col)s '%(value)s' is not a 16-digit KK number; not used")
                           % {"col": cells.column("kk"), "value": kk})
            kk = ""
        v["kk"] = kk
        if not (v["nik"] or v["name"] or kk) and not e.reasons:
            e.reject(_("no recipient: give the NIK, or the name and birth date, or the No KK"))

    # -- who and what ----------------------------------------------------------------------------
    def resolve(self, entries: list[Entry]) -> None:
        from tumbuh.registry.models import Household

        unknown_kk = {e.values["kk"] for e in entries if e.values["kk"] and e.values["kk"] not in self.households}
        kk_elsewhere = set(Household.objects.filter(kk_number__in=sorted(unknown_kk))
                           .values_list("kk_number", flat=True)) if unknown_kk else set()
        people = []
        for e in entries:
            v = e.values
            item = self.catalogue.get(v["code"])
            if item is None:
                e.reject(_("unknown intervention code %(code)s (see the catalogue for the codes)") % {"code": v["code"]})
                continue
            v["item"] = item
            if v["agency"]:
                agency = self.agencies.get(normalise_place(v["agency"]))
                if agency is None:
                    e.reject(_("OPD '%(name)s' is not an agency known in %(region)s")
                             % {"name": v["agency"], "region": self.region.name})
                    continue
                v["agency_id"] = agency
            else:
                v["agency_id"] = None
            if item.is_household_item:
                kk = v["kk"]
                if not kk:
                    e.reject(_("%(code)s is delivered to a household: give the No KK") % {"code": item.code})
                elif kk in self.households:
                    v["household"] = self.households[kk][0]
                elif kk in kk_elsewhere:
                    e.reject(_("KK %(kk)s belongs to a household outside %(region)s")
                             % {"kk": kk, "region": f"{self.region.name} ({self.region.code})"})
                else:
                    e.reject(_("KK %(kk)s is not registered in %(region)s; register the household first")
                             % {"kk": kk, "region": f"{self.region.name} ({self.region.code})"})
            else:
                people.append(e)
        self.match_person(people, hold=True)
        self._hold([e for e in people if e.outcome == ImportRow.Outcome.HELD])

    def _hold(self, entries: list[Entry]) -> None:
        """Rows whose recipient is only a near match: held for review, not lost. One review per
        row identity (`review_key`): a re-import finds it again. Pending: the row is held again
        (no second review); decided "same person": the row is about the candidate (and so
        unchanged once its delivery is recorded); decided "not this person": rejected."""
        if not entries:
            return
        for e in entries:
            v = e.values
            e.key = review_key(v, e.review[1], v["item"].code, v["date"])
        known = {r.row_key: r for r in MatchReview.objects.filter(row_key__in=sorted({e.key for e in entries}))
                 .select_related("decided_by").order_by("pk")}
        known.update(self.held_reviews)
        new = []
        for e in entries:
            _none, candidate, score = e.review
            review = known.get(e.key)
            if review is None:
                v = e.values
                review = MatchReview(batch_id=self.batch.pk, row_number=e.row_number, candidate_id=candidate,
                                     score=score, row_key=e.key, held={
                                         "code": v["item"].code, "date": v["date"].isoformat(),
                                         "quantity": str(v["quantity"]), "unit": v["unit"],
                                         "fund_source": v["fund_source"], "agency_id": v["agency_id"],
                                         "notes": v["notes"], "name": v["name"],
                                         "birth_date": v["birth_date"].isoformat() if v["birth_date"] else ""})
                known[e.key] = review
                new.append((e, review))
                continue
            if review.decision == MatchReview.Decision.PENDING:
                if review.pk is not None:
                    e.object_id = review.pk
                    if review.batch_id != self.batch.pk:
                        e.notes.append(_("already waiting for review (import %(batch)d, row %(row)d)")
                                       % {"batch": review.batch_id, "row": review.row_number})
                else:  # a repeat of a row held earlier in this chunk
                    new.append((e, review))
            elif review.decision == MatchReview.Decision.SAME:
                e.outcome, e.review, e.key = "", None, None
                e.person = candidate
                e.notes.append(_("recipient decided on review: %(name)s") % {"name": self._name(candidate)})
            else:
                e.outcome, e.review, e.key = "", None, None
                e.reject(different_reason(self._name(candidate), review))
        created = [r for r in {id(r): r for _e, r in new}.values() if r.pk is None]
        if created:
            if self.copier is not None:
                self.copier.wait()
            MatchReview.objects.bulk_create(created, batch_size=1000)
            self.batch.review_count += len(created)
        for e, review in new:
            e.object_id = review.pk
            self.held_reviews[e.key] = review
        for e in entries:
            if e.outcome == ImportRow.Outcome.HELD:
                e.key = None  # not a delivery's identity: kept out of the repeats

    def _name(self, pk: int) -> str:
        info = self.people.info.get(pk)
        return f"{info[0]} ({info[1]:%d/%m/%Y})" if info else str(pk)

    def decide(self, entries: list[Entry]) -> None:
        from tumbuh.interventions.services import parse_fund_source, parse_unit

        for e in entries:
            v = e.values
            unit = parse_unit(v["unit"], v["item"].unit)
            fund = parse_fund_source(v["fund_source"])
            v["unit_value"] = unit if unit is not None else v["unit"]
            v["fund_value"] = fund if fund is not None else v["fund_source"]
            e.key = import_key(e.person, v.get("household"), v["item"].code, v["date"])
        existing = self._recorded([e.key for e in entries])
        for e in entries:
            old = existing.get(e.key)
            if old is None:
                e.outcome = ImportRow.Outcome.IMPORTED
                continue
            e.object_id = old.pk
            before = {"quantity": old.quantity, "unit": old.unit, "fund_source": old.fund_source,
                      "agency_id": old.agency_id, "notes": old.notes}
            now = self._values(e, old)
            if all(_same(before[k], now[k]) for k in VALUE_FIELDS):
                e.outcome = ImportRow.Outcome.UNCHANGED
            else:
                e.outcome = ImportRow.Outcome.MERGED
                e.previous = {k: str(before[k]) if before[k] is not None else None for k in VALUE_FIELDS
                              if not _same(before[k], now[k])}
                e.extra["replaces"] = old

    def _recorded(self, keys: list[str]) -> dict:
        """Deliveries already recorded under these import keys (not voided), in the import's
        region: what `interventions.selectors.deliveries_by_import_key` answers, in 5,000-key
        queries without the per-person scope join (the keys are made from people and households
        already read through the user's scope).

        Only deliveries recorded before this import can match: a key repeated within the file
        is the framework's repeat (`_repeats`, the same outcome either way). So when the region
        had no imported delivery when the import began (a first import), nothing is read. The
        query asks for the keys alone, the region and voided_at checked here: with the region
        and voided_at in SQL, PostgreSQL chose the (desa, date, voided_at) index and read every
        delivery of the region once a chunk (its statistics do not yet count the rows this
        transaction added), 4 s for a 200k-row first import and growing with the file."""
        from tumbuh.interventions.models import Delivery

        if not self.recorded_before:
            return {}
        keys = sorted(set(keys))
        found = {}
        for start in range(0, len(keys), 5000):
            for d in (Delivery.objects.filter(import_key__in=keys[start:start + 5000]).order_by()
                      .only("pk", "import_key", "quantity", "unit", "fund_source", "agency_id", "notes",
                            "desa_id", "voided_at")):
                if d.voided_at is None and self.region.contains(d.desa_id):
                    found[d.import_key] = d
        return found

    @staticmethod
    def _values(e: Entry, old=None) -> dict:
        v = e.values
        agency = v["agency_id"]
        if agency is None and old is not None:
            agency = old.agency_id  # no OPD column: the default agency the service chose stays
        return {"quantity": v["quantity"], "unit": v["unit_value"], "fund_source": v["fund_value"],
                "agency_id": agency, "notes": v["notes"]}

    def comparable(self, e: Entry):
        v = e.values
        return (str(v["quantity"].normalize()), v["unit_value"], v["fund_value"], v["agency_id"], v["notes"])

    def write(self, entries: list[Entry]) -> None:
        """The context's checks (`interventions.services.validate_deliveries`: one validation for
        the entry screen, the API and this importer), then the deliveries go out with COPY
        (PostgreSQL; executemany on SQLite), in the background thread beside the next chunk's
        parsing, and the delivery totals plan progress reads are kept (`totals.apply_values`).
        The recipients are handed over as the columns the person index already holds
        (`services.Recipient`), not as model instances read again."""
        from tumbuh.interventions import services as iv
        from tumbuh.interventions import totals
        from tumbuh.interventions.models import Delivery, DeliverySource

        if not entries:
            return
        info = self.people.info
        households = self.household_facts
        user_id = self.user.pk
        rows = []
        for e in entries:
            v = e.values
            person = None
            if e.person:
                # (name, birth_date, desa, posyandu, household, sex), read once for the file
                name, born, desa, posyandu, hh, sex = info[e.person]
                person = iv.Recipient(e.person, name=name, birth_date=born, sex=sex, desa_id=desa,
                                      posyandu_id=posyandu, household_id=hh,
                                      household=households.get(hh) if hh else None)
                if hh and person.household is None:
                    person.household = self._household(hh)
            hh = v.get("household")
            rows.append({"item_code": v["item"].code, "person": person,
                         "household": households.get(hh) or self._household(hh) if hh else None,
                         "date": v["date"], "quantity": v["quantity"], "unit": v["unit"] or None,
                         "fund_source": v["fund_source"], "agency": self.agency_objects.get(v["agency_id"]),
                         "notes": v["notes"], "import_key": e.key, "source": DeliverySource.IMPORT})
        created, merged = [], []
        for e, (values, problems) in zip(entries, iv.validate_deliveries(self.ctx, rows), strict=True):
            if problems:
                e.reasons.extend(str(p) for p in problems)
                continue
            created.append((e, values))
        ids = allocate_ids(Delivery, len(created))
        out = []
        for (e, d), pk in zip(created, ids, strict=True):
            e.object_id = pk
            out.append(tuple(d[f] for f in DELIVERY_FIELDS[:-1]) + (user_id,))
            if e.outcome == ImportRow.Outcome.MERGED:
                merged.append(e)
        insert_rows(Delivery, DELIVERY_FIELDS, out, ids=ids, copier=self.copier)
        totals.apply_values([d for _e, d in created])
        for e in merged:
            # the changed delivery replaces the one recorded, which is voided (it stays, with the
            # reason), only once the new one passed every check
            self.copier.start()
            self.copier.wait()
            iv.void_delivery(self.user, e.extra["replaces"],
                             _("replaced by row %(row)d of import %(batch)d") % {"row": e.row_number,
                                                                                  "batch": self.batch.pk})
        self.changed[0].update(d["person_id"] for _e, d in created if d["person_id"])
        self.changed[1].update(d["household_id"] for _e, d in created if d["household_id"])
        self.changed[2].update(d["desa_id"] for _e, d in created)

    def _household(self, pk: int):
        """A household not among the region's KKs (a person's household without a KK number)."""
        from tumbuh.interventions import services as iv
        from tumbuh.registry.models import Household

        if pk not in self.household_facts:
            desa = Household.objects.filter(pk=pk).values_list("desa_id", flat=True).first()
            self.household_facts[pk] = iv.Recipient(pk, desa_id=desa) if desa else None
        return self.household_facts[pk]

    def people_queryset(self):
        from tumbuh.interventions.selectors import people_in_reach

        return people_in_reach(self.user).filter(within("desa_id", self.region.code))

    def end(self) -> None:
        from tumbuh.audit.services import record
        from tumbuh.interventions import services as iv

        self.copier.start()
        self.copier.wait()
        self.copier.close()
        keys_deferred(self.immediate)
        persons, households, desa = self.changed
        if persons or households:
            iv.deliveries_written(persons, households, desa)  # the context's signal, once for the file
            record(self.user, "import", object_type="interventions.delivery", region_code=self.region.code,
                   summary=_("%(n)d deliveries from import %(batch)d") % {"n": self.batch.imported + self.batch.merged,
                                                                          "batch": self.batch.pk},
                   detail={"batch": self.batch.pk, "source": "import"})

    def close(self) -> None:
        if self.copier is not None:
            self.copier.close()


DELIVERY_FIELDS = ("uuid", "item_id", "code", "person_id", "household_id", "date", "quantity", "unit",
                   "fund_source", "agency_id", "delivered_by", "course_id", "pledge_id", "source", "import_key",
                   "desa_id", "posyandu_id", "notes", "created_by_id")  # created/updated_at: insert_rows sets them


def _same(a, b) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        try:
            return Decimal(str(a)) == Decimal(str(b))
        except Exception:  # noqa: BLE001
            return False
    return (a or None) == (b or None)


DELIVERIES = register(Declaration(
    source="deliveries", label=gettext_lazy("Delivery list"), columns=COLUMNS, importer=DeliveryImporter,
    description=gettext_lazy("Interventions delivered, by name or by KK (the lists OPDs keep in Excel)"),
    no_header=gettext_lazy("No delivery-list header found in the first %(n)d rows; missing columns: %(missing)s"),
))
