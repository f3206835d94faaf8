"""Editing a service: one set of field rules, a version per change, revert, and the
import guard that keeps editors' changes through re-imports (issue 10)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from loketwijzer import editable
from loketwijzer.auth import SYSTEM, Actor, require_edit
from loketwijzer.errors import ActionError, InvalidInput, NotFound
from loketwijzer.models import (
    FieldOverride,
    Location,
    Organization,
    RecordVersion,
    ReviewItem,
    Service,
    ServiceAtLocation,
)
from loketwijzer.models.accounts import User
from loketwijzer.models.base import utc_now as now
from loketwijzer.models.history import (
    REVIEW_CONFLICT,
    SOURCE_EDITOR,
    SOURCE_IMPORT,
    SOURCE_REVERT,
)

ENTITY_SERVICE = "service"
HISTORY_LIMIT = 200


class FieldErrors(ActionError):
    """Bad values: nothing was changed. ``fields`` names each field with its reason."""

    status = 422
    code = "invalid_fields"

    def __init__(self, errors: list[editable.FieldError]) -> None:
        super().__init__("Niet alle velden zijn goed ingevuld. Er is niets gewijzigd.")
        self.errors = errors

    def to_dict(self) -> dict:
        body = super().to_dict()
        body["error"]["fields"] = {e.field: e.message for e in self.errors}
        return body


@dataclass
class EditResult:
    service_id: str
    version_id: int | None
    changed: dict[str, dict[str, Any]] = field(default_factory=dict)


def load_service(session: Session, service_id: str) -> Service:
    service = session.scalars(
        select(Service).where(Service.id == str(service_id or "")[:36]).options(
            selectinload(Service.phones),
            selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.location)
            .selectinload(Location.addresses),
        )).one_or_none()
    if service is None:
        raise NotFound("Dit hulpaanbod bestaat niet (meer).", code="unknown_service")
    return service


def _actor_org_name(session: Session, actor: Actor) -> str | None:
    if actor.organization_id:
        return session.scalar(select(Organization.name).where(
            Organization.id == actor.organization_id))
    return actor.municipality


def record_version(session: Session, actor: Actor, service_id: str, source: str,
                   changes: dict[str, dict[str, Any]]) -> RecordVersion:
    version = RecordVersion(
        entity=ENTITY_SERVICE, entity_id=service_id, actor_role=actor.role,
        actor_organization=_actor_org_name(session, actor), actor_user_id=actor.user_id,
        source=source, changes=json.dumps(changes, ensure_ascii=False, default=str),
        created_at=now())
    session.add(version)
    session.flush()
    return version


def apply_changes(session: Session, actor: Actor, service: Service, clean: dict[str, Any],
                  source: str) -> EditResult:
    """Write already-validated values, keep them as overrides, and record one version."""
    before = editable.snapshot(service)
    changed = {name: {"before": before[name], "after": value}
               for name, value in clean.items() if before[name] != value}
    if not changed:
        return EditResult(service.id, None, {})
    overrides = {o.field: o for o in session.scalars(
        select(FieldOverride).where(FieldOverride.service_id == service.id))}
    for name, change in changed.items():
        editable.BY_NAME[name].set(session, service, change["after"])
        override = overrides.get(name)
        if override is None:
            session.add(FieldOverride(service_id=service.id, field=name,
                                      value=editable.dumps(change["after"]),
                                      source_value=editable.dumps(change["before"]),
                                      updated_at=now()))
        else:
            override.value = editable.dumps(change["after"])
            override.updated_at = now()
    version = record_version(session, actor, service.id, source, changed)
    return EditResult(service.id, version.id, changed)


def edit_service(session: Session, actor: Actor, service_id: str, changes: Any, *,
                 source: str = SOURCE_EDITOR) -> EditResult:
    """Change fields of a service. All values valid, or nothing changes (FieldErrors)."""
    if not isinstance(changes, dict) or not changes:
        raise InvalidInput("Stuur de velden die u wilt wijzigen als JSON-object.",
                           code="no_changes")
    service = load_service(session, service_id)
    require_edit(session, actor, service)
    clean, errors = editable.parse_changes(changes)
    if errors:
        raise FieldErrors(errors)
    result = apply_changes(session, actor, service, clean, source)
    session.commit()
    return result


def history(session: Session, actor: Actor, service_id: str) -> list[dict[str, Any]]:
    """Versions of a service, newest first, for its editors. Who: role and organisation;
    the person only for admins."""
    require_edit(session, actor, load_service(session, service_id))
    versions = session.scalars(
        select(RecordVersion).where(RecordVersion.entity == ENTITY_SERVICE,
                                    RecordVersion.entity_id == service_id)
        .order_by(RecordVersion.id.desc()).limit(HISTORY_LIMIT)).all()
    emails: dict[int, str] = {}
    if actor.is_admin:
        ids = {v.actor_user_id for v in versions if v.actor_user_id}
        if ids:
            rows = session.execute(select(User.id, User.email).where(User.id.in_(ids)))
            emails = {row[0]: row[1] for row in rows}
    return [{
        "id": v.id, "at": v.created_at.isoformat(timespec="seconds"), "source": v.source,
        "actor": {"role": v.actor_role, "organization": v.actor_organization,
                  **({"user": emails.get(v.actor_user_id)} if actor.is_admin else {})},
        "changes": json.loads(v.changes),
    } for v in versions]


def revert_version(session: Session, actor: Actor, version_id: int) -> EditResult:
    """Undo one version: its fields go back to their values before it (a new version)."""
    version = session.get(RecordVersion, version_id)
    if version is None or version.entity != ENTITY_SERVICE:
        raise NotFound("Deze wijziging bestaat niet.", code="unknown_version")
    service = load_service(session, version.entity_id)
    require_edit(session, actor, service)
    wanted = {name: change["before"] for name, change in json.loads(version.changes).items()
              if name in editable.BY_NAME}
    result = apply_changes(session, actor, service, wanted, SOURCE_REVERT)
    session.commit()
    return result


# ----------------------------------------------------------------- import guard

class ImportGuard:
    """Around an upsert: versions for what the import changed, editors' values kept, and
    a conflict in the review queue when the source changed a field an editor changed."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.before: dict[str, dict[str, Any]] = {}

    def prepare(self, records: list) -> None:
        from importers.upsert import content_hash

        incoming = {r.values["id"]: content_hash(r) for r in records
                    if r.model is Service}
        if not incoming:
            return
        stored = {}
        ids = list(incoming)
        for i in range(0, len(ids), 500):
            stored.update(self.session.execute(select(Service.id, Service.content_hash)
                                               .where(Service.id.in_(ids[i:i + 500]))).all())
        changed = [sid for sid, h in incoming.items() if sid in stored and stored[sid] != h]
        for sid in changed:
            self.before[sid] = editable.snapshot(load_service(self.session, sid))

    def finish(self) -> int:
        """Returns the number of conflicts sent to review."""
        if not self.before:
            return 0
        self.session.expire_all()
        conflicts = 0
        ids = list(self.before)
        overrides: dict[str, list[FieldOverride]] = {}
        for i in range(0, len(ids), 500):
            for o in self.session.scalars(select(FieldOverride).where(
                    FieldOverride.service_id.in_(ids[i:i + 500]))):
                overrides.setdefault(o.service_id, []).append(o)
        for sid, before in self.before.items():
            service = load_service(self.session, sid)
            after = editable.snapshot(service)
            kept = {o.field for o in overrides.get(sid, [])}
            changed = {name: {"before": before[name], "after": after[name]}
                       for name in after if after[name] != before[name] and name not in kept}
            if changed:
                record_version(self.session, SYSTEM, sid, SOURCE_IMPORT, changed)
            for override in overrides.get(sid, []):
                field_def = editable.BY_NAME.get(override.field)
                if field_def is None:
                    continue
                new_source = after[override.field]
                editor_value = editable.loads(override.value)
                if new_source != editable.loads(override.source_value):
                    override.source_value = editable.dumps(new_source)
                    if new_source != editor_value:
                        conflicts += 1
                        self.session.add(ReviewItem(
                            kind=REVIEW_CONFLICT, service_id=sid, field=override.field,
                            value=editable.dumps(new_source),
                            other_value=override.value,
                            comment="De bron is veranderd; de waarde van de redacteur is "
                                    "behouden.",
                            created_at=now()))
                field_def.set(self.session, service, editor_value)
        self.session.flush()
        return conflicts
