"""Import runs and the sociale-kaart upload for the /beheer pages, scoped per role.

Reports show counts and row errors only: no file paths, no exception text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from importers.base import ImportReport, SourceUnreadable
from loketwijzer.auth import Actor
from loketwijzer.db import Database
from loketwijzer.errors import Forbidden, InvalidInput
from loketwijzer.models import ImportRun
from loketwijzer.models.accounts import ROLE_MUNICIPALITY

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
RUNS_SHOWN = 50
STATUS_TEXT = {
    "ok": "Gelukt",
    "rejected": "Geweigerd: er is niets ingelezen",
    "unreadable": "Het bestand kon niet worden gelezen",
    "failed": "Mislukt door een fout bij ons; er is niets ingelezen",
}


def may_import(actor: Actor) -> None:
    if not (actor.is_admin or actor.role == ROLE_MUNICIPALITY):
        raise Forbidden("Alleen gemeenten en beheerders laden een sociale kaart.")


def import_runs(session: Session, actor: Actor) -> list[dict[str, Any]]:
    from importers.sociale_kaart import source_for

    may_import(actor)
    query = select(ImportRun).order_by(ImportRun.id.desc()).limit(RUNS_SHOWN)
    if not actor.is_admin:
        query = query.where(ImportRun.source == source_for(actor.municipality or "-"))
    return [{
        "started_at": r.started_at.isoformat(sep=" ", timespec="minutes"),
        "provider": r.provider, "source": r.source, "status": r.status,
        "status_text": STATUS_TEXT.get(r.status, r.status),
        "inserted": r.inserted, "updated": r.updated, "unchanged": r.unchanged,
        "rejected": r.rejected,
        # Row errors name row, column and reason; other messages may hold paths: left out.
        "errors": (r.message or "").splitlines()[:50] if r.status == "rejected" else [],
    } for r in session.scalars(query)]


def public_report(report: ImportReport) -> dict[str, Any]:
    return {"status": report.status, "status_text": STATUS_TEXT.get(report.status),
            "inserted": report.inserted, "updated": report.updated,
            "unchanged": report.unchanged, "deactivated": report.deactivated,
            "rejected": report.rejected_rows, "conflicts": report.conflicts,
            "errors": [str(e) for e in report.errors[:200]],
            "warnings": [str(w) for w in report.warnings[:200]]}


def upload_sociale_kaart(db: Database, actor: Actor, path: Path, settings: Any = None
                         ) -> dict[str, Any]:
    """The same atomic import as ``flask import csv``; a municipality only its own file."""
    from geo.gazetteer import Gazetteer
    from importers.pipeline import run_import
    from importers.sociale_kaart import SocialeKaartProvider, file_municipality, read_table

    may_import(actor)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise InvalidInput("Kies een .csv- of .xlsx-bestand (het sjabloon).",
                           code="invalid_file_type")
    if path.stat().st_size > MAX_UPLOAD_BYTES:
        raise InvalidInput("Het bestand is te groot (hoogstens 5 MB).", code="file_too_large")
    if not actor.is_admin:
        try:
            table = read_table(path)
        except SourceUnreadable:
            table = None
        if table is not None:
            with db.session() as session:
                found = file_municipality(table, Gazetteer.from_session(session,
                                                                        with_places=False))
            if found is None or found.code != actor.municipality:
                raise Forbidden("Dit bestand hoort niet bij uw gemeente: vul in de kolom "
                                "gemeente uw eigen gemeente in.", code="outside_scope")
    report = run_import(SocialeKaartProvider(path, settings=settings), db, show_progress=False)
    return public_report(report)
