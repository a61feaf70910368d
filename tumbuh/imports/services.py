"""Importing an EPPGBM by-name export: one file = one ImportBatch = one transaction.

Rows are read lazily and handled a chunk at a time with a fixed number of queries per chunk
(never one per row). Every data row gets exactly one ImportRow (imported, merged, unchanged or
rejected); blank lines are counted. Anything that goes wrong rolls the whole file back.
"""

from __future__ import annotations

import datetime as dt
import json
from array import array
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tumbuh.accounts.scoping import scope_for
from tumbuh.audit.services import record
from tumbuh.measurements.derivation import DERIVED_FIELDS, INPUT_COLUMNS, derived_columns
from tumbuh.measurements.models import Measurement
from tumbuh.measurements.selectors import measurements_for
from tumbuh.measurements.services import recompute_children
from tumbuh.measurements.signals import measurements_changed
from tumbuh.regions.models import Region, within
from tumbuh.registry.models import Household, Person
from tumbuh.registry.selectors import people_for

from . import merging
from .bulk import BackgroundCopy, allocate_ids, copy_columns, insert_rows
from .columns import COLUMNS, EPPGBM_HEADER
from .framework import (  # noqa: F401  (re-exported: callers import them from here)
    CHUNK_ROWS,
    HEADER_SEARCH_ROWS,
    MAX_COLUMNS,
    ChunkImporter,
    Declaration,
    FileProblem,
    ImportCancelled,
    ImportFailed,
    ImportRefused,
    check_keys_per_statement,
    estimate_rows,
    file_sha256,
    keys_deferred,
    refuse_importer,
    register,
    run_import,
)
from .matching import ChildIndex, normalise_name, normalise_place
from .models import ImportBatch, ImportRow, MatchReview, ParentName
from .parsing import Record, RowParser
from .places import PlaceResolver

Z_TOLERANCE = 0.05  # EPPGBM prints two decimals; more than this is a real disagreement
Z_INDICATORS = [("wfa", "BB/U", "weight_for_age_z"), ("hfa", "TB/U", "length_for_age_z"),
                ("wfh", "BB/TB", "weight_for_length_z")]
MEASURED_FIELDS = ("weight_kg", "length_cm", "position", "arm_circumference_cm")
NEW_MEASUREMENT_FIELDS = ("child_id", "measured_on", *MEASURED_FIELDS, "posyandu_id", "source", "desa_id")
HOUSEHOLD_FIELDS = ("address", "rt", "rw", "desa_id")
PERSON_FIELDS = ("nik", "name", "sex", "birth_date", "birth_weight_kg", "birth_length_cm", "desa_id",
                 "posyandu_id", "created_by_id", "household_id")
IMPORT_ROW_FIELDS = ("batch_id", "row_number", "outcome", "person_id", "measurement_id", "reasons",
                     "notes", "cells", "previous")


def import_eppgbm(
    path: str | Path,
    *,
    user,
    region_code: str,
    file_name: str | None = None,
    progress: Callable[[int], None] | None = None,
    request=None,
    chunk_rows: int = CHUNK_ROWS,
    batch: ImportBatch | None = None,
) -> ImportBatch:
    """An EPPGBM by-name export, through the one framework (`framework.run_import`)."""
    return run_import(EPPGBM, path, user=user, region_code=region_code, file_name=file_name,
                      progress=progress, request=request, chunk_rows=chunk_rows, batch=batch)


class _Entry:
    __slots__ = ("row_number", "cells", "record", "reasons", "desa", "posyandu", "person",
                 "outcome", "measurement_id", "previous", "new_measurement")

    def __init__(self, row_number: int, cells: list[str], record: Record | None, reasons: list[str]):
        self.row_number = row_number
        self.cells = cells
        self.record = record
        self.reasons = reasons
        self.desa = None
        self.posyandu = None
        self.person = None
        self.outcome = ""
        self.measurement_id = None
        self.previous = None
        self.new_measurement = None


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return abs(a - b) < 1e-6
    return a == b


