"""The one import framework: a source is a *declaration* (its columns, how a row is parsed, who
the row is about, what it writes), run by shared machinery that gives every source the same rigor.

What the machinery does for every declaration (EPPGBM, deliveries, KRS, catin, bumil):

- checks who may import into which region (`refuse_importer`, the region inside the user's area);
- one file = one `ImportBatch` (written before the transaction, so a failure stays visible) =
  one `transaction.atomic` (all or nothing; a cancel rolls back like a failure);
- reads the file in any of the formats `readers.py` knows, lazily, as text;
- finds the header row under title rows and matches headers tolerantly (`ColumnSet`: case,
  spaces, dots, the aliases each declaration lists); a missing required column refuses the file;
- hands the rows to the declaration's importer a chunk at a time, counts blank lines, reports
  progress (a callback, and the progress file the web page polls) and honours a cancel between
  chunks;
- for row-by-row declarations (`RowImporter`): every data row gets exactly one `ImportRow`
  (imported, merged, unchanged or rejected with reasons; raw cells kept when rejected or noted),
  people matched by one shared index (`PersonIndex`: NIK, else name + birth date + parent, near
  matches put on review, a NIK registered outside the region refused), repeats inside the file
  recognised (same values: unchanged; different: rejected, naming the first row);
- the audit event, the report's counts and the rejected-rows download.

A declaration is registered with `register()`; `run_import(source, path, ...)` imports a file.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tumbuh.accounts.scoping import scope_for
from tumbuh.audit.services import record
from tumbuh.regions.models import Region, within
from tumbuh.regions.selectors import regions_for

from . import progress as progress_channel
from .models import ImportBatch, ImportRow, MatchReview
from .readers import read_rows, sniff_format

CHUNK_ROWS = 20_000
# Columns a file may have: more cannot be written back as a rejected-rows file, whose layout is
# the file's own plus two columns (Excel: 16,384 at most).
MAX_COLUMNS = 1_000
HEADER_SEARCH_ROWS = 30


class ImportRefused(Exception):
    """Refused before anything was read (region outside the user's area, a cadre)."""


class ImportFailed(Exception):
    """The file could not be imported; the database is as it was. `batch` says why."""

    def __init__(self, batch: ImportBatch, message: str):
        super().__init__(message)
        self.batch = batch


class ImportCancelled(ImportFailed):
    """Cancelled by the user between two chunks: rolled back, nothing imported."""


class FileProblem(ValueError):
    """The file as a whole cannot be imported (no header, too many columns)."""


# -- columns --------------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def normalise_header(text: str) -> str:
    text = _SPACES.sub(" ", str(text or "").replace("\u00a0", " ")).strip().lower()
    text = re.sub(r"\s*/\s*", "/", text)
    text = re.sub(r"\s*\.\s*", ". ", text).replace(". ", " ").strip()  # "Tgl. Lahir" = "Tgl Lahir"
    text = re.sub(r"\s*_\s*", " ", text)  # "tgl_lahir" = "Tgl Lahir"
    return _SPACES.sub(" ", text).replace("z-score", "zs").replace("zscore", "zs")


class ColumnSet:
    """A source's columns: field -> header aliases (the first is the canonical header), and the
    fields without which a row cannot be imported."""

    def __init__(self, aliases: dict[str, Sequence[str]], required: Sequence[str] = (), *,
                 min_recognised: int = 4):
        self.aliases = {name: list(spellings) for name, spellings in aliases.items()}
        self.required = tuple(required)
        self.min_recognised = min_recognised
        self.lookup = {normalise_header(alias): name for name, spellings in self.aliases.items()
                       for alias in spellings}

    @property
    def header(self) -> list[str]:
        """The canonical header row (a template file's first line)."""
        return [spellings[0] for spellings in self.aliases.values()]

    def map_header(self, header: Sequence[str]) -> dict[str, int]:
        """field -> column index, for the headers recognised (the first occurrence wins)."""
        mapping: dict[str, int] = {}
        for index, cell in enumerate(header):
            name = self.lookup.get(normalise_header(cell))
            if name and name not in mapping:
                mapping[name] = index
        return mapping

    def missing_required(self, mapping: dict[str, int]) -> list[str]:
        return [self.aliases[name][0] for name in self.required if name not in mapping]

    def find_header_row(self, rows: list[list[str]]) -> int | None:
        """Index of the first row that looks like the header (titles sometimes sit above it)."""
        for index, row in enumerate(rows):
            mapping = self.map_header(row)
            if len(mapping) >= min(self.min_recognised, len(self.aliases)) and not self.missing_required(mapping):
                return index
        return None


# -- declarations ---------------------------------------------------------------------------------


@dataclass
class Declaration:
    """One import source. `importer` is a ChunkImporter subclass doing the source's own work."""

    source: str  # ImportBatch.source, the CLI's word: "eppgbm", "deliveries", "krs" ...
    label: object  # shown to people ("EPPGBM", "Daftar penerimaan intervensi")
    columns: ColumnSet
    importer: type
    description: object = ""
    # messages with the source's name in them
    no_header: object = gettext_lazy("No header of this kind of file found in the first %(n)d rows; "
                                     "missing columns: %(missing)s")
    too_wide: object = gettext_lazy("The header row has %(n)d columns; Tumbuh reads at most %(max)d. "
                                    "Remove the extra columns and upload again.")
    # the audit summary: "%(label)s file %(file)s: ..."
    extra: dict = field(default_factory=dict)


DECLARATIONS: dict[str, Declaration] = {}


def register(declaration: Declaration) -> Declaration:
    DECLARATIONS[declaration.source] = declaration
    return declaration


def declaration_for(source: str) -> Declaration:
    from . import declarations  # noqa: F401  (registers every shipped source)

    try:
        return DECLARATIONS[source]
    except KeyError:
        raise ImportRefused(_("Unknown import source %(source)s") % {"source": source}) from None


def sources() -> list[str]:
    from . import declarations  # noqa: F401

    return list(DECLARATIONS)


# -- running an import ----------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def estimate_rows(path: Path) -> int | None:
    """A cheap row count for the progress bar (None when it would cost a full parse)."""
    path = Path(path)
    with path.open("rb") as handle:
        kind = _safe_sniff(handle.read(4096))
    if kind == "csv":
        with path.open("rb") as handle:
            return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
    if kind == "html":
        with path.open("rb") as handle:
            return sum(block.lower().count(b"<tr") for block in iter(lambda: handle.read(1 << 20), b""))
    if kind == "xlsx":
        try:
            from openpyxl import load_workbook

            workbook = load_workbook(path, read_only=True)
            try:
                return workbook.worksheets[0].max_row
            finally:
                workbook.close()
        except Exception:  # noqa: BLE001  (only an estimate)
            return None
    return None


def _safe_sniff(head: bytes) -> str:
    try:
        return sniff_format(head)
    except ValueError:
        return ""


def refuse_importer(user) -> None:
    """A file belongs to a whole region: only users who see every person of the regions they may
    pick (desa teams and above, puskesmas officers for their service area, administrators)
    import. A cadre sees one posyandu's children, so the importer could not match the file's other
    people against Tumbuh's and would create them again."""
    if scope_for(user).is_cadre:
        raise ImportRefused(_("A posyandu cadre cannot import a file for a whole desa; ask the desa "
                              "team or the puskesmas to import it."))


def import_region(user, region_code: str) -> Region:
    region = regions_for(user).filter(code=region_code).first()
    if region is None:
        raise ImportRefused(_("Region %(code)s is not inside your area.") % {"code": region_code})
    return region


def create_batch(declaration: Declaration, path: Path, *, user, region: Region, file_name: str | None = None,
                 status: str = ImportBatch.Status.RUNNING) -> ImportBatch:
    with Path(path).open("rb") as handle:
        head = handle.read(4096)
    return ImportBatch.objects.create(
        source=declaration.source, user=user, region=region, file_name=(file_name or Path(path).name)[:255],
        file_sha256=file_sha256(path), file_format=_safe_sniff(head), status=status,
    )


def run_import(source: str | Declaration, path: str | Path, *, user, region_code: str, file_name: str | None = None,
               progress: Callable[[int], None] | None = None, request=None, chunk_rows: int | None = None,
               batch: ImportBatch | None = None) -> ImportBatch:
    """Import one file with one declaration. `batch`: a batch created earlier (queued by the web
    upload), imported now by the worker."""
    declaration = source if isinstance(source, Declaration) else declaration_for(source)
    path = Path(path)
    refuse_importer(user)
    region = batch.region if batch is not None else import_region(user, region_code)
    if batch is None:
        batch = create_batch(declaration, path, user=user, region=region, file_name=file_name)
    else:
        if batch.status == ImportBatch.Status.QUEUED:
            ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING, started_at=timezone.now())
            batch.refresh_from_db()
    started = time.monotonic()
    channel = progress_channel.Channel(batch.pk)
    channel.write(state="running", done=0, total=estimate_rows(path))
    label = str(declaration.label)
    try:
        with transaction.atomic():
            importer = declaration.importer(batch, user, region, progress=progress,
                                            chunk_rows=chunk_rows or CHUNK_ROWS,
                                            declaration=declaration, channel=channel)
            importer.run(read_rows(path))
            batch.status = ImportBatch.Status.DONE
            batch.finished_at = timezone.now()
            batch.seconds = round(time.monotonic() - started, 3)
            batch.save()
            record(
                user, "import", obj=batch, region_code=region.code, request=request,
                summary=_("%(label)s file %(file)s: %(imported)d imported, %(merged)d merged, "
                          "%(unchanged)d unchanged, %(rejected)d rejected")
                % {"label": label, "file": batch.file_name, "imported": batch.imported, "merged": batch.merged,
                   "unchanged": batch.unchanged, "rejected": batch.rejected},
                detail={"source": declaration.source, "sha256": batch.file_sha256, "rows": batch.total_rows,
                        "imported": batch.imported, "merged": batch.merged,
                        "unchanged": batch.unchanged, "rejected": batch.rejected, "held": batch.held,
                        "people_created": batch.people_created},
            )
    except Exception as exc:
        cancelled = isinstance(exc, Cancelled)
        message = (_("Cancelled by %(user)s; nothing was imported.") % {"user": exc.by} if cancelled
                   else str(exc) or exc.__class__.__name__)
        status = ImportBatch.Status.CANCELLED if cancelled else ImportBatch.Status.FAILED
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=status, error=message, finished_at=timezone.now(),
            seconds=round(time.monotonic() - started, 3),
        )
        batch.refresh_from_db()
        channel.write(state=status, done=channel.read().get("done", 0), total=channel.read().get("total"))
        record(user, "import", obj=batch, region_code=region.code, request=request,
               summary=_("%(label)s file %(file)s failed: %(error)s") % {"label": label, "file": batch.file_name,
                                                                          "error": message},
               detail={"source": declaration.source, "sha256": batch.file_sha256, "failed": True,
                       "cancelled": cancelled})
        raise (ImportCancelled if cancelled else ImportFailed)(batch, message) from exc
    channel.write(state="done", done=batch.total_rows + batch.blank_rows, total=batch.total_rows + batch.blank_rows)
    return batch


