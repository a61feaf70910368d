"""Who is this row's child? By NIK; else by normalised name + birth date + parent's name; near
duplicates (a typo in a name) are never merged automatically but put on a review list."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

NAME_THRESHOLD = 85.0  # token_sort_ratio: "Siti Aminah" vs "Siti Aminnah" scores 96
PARENT_THRESHOLD = 80.0

_NOT_LETTERS = re.compile(r"[^a-z0-9 ]+")
_TITLES = re.compile(r"\b(an|by|bayi|ny|nyonya|tn|tuan|alm|almh|ibu|bpk|bapak)\b\.?")


@lru_cache(maxsize=500_000)  # a child's and a parent's name repeat on every weighing
def normalise_name(text: str) -> str:
    """Lowercase ASCII letters, one space, no titles ("By. Siti" = "siti"), no punctuation."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    text = _NOT_LETTERS.sub(" ", text.replace("'", ""))
    text = _TITLES.sub(" ", text)
    return " ".join(text.split())


@lru_cache(maxsize=50_000)
def normalise_place(text: str) -> str:
    """Region and posyandu names: "KEL. BONTANG KUALA" = "Bontang Kuala"."""
    text = normalise_name(text)
    text = re.sub(r"^(desa|kelurahan|kel|kec|kecamatan|kab|kabupaten|kota|prov|provinsi|posyandu|pos)\b ", "", text)
    return text


@dataclass(slots=True)
class Candidate:
    person_id: int
    name: str
    parent: str
    score: float


class ChildIndex:
    """Everyone the import can match against (existing people in the region, then each child the
    file creates), held in memory so matching costs no query per row."""

    def __init__(self):
        self.by_nik: dict[str, int] = {}
        self.by_key: dict[tuple[str, dt.date, str], int] = {}
        self.nik_of: dict[int, str] = {}
        self.by_birth_date: dict[dt.date, list[tuple[int, str, str]]] = defaultdict(list)

    def add(self, person_id: int, nik: str, name: str, birth_date: dt.date, parent: str) -> None:
        name_n, parent_n = normalise_name(name), normalise_name(parent)
        if nik:
            self.by_nik[nik] = person_id
            self.nik_of[person_id] = nik
        self.by_key.setdefault((name_n, birth_date, parent_n), person_id)
        self.by_birth_date[birth_date].append((person_id, name_n, parent_n))

    def set_nik(self, person_id: int, nik: str) -> None:
        self.by_nik[nik] = person_id
        self.nik_of[person_id] = nik

    def exact(self, nik: str, name: str, birth_date: dt.date, parent: str) -> tuple[int | None, str]:
        """(person_id, how) with how in {"nik", "key", ""}."""
        if nik and nik in self.by_nik:
            return self.by_nik[nik], "nik"
        person_id = self.by_key.get((normalise_name(name), birth_date, normalise_name(parent)))
        return (person_id, "key") if person_id is not None else (None, "")

    def near(self, name: str, birth_date: dt.date, parent: str, exclude: int | None = None) -> list[Candidate]:
        """Children born the same day whose names are close (and parents too, when both known)."""
        name_n, parent_n = normalise_name(name), normalise_name(parent)
        found = []
        for person_id, other_name, other_parent in self.by_birth_date.get(birth_date, ()):
            if person_id == exclude:
                continue
            score = fuzz.token_sort_ratio(name_n, other_name)
            if score < NAME_THRESHOLD:
                continue
            if parent_n and other_parent:
                parent_score = fuzz.token_sort_ratio(parent_n, other_parent)
                if parent_score < PARENT_THRESHOLD:
                    continue
                score = (score + parent_score) / 2
            found.append(Candidate(person_id, other_name, other_parent, round(score, 1)))
        return sorted(found, key=lambda c: -c.score)