class EppgbmImporter(ChunkImporter):
    """The EPPGBM declaration's importer: columnar parsing, measurements written by COPY with
    their derived values, children matched and created, posyandu created (docs/imports.md)."""

    zscores_in_database = True  # False: EPPGBM's z-scores kept in arrays also on PostgreSQL (tests)

    def __init__(self, batch: ImportBatch, user, region: Region, *, progress=None, chunk_rows=CHUNK_ROWS,
                 declaration=None, channel=None):
        super().__init__(batch, user, region, progress=progress, chunk_rows=chunk_rows,
                         declaration=declaration or EPPGBM, channel=channel)
        self.places = PlaceResolver(user, region)
        self.index = ChildIndex()
        self.existing_ids: set[int] = set()
        # child id -> (birth date, sex): the inputs compute() needs besides the measurement's own
        self.children: dict[int, tuple[dt.date, str]] = {}
        for pk, nik, name, birth_date, sex, mother, parent in (
            people_for(user).filter(within("desa_id", region.code))
            .values_list("pk", "nik", "name", "birth_date", "sex", "mother__name", "eppgbm_parent__parent_name")
        ):
            self.index.add(pk, nik, name, birth_date, parent or mother or "")
            self.existing_ids.add(pk)
            self.children[pk] = (birth_date, sex)
        self.next_temp = -1
        self.temp_to_id: dict[int, int] = {}
        self.seen: dict[tuple[int, dt.date], tuple[int, tuple]] = {}  # this chunk's (child, date) keys
        self.touched: set[int] = set()
        self.z_rows = array("q")
        self.z_measurements = array("q")
        self.z_values = {key: array("d") for key, _label, _field in Z_INDICATORS}
        self.households: dict[tuple, int | None] = {}  # key -> id (None until written)
        self.household_values: dict[tuple, tuple] = {}
        self.new_children: set[int] = set()
        # (id, *NEW_MEASUREMENT_FIELDS) of every new measurement: written once, after the last
        # chunk, with its derived values (see _insert_measurements)
        self.new_measurements: list[tuple] = []  # not written yet
        # child -> the new measurements so far that later rows' derived values can still depend on
        # (_flush_measurements keeps only those, so memory does not grow with the file)
        self.series: dict[int, list[tuple]] = {}
        self.written_until: dict[int, dt.date] = {}  # child -> latest date written with derived values
        self.out_of_order: set[int] = set()  # children whose written rows an earlier date changes

    # -- reading ---------------------------------------------------------------------------------
    def begin(self, header: list[str], mapping: dict[str, int]) -> None:
        self.parser = RowParser(mapping, header, today=timezone.localdate())
        self.copier = BackgroundCopy()
        # EPPGBM's own z-scores, compared with Tumbuh's at the end: on PostgreSQL in a temporary
        # table (dropped at commit), so a national file holds no per-row arrays; elsewhere in memory
        self.z_table = None
        if connection.vendor == "postgresql" and self.zscores_in_database:
            self.z_table = f"tumbuh_import_z_{self.batch.pk}"
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE TEMPORARY TABLE {self.z_table} (row_number integer, measurement_id bigint, "
                               "wfa double precision, hfa double precision, wfh double precision) ON COMMIT DROP")
        # Measurement's foreign keys checked in each COPY, beside the parsing (~15 s at commit
        # for a million rows otherwise)
        self.immediate = check_keys_per_statement(Measurement)

    def process(self, chunk: list[tuple[int, list[str]]]) -> None:
        self._process(chunk)

    def end(self) -> None:
        self._flush_measurements()
        self.copier.start()
        self.copier.wait()
        self.copier.close()
        keys_deferred(self.immediate)
        self._finish()

    def close(self) -> None:
        if getattr(self, "copier", None) is not None:
            self.copier.close()

    # -- one chunk -------------------------------------------------------------------------------
    def _process(self, chunk: list[tuple[int, list[str]]]) -> None:
        batch, places = self.batch, self.places
        entries: list[_Entry] = []
        rows = []
        for row_number, cells in chunk:
            if not any(cells):
                batch.blank_rows += 1
                continue
            rows.append((row_number, cells))
        parsed = self.parser.parse_many([cells for _number, cells in rows])
        for (row_number, cells), (rec, reasons) in zip(rows, parsed, strict=True):
            entry = _Entry(row_number, cells, rec, reasons)
            entries.append(entry)
            if rec is None:
                continue
            entry.desa = places.desa(rec.kecamatan, rec.desa)
            if entry.desa is None:
                entry.reasons.append(
                    _("%(col)s '%(desa)s' (Kec '%(kec)s') is not a desa/kelurahan of %(region)s")
                    % {"col": self.parser.column("desa"), "desa": rec.desa, "kec": rec.kecamatan,
                       "region": f"{self.region.name} ({self.region.code})"})
        batch.total_rows += len(entries)
        ok = [e for e in entries if not e.reasons]
        # The previous chunk's COPYs ran while this one was read and parsed (no query above this
        # line); the connection is ours again.
        self.copier.wait()

        self._resolve_posyandu(ok)
        self._refuse_niks_registered_elsewhere(ok)
        ok = [e for e in ok if not e.reasons]
        reviews = self._match_children(ok)
        ok = [e for e in ok if not e.reasons]
        self._create_people()
        self._decide_measurements(ok)
        self._write(entries, reviews)

    def _resolve_posyandu(self, ok: list[_Entry]) -> None:
        wanted: dict[tuple[str, str], tuple[str, str]] = {}
        for e in ok:
            if e.record.posyandu:
                e.posyandu = self.places.posyandu_id(e.desa, e.record.posyandu)
                if e.posyandu is None:
                    wanted.setdefault((e.desa, normalise_place(e.record.posyandu)),
                                      (e.record.posyandu, e.record.puskesmas))
        if wanted:
            self.places.create_posyandu(wanted)
            for e in ok:
                if e.record.posyandu and e.posyandu is None:
                    e.posyandu = self.places.posyandu_id(e.desa, e.record.posyandu)

    def _refuse_niks_registered_elsewhere(self, ok: list[_Entry]) -> None:
        unknown = {e.record.nik for e in ok if e.record.nik and e.record.nik not in self.index.by_nik}
        if not unknown:
            return
        # NIK is unique nationally: only the NIKs (no other data) of people outside this import's
        # region are checked, so the row can be refused instead of breaking the constraint.
        elsewhere = set(Person.objects.filter(nik__in=unknown).values_list("nik", flat=True))
        for e in ok:
            if e.record.nik in elsewhere:
                e.reasons.append(_("NIK %(nik)s belongs to a person registered outside %(region)s; "
                                   "move that person first") % {"nik": e.record.nik, "region": self.region.code})

    def _match_children(self, ok: list[_Entry]) -> list[tuple[_Entry, int, int, float]]:
        index, reviews = self.index, []
        self.pending_people: dict[int, list] = {}
        self.pending_parents: dict[int, str] = {}
        self.nik_updates: dict[int, str] = {}
        for e in ok:
            rec = e.record
            person, how = index.exact(rec.nik, rec.name, rec.birth_date, rec.parent_name)
            if person is not None and how == "key" and rec.nik:
                on_record = index.nik_of.get(person)
                if on_record and on_record != rec.nik:
                    e.reasons.append(_("this child (name, birth date, parent) is on record with NIK "
                                       "%(other)s, not %(nik)s") % {"other": on_record, "nik": rec.nik})
                    continue
                if not on_record:  # the file supplies a NIK the record lacked
                    index.set_nik(person, rec.nik)
                    if person in self.pending_people:
                        self.pending_people[person][0] = rec.nik
                    else:
                        self.nik_updates[self._real(person)] = rec.nik
            if person is None:
                person = self.next_temp
                self.next_temp -= 1
                # PERSON_FIELDS, the household as its key until it is written
                self.pending_people[person] = [
                    rec.nik, rec.name, rec.sex, rec.birth_date, rec.birth_weight_kg,
                    rec.birth_length_cm, e.desa, e.posyandu, self.user.pk, self._household(e),
                ]
                if rec.parent_name:
                    self.pending_parents[person] = rec.parent_name
                near = index.near(rec.name, rec.birth_date, rec.parent_name)
                index.add(person, rec.nik, rec.name, rec.birth_date, rec.parent_name)
                if near:
                    reviews.append((e, person, near[0].person_id, near[0].score))
            e.person = person
        return reviews

    def _household(self, e: _Entry) -> tuple | None:
        rec = e.record
        if not rec.address:
            return None
        key = (e.desa, normalise_name(rec.parent_name), normalise_name(rec.address), rec.rt, rec.rw)
        if key not in self.households:
            self.households[key] = None
            self.household_values[key] = (rec.address, rec.rt, rec.rw, e.desa)
        return key

    def _create_people(self) -> None:
        self.created_now = set(self.pending_people)  # temporary ids of the children this chunk creates
        if not self.pending_people:
            return
        new_households = [key for key in dict.fromkeys(p[9] for p in self.pending_people.values())
                          if key is not None and self.households[key] is None]
        ids = insert_rows(Household, HOUSEHOLD_FIELDS, [self.household_values[k] for k in new_households])
        for key, pk in zip(new_households, ids, strict=True):
            self.households[key] = pk
        rows = [(*p[:9], None if p[9] is None else self.households[p[9]]) for p in self.pending_people.values()]
        ids = insert_rows(Person, PERSON_FIELDS, rows)
        for (temp, p), pk in zip(self.pending_people.items(), ids, strict=True):
            self.temp_to_id[temp] = pk
            self.children[pk] = (p[3], p[2])
            self.new_children.add(pk)
        insert_rows(ParentName, ("person_id", "parent_name"),
                    [(self.temp_to_id[t], name) for t, name in self.pending_parents.items()])
        self.batch.people_created += len(rows)
        if self.nik_updates:
            updates = [Person(pk=pk, nik=nik, updated_at=timezone.now()) for pk, nik in self.nik_updates.items()]
            Person.objects.bulk_update(updates, ["nik", "updated_at"], batch_size=1000)

    def _real(self, person: int) -> int:
        return self.temp_to_id[person] if person < 0 else person

    def _decide_measurements(self, ok: list[_Entry]) -> None:
        """imported / merged / unchanged, or rejected as a conflicting repeat. Repeats inside the
        chunk are found in `seen` (this chunk's keys only); a repeat of a row of an earlier chunk
        is found in the database: that row's measurement was written (the previous chunk's COPYs
        have finished) and its ImportRow names it, so the first row of the file that wrote or
        matched it is the ImportRow of this batch with the lowest row number. Nothing is kept per
        row across chunks."""
        lookup, first_rows = {}, {}
        created_now = self.created_now
        real = self._real
        known = {real(e.person) for e in ok if e.person not in created_now}
        if known:
            dates = {e.record.measured_on for e in ok if e.person not in created_now}
            for row in (measurements_for(self.user)
                        .filter(child_id__in=known, measured_on__in=dates)
                        .values_list("pk", "child_id", "measured_on", *MEASURED_FIELDS, "posyandu_id")):
                lookup[(row[1], row[2])] = row
            if lookup and self.batch.total_rows > len(ok):  # not the first chunk
                found = [row[0] for row in lookup.values()]
                for start in range(0, len(found), 10_000):
                    first_rows.update(
                        ImportRow.objects.filter(batch_id=self.batch.pk, measurement_id__in=found[start:start + 10_000])
                        .exclude(outcome=ImportRow.Outcome.REJECTED).values("measurement_id")
                        .annotate(first=Min("row_number")).values_list("measurement_id", "first"))
        self.to_update: list[Measurement] = []
        self.seen = seen = {}
        touched = self.touched
        imported, unchanged = ImportRow.Outcome.IMPORTED.value, ImportRow.Outcome.UNCHANGED.value
        source = Measurement.Source.IMPORT.value
        for e in ok:
            rec = e.record
            values = (rec.weight_kg, rec.length_cm, rec.position, rec.arm_circumference_cm)
            key = (e.person, rec.measured_on)
            if key in seen:
                first_row, first_values, measurement_id = seen[key]
                if all(_same(a, b) for a, b in zip(values, first_values, strict=True)):
                    e.outcome = unchanged
                    e.measurement_id = measurement_id
                    rec.notes.append(_("same as row %(row)d") % {"row": first_row})
                else:
                    e.reasons.append(_("same child and date as row %(row)d but different values; "
                                       "keep one of the two") % {"row": first_row})
                continue
            child = real(e.person)
            existing = lookup.get((child, rec.measured_on)) if lookup else None
            if existing is not None and existing[0] in first_rows:  # a repeat of an earlier chunk's row
                seen[key] = (first_rows[existing[0]], tuple(existing[3:7]), existing[0])
                first_row = first_rows[existing[0]]
                if all(_same(a, b) for a, b in zip(values, existing[3:7], strict=True)):
                    e.outcome = unchanged
                    e.measurement_id = existing[0]
                    rec.notes.append(_("same as row %(row)d") % {"row": first_row})
                else:
                    e.reasons.append(_("same child and date as row %(row)d but different values; "
                                       "keep one of the two") % {"row": first_row})
                continue
            if existing is None:
                e.outcome = imported
                e.new_measurement = (child, rec.measured_on, rec.weight_kg, rec.length_cm, rec.position,
                                     rec.arm_circumference_cm, e.posyandu, source, e.desa)
                touched.add(child)
            else:
                e.measurement_id = existing[0]
                old = existing[3:7]
                if all(_same(a, b) for a, b in zip(values, old, strict=True)):
                    e.outcome = unchanged
                else:
                    e.outcome = ImportRow.Outcome.MERGED.value
                    e.previous = {f: v for f, v in zip(MEASURED_FIELDS, old, strict=True)}
                    self.to_update.append(Measurement(
                        pk=existing[0], weight_kg=rec.weight_kg, length_cm=rec.length_cm,
                        position=rec.position, arm_circumference_cm=rec.arm_circumference_cm,
                        posyandu_id=e.posyandu or existing[7], updated_at=timezone.now(),
                    ))
                    touched.add(child)
            seen[key] = (e.row_number, values, e.measurement_id)

    def _write(self, entries: list[_Entry], reviews) -> None:
        batch = self.batch
        created = [e for e in entries if e.new_measurement is not None and not e.reasons]
        ids = allocate_ids(Measurement, len(created))
        for e, pk in zip(created, ids, strict=True):
            e.measurement_id = pk
            row = (pk, *e.new_measurement)
            self.new_measurements.append(row)
            self.series.setdefault(row[1], []).append(row)
            key = (e.person, e.record.measured_on)
            self.seen[key] = (self.seen[key][0], self.seen[key][1], e.measurement_id)
        for e in entries:  # a repeat of a row created earlier in this same chunk
            if e.outcome == ImportRow.Outcome.UNCHANGED and e.measurement_id is None and not e.reasons:
                e.measurement_id = self.seen[(e.person, e.record.measured_on)][2]
        if self.to_update:
            Measurement.objects.bulk_update(
                self.to_update, [*MEASURED_FIELDS, "posyandu_id", "updated_at"], batch_size=500)

        rows = []
        counts = dict.fromkeys(ImportRow.Outcome.values, 0)
        with_notes = 0
        rejected, pk, dumps = ImportRow.Outcome.REJECTED, batch.pk, json.dumps
        z_rows, z_measurements, z_values = self.z_rows, self.z_measurements, self.z_values
        z_table = []  # on PostgreSQL: this chunk's EPPGBM z-scores, for the temporary table
        for e in entries:
            rec = e.record
            if e.reasons:
                outcome, person, measurement = rejected, None, None
                notes = rec.notes if rec is not None else []
            else:
                outcome, person, measurement = e.outcome, self._real(e.person), e.measurement_id
                notes = rec.notes
                if rec.wfa_z is not None or rec.hfa_z is not None or rec.wfh_z is not None:
                    if self.z_table is not None:
                        z_table.append((e.row_number, measurement, rec.wfa_z, rec.hfa_z, rec.wfh_z))
                    else:
                        z_rows.append(e.row_number)
                        z_measurements.append(measurement)
                        for key, value in (("wfa", rec.wfa_z), ("hfa", rec.hfa_z), ("wfh", rec.wfh_z)):
                            z_values[key].append(np.nan if value is None else value)
            counts[outcome] += 1
            if notes:
                with_notes += 1
            if e.reasons or notes or e.previous:  # raw cells kept for the rejects file and the report
                rows.append((pk, e.row_number, outcome, person, measurement, dumps(e.reasons), dumps(notes),
                             dumps(e.cells), dumps(e.previous or {})))
            else:
                rows.append((pk, e.row_number, outcome, person, measurement, "[]", "[]", "[]", "{}"))
        for outcome, n in counts.items():
            setattr(batch, outcome, getattr(batch, outcome) + n)
        batch.rows_with_notes += with_notes
        insert_rows(ImportRow, IMPORT_ROW_FIELDS, rows, need_ids=False, json_ready=True, copier=self.copier)
        if z_table:
            self.copier.queue(f"COPY {self.z_table} (row_number, measurement_id, wfa, hfa, wfh) FROM STDIN",
                              lambda: z_table, lambda: copy_columns(z_table, [], (), None))
        if reviews:
            self.copier.wait()
            MatchReview.objects.bulk_create(
                [MatchReview(batch_id=batch.pk, row_number=e.row_number, person_id=self._real(p),
                             candidate_id=self._real(c), score=score)
                 for e, p, c, score in reviews if not e.reasons],
                batch_size=1000, ignore_conflicts=True,
            )
            batch.review_count += sum(1 for e, *_rest in reviews if not e.reasons)
        self._flush_measurements()
        self.copier.start()  # runs while the next chunk is parsed

    # -- after the last chunk --------------------------------------------------------------------
    def _finish(self) -> None:
        batch = self.batch
        # Children created by this file have their whole series in it: their rows were written
        # with derived values (_flush_measurements). Children Tumbuh already had, and any whose
        # rows came out of date order across chunks, are recomputed over their whole series.
        existing = sorted((self.touched - self.new_children) | self.out_of_order)
        if existing:
            recompute_children(existing, batch_size=2000, notify=False)
        changed = sorted(set(existing) | self.new_children)
        if changed:  # one refresh of the analytics summary for the whole file
            measurements_changed.send(sender=Measurement, child_ids=changed)
        batch.zscore_summary = self._compare_zscores()
        batch.unknown_places = {
            "desa": dict(self.places.unknown_desa.most_common()),
            "posyandu_created": self.places.created_posyandu,
            "puskesmas": dict(self.places.unknown_puskesmas.most_common()),
        }

    def _flush_measurements(self) -> None:
        """Queue this chunk's new measurements for COPY with their derived values (z-scores,
        categories, weight gain, warnings) computed by the measurements engine over each child's
        series so far: inserting and then recomputing would write every row twice.

        A derived value depends on the row and the child's earlier-dated rows only, so rows
        already written stay right when later dates arrive. A child whose new row is dated on or
        before a row already written is recomputed at the end (_finish) instead."""
        if not self.new_measurements:
            return
        pending, self.new_measurements = self.new_measurements, []
        first: dict[int, dt.date] = {}
        for _pk, child, day, *_rest in pending:
            if child not in first or day < first[child]:
                first[child] = day
        for child, day in first.items():
            written = self.written_until.get(child)
            if written is not None and day <= written:
                self.out_of_order.add(child)
        rows = [row for child in first for row in self.series[child]]
        frame = pd.DataFrame.from_records([r[:7] for r in rows], columns=["id", *NEW_MEASUREMENT_FIELDS[:6]])
        born_sex = [self.children[r[1]] for r in rows]
        frame["head_circumference_cm"] = None
        frame["oedema"] = False
        # as datetime64: compute() would convert date objects one by one
        epoch = dt.date(1970, 1, 1).toordinal()
        frame["measured_on"] = (np.array([r[2].toordinal() for r in rows]) - epoch).astype("datetime64[D]")
        frame["birth_date"] = (np.array([b.toordinal() for b, _sex in born_sex]) - epoch).astype("datetime64[D]")
        frame["sex"] = [sex for _b, sex in born_sex]
        frame = frame.sort_values(["child_id", "measured_on"], kind="stable")
        order = frame.index.tolist()
        derived = derived_columns(frame[INPUT_COLUMNS].reset_index(drop=True))
        new_ids = {row[0] for row in pending}
        out, ids = [], []
        for i, values in zip(order, zip(*derived, strict=True), strict=True):
            row = rows[i]
            if row[0] in new_ids:
                out.append((*row[1:], *values))
                ids.append(row[0])
                if row[2] > self.written_until.get(row[1], dt.date.min):
                    self.written_until[row[1]] = row[2]
        insert_rows(Measurement, (*NEW_MEASUREMENT_FIELDS, *DERIVED_FIELDS), out, ids=ids, copier=self.copier)
        self._trim_series([rows[i] for i in order], derived)

    _AGE = DERIVED_FIELDS.index("age_days")
    _LENGTH_ADJUSTED = DERIVED_FIELDS.index("length_adjusted_cm")

    def _trim_series(self, ordered: list[tuple], derived: list[list]) -> None:
        """Keep, per child, only the rows a later-dated row's derived values read (compute() with
        series=True), so the series held in memory stay a few rows a child whatever the file's size:

        - weight gain (N/T/2T/O/B, growth.weight_gain): the child's last weighing (weight and an
          age) of each of its two latest weighed calendar months: a new month's status compares
          with the last weighing of the month before and needs that one's own N/T, which compares
          with the last weighing of the month before it; whether any earlier weighing exists (B
          or not) is kept by those rows;
        - the series warnings (derivation._previous): the last row with a weight and the last row
          with an adjusted length (each "the child's most recent earlier non-missing value").

        A row dated on or before one already written makes the child out of order, recomputed
        from the database at the end (_finish), so the trimmed series never has to serve it.
        tests/imports/test_fast_paths.py checks the written values equal a full recompute."""
        age, length = derived[self._AGE], derived[self._LENGTH_ADJUSTED]
        kept: dict[int, list] = {}
        state: dict[int, list] = {}  # child -> [month of m1, m1, m2, last weight row, last length row]
        for i, row in enumerate(ordered):
            child = row[1]
            st = state.get(child)
            if st is None:
                st = state[child] = [None, None, None, None, None]
            if row[3] is not None:
                st[3] = row
                if age[i] is not None:
                    month = (row[2].year, row[2].month)
                    if month != st[0]:
                        st[0], st[2] = month, st[1]
                    st[1] = row
            value = length[i]
            if value is not None and value == value:
                st[4] = row
        for child, st in state.items():
            keep = {id(r): r for r in st[1:] if r is not None}
            kept[child] = sorted(keep.values(), key=lambda r: (r[2], r[0]))
        self.series.update(kept)

    def _compare_zscores_sql(self) -> dict:
        """_compare_zscores on PostgreSQL: the same figures, computed by one query over the
        temporary table and the measurements. Ties among the largest differences are listed by
        row number."""
        table, tol = self.z_table, Z_TOLERANCE
        fields = {key: Measurement._meta.get_field(field).column for key, _label, field in Z_INDICATORS}
        diffs = ", ".join(f"abs(z.{key} - m.{col}) AS d_{key}, (z.{key} IS NOT NULL AND m.{col} IS NULL) AS om_{key}, "
                          f"z.{key} AS t_{key}, m.{col} AS o_{key}"
                          for key, col in fields.items())
        base = (f"SELECT z.row_number, {diffs} FROM {table} z "
                f"JOIN {connection.ops.quote_name(Measurement._meta.db_table)} m ON m.id = z.measurement_id")
        aggregates = ", ".join(
            f"count(t_{k}), count(d_{k}), count(*) FILTER (WHERE d_{k} > %s), max(d_{k}), avg(d_{k}), "
            f"count(*) FILTER (WHERE om_{k})" for k in fields)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*), {aggregates} FROM ({base}) d", [tol] * len(fields))
            got = cursor.fetchone()
            if not got[0]:
                return {}
            summary: dict = {"tolerance": tol, "indicators": []}
            for i, (key, label, _field) in enumerate(Z_INDICATORS):
                given, compared, differ, max_abs, mean_abs, missing = got[1 + 6 * i:7 + 6 * i]
                summary["indicators"].append({
                    "key": key, "label": label, "eppgbm_given": given, "compared": compared, "differ": differ,
                    "max_abs": round(float(max_abs), 2) if compared else None,
                    "mean_abs": round(float(mean_abs), 3) if compared else None,
                    "ours_missing": missing,
                })
            keys = list(fields)
            worst = "GREATEST(" + ", ".join(f"coalesce(d_{k}, 0)" for k in keys) + ")"
            which = "CASE " + " ".join(f"WHEN coalesce(d_{k}, 0) = w THEN '{k}'" for k in keys) + " END"
            pick = lambda prefix: "CASE " + " ".join(f"WHEN k = '{k}' THEN {prefix}_{k}" for k in keys) + " END"  # noqa: E731
            cursor.execute(
                f"SELECT row_number, k, {pick('t')}, {pick('o')}, w FROM ("
                f"  SELECT *, {which} AS k FROM (SELECT *, {worst} AS w FROM ({base}) b) c WHERE w > %s) d "
                f"ORDER BY w DESC, row_number LIMIT 20", [tol])
            labels = {k: lab for k, lab, _f in Z_INDICATORS}
            summary["largest"] = [{"row": row, "indicator": labels[k], "eppgbm": round(float(theirs), 2),
                                   "tumbuh": round(float(ours), 2), "diff": round(float(w), 2)}
                                  for row, k, theirs, ours, w in cursor.fetchall()]
        return summary

    def _compare_zscores(self) -> dict:
        """EPPGBM's z-scores against ours, recomputed from the same inputs."""
        if self.z_table is not None:
            return self._compare_zscores_sql()
        if not len(self.z_measurements):
            return {}
        ids = np.frombuffer(self.z_measurements, dtype=np.int64)
        ours = {key: np.full(len(ids), np.nan) for key, _label, _field in Z_INDICATORS}
        position = {}
        for i, pk in enumerate(ids):
            position.setdefault(int(pk), []).append(i)
        unique = list(position)
        fields = [field for _key, _label, field in Z_INDICATORS]
        for start in range(0, len(unique), 5000):
            for pk, *values in (measurements_for(self.user).filter(pk__in=unique[start:start + 5000])
                                .values_list("pk", *fields)):
                for i in position[pk]:
                    for (key, _label, _field), value in zip(Z_INDICATORS, values, strict=True):
                        ours[key][i] = np.nan if value is None else value
        summary: dict = {"tolerance": Z_TOLERANCE, "indicators": []}
        worst = np.zeros(len(ids))
        worst_key = np.full(len(ids), "", dtype=object)
        for key, label, _field in Z_INDICATORS:
            theirs = np.frombuffer(self.z_values[key], dtype=np.float64)
            both = ~np.isnan(theirs) & ~np.isnan(ours[key])
            diff = np.abs(theirs - ours[key])
            d = diff[both]
            summary["indicators"].append({
                "key": key, "label": label, "eppgbm_given": int((~np.isnan(theirs)).sum()),
                "compared": int(both.sum()), "differ": int((d > Z_TOLERANCE).sum()),
                "max_abs": round(float(d.max()), 2) if d.size else None,
                "mean_abs": round(float(d.mean()), 3) if d.size else None,
                "ours_missing": int((~np.isnan(theirs) & np.isnan(ours[key])).sum()),
            })
            bigger = both & (diff > worst)
            worst[bigger] = diff[bigger]
            worst_key[bigger] = key
        order = np.argsort(-worst)[:20]
        rows = np.frombuffer(self.z_rows, dtype=np.int64)
        summary["largest"] = [
            {"row": int(rows[i]), "indicator": dict((k, lab) for k, lab, _f in Z_INDICATORS)[worst_key[i]],
             "eppgbm": round(float(np.frombuffer(self.z_values[worst_key[i]], dtype=np.float64)[i]), 2),
             "tumbuh": round(float(ours[worst_key[i]][i]), 2), "diff": round(float(worst[i]), 2)}
            for i in order if worst[i] > Z_TOLERANCE
        ]
        return summary


