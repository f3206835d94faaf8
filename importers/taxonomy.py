"""Seeds the taxonomies (problem areas, life events, provider types) from ``data/``.

Services are tagged with problem-area terms through HSDS attributes, so the terms must
exist before any offer is imported.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from importers.base import Provider, Record
from loketwijzer.config import DATA_DIR
from loketwijzer.models import (
    TAXONOMY_LIFE_EVENTS,
    TAXONOMY_PROBLEM_AREAS,
    TAXONOMY_PROVIDER_TYPES,
    Taxonomy,
    TaxonomyTerm,
    stable_id,
)
from loketwijzer.provider_types import load_provider_types
from loketwijzer.taxonomy import life_events, problem_areas

TAXONOMIES = {
    TAXONOMY_PROBLEM_AREAS: "De 20 probleemgebieden van Loketwijzer",
    TAXONOMY_LIFE_EVENTS: "Levensgebeurtenissen en de probleemgebieden die ze meebrengen",
    TAXONOMY_PROVIDER_TYPES: "Soorten hulpaanbieders",
}


class TaxonomyProvider(Provider):
    name = "taxonomy"
    title = "Taxonomie (probleemgebieden, levensgebeurtenissen, soorten aanbieders)"
    source = "loketwijzer-taxonomy"
    snapshot = False

    def locate(self) -> Path:
        return DATA_DIR / "taxonomy"

    def read(self, path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
        rows: list[dict[str, Any]] = [
            {"kind": "taxonomy", "name": name, "description": desc}
            for name, desc in TAXONOMIES.items()
        ]
        rows += [
            {"kind": "term", "taxonomy": TAXONOMY_PROBLEM_AREAS, "code": a.code, "name": a.label,
             "name_en": a.label_en, "description": a.description}
            for a in problem_areas()
        ]
        rows += [
            {"kind": "term", "taxonomy": TAXONOMY_LIFE_EVENTS, "code": e.code, "name": e.label,
             "name_en": e.label_en, "description": e.description}
            for e in life_events()
        ]
        rows += [
            {"kind": "term", "taxonomy": TAXONOMY_PROVIDER_TYPES, "code": t.code, "name": t.nl,
             "name_en": t.en, "description": None}
            for t in load_provider_types().types.values()
        ]
        return enumerate(rows, start=1)

    def validate(self, rownum: int, row: dict[str, Any], ctx: dict[str, Any]) -> list[Record]:
        if row["kind"] == "taxonomy":
            return [Record(Taxonomy, {
                "id": stable_id(row["name"]), "name": row["name"],
                "description": row["description"], "uri": None, "version": "1",
                **self._provenance(row["name"]),
            })]
        return [Record(TaxonomyTerm, {
            "id": stable_id(row["taxonomy"], row["code"]),
            "taxonomy_id": stable_id(row["taxonomy"]),
            "code": row["code"], "name": row["name"], "name_en": row["name_en"],
            "description": row["description"], "parent_id": None, "language": "nl",
            "term_uri": None, **self._provenance(f"{row['taxonomy']}:{row['code']}"),
        })]

    def _provenance(self, key: str) -> dict[str, Any]:
        return {"source": self.source, "source_id": key, "source_url": None,
                "source_date": None, "last_checked": None}
