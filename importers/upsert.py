"""Write staged records: insert new, update changed, skip unchanged (by content hash).

Keys are (source, source_id) for offer records and the natural code for geography,
so importing the same file twice changes nothing. Dependent rows (addresses, phones,
schedules, service areas...) are replaced together with their parent when it changed.
Everything happens inside the caller's transaction; the caller commits or rolls back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from importers.base import Record
from loketwijzer.models import (
    STATUS_INACTIVE,
    Location,
    Municipality,
    Organization,
    Pc4Area,
    Place,
    Province,
    Service,
    Taxonomy,
    TaxonomyTerm,
)

# Parents before the rows that point at them.
TOP_LEVEL_ORDER: list[type] = [
    Province,
    Municipality,
    Pc4Area,
    Place,
    Taxonomy,
    TaxonomyTerm,
    Organization,
    Location,
    Service,
]

BATCH = 2000


@dataclass
class Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 7)
    return value


def content_hash(record: Record) -> str:
    """Fingerprint of a record and all its dependent rows.

    Empty (None) values are left out and children are sorted, so the fingerprint depends
    on the content only: a record that comes back through another route (an HSDS export
    re-imported) with the same content is "unchanged", whichever optional keys its
    provider happened to fill and in whatever order the children came.
    """

    def flat(r: Record) -> dict[str, Any]:
        body = {k: _jsonable(v) for k, v in r.values.items()
                if k != "content_hash" and v is not None}
        body["__model"] = r.model.__name__
        children = [flat(c) for c in r.children]
        body["__children"] = sorted(
            children, key=lambda c: (c["__model"], str(c.get("id", "")),
                                     json.dumps(c, sort_keys=True, default=str)))
        return body

    payload = json.dumps(flat(record), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _pk_name(model: type) -> str:
    (pk,) = model.__mapper__.primary_key
    return pk.key


def _uses_source_key(model: type) -> bool:
    return "source_id" in model.__table__.c and _pk_name(model) == "id"


def _fk_to(child: type, parent: type) -> str:
    """The column of ``child`` that points at ``parent``'s table."""
    for column in child.__table__.columns:
        for fk in column.foreign_keys:
            if fk.column.table is parent.__table__:
                return column.key
    raise ValueError(f"{child.__name__} has no foreign key to {parent.__name__}")


def _chunks(items: list, size: int = BATCH):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _existing(session: Session, model: type, records: list[Record]) -> dict[tuple, tuple]:
    """Existing rows for these records, keyed like the records: key → (pk, hash, status)."""
    pk = getattr(model, _pk_name(model))
    status_col = getattr(model, "status", None)
    cols = [pk, model.content_hash]
    if status_col is not None:
        cols.append(status_col)
    found: dict[tuple, tuple] = {}
    if _uses_source_key(model):
        sources = {r.values["source"] for r in records}
        rows = session.execute(
            select(model.source, model.source_id, *cols).where(model.source.in_(sources))
        )
        for row in rows:
            found[(row[0], row[1])] = tuple(row[2:])
    else:
        keys = [r.values[_pk_name(model)] for r in records]
        for chunk in _chunks(keys):
            for row in session.execute(select(*cols).where(pk.in_(chunk))):
                found[(row[0],)] = tuple(row)
    return found


def _key(model: type, record: Record) -> tuple:
    if _uses_source_key(model):
        return (record.values["source"], record.values["source_id"])
    return (record.values[_pk_name(model)],)


def _reactivated(found: tuple, record: Record) -> bool:
    """An unchanged record whose stored status differs (e.g. a service back in its file
    after a snapshot made it inactive) must still be written."""
    return len(found) > 2 and "status" in record.values and found[2] != record.values["status"]