EPPGBM = register(Declaration(
    source="eppgbm", label="EPPGBM", columns=COLUMNS, importer=EppgbmImporter,
    description=gettext_lazy("EPPGBM by-name export (Kemenkes): children and their measurements"),
    no_header=gettext_lazy("No EPPGBM header found in the first %(n)d rows; missing columns: %(missing)s"),
    too_wide=gettext_lazy("The header row has %(n)d columns; an EPPGBM export has %(eppgbm)d and Tumbuh reads "
                          "at most %(max)d. Remove the extra columns and upload again."),
    extra={"columns": len(EPPGBM_HEADER)},
))


def _may_decide(user) -> None:
    # A merge moves a child's whole record: the puskesmas, desa/kecamatan or kab/kota team
    # decides, not a cadre (whose scope is one posyandu; the pair may span two).
    if scope_for(user).is_cadre:
        raise ImportRefused(_("Near duplicates are decided by the puskesmas, desa/kecamatan or kabupaten/kota team."))


def _locked(review: MatchReview) -> None:
    """Lock the review's row and read it again, inside the caller's transaction: of two decisions
    (or undos) sent at the same time, the second waits for the first and then sees what it did,
    instead of acting on the review as it was when its page was loaded."""
    list(MatchReview.objects.select_for_update().filter(pk=review.pk).values_list("pk", flat=True))
    review.refresh_from_db()


