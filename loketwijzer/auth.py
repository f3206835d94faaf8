"""Who is acting, and what they may touch. Checked in the action layer, not in views.

Roles (issue 10): ``admin`` everything; ``municipality`` the records whose service area
or location lies in its municipality; ``organization`` the services of its organisation.
The public (``anonymous``) may only suggest; ``system`` is the importer or the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from loketwijzer.errors import Forbidden
from loketwijzer.models import Location, Service, ServiceArea, ServiceAtLocation
from loketwijzer.models.accounts import ROLE_ADMIN, ROLE_MUNICIPALITY, ROLE_ORGANIZATION

ROLE_ANONYMOUS = "anonymous"
ROLE_SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    role: str
    user_id: int | None = None
    email: str | None = None
    municipality: str | None = None
    organization_id: str | None = None

    @property
    def is_editor(self) -> bool:
        return self.role in (ROLE_ADMIN, ROLE_MUNICIPALITY, ROLE_ORGANIZATION, ROLE_SYSTEM)

    @property
    def is_admin(self) -> bool:
        return self.role in (ROLE_ADMIN, ROLE_SYSTEM)


ANONYMOUS = Actor(ROLE_ANONYMOUS)
SYSTEM = Actor(ROLE_SYSTEM)


def acts_for_municipality(actor: Actor | None, code: str) -> bool:
    """Work done for a whole municipality (its scan answers, its Mysterie-check): admins,
    and the editors of that municipality."""
    if actor is None:
        return False
    return actor.is_admin or (actor.role == ROLE_MUNICIPALITY and actor.municipality == code)


def actor_label(actor: Actor) -> str:
    """Who did something, as shown next to public work (scan answers, Mysterie findings):
    the role and the body, never a person's e-mail address (that is for admins only)."""
    if actor.role == ROLE_SYSTEM:
        return "opdrachtregel"
    if actor.role == ROLE_ADMIN:
        return "beheer Loketwijzer"
    if actor.role == ROLE_MUNICIPALITY:
        return f"redactie gemeente {actor.municipality}"
    if actor.role == ROLE_ORGANIZATION:
        return f"redactie organisatie {actor.organization_id}"
    return "onbekend"


def service_municipalities(session: Session, service_id: str) -> set[str]:
    """Municipalities a service serves or is located in."""
    areas = session.scalars(select(ServiceArea.municipality_code).where(
        ServiceArea.service_id == service_id, ServiceArea.municipality_code.is_not(None)))
    located = session.scalars(
        select(Location.municipality_code).join(ServiceAtLocation,
                                                ServiceAtLocation.location_id == Location.id)
        .where(ServiceAtLocation.service_id == service_id,
               Location.municipality_code.is_not(None)))
    return set(areas) | set(located)


def can_edit(session: Session, actor: Actor, service: Service) -> bool:
    if actor.is_admin:
        return True
    if actor.role == ROLE_ORGANIZATION:
        return bool(actor.organization_id) and service.organization_id == actor.organization_id
    if actor.role == ROLE_MUNICIPALITY:
        return bool(actor.municipality) and actor.municipality in service_municipalities(
            session, service.id)
    return False


def require_edit(session: Session, actor: Actor, service: Service) -> None:
    if not can_edit(session, actor, service):
        raise Forbidden("U mag dit hulpaanbod niet wijzigen: het valt buiten uw gemeente of "
                        "organisatie.", code="outside_scope")


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("Alleen een beheerder mag dit.", code="admin_only")


def scope_filter(actor: Actor):
    """A WHERE clause on Service for the records this actor may edit (None: all)."""
    if actor.is_admin:
        return None
    if actor.role == ROLE_ORGANIZATION:
        return Service.organization_id == (actor.organization_id or "-")
    if actor.role == ROLE_MUNICIPALITY:
        code = actor.municipality or "-"
        in_area = select(ServiceArea.service_id).where(ServiceArea.municipality_code == code)
        located = (select(ServiceAtLocation.service_id)
                   .join(Location, Location.id == ServiceAtLocation.location_id)
                   .where(Location.municipality_code == code))
        return or_(Service.id.in_(in_area), Service.id.in_(located))
    return Service.id.is_(None)
