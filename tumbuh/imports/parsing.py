"""One row of text cells -> a typed record, or the reasons it cannot be one.

Repairs that are certain (weight typed in grams, height in millimetres, comma decimals) are made
and recorded as notes; anything doubtful rejects the row with a reason the operator can act on.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tumbuh.measurements.validation import (
    ARM_RANGE_CM,
    LENGTH_RANGE_CM,
    MAX_AGE_DAYS,
    WEIGHT_RANGE_KG,
    input_errors,
    who_length_for_age,
)
from tumbuh.registry.nik import NikError, clean_nik, parse_nik

# EPPGBM writes these where it had no value to put (domain.md 2.2).
SENTINELS = {999.99, 999.9, 999.0, 9999.0, 99999.0, -999.99, -999.0}

# The data-entry screen's limits apply to imported rows too (one definition of a valid measurement).
WEIGHT_KG = WEIGHT_RANGE_KG
HEIGHT_CM = LENGTH_RANGE_CM
ARM_CM = ARM_RANGE_CM
BIRTH_WEIGHT_KG = (0.3, 7.0)
BIRTH_LENGTH_CM = (20.0, 65.0)

SEX = {
    "l": "M", "lk": "M", "laki-laki": "M", "laki laki": "M", "lakilaki": "M", "m": "M", "male": "M",
    "p": "F", "pr": "F", "perempuan": "F", "wanita": "F", "f": "F", "female": "F",
}
POSITION = {
    "berdiri": "h", "tb": "h", "h": "h", "standing": "h", "tinggi": "h",
    "terlentang": "l", "telentang": "l", "berbaring": "l", "tidur": "l", "pb": "l", "l": "l",
    "lying": "l", "panjang": "l",
}
MONTHS = {
    "jan": 1, "januari": 1, "feb": 2, "februari": 2, "peb": 2, "mar": 3, "maret": 3, "apr": 4,
    "april": 4, "mei": 5, "may": 5, "jun": 6, "juni": 6, "jul": 7, "juli": 7, "agu": 8, "agt": 8,
    "agustus": 8, "aug": 8, "sep": 9, "september": 9, "okt": 10, "oktober": 10, "oct": 10,
    "nov": 11, "november": 11, "des": 12, "desember": 12, "dec": 12,
}


class BadValue(ValueError):
    pass


@dataclass(slots=True)
class Record:
    name: str
    sex: str
    birth_date: dt.date
    measured_on: dt.date
    nik: str = ""
    parent_name: str = ""
    birth_weight_kg: float | None = None
    birth_length_cm: float | None = None
    kecamatan: str = ""
    puskesmas: str = ""
    desa: str = ""
    posyandu: str = ""
    rt: str = ""
    rw: str = ""
    address: str = ""
    weight_kg: float | None = None
    length_cm: float | None = None
    position: str = ""
    arm_circumference_cm: float | None = None
    wfa_z: float | None = None
    hfa_z: float | None = None
    wfh_z: float | None = None
    notes: list[str] = field(default_factory=list)


_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_D_MONTH_Y = re.compile(r"^(\d{1,2})[ \-]([a-z]+)[ \-](\d{4})$")
_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")
EXCEL_EPOCH = dt.date(1899, 12, 30)


@lru_cache(maxsize=100_000)
def parse_date(text: str) -> dt.date | None:
    """The date formats EPPGBM files use: dd/mm/yyyy, dd-mm-yyyy, yyyy-mm-dd, 5 Januari 2023 and
    Excel serial numbers. Raises BadValue for anything else."""
    text = text.strip()
    if not text:
        return None
    try:
        if m := _YMD.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.match(text):
            year = int(m[3])
            if len(m[3]) == 2:  # two-digit year: children are born this century
                year += 2000
            return dt.date(year, int(m[2]), int(m[1]))
        if m := _D_MONTH_Y.match(text.lower()):
            if m[2] in MONTHS:
                return dt.date(int(m[3]), MONTHS[m[2]], int(m[1]))
        if _SERIAL.match(text):
            return EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
    except ValueError as exc:  # 31/02/2023
        raise BadValue(_("'%(value)s' is not a valid date") % {"value": text}) from exc
    raise BadValue(_("'%(value)s' is not a date (use dd/mm/yyyy)") % {"value": text})


@lru_cache(maxsize=200_000)
def parse_number(text: str) -> float | None:
    """A decimal with ',' or '.' as separator; raises BadValue for text like 'tdk diukur'."""
    original = text.strip()
    text = original.replace(" ", "")
    if not text or text in {"-", "--"}:
        return None
    if "," in text:
        if "." in text and text.rfind(",") < text.rfind("."):
            text = text.replace(",", "")  # 1,234.5
        else:
            text = text.replace(".", "").replace(",", ".")  # 1.234,5 or 12,5
    try:
        value = float(text)
    except ValueError:
        raise BadValue(_("'%(value)s' is not a number") % {"value": original}) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise BadValue(_("'%(value)s' is not a number") % {"value": original})
    return value


# What a spreadsheet makes of a long number: 6.47401E+15, 6474011506780001.0, 6,47E+15
_NUMBER_SPELLING = re.compile(r"^[+-]?\d+(?:[.,]\d*)?(?:[eE][+-]?\d+)?$", re.ASCII)


def _checked_nik(text: str) -> tuple[str, str]:
    """(nik, "") or ("", why not); cached because a child's NIK repeats on every weighing (per
    language: the reason is translated)."""
    return _checked_nik_in(text, get_language())


@lru_cache(maxsize=200_000)
def _checked_nik_in(text: str, _language: str | None) -> tuple[str, str]:
    """_checked_nik() for one language.

    Digits only (ASCII) is checked first: a NIK typed with letters ("64740115O6ABCDEF") is a
    typing error, not a number Excel rounded, even when one of the letters is an E."""
    compact = text.strip().replace(" ", "").lstrip("'")
    if not (compact.isascii() and compact.isdigit()) and not _NUMBER_SPELLING.match(compact):
        return "", f'{_("NIK must contain digits only")} ({compact})'
    try:
        parse_nik(text)
        return clean_nik(text), ""
    except NikError as exc:
        return "", str(exc)


# Longest text each field can hold (Person.name, ParentName, Posyandu.name, Household.address/RT/RW).
NAME_MAX = 120
ADDRESS_MAX = 255
RT_RW_MAX = 3
# A posyandu name has letters; digits, spaces and . , ' ’ - / ( ) & # may come with them.
_PLACE_CHARS = re.compile(r"^[^\W_]+(?:[\w .,'’\-/()&#]*)$")


def posyandu_name_problem(name: str) -> str:
    """Why `name` (squashed) cannot be the name of a posyandu Tumbuh would create, or ""."""
    if not name:
        return ""
    if len(name) > NAME_MAX:
        return _("is %(n)d characters long; a posyandu name has at most %(max)d") % {"n": len(name), "max": NAME_MAX}
    try:
        float(name.replace(",", "."))
    except ValueError:
        pass
    else:  # "inf", "nan", "1e5", "12"
        return _("is a number, not a name")
    if not any(ch.isalpha() for ch in name) or not _PLACE_CHARS.match(name) or "_" in name:
        return _("is not a posyandu name (letters, digits, spaces and . , ' - / ( ) & # only)")
    return ""


def is_sentinel(value: float | None) -> bool:
    return value is not None and round(value, 2) in SENTINELS


def _fix_weight(value: float, column: str, notes: list[str], reasons: list[str]) -> float | None:
    low, high = WEIGHT_KG
    if low <= value <= high:
        return value
    if 250 <= value <= high * 1000:
        kg = round(value / 1000, 3)
        notes.append(_("%(col)s %(old)s converted from grams to %(new)s kg") % {"col": column, "old": _g(value), "new": _g(kg)})
        return kg
    return value  # out of range either way: input_errors() says so


def _fix_length(value: float, column: str, bounds: tuple[float, float], notes, reasons) -> float | None:
    low, high = bounds
    if low <= value <= high:
        return value
    if low * 10 <= value <= high * 10:
        cm = round(value / 10, 2)
        notes.append(_("%(col)s %(old)s converted from millimetres to %(new)s cm") % {"col": column, "old": _g(value), "new": _g(cm)})
        return cm
    if low / 100 <= value <= min(high / 100, 2.5):
        cm = round(value * 100, 2)
        notes.append(_("%(col)s %(old)s converted from metres to %(new)s cm") % {"col": column, "old": _g(value), "new": _g(cm)})
        return cm
    if reasons is None:
        return None
    return value  # out of range either way: input_errors() says so


def _g(value: float) -> str:
    return f"{value:g}"


# -- per distinct value, for RowParser.parse_many: (value, clean) where clean means parse() would
# take the value as is, with no note and no reason. Each mirrors the matching step of parse().
def _squashed(text: str) -> tuple[str, bool]:
    return " ".join(text.split()), True


def _required_text(text: str) -> tuple[str, bool]:
    value = " ".join(text.split())
    return value, bool(value)


def _sex(text: str) -> tuple[str | None, bool]:
    sex = SEX.get(text.lower())
    return sex, sex is not None


def _required_date(text: str) -> tuple[dt.date | None, bool]:
    try:
        value = parse_date(text)
    except BadValue:
        return None, False
    return value, value is not None


def _birth_date(text: str) -> tuple[dt.date | None, bool]:
    value, clean = _required_date(text)
    return value, clean and value.year >= 1900


def _measured(bounds: tuple[float, float]):
    low, high = bounds

    def decode(text: str) -> tuple[float | None, bool]:
        try:
            value = parse_number(text)
        except BadValue:
            return None, False
        if value is None:
            return None, True
        # a sentinel, a value <= 0 or out of range gets a note or a reason in parse()
        return value, low <= value <= high and not is_sentinel(value)
    return decode


def _nik(text: str) -> tuple[str, bool]:
    if text and text.strip("-0 ") != "":
        nik, error = _checked_nik(text)
        return nik, not error
    return "", True


def _name(text: str) -> tuple[str, bool]:
    value = " ".join(text.split())
    return value, bool(value) and len(value) <= NAME_MAX


def _parent(text: str) -> tuple[str, bool]:
    value = " ".join(text.split())
    return value, len(value) <= NAME_MAX


def _posyandu(text: str) -> tuple[str, bool]:
    value = " ".join(text.split())
    return value, not posyandu_name_problem(value)


def _limited(limit: int):
    def decode(text: str) -> tuple[str, bool]:
        return text, len(text) <= limit
    return decode


def _position(text: str) -> tuple[str, bool]:
    return POSITION.get(text.lower(), ""), True


def _secondary(text: str) -> float | None:
    """_optional(..., notes) without the notes: None when unusable, plus whether a note is due."""
    try:
        value = parse_number(text)
    except BadValue:
        return None, False
    if is_sentinel(value) or (value is not None and value <= 0):
        return None, True
    return value, True


def _birth_weight(text: str) -> tuple[float | None, bool]:
    value, clean = _secondary(text)
    if value is None:
        return None, clean
    return value, BIRTH_WEIGHT_KG[0] <= value <= BIRTH_WEIGHT_KG[1]


def _birth_length(text: str) -> tuple[float | None, bool]:
    value, clean = _secondary(text)
    if value is None:
        return None, clean
    return value, BIRTH_LENGTH_CM[0] <= value <= BIRTH_LENGTH_CM[1]


def _z(text: str) -> tuple[float | None, bool]:
    try:
        value = parse_number(text)
    except BadValue:
        return None, True
    return (None if is_sentinel(value) else value), True


_FAST_DECODERS = {
    "name": _name, "sex": _sex, "birth_date": _birth_date, "measured_on": _required_date,
    "desa": _required_text, "weight": _measured(WEIGHT_KG), "height": _measured(HEIGHT_CM),
    "arm_circumference": _measured(ARM_CM), "nik": _nik, "position": _position,
    "birth_weight": _birth_weight, "birth_length": _birth_length,
    "wfa_z": _z, "hfa_z": _z, "wfh_z": _z,
    "parent_name": _parent, "kecamatan": _squashed, "puskesmas": _squashed, "posyandu": _posyandu,
    "rt": _limited(RT_RW_MAX), "rw": _limited(RT_RW_MAX), "address": _limited(ADDRESS_MAX),
}
_FAST_FIELDS = tuple(_FAST_DECODERS)
# Record's fields (but notes) in order, as parse_many's decoders name them
_RECORD_ORDER = ("name", "sex", "birth_date", "measured_on", "nik", "parent_name", "birth_weight",
                 "birth_length", "kecamatan", "puskesmas", "desa", "posyandu", "rt", "rw", "address",
                 "weight", "height", "position", "arm_circumference", "wfa_z", "hfa_z", "wfh_z")


def _decode_column(column: list[str], decode) -> tuple[list, np.ndarray | None]:
    """decode() once per distinct value; (values per row, clean per row or None if all clean)."""
    distinct = {text: decode(text) for text in set(column)}
    values = list(map({text: value for text, (value, _clean) in distinct.items()}.__getitem__, column))
    if all(clean for _value, clean in distinct.values()):
        return values, None
    clean = {text: ok for text, (_value, ok) in distinct.items()}
    return values, np.fromiter(map(clean.__getitem__, column), dtype=bool, count=len(column))


class RowParser:
    """Parses rows of one file; `mapping` is field -> column index, `header` the file's headers."""

    def __init__(self, mapping: dict[str, int], header: list[str], today: dt.date | None = None):
        self.mapping = mapping
        self.header = header
        self.today = today or dt.date.today()

    def column(self, field_name: str) -> str:
        return self.header[self.mapping[field_name]].strip()

    def _cell(self, cells: list[str], field_name: str) -> str:
        index = self.mapping.get(field_name)
        if index is None or index >= len(cells):
            return ""
        return cells[index]  # readers strip every cell

    def parse(self, cells: list[str]) -> tuple[Record | None, list[str]]:
        """(record, []) or (None, reasons)."""
        get = self._cell
        reasons: list[str] = []
        notes: list[str] = []

        name = " ".join(get(cells, "name").split())
        if not name:
            reasons.append(_("%(col)s is empty") % {"col": self.column("name")})
        elif len(name) > NAME_MAX:
            reasons.append(_("%(col)s is %(n)d characters long; Tumbuh keeps names of at most %(max)d "
                             "characters, so shorten it (nothing was cut)")
                           % {"col": self.column("name"), "n": len(name), "max": NAME_MAX})
        parent_name = " ".join(get(cells, "parent_name").split())
        if len(parent_name) > NAME_MAX:
            reasons.append(_("%(col)s is %(n)d characters long; Tumbuh keeps names of at most %(max)d "
                             "characters, so shorten it (nothing was cut)")
                           % {"col": self.column("parent_name"), "n": len(parent_name), "max": NAME_MAX})
        posyandu = " ".join(get(cells, "posyandu").split())
        if problem := posyandu_name_problem(posyandu):
            reasons.append(_("%(col)s '%(value)s' %(problem)s") % {
                "col": self.column("posyandu"), "value": posyandu, "problem": problem})
        sex_text = get(cells, "sex")
        sex = SEX.get(sex_text.lower())
        if sex is None:
            reasons.append(_("%(col)s '%(value)s' is not L or P") % {"col": self.column("sex"), "value": sex_text})

        birth_date = self._date(cells, "birth_date", reasons, required=True)
        measured_on = self._date(cells, "measured_on", reasons, required=True)
        if birth_date and birth_date.year < 1900:
            reasons.append(_("birth date %(b)s is not plausible") % {"b": birth_date})

        desa = " ".join(get(cells, "desa").split())
        if not desa:
            reasons.append(_("%(col)s is empty") % {"col": self.column("desa")})

        weight = self._measure(cells, "weight", reasons, notes)
        if weight is not None:
            weight = _fix_weight(weight, self.column("weight"), notes, reasons)
        height = self._measure(cells, "height", reasons, notes)
        if height is not None:
            height = _fix_length(height, self.column("height"), HEIGHT_CM, notes, reasons)
        arm = self._measure(cells, "arm_circumference", reasons, notes)
        if arm is not None:
            arm = _fix_length(arm, self.column("arm_circumference"), ARM_CM, notes, reasons)

        nik = ""
        nik_text = get(cells, "nik")
        if nik_text and nik_text.strip("-0 ") != "":
            nik, error = _checked_nik(nik_text)
            if error:
                # The child can still be matched by name, birth date and parent; keep the row.
                notes.append(_("NIK not used: %(error)s") % {"error": error})

        position_text = get(cells, "position")
        position = POSITION.get(position_text.lower(), "")
        if height is not None and not position and birth_date and measured_on:
            # WHO convention: lying under 2 years, standing from 2 years.
            position = "l" if (measured_on - birth_date).days < 731 else "h"
            notes.append(_("%(col)s '%(value)s' not recognised; assumed %(position)s by age") % {
                "col": self.column("position") if "position" in self.mapping else "Cara Ukur",
                "value": position_text, "position": _("lying") if position == "l" else _("standing")})
        if birth_date and measured_on and not reasons:
            problems = input_errors(
                birth_date=birth_date, measured_on=measured_on, weight_kg=weight, length_cm=height,
                position=position, head=None, arm=arm, today=self.today)
            if height is not None and not HEIGHT_CM[0] <= height <= HEIGHT_CM[1]:
                problems = self._height_by_who(problems, height, sex, birth_date, measured_on, position)
            reasons.extend(str(p) for p in problems)

        birth_weight = self._optional(cells, "birth_weight", notes)
        if birth_weight is not None:
            if BIRTH_WEIGHT_KG[1] < birth_weight <= BIRTH_WEIGHT_KG[1] * 1000 and birth_weight >= 300:
                notes.append(_("%(col)s %(old)s converted from grams") % {"col": self.column("birth_weight"), "old": _g(birth_weight)})
                birth_weight = round(birth_weight / 1000, 3)
            if not BIRTH_WEIGHT_KG[0] <= birth_weight <= BIRTH_WEIGHT_KG[1]:
                notes.append(_("%(col)s %(value)s not plausible; left empty") % {"col": self.column("birth_weight"), "value": _g(birth_weight)})
                birth_weight = None
        birth_length = self._optional(cells, "birth_length", notes)
        if birth_length is not None:
            fixed = _fix_length(birth_length, self.column("birth_length"), BIRTH_LENGTH_CM, notes, None)
            if fixed is None:
                notes.append(_("%(col)s %(value)s not plausible; left empty") % {"col": self.column("birth_length"), "value": _g(birth_length)})
            birth_length = fixed

        address = get(cells, "address")
        if len(address) > ADDRESS_MAX:
            notes.append(_("%(col)s is %(n)d characters long; only its first %(max)d were kept")
                         % {"col": self.column("address"), "n": len(address), "max": ADDRESS_MAX})
            address = address[:ADDRESS_MAX]
        rt, rw = get(cells, "rt"), get(cells, "rw")
        for field_name in ("rt", "rw"):
            value = rt if field_name == "rt" else rw
            if len(value) > RT_RW_MAX:
                notes.append(_("%(col)s '%(value)s' is longer than %(max)d characters; left empty")
                             % {"col": self.column(field_name), "value": value, "max": RT_RW_MAX})
                if field_name == "rt":
                    rt = ""
                else:
                    rw = ""

        if reasons:
            return None, reasons
        return Record(
            name=name, sex=sex, birth_date=birth_date, measured_on=measured_on, nik=nik,
            parent_name=parent_name,
            birth_weight_kg=birth_weight, birth_length_cm=birth_length,
            kecamatan=" ".join(get(cells, "kecamatan").split()),
            puskesmas=" ".join(get(cells, "puskesmas").split()),
            desa=desa, posyandu=posyandu, rt=rt, rw=rw, address=address,
            weight_kg=weight, length_cm=height, position=position, arm_circumference_cm=arm,
            wfa_z=self._optional(cells, "wfa_z", None), hfa_z=self._optional(cells, "hfa_z", None),
            wfh_z=self._optional(cells, "wfh_z", None), notes=notes,
        ), []

    def _height_by_who(self, problems, height, sex, birth_date, measured_on, position):
        """A height outside the entry screen's fixed range is kept when WHO's flag rule keeps it
        (length/height-for-age within -6..+6 SD): a tall 4-year-old at +5.4 SD is a real child.
        Beyond the flag limits the row is rejected with the z-score that says why. Values that are
        a unit slip (mm, metres: physically impossible as centimetres) keep their own reason."""
        from tumbuh.measurements.validation import METRES_THRESHOLD, MM_THRESHOLD

        if not METRES_THRESHOLD <= height <= MM_THRESHOLD or sex is None or position not in ("l", "h"):
            return problems
        age = (measured_on - birth_date).days
        if not 0 <= age < MAX_AGE_DAYS:
            return problems
        z, flagged = who_length_for_age(height, sex, age, position)
        rest = [p for p in problems if getattr(p, "field", None) != "length_cm"]  # the fixed range
        if z is not None and not flagged:
            return rest
        text = (_("%(col)s %(value)s cm: WHO flags length/height-for-age %(z)s SD as implausible "
                  "(beyond -6 to +6 SD)") % {"col": self.column("height"), "value": _g(height),
                                             "z": f"{z:+.1f}".replace(".", ",")}
                if z is not None else
                _("%(col)s %(value)s cm is outside what WHO's tables cover") % {"col": self.column("height"), "value": _g(height)})
        return [*rest, text]

    # -- many rows at once ---------------------------------------------------------------------
    def parse_many(self, rows: list[list[str]]) -> list[tuple[Record | None, list[str]]]:
        """parse() for every row, same results, much faster on big files.

        Each column is decoded once per distinct value (a child's name, NIK and birth date repeat
        on every weighing; a month has one measurement date), with the same per-value functions
        parse() uses. A row whose every value decodes cleanly (no note, no reason) and passes the
        row-level checks is assembled directly; any other row, i.e. every row with a repair note
        or a rejection reason, goes through parse() itself, so its reasons and notes are exactly
        parse()'s."""
        n = len(rows)
        if n == 0:
            return []
        width = len(rows[0])
        # one C-level transpose when every row has the same width (the usual case)
        transposed = list(zip(*rows, strict=True)) if all(len(r) == width for r in rows) else None
        cols = {name: self._column_values(rows, name, transposed) for name in _FAST_FIELDS}
        ok = np.ones(n, dtype=bool)
        values: dict[str, list] = {}
        for name, decode in _FAST_DECODERS.items():
            decoded, clean = _decode_column(cols[name], decode)
            values[name] = decoded
            if clean is not None:
                ok &= clean
        height = values["height"]
        position = values["position"]
        weight = values["weight"]
        arm = values["arm_circumference"]
        has_height = np.fromiter((v is not None for v in height), dtype=bool, count=n)
        has_any = has_height | np.fromiter((v is not None for v in weight), dtype=bool, count=n) | \
            np.fromiter((v is not None for v in arm), dtype=bool, count=n)
        ok &= has_any
        # an empty Cara Ukur with a height gets a note (position assumed by age): slow path
        ok &= ~(has_height & np.fromiter((not p for p in position), dtype=bool, count=n))
        born = values["birth_date"]
        measured = values["measured_on"]
        today = self.today.toordinal()
        ordinal = {d: d.toordinal() for d in {*born, *measured} if d is not None}
        ordinal[None] = 0
        born_o = np.array([ordinal[d] for d in born], dtype=np.int64)
        measured_o = np.array([ordinal[d] for d in measured], dtype=np.int64)
        age = measured_o - born_o
        ok &= (measured_o <= today) & (age >= 0) & (age < MAX_AGE_DAYS)

        out: list[tuple[Record | None, list[str]]] = []
        v = values
        columns = [v[name] for name in _RECORD_ORDER]
        parse = self.parse
        for clean, cells, *record in zip(ok.tolist(), rows, *columns, strict=True):
            if clean:
                out.append((Record(*record, []), []))
            else:
                out.append(parse(cells))
        return out

    def _column_values(self, rows: list[list[str]], field_name: str, transposed=None) -> list[str]:
        index = self.mapping.get(field_name)
        if index is None:
            return [""] * len(rows)
        if transposed is not None:
            return transposed[index] if index < len(transposed) else [""] * len(rows)
        try:
            return [cells[index] for cells in rows]
        except IndexError:  # a short (ragged) row somewhere in the chunk
            return [cells[index] if index < len(cells) else "" for cells in rows]

    def _date(self, cells, field_name, reasons, required=False) -> dt.date | None:
        if field_name not in self.mapping:
            return None
        try:
            value = parse_date(self._cell(cells, field_name))
        except BadValue as exc:
            reasons.append(f"{self.column(field_name)}: {exc}")
            return None
        if value is None and required:
            reasons.append(_("%(col)s is empty") % {"col": self.column(field_name)})
        return value

    def _measure(self, cells, field_name, reasons, notes) -> float | None:
        """A measured value: text is a reason to reject, a sentinel means 'not measured'."""
        if field_name not in self.mapping:
            return None
        try:
            value = parse_number(self._cell(cells, field_name))
        except BadValue as exc:
            reasons.append(f"{self.column(field_name)}: {exc}")
            return None
        if is_sentinel(value):
            notes.append(_("%(col)s %(value)s is a placeholder; left empty") % {"col": self.column(field_name), "value": _g(value)})
            return None
        if value is not None and value <= 0:
            notes.append(_("%(col)s %(value)s is not a measurement; left empty") % {"col": self.column(field_name), "value": _g(value)})
            return None
        return value

    def _optional(self, cells, field_name, notes) -> float | None:
        """A secondary value (birth weight, EPPGBM's z-scores): unusable means empty, not rejected."""
        if field_name not in self.mapping:
            return None
        text = self._cell(cells, field_name)
        try:
            value = parse_number(text)
        except BadValue:
            if notes is not None:
                notes.append(_("%(col)s '%(value)s' is not a number; left empty") % {"col": self.column(field_name), "value": text})
            return None
        if is_sentinel(value) or (value is not None and value <= 0 and notes is not None):
            return None
        return value