@transaction.atomic
def decide_review(user, review: MatchReview, *, same: bool, request=None) -> MatchReview:
    """A person's decision on a near duplicate. "Same": the child the import created is merged
    into the existing one (everything that names it moves over; on a date both have a
    measurement, the existing record is kept), restorably (imports.merging; `undo_merge`).
    "Different": both stay, and the pair is not proposed again."""
    _may_decide(user)
    _locked(review)
    scoped = people_for(user)
    person = scoped.filter(pk=review.person_id).first()
    candidate = scoped.filter(pk=review.candidate_id).first()
    if person is None or candidate is None or review.decision != MatchReview.Decision.PENDING:
        raise ImportRefused(_("This review is not open for you."))
    review.decided_by = user
    review.decided_at = timezone.now()
    detail = {"person": person.pk, "candidate": candidate.pk, "score": review.score}
    if not same:
        review.decision = MatchReview.Decision.DIFFERENT
        review.save()
        record(user, "update", obj=candidate, request=request,
               summary=_("Near duplicate reviewed: different children"), detail=detail)
        return review
    merged = merging.merge(person, candidate)
    review.person = None  # the delete set it to NULL in the table; an undo points it back
    review.decision = MatchReview.Decision.SAME
    review.merge_record = merged
    review.save()
    recompute_children([candidate.pk])
    _refresh_convergence([candidate.pk])
    detail.update({"moved": merged["counts"], "kept_aside": merged["kept"],
                   "measurements_moved": merged["counts"].get("measurements.measurement", 0),
                   "duplicate_dates_kept_aside": merged["kept"].get("measurements.measurement", 0)})
    record(user, "update", obj=candidate, request=request,
           summary=_("Near duplicate merged into this child"), detail=detail)
    return review