def _replace_children(session: Session, parents: list[Record], model: type, fresh: bool) -> None:
    """Delete the old dependent rows of changed parents, then insert the new ones."""
    pk_name = _pk_name(model)
    by_child_model: dict[type, list[dict[str, Any]]] = defaultdict(list)
    for parent in parents:
        for child in parent.children:
            by_child_model[child.model].append(child.values)
    child_models = {c.model for p in parents for c in p.children}
    if not fresh:
        parent_ids = [p.values[pk_name] for p in parents]
        for child_model in _all_child_models(model) | child_models:
            fk = _fk_to(child_model, model)
            owned = _owned_by(child_model, model)
            for chunk in _chunks(parent_ids):
                session.execute(
                    delete(child_model).where(getattr(child_model, fk).in_(chunk), *owned),
                    execution_options={"synchronize_session": False},
                )
    for child_model, rows in by_child_model.items():
        child_pk = getattr(child_model, _pk_name(child_model))
        for chunk in _chunks(rows):
            # A child that moved to another parent (a phone from a location to its service)
            # is still stored under its old parent: take it away from there first.
            session.execute(
                delete(child_model).where(child_pk.in_([r[child_pk.key] for r in chunk])),
                execution_options={"synchronize_session": False},
            )
            session.execute(insert(child_model), chunk)


# A phone, schedule or language row can point at a service, a location and an
# organisation at once; it belongs to the first of these it names.
OWNER_PRECEDENCE: list[type] = [Service, Location, Organization]


def _owned_by(child_model: type, model: type) -> list[Any]:
    """Conditions that keep a parent from deleting children owned by a stronger parent."""
    if model not in OWNER_PRECEDENCE:
        return []
    conditions = []
    for stronger in OWNER_PRECEDENCE[: OWNER_PRECEDENCE.index(model)]:
        try:
            fk = _fk_to(child_model, stronger)
        except ValueError:
            continue
        conditions.append(getattr(child_model, fk).is_(None))
    return conditions


def _all_child_models(model: type) -> set[type]:
    """Models whose rows belong to ``model`` (children replaced with their parent)."""
    from loketwijzer.models import (
        Accessibility,
        Address,
        Attribute,
        CostOption,
        Language,
        Phone,
        RequiredDocument,
        Schedule,
        ServiceArea,
        ServiceAtLocation,
    )

    table = {
        Service: {
            Attribute, CostOption, Language, Phone, RequiredDocument, Schedule, ServiceArea,
            ServiceAtLocation,
        },
        Location: {Accessibility, Address, Language, Phone, Schedule},
        Organization: {Phone},
    }
    return table.get(model, set())


def upsert(session: Session, records: list[Record], *, snapshot_sources: set[str] | None = None
           ) -> Counts:
    """Write ``records`` (top-level ones with their children); return what happened."""
    counts = Counts()
    by_model: dict[type, list[Record]] = defaultdict(list)
    for record in records:
        by_model[record.model].append(record)
    unknown = set(by_model) - set(TOP_LEVEL_ORDER)
    if unknown:
        raise ValueError(f"not a top-level model: {sorted(m.__name__ for m in unknown)}")

    for model in TOP_LEVEL_ORDER:
        batch = by_model.get(model, [])
        if not batch and not (snapshot_sources and model is Service):
            continue
        existing = _existing(session, model, batch) if batch else {}
        pk_name = _pk_name(model)
        new: list[Record] = []
        changed: list[Record] = []
        for record in batch:
            record.values["content_hash"] = content_hash(record)
            found = existing.get(_key(model, record))
            if found is None:
                new.append(record)
            elif found[1] != record.values["content_hash"] or _reactivated(found, record):
                if found[0] != record.values[pk_name]:
                    raise ValueError(
                        f"{model.__name__} {_key(model, record)}: id changed from {found[0]} "
                        f"to {record.values[pk_name]}; ids must be derived with stable_id()"
                    )
                changed.append(record)
            else:
                counts.unchanged += 1
        for chunk in _chunks([r.values for r in new]):
            session.execute(insert(model), chunk)
        for chunk in _chunks([r.values for r in changed]):
            session.execute(update(model), chunk)
        _replace_children(session, new, model, fresh=True)
        _replace_children(session, changed, model, fresh=False)
        counts.inserted += len(new)
        counts.updated += len(changed)

        if model is Service and snapshot_sources:
            keep = {r.values["id"] for r in batch}
            stale = session.execute(
                select(Service.id).where(
                    Service.source.in_(snapshot_sources), Service.status != STATUS_INACTIVE
                )
            ).scalars()
            gone = [sid for sid in stale if sid not in keep]
            for chunk in _chunks(gone):
                session.execute(
                    update(Service).where(Service.id.in_(chunk)).values(status=STATUS_INACTIVE),
                    execution_options={"synchronize_session": False},
                )
            counts.deactivated += len(gone)
    return counts