class Cancelled(Exception):
    def __init__(self, by: str):
        super().__init__(by)
        self.by = by


@contextmanager
def cyclic_gc_paused():
    """No cyclic garbage collection while a file is imported. The import keeps millions of
    container objects alive (rows, records, the person index), and the collector kept re-scanning
    them: ~30% of the import's Python CPU time (200,000 rows: 13.4 s -> 9.5 s). The import makes
    next to no reference cycles (reference counting frees its garbage), and the previous setting
    is restored afterwards, also when the import fails."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def numbered(first: int, head: list, rest: Iterator) -> Iterator[tuple[int, list[str]]]:
    number = first
    for cells in head:
        yield number, cells
        number += 1
    for cells in rest:
        yield number, cells
        number += 1


def check_keys_per_statement(model) -> str:
    """On PostgreSQL, check `model`'s foreign keys at the end of each COPY (run beside the
    parsing of the next chunk) instead of all at commit, where a million rows' checks would run
    after everything else. Returns the constraints switched, to set back (`keys_deferred`)."""
    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass "
                       "AND contype = 'f' AND condeferrable AND condeferred", [model._meta.db_table])
        names = ", ".join(connection.ops.quote_name(name) for (name,) in cursor.fetchall())
        if names:
            cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")
    return names


def keys_deferred(names: str) -> None:
    if names:
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {names} DEFERRED")


class ChunkImporter:
    """The shared reading loop: header, numbering, chunks, blank lines, progress, cancel.
    Subclasses implement begin(header, mapping), process(rows) with the chunk's non-blank
    (row_number, cells), end() after the last chunk and close() always."""

    def __init__(self, batch: ImportBatch, user, region: Region, *, progress=None, chunk_rows=CHUNK_ROWS,
                 declaration: Declaration | None = None, channel=None):
        self.batch = batch
        self.user = user
        self.region = region
        self.progress = progress
        self.chunk_rows = chunk_rows
        self.declaration = declaration or self.default_declaration()
        self.channel = channel

    @classmethod
    def default_declaration(cls) -> Declaration:
        raise NotImplementedError

    # hooks
    def begin(self, header: list[str], mapping: dict[str, int]) -> None:
        pass

    def process(self, rows: list[tuple[int, list[str]]]) -> None:
        raise NotImplementedError

    def end(self) -> None:
        pass

    def close(self) -> None:
        pass

    # the loop
    def run(self, rows: Iterable[list[str]]) -> None:
        with cyclic_gc_paused():
            self._run(rows)

    def find_header(self, head: list[list[str]]) -> int:
        columns = self.declaration.columns
        at = columns.find_header_row(head)
        if at is None:
            best = max(head, key=lambda r: len(columns.map_header(r)), default=[])
            raise FileProblem(str(self.declaration.no_header) % {
                "n": HEADER_SEARCH_ROWS, "missing": ", ".join(columns.missing_required(columns.map_header(best)))})
        return at

    def _run(self, rows: Iterable[list[str]]) -> None:
        rows = iter(rows)
        head = list(islice(rows, HEADER_SEARCH_ROWS))
        at = self.find_header(head)
        header = head[at]
        while header and not header[-1]:  # a spreadsheet's used range often runs on, empty
            header = header[:-1]
        if len(header) > MAX_COLUMNS:
            raise FileProblem(str(self.declaration.too_wide) % {
                "n": len(header), "max": MAX_COLUMNS,
                "eppgbm": self.declaration.extra.get("columns", len(self.declaration.columns.header))})
        self.batch.header = header
        self.header = header
        self.mapping = self.declaration.columns.map_header(header)
        self.begin(header, self.mapping)
        lines = numbered(at + 2, head[at + 1:], rows)
        done = 0
        try:
            while chunk := list(islice(lines, self.chunk_rows)):
                self.check_cancel()
                self.process(chunk)
                done += len(chunk)
                if self.progress:
                    self.progress(len(chunk))
                if self.channel is not None:
                    self.channel.advance(done)
            self.end()
        finally:
            self.close()

    def check_cancel(self) -> None:
        if self.channel is not None and (by := self.channel.cancelled_by()) is not None:
            raise Cancelled(by)


# -- people ---------------------------------------------------------------------------------------


class PersonIndex:
    """Everyone in the import's region the user may see, for matching a row to a person with no
    query per row: NIK first, else normalised name + birth date (+ parent when both sides have
    one), near matches by name among people born the same day. NIKs registered outside the
    region are looked up (NIK only, no other data) so such rows are refused, never duplicated."""

    def __init__(self, user, region: Region, *, people=None):
        from tumbuh.registry.selectors import people_for

        from .matching import ChildIndex

        self.index = ChildIndex()
        self.by_name_birth: dict[tuple[str, dt.date], list[int]] = {}
        self.parent_of: dict[int, str] = {}
        self.info: dict[int, tuple] = {}  # pk -> (name, birth_date, desa_id, posyandu_id, household_id, sex)
        qs = people if people is not None else people_for(user).filter(within("desa_id", region.code))
        for pk, nik, name, birth_date, sex, desa, posyandu, household, mother, parent in qs.values_list(
                "pk", "nik", "name", "birth_date", "sex", "desa_id", "posyandu_id", "household_id",
                "mother__name", "eppgbm_parent__parent_name"):
            self.add(pk, nik, name, birth_date, parent or mother or "", (name, birth_date, desa, posyandu, household, sex))
        self.region = region

    def add(self, pk: int, nik: str, name: str, birth_date, parent: str, info: tuple) -> None:
        self.index.add(pk, nik, name, birth_date, parent)
        self.parent_of[pk] = self._n(parent)
        self.by_name_birth.setdefault((self._n(name), birth_date), []).append(pk)
        self.info[pk] = info

    @staticmethod
    def _n(name: str) -> str:
        from .matching import normalise_name

        return normalise_name(name)

    def find(self, nik: str, name: str, birth_date, parent: str = "") -> tuple[int | None, str]:
        """(person id, how) with how in {"nik", "key", "name", ""}. Without a parent in the file,
        name + birth date is enough when exactly one person in the region has both."""
        if nik and nik in self.index.by_nik:
            return self.index.by_nik[nik], "nik"
        if not name or birth_date is None:
            return None, ""
        person, how = self.index.exact("", name, birth_date, parent)
        if person is not None:
            return person, how
        same = self.by_name_birth.get((self._n(name), birth_date), [])
        # one person of that name and birth date, and no parent on one side to contradict it
        if len(same) == 1 and (not parent or not self.parent_of.get(same[0])):
            return same[0], "name"
        return None, ""

    def near(self, name: str, birth_date, parent: str = ""):
        if not name or birth_date is None:
            return []
        return self.index.near(name, birth_date, parent)

    def niks_elsewhere(self, niks: set[str]) -> set[str]:
        from tumbuh.registry.models import Person

        unknown = {n for n in niks if n and n not in self.index.by_nik}
        if not unknown:
            return set()
        found: set[str] = set()
        ordered = sorted(unknown)
        for start in range(0, len(ordered), 5000):
            found.update(Person.objects.filter(nik__in=ordered[start:start + 5000]).values_list("nik", flat=True))
        return found


# -- row by row -----------------------------------------------------------------------------------


class Entry:
    """One data row on its way through a RowImporter."""

    __slots__ = ("row_number", "cells", "values", "reasons", "notes", "person", "outcome", "object_id",
                 "previous", "key", "extra", "review")

    def __init__(self, row_number: int, cells: list[str]):
        self.row_number = row_number
        self.cells = cells
        self.values: dict = {}
        self.reasons: list[str] = []
        self.notes: list[str] = []
        self.person: int | None = None
        self.outcome = ""
        self.object_id: int | None = None
        self.previous: dict | None = None
        self.key = None  # identity of what the row writes, for repeats inside the file
        self.extra: dict = {}
        self.review: tuple[int, int, float] | None = None  # (person, candidate, score)

    def reject(self, reason: str) -> None:
        self.reasons.append(reason)


IMPORT_ROW_FIELDS = ("batch_id", "row_number", "outcome", "person_id", "object_id", "reasons", "notes",
                     "cells", "previous")


class RowImporter(ChunkImporter):
    """A declaration written as per-row steps over the shared machinery. Subclasses implement:

    - parse(entry, cells): fill entry.values (typed), entry.reasons (reject) and entry.notes;
    - resolve(entries): who/what each row is about (use self.people); reject when unknown;
    - decide(entries): entry.outcome (imported / merged / unchanged) and entry.key, with
      entry.previous for a merge; the framework catches repeats inside the file by entry.key;
    - write(entries): write the imported and merged rows (through the context's services), set
      entry.object_id.

    The framework writes one ImportRow per data row and keeps the counts."""

    needs_people = True

    def begin(self, header, mapping):
        self.cells_getter = CellReader(mapping, header)
        self.today = timezone.localdate()
        self.people = PersonIndex(self.user, self.region, people=self.people_queryset()) if self.needs_people else None
        self.copier = None  # a bulk.BackgroundCopy when the declaration writes with COPY
        self.seen: dict = {}  # entry.key -> (row number, comparable values, object id)

    def process(self, rows):
        batch = self.batch
        entries = []
        for row_number, cells in rows:
            if not any(cells):
                batch.blank_rows += 1
                continue
            entry = Entry(row_number, cells)
            self.parse(entry, self.cells_getter.bind(cells))
            entries.append(entry)
        batch.total_rows += len(entries)
        # The previous chunk's COPYs run beside the parsing above and beside what follows up to
        # this chunk's first query, which waits for them (bulk.BackgroundCopy).
        ok = [e for e in entries if not e.reasons]
        self.resolve(ok)
        # rows held for review (resolve set outcome "held"): logged, not decided or written
        ok = [e for e in ok if not e.reasons and e.outcome != ImportRow.Outcome.HELD]
        self.decide(ok)
        ok = [e for e in ok if not e.reasons]
        self._repeats(ok)
        writing = [e for e in ok if not e.reasons and e.outcome in (ImportRow.Outcome.IMPORTED,
                                                                     ImportRow.Outcome.MERGED)]
        from tumbuh.targets.summary import deferred

        with deferred():  # target-group cells: each desa rebuilt once per chunk, not once per row
            self.write(writing)
        seen, refused = self.seen, set()
        for e in writing:
            first = seen.get(e.key) if e.key is not None else None
            if first is None or first[0] != e.row_number:
                continue
            if e.reasons:  # refused by the context's checks: its repeats are not "unchanged"
                del seen[e.key]
                refused.add(e.row_number)
            else:
                seen[e.key] = (first[0], first[1], e.object_id)
        for e in ok:
            if e.outcome == ImportRow.Outcome.UNCHANGED and e.object_id is None and e.key is not None:
                if e.extra.get("repeat_of") in refused:
                    e.reject(_("same as row %(row)d, which was rejected") % {"row": e.extra["repeat_of"]})
                elif e.key in seen:
                    e.object_id = seen[e.key][2]
        self._log(entries)
        if self.copier is not None:
            self.copier.start()  # runs while the next chunk is read and parsed

    def people_queryset(self):
        """Whom rows may be matched to (default: the people of the import's region in the
        user's scope)."""
        return None

    def comparable(self, entry: Entry):
        """What two rows with the same key must agree on to be the same row."""
        return tuple(sorted((k, str(v)) for k, v in entry.values.items()))

    def _repeats(self, ok: list[Entry]) -> None:
        seen = self.seen
        for e in ok:
            if e.key is None:
                continue
            values = self.comparable(e)
            if e.key in seen:
                first_row, first_values, object_id = seen[e.key]
                if first_values == values:
                    e.outcome = ImportRow.Outcome.UNCHANGED
                    e.object_id = object_id
                    e.previous = None
                    e.extra["repeat_of"] = first_row
                    e.notes.append(_("same as row %(row)d") % {"row": first_row})
                else:
                    e.reject(_("same person and date as row %(row)d but different values; keep one of the two")
                             % {"row": first_row})
                continue
            seen[e.key] = (e.row_number, values, e.object_id)

    def _log(self, entries: list[Entry]) -> None:
        from .bulk import insert_rows

        batch = self.batch
        rows = []
        counts = dict.fromkeys(ImportRow.Outcome.values, 0)
        dumps = json.dumps
        reviews = []
        for e in entries:
            if e.reasons:
                outcome, person, obj = ImportRow.Outcome.REJECTED.value, None, None
            else:
                outcome, person, obj = e.outcome, e.person, e.object_id
                if outcome != ImportRow.Outcome.HELD and e.review is not None and (e.review[0] or 0) > 0 \
                        and (e.review[1] or 0) > 0:
                    reviews.append((e.row_number, *e.review))
            counts[outcome] += 1
            if e.notes:
                batch.rows_with_notes += 1
            keep = e.reasons or e.notes or e.previous
            # most rows have no reasons, notes or previous values: no json.dumps for an empty one
            rows.append((batch.pk, e.row_number, outcome, person, obj, dumps(e.reasons) if e.reasons else "[]",
                         dumps(e.notes) if e.notes else "[]", dumps(e.cells) if keep else "[]",
                         dumps(e.previous, default=str) if e.previous else "{}"))
        for outcome, n in counts.items():
            setattr(batch, outcome, getattr(batch, outcome) + n)
        insert_rows(ImportRow, IMPORT_ROW_FIELDS, rows, need_ids=False, json_ready=True, copier=self.copier)
        if reviews:
            if self.copier is not None:
                self.copier.wait()
            MatchReview.objects.bulk_create(
                [MatchReview(batch_id=batch.pk, row_number=n, person_id=p, candidate_id=c, score=s)
                 for n, p, c, s in reviews], batch_size=1000, ignore_conflicts=True)
            batch.review_count += len(reviews)

    # hooks
    def parse(self, entry: Entry, cells: CellReader) -> None:
        raise NotImplementedError

    def resolve(self, entries: list[Entry]) -> None:
        pass

    def decide(self, entries: list[Entry]) -> None:
        for e in entries:
            e.outcome = ImportRow.Outcome.IMPORTED

    def write(self, entries: list[Entry]) -> None:
        pass

    # shared steps for declarations about one person
    def match_person(self, entries: list[Entry], *, create: Callable[[Entry], int | None] | None = None,
                     hold: bool = False, nik="nik", name="name", birth_date="birth_date",
                     parent="parent_name") -> None:
        """Set entry.person from NIK / name + birth date (+ parent). Unknown: `create(entry)` makes
        the person (and near matches go on review); with `hold`, a row whose person is only a near
        match is held for review (outcome "held", entry.review = (None, candidate, score): the
        declaration files the review); else the row is rejected, naming a near match when there
        is one. A NIK registered outside the region rejects the row."""
        people = self.people
        elsewhere = people.niks_elsewhere({e.values.get(nik) for e in entries})
        for e in entries:
            v = e.values
            the_nik = v.get(nik) or ""
            if the_nik in elsewhere:
                e.reject(_("NIK %(nik)s belongs to a person registered outside %(region)s")
                         % {"nik": the_nik, "region": f"{self.region.name} ({self.region.code})"})
                continue
            person, _how = people.find(the_nik, v.get(name) or "", v.get(birth_date), v.get(parent) or "")
            if person is not None:
                e.person = person
                continue
            near = people.near(v.get(name) or "", v.get(birth_date), v.get(parent) or "")
            if create is None:
                if near and hold:
                    e.outcome = ImportRow.Outcome.HELD
                    e.review = (None, near[0].person_id, near[0].score)
                    continue
                if near:
                    other = people.info.get(near[0].person_id)
                    e.reject(_("person not found exactly; possibly the same as %(name)s (born %(born)s, "
                               "similarity %(score)s): correct the name, birth date or NIK in the file")
                             % {"name": other[0] if other else near[0].name,
                                "born": other[1].strftime("%d/%m/%Y") if other else "",
                                "score": f"{near[0].score:.0f}"})
                else:
                    e.reject(_("person not found in %(region)s (NIK %(nik)s, %(name)s, born %(born)s); "
                               "register the person first")
                             % {"region": f"{self.region.name} ({self.region.code})", "nik": the_nik or "-",
                                "name": v.get(name) or "-",
                                "born": v[birth_date].strftime("%d/%m/%Y") if v.get(birth_date) else "-"})
                continue
            person = create(e)
            if person is None:
                continue
            e.person = person
            if near:
                e.review = (person, near[0].person_id, near[0].score)


class CellReader:
    """Cells of one row by field name (whitespace squashed), and the file's own column names for
    messages."""

    __slots__ = ("mapping", "header", "cells", "width")

    def __init__(self, mapping: dict[str, int], header: list[str], cells=None):
        self.mapping = mapping
        self.header = header
        self.cells = cells
        self.width = len(cells) if cells is not None else 0

    def bind(self, cells: list[str]) -> CellReader:
        return CellReader(self.mapping, self.header, cells)

    def __getitem__(self, name: str) -> str:
        index = self.mapping.get(name)
        if index is None or index >= self.width:
            return ""
        text = self.cells[index]
        if not text:
            return ""
        return _squash(text)

    def has(self, name: str) -> bool:
        return name in self.mapping

    def column(self, name: str, default: str = "") -> str:
        index = self.mapping.get(name)
        return self.header[index].strip() if index is not None else default


@lru_cache(maxsize=200_000)  # names, codes and dates repeat row after row
def _squash(text: str) -> str:
    return " ".join(text.split())