@transaction.atomic
def undo_merge(user, review: MatchReview, *, request=None) -> Person:
    """Undo a "same child" decision: the merged child is back (same id, its own rows), the review
    is open again."""
    _may_decide(user)
    _locked(review)
    candidate = people_for(user).filter(pk=review.candidate_id).first()
    if candidate is None or review.decision != MatchReview.Decision.SAME or not review.merge_record:
        raise ImportRefused(_("This merge cannot be undone here."))
    try:
        person = merging.undo(review.merge_record, candidate)
    except merging.MergeRefused as exc:
        raise ImportRefused(_("This merge cannot be undone: the records it would restore have changed.")) from exc
    review.refresh_from_db()
    review.decision = MatchReview.Decision.PENDING
    review.decided_by, review.decided_at, review.merge_record = None, None, {}
    review.save()
    recompute_children([candidate.pk, person.pk])
    _refresh_convergence([candidate.pk, person.pk])
    record(user, "update", obj=person, request=request, summary=_("Merge undone: this child is back"),
           detail={"person": person.pk, "candidate": candidate.pk})
    return person


def _refresh_convergence(person_ids: list[int]) -> None:
    from tumbuh.convergence.services import refresh_subjects

    refresh_subjects(person_ids=person_ids)


@transaction.atomic
def decide_delivery_review(user, review: MatchReview, *, same: bool, request=None) -> MatchReview:
    """A person's decision on a delivery-list row held because its recipient is only a near match
    of `review.candidate` (imports.deliveries). "Same person": the row's delivery is recorded for
    the candidate with the import key the importer gives it (so a re-import of the file finds it:
    unchanged), through the interventions context's checks; a row those checks refuse is
    rejected with their reasons. "Not this person": the row is rejected, naming the decision.
    Every ImportRow held on this review (the file and any re-import of it) leaves "held" for
    its outcome, and its batch's counts move with it. What the decision did is kept in
    `review.held["decision"]`, for `undo_delivery_review`."""
    from django.db.models import F

    from tumbuh.coordination.models import Agency
    from tumbuh.interventions import services as iv
    from tumbuh.interventions.models import Delivery, DeliverySource

    from .deliveries import different_reason, import_key

    _may_decide(user)
    _locked(review)
    candidate = people_for(user).filter(pk=review.candidate_id).first()
    if candidate is None or not review.row_key or review.decision != MatchReview.Decision.PENDING:
        raise ImportRefused(_("This review is not open for you."))
    review.decided_by = user
    review.decided_at = timezone.now()
    held = review.held
    detail = {"candidate": candidate.pk, "score": review.score, "batch": review.batch_id, "row": review.row_number,
              "code": held.get("code"), "date": held.get("date")}
    rows = list(ImportRow.objects.filter(outcome=ImportRow.Outcome.HELD, object_id=review.pk,
                                         batch__source="deliveries").order_by("batch_id", "row_number"))
    name = f"{candidate.name} ({candidate.birth_date:%d/%m/%Y})"
    delivery, reasons, created = None, [], False
    if same:
        review.decision = MatchReview.Decision.SAME
        day = dt.date.fromisoformat(held["date"])
        key = import_key(candidate.pk, None, held["code"], day)
        delivery = Delivery.objects.filter(import_key=key, voided_at__isnull=True).first()
        created = delivery is None
        if created:
            agency = Agency.objects.filter(pk=held.get("agency_id")).first() if held.get("agency_id") else None
            try:
                delivery = iv.record_delivery(
                    user, item_code=held["code"], person=candidate, date=day,
                    quantity=iv.parse_quantity(held["quantity"]), unit=held.get("unit") or None,
                    fund_source=held.get("fund_source") or "", agency=agency, notes=held.get("notes") or "",
                    source=DeliverySource.IMPORT, import_key=key, request=request)
            except iv.InputError as exc:
                reasons = [str(p) for p in exc.problems] if getattr(exc, "problems", None) else [str(exc)]
                delivery, created = None, False
        detail["delivery"] = delivery.pk if delivery else None
        summary = _("Held delivery row reviewed: same person, delivery recorded") if delivery else \
            _("Held delivery row reviewed: same person, but the delivery was refused")
    else:
        review.decision = MatchReview.Decision.DIFFERENT
        reasons = [different_reason(name, review)]
        summary = _("Held delivery row reviewed: not this person")
    moved: dict[int, dict[str, int]] = {}
    # What the decision did, kept on the review for `undo_delivery_review`: the delivery it
    # recorded (not one that already had the key) as it was, and each row's outcome with how many
    # notes and reasons it had before (the decision only appends).
    undo = {"delivery": delivery.pk if created else None,
            "state": delivery_state(delivery.pk) if created else {},
            "rows": [[row.pk, "", len(row.notes), len(row.reasons)] for row in rows]}
    for i, row in enumerate(rows):
        if delivery is not None:
            row.outcome = ImportRow.Outcome.IMPORTED if i == 0 and created else ImportRow.Outcome.UNCHANGED
            row.person_id, row.object_id = candidate.pk, delivery.pk
            row.notes = [*row.notes, _("recipient decided on review: %(name)s") % {"name": name}]
        else:
            row.outcome, row.person_id, row.object_id = ImportRow.Outcome.REJECTED, None, None
            row.reasons = [*row.reasons, *reasons]
        row.save(update_fields=["outcome", "person", "object_id", "notes", "reasons"])
        undo["rows"][i][1] = str(row.outcome)
        counts = moved.setdefault(row.batch_id, {})
        counts[row.outcome] = counts.get(row.outcome, 0) + 1
    review.held = {**held, "decision": undo}
    review.save()
    for batch_id, counts in moved.items():
        ImportBatch.objects.filter(pk=batch_id).update(
            held=F("held") - sum(counts.values()), **{k: F(k) + n for k, n in counts.items()})
    detail["rows"] = [[r.batch_id, r.row_number, r.outcome] for r in rows]
    if reasons:
        detail["reasons"] = reasons
    record(user, "update", obj=candidate, request=request, summary=summary, detail=detail)
    return review


