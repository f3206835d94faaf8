"""Provider types and the rules that classify a help row (areas, independence, cost, channels).

The knowledge lives in ``data/provider_types.yaml`` so that policy staff can read and
change it without touching code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from loketwijzer.config import DATA_DIR


@dataclass(frozen=True)
class ProviderType:
    code: str
    nl: str
    en: str
    independent: bool
    free: bool | None
    areas: tuple[str, ...]


@dataclass(frozen=True)
class NameRule:
    pattern: re.Pattern[str]
    areas: tuple[str, ...]
    independent: bool | None
    override: bool = False


@dataclass(frozen=True)
class Classification:
    areas: tuple[str, ...]
    independent: bool
    free: bool | None
    walk_in: bool
    by_appointment: bool
    by_phone: bool
    online: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ProviderTypes:
    types: dict[str, ProviderType]
    name_rules: tuple[NameRule, ...]
    national_name: re.Pattern[str]
    paid: re.Pattern[str]
    free: re.Pattern[str]
    walk_in: re.Pattern[str]
    no_walk_in: re.Pattern[str]
    appointment: re.Pattern[str]
    online: re.Pattern[str]

    def get(self, code: str) -> ProviderType | None:
        return self.types.get(code)

    def label(self, code: str, lang: str = "nl") -> str:
        ptype = self.types.get(code)
        if ptype is None:
            return code
        return ptype.en if lang == "en" else ptype.nl

    def is_national_name(self, name: str) -> bool:
        return bool(self.national_name.search(name or ""))

    def classify(
        self,
        provider_type: str,
        name: str,
        notes: str | None = None,
        *,
        phone: str | None = None,
        website: str | None = None,
    ) -> Classification:
        """Areas, independence, cost and channels of a row, each with a traceable reason."""
        ptype = self.types.get(provider_type) or self.types["other"]
        areas = list(ptype.areas)
        independent = ptype.independent
        reasons = [f"type {ptype.code}"]
        for rule in self.name_rules:
            if rule.pattern.search(name or ""):
                if not areas or ptype.code == "other" or rule.override:
                    areas = list(rule.areas)
                if rule.independent is not None:
                    independent = rule.independent if ptype.code == "other" else independent
                reasons.append(f"naam past bij /{rule.pattern.pattern}/")
                break
        text = notes or ""
        free = ptype.free
        if self.paid.search(text):
            free = False
            reasons.append("notitie noemt kosten")
        elif self.free.search(text):
            free = True
        return Classification(
            areas=tuple(dict.fromkeys(areas)),
            independent=independent,
            free=free,
            walk_in=bool(self.walk_in.search(text)) and not self.no_walk_in.search(text),
            by_appointment=bool(self.appointment.search(text)),
            by_phone=bool(phone),
            online=bool(website) or bool(self.online.search(text)),
            reasons=tuple(reasons),
        )


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


@lru_cache(maxsize=4)
def load_provider_types(path: Path | None = None) -> ProviderTypes:
    doc = yaml.safe_load((path or DATA_DIR / "provider_types.yaml").read_text(encoding="utf-8"))
    types = {
        code: ProviderType(
            code=code,
            nl=spec["nl"],
            en=spec["en"],
            independent=bool(spec["independent"]),
            free=spec.get("free"),
            areas=tuple(spec.get("areas") or ()),
        )
        for code, spec in doc["types"].items()
    }
    rules = tuple(
        NameRule(_compile(r["pattern"]), tuple(r.get("areas") or ()), r.get("independent"),
                 bool(r.get("override")))
        for r in doc.get("name_rules") or ()
    )
    return ProviderTypes(
        types=types,
        name_rules=rules,
        national_name=_compile(doc["national_name_pattern"]),
        paid=_compile(doc["paid_pattern"]),
        free=_compile(doc["free_pattern"]),
        walk_in=_compile(doc["walk_in_pattern"]),
        no_walk_in=_compile(doc["no_walk_in_pattern"]),
        appointment=_compile(doc["appointment_pattern"]),
        online=_compile(doc["online_pattern"]),
    )
