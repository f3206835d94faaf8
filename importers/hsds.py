"""Open Referral HSDS 3.0 import: ``flask --app webapp import hsds PATH``.

PATH is a tabular data package (folder with CSV files and ``datapackage.json``) or a
JSON file (``service_full``, ``organization_full``, a list or a paged list of them).
Reading and flattening live in ``hsds_read``, the mapping to our records in
``hsds_map``; this module connects them to the one import pipeline, which makes the
package go in whole or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.gazetteer import Gazetteer
from importers.base import Provider, Record, RowError, SourceUnreadable, duplicate_key_errors
from importers.hsds_map import DbContext, HsdsMapper
from importers.hsds_read import package_name, read_package
from loketwijzer.config import Settings
from loketwijzer.models import Location, Organization, Service, Taxonomy, TaxonomyTerm
from loketwijzer.provider_types import load_provider_types

_SLUG = re.compile(r"[^a-z0-9._-]+")


def default_source(path: Path | None) -> str:
    """``hsds:<package name>``: the datapackage ``name``, or the JSON file's stem."""
    if path is None:
        return "hsds"
    slug = _SLUG.sub("-", package_name(path).lower()).strip("-") or "pakket"
    return f"hsds:{slug[:70]}"


class HsdsProvider(Provider):
    name = "hsds"
    title = "Open Referral HSDS 3.0 (datapakket of JSON)"
    snapshot = True

    def __init__(self, path: Path | str | None = None, settings: Settings | None = None, *,
                 source: str | None = None) -> None:
        super().__init__(path, settings)
        self.source = source or default_source(self.path)
        #: problems that did not stop the import (dropped links, HSDS-required fields left
        #: empty, tables we do not store); the CLI prints them after the summary
        self.warnings: list[RowError] = []
        self._db: DbContext | None = None
        self._ctx: dict[str, Any] = {}

    def locate(self) -> Path:
        if self.path is None:
            raise SourceUnreadable("geef een map met datapackage.json of een JSON-bestand op")
        return super().locate()

    def prepare(self, session: Session) -> dict[str, Any]:
        taxonomies = {name: tid for tid, name in session.execute(
            select(Taxonomy.id, Taxonomy.name))}
        names = {tid: name for name, tid in taxonomies.items()}
        terms = {tid: (names.get(tax, ""), code) for tid, tax, code in session.execute(
            select(TaxonomyTerm.id, TaxonomyTerm.taxonomy_id, TaxonomyTerm.code))}
        self._db = DbContext(
            gazetteer=Gazetteer.from_session(session), provider_types=load_provider_types(),
            taxonomies=taxonomies, terms=terms,
        )
        # The pipeline adds ctx["warnings"] (the report's list) after this returns.
        self._ctx = {"session": session}
        return self._ctx

    def read(self, path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
        package = read_package(path)
        if self._db is None:  # read() without the pipeline (tests): nothing is known
            raise RuntimeError("prepare() must run before read()")
        result = HsdsMapper(package, self.source, self._db).run()
        self.warnings = result.warnings
        self._ctx.setdefault("warnings", []).extend(result.warnings)
        for seq, error in result.errors:
            yield seq, {"__error__": error}
        for seq, records in result.items:
            yield seq, {"__records__": records}

    def validate(self, rownum: int, row: dict[str, Any], ctx: dict[str, Any]) -> list[Record]:
        return row["__records__"]

    def stage(self, records: list[Record], ctx: dict[str, Any]) -> list[RowError]:
        errors = duplicate_key_errors(records)
        if not errors:
            errors = _conflicts_with_database(ctx["session"], records)
        return errors


def _conflicts_with_database(session: Session, records: list[Record]) -> list[RowError]:
    """Records whose id or unique name is already taken by another source's record.

    Without this check the upsert would fail half-way with a database error; this way
    the report says which record clashes with what.
    """
    errors: list[RowError] = []
    for model in (Organization, Location, Service, Taxonomy, TaxonomyTerm):
        batch = [r for r in records if r.model is model]
        if not batch:
            continue
        ids = [r.values["id"] for r in batch]
        by_id: dict[str, tuple[str, str]] = {}
        for i in range(0, len(ids), 1000):
            for rid, src, sid in session.execute(select(model.id, model.source, model.source_id)
                                                 .where(model.id.in_(ids[i:i + 1000]))):
                by_id[rid] = (src, sid)
        keys = {(r.values["source"], r.values["source_id"]): r for r in batch}
        sources = {src for src, _ in keys}
        by_key = {(src, sid): rid for rid, src, sid in session.execute(
            select(model.id, model.source, model.source_id).where(model.source.in_(sources)))}
        table = model.__tablename__
        for record in batch:
            rid, key = record.values["id"], (record.values["source"], record.values["source_id"])
            if rid in by_id and by_id[rid] != key:
                errors.append(RowError(record.row, f"{table}.id", "dit id is al in gebruik "
                                       f"voor bron {by_id[rid][0]} ({by_id[rid][1]})", rid))
            elif key in by_key and by_key[key] != rid:
                errors.append(RowError(record.row, f"{table}.id", f"bron {key[0]} ({key[1]}) "
                                       f"staat al in de database met id {by_key[key]}", rid))
        if model is Taxonomy:
            names = {r.values["name"]: r for r in batch}
            for name, tid in session.execute(select(Taxonomy.name, Taxonomy.id)
                                             .where(Taxonomy.name.in_(list(names)))):
                if tid != names[name].values["id"]:
                    errors.append(RowError(names[name].row, "taxonomy.name", "er is al een "
                                           "andere taxonomie met deze naam", name))
        if model is TaxonomyTerm:
            wanted = {(r.values["taxonomy_id"], r.values["code"]): r for r in batch}
            tax_ids = list({t for t, _ in wanted})
            for tax, code, tid in session.execute(
                    select(TaxonomyTerm.taxonomy_id, TaxonomyTerm.code, TaxonomyTerm.id)
                    .where(TaxonomyTerm.taxonomy_id.in_(tax_ids))):
                record = wanted.get((tax, code))
                if record is not None and record.values["id"] != tid:
                    errors.append(RowError(record.row, "taxonomy_term.code", "deze code staat "
                                           "al in de taxonomie met een ander id", code))
    return errors