# A delivery as a decision recorded it, to tell on undo whether anyone acted on it since.
# Deliveries are not edited in place (a correction voids one and records another, which changes
# voided_at and updated_at); a course started later links its deliveries with an UPDATE that
# leaves updated_at alone, hence course_id and pledge_id too. Read from the database both times,
# so a Decimal or a datetime compares as stored, not as the caller passed it.
DELIVERY_STATE = ("person_id", "household_id", "code", "date", "quantity", "unit", "fund_source", "agency_id",
                  "notes", "course_id", "pledge_id", "voided_at", "updated_at")


def delivery_state(pk: int) -> dict:
    from tumbuh.interventions.models import Delivery

    values = Delivery.objects.filter(pk=pk).values(*DELIVERY_STATE).first()
    return {k: None if v is None else str(v) for k, v in values.items()} if values else {}


@transaction.atomic
def undo_delivery_review(user, review: MatchReview, *, request=None) -> MatchReview:
    """Undo a decision on a held delivery row (`decide_delivery_review`), from what it kept on
    the review: the delivery it recorded is voided through the interventions context (so the
    delivery totals, the convergence gaps and the audit follow, and the delivery stays on record
    as every voided one does), every row it gave an outcome is held on the review again (its
    notes and reasons as before) with its batch's counts moved back, and the review is open to be
    decided again. Undoing "not this person" only holds the rows again. Refused when the
    delivery has been voided or changed since (a correction, a re-import replacing it, a course
    linking it): someone acted on it, and voiding it now would undo their work too.

    Rows of imports made after the decision are not the decision's: they keep what their import
    did (like any row whose delivery is voided later)."""
    from django.db.models import F

    from tumbuh.interventions import services as iv

    _may_decide(user)
    _locked(review)  # a second undo sent at the same time waits, then finds the review open
    candidate = people_for(user).filter(pk=review.candidate_id).first()
    done = (review.held or {}).get("decision")
    if candidate is None or not review.row_key or review.decision == MatchReview.Decision.PENDING or not done:
        raise ImportRefused(_("This decision cannot be undone here."))
    detail = {"candidate": candidate.pk, "decision": review.decision, "batch": review.batch_id,
              "row": review.row_number, "code": review.held.get("code"), "date": review.held.get("date"),
              "delivery": done["delivery"]}
    if done["delivery"]:
        from tumbuh.interventions.models import Delivery

        delivery = Delivery.objects.filter(pk=done["delivery"]).first()
        if delivery is None or delivery_state(delivery.pk) != done["state"]:
            raise ImportRefused(_("This decision cannot be undone: the delivery it recorded has been voided or "
                                  "changed since."))
        try:
            iv.void_delivery(user, delivery, _("review decision undone by %(user)s (import %(batch)d, row %(row)d)")
                             % {"user": user.username, "batch": review.batch_id, "row": review.row_number},
                             request=request)
        except iv.InputError as exc:
            raise ImportRefused(str(exc)) from exc
    rows = ImportRow.objects.in_bulk([pk for pk, *_rest in done["rows"]])
    moved: dict[int, dict[str, int]] = {}
    restored = []
    for pk, outcome, notes, reasons in done["rows"]:
        row = rows.get(pk)
        if row is None or row.outcome != outcome:
            continue  # its import was deleted since: nothing to hold again, no count to move
        row.outcome, row.person_id, row.object_id = ImportRow.Outcome.HELD, None, review.pk
        row.notes, row.reasons = row.notes[:notes], row.reasons[:reasons]
        row.save(update_fields=["outcome", "person", "object_id", "notes", "reasons"])
        counts = moved.setdefault(row.batch_id, {})
        counts[outcome] = counts.get(outcome, 0) + 1
        restored.append([row.batch_id, row.row_number, outcome])
    for batch_id, counts in moved.items():
        ImportBatch.objects.filter(pk=batch_id).update(
            held=F("held") + sum(counts.values()), **{k: F(k) - n for k, n in counts.items()})
    review.decision, review.decided_by, review.decided_at = MatchReview.Decision.PENDING, None, None
    review.held = {k: v for k, v in review.held.items() if k != "decision"}
    review.save()
    detail["rows"] = restored
    record(user, "update", obj=candidate, request=request,
           summary=_("Held delivery row: decision undone, the row waits for review again"), detail=detail)
    return review
