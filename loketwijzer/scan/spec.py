"""The scan's criteria as data: loading and checking ``data/scan/bouwstenen.yaml``."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from loketwijzer.config import REPO_ROOT

SPEC_PATH = REPO_ROOT / "data" / "scan" / "bouwstenen.yaml"

STATUS_VOLDOET = "voldoet"
STATUS_DEELS = "deels"
STATUS_NIET = "voldoet_niet"
STATUS_ONBEKEND = "onbekend"
STATUSES = (STATUS_VOLDOET, STATUS_DEELS, STATUS_NIET, STATUS_ONBEKEND)

SOURCE_DATA = "data"
SOURCE_VRAGENLIJST = "vragenlijst"
SOURCES = (SOURCE_DATA, SOURCE_VRAGENLIJST)


@dataclass(frozen=True)
class Criterion:
    id: str
    bouwsteen: str
    source: str  # data | vragenlijst
    label: str
    label_en: str
    todo: str
    todo_en: str
    measure: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    question: str | None = None
    question_en: str | None = None


@dataclass(frozen=True)
class Bouwsteen:
    code: str
    label: str
    label_en: str
    intro: str
    intro_en: str
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class ScanSpec:
    source: dict[str, Any]
    core_areas: tuple[str, ...]
    bouwstenen: tuple[Bouwsteen, ...]

    @property
    def criteria(self) -> dict[str, Criterion]:
        return {c.id: c for b in self.bouwstenen for c in b.criteria}

    def questionnaire_ids(self) -> list[str]:
        return [c.id for b in self.bouwstenen for c in b.criteria
                if c.source == SOURCE_VRAGENLIJST]


class SpecError(ValueError):
    """The criteria file is wrong (a programming error, caught by the tests)."""


def _text(item: dict[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SpecError(f"{where}: '{key}' ontbreekt")
    return " ".join(value.split())


def parse_spec(data: dict[str, Any]) -> ScanSpec:
    from loketwijzer.scan.measures import MEASURES

    bouwstenen = []
    seen: set[str] = set()
    for b in data.get("bouwstenen") or []:
        code = _text(b, "code", "bouwsteen")
        criteria = []
        for c in b.get("criteria") or []:
            cid = _text(c, "id", code)
            if cid in seen:
                raise SpecError(f"criterium {cid} staat er twee keer in")
            seen.add(cid)
            source = c.get("source")
            if source not in SOURCES:
                raise SpecError(f"{cid}: source moet data of vragenlijst zijn")
            measure = c.get("measure")
            if source == SOURCE_DATA and measure not in MEASURES:
                raise SpecError(f"{cid}: onbekende maat {measure!r}")
            criteria.append(Criterion(
                id=cid, bouwsteen=code, source=source, label=_text(c, "label", cid),
                label_en=_text(c, "label_en", cid), todo=_text(c, "todo", cid),
                todo_en=_text(c, "todo_en", cid), measure=measure,
                params=dict(c.get("params") or {}),
                question=_text(c, "question", cid) if source == SOURCE_VRAGENLIJST else None,
                question_en=_text(c, "question_en", cid)
                if source == SOURCE_VRAGENLIJST else None))
        bouwstenen.append(Bouwsteen(code, _text(b, "label", code), _text(b, "label_en", code),
                                    _text(b, "intro", code), _text(b, "intro_en", code),
                                    tuple(criteria)))
    source = dict(data.get("source") or {})
    for key in ("title", "publisher", "year"):
        if not source.get(key):
            raise SpecError(f"source.{key} ontbreekt")
    return ScanSpec(source=source, core_areas=tuple(data.get("core_areas") or ()),
                    bouwstenen=tuple(bouwstenen))


@functools.cache
def _load(path: Path) -> ScanSpec:
    with path.open(encoding="utf-8") as fh:
        return parse_spec(yaml.safe_load(fh))


def load_spec(path: Path | None = None) -> ScanSpec:
    return _load(path or SPEC_PATH)
