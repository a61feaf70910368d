"""The versioned convergence framework and the assessment configuration, read from data files.

`frameworks/*.json`: one file per framework version (the 8 aksi until 2025, four from 2026), each
valid for a range of years. A year's records store the framework code they were made under, so
old years keep their eight actions after the four-action framework starts: no migration.

`assessment/<year>.json`: the performance-assessment weights, the document/presentation split
and the grade-to-score mapping of one year (no weights are published: configuration).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
FRAMEWORK_DIR = HERE / "frameworks"
ASSESSMENT_DIR = HERE / "assessment"


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str


@dataclass(frozen=True)
class Action:
    number: int
    name: str
    lead: str
    due_months: tuple[int, ...]
    outputs: tuple[str, ...]
    indicators: tuple[Indicator, ...]
    auto_evidence: str = ""


@dataclass(frozen=True)
class Framework:
    code: str
    name: str
    first_year: int
    last_year: int
    actions: tuple[Action, ...]

    def action(self, number: int) -> Action:
        for a in self.actions:
            if a.number == number:
                return a
        raise KeyError(number)


class FrameworkMissing(LookupError):
    pass


def _parse(data: dict) -> Framework:
    actions = tuple(
        Action(number=int(a["number"]), name=a["name"], lead=a.get("lead", ""),
               due_months=tuple(int(m) for m in a.get("due_months", [])),
               outputs=tuple(a.get("outputs", [])),
               indicators=tuple(Indicator(i["code"], i["name"]) for i in a.get("indicators", [])),
               auto_evidence=a.get("auto_evidence", ""))
        for a in data["actions"])
    return Framework(data["code"], data["name"], int(data["first_year"]), int(data["last_year"]), actions)


@cache
def frameworks() -> dict[str, Framework]:
    out = {}
    for path in sorted(FRAMEWORK_DIR.glob("*.json")):
        fw = _parse(json.loads(path.read_text(encoding="utf-8")))
        out[fw.code] = fw
    return out


def by_code(code: str) -> Framework:
    try:
        return frameworks()[code]
    except KeyError as exc:
        raise FrameworkMissing(code) from exc


def for_year(year: int) -> Framework:
    for fw in frameworks().values():
        if fw.first_year <= year <= fw.last_year:
            return fw
    raise FrameworkMissing(f"no framework covers {year}")


@dataclass(frozen=True)
class AssessmentConfig:
    year: int
    framework: str
    document_weight: float
    presentation_weight: float
    grades: dict
    aksi_weights: dict


@cache
def assessment_config(year: int) -> AssessmentConfig:
    path = ASSESSMENT_DIR / f"{int(year)}.json"
    if not path.exists():
        raise FrameworkMissing(f"no assessment configuration for {year}")
    d = json.loads(path.read_text(encoding="utf-8"))
    return AssessmentConfig(int(d["year"]), d["framework"], float(d["document_weight"]),
                            float(d["presentation_weight"]), dict(d["grades"]),
                            {int(k): float(v) for k, v in d["aksi_weights"].items()})


def assessment_years() -> list[int]:
    return sorted(int(p.stem) for p in ASSESSMENT_DIR.glob("*.json") if p.stem.isdigit())
