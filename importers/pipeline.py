"""Run a provider through the pipeline inside one transaction: all rows or none."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import time

from importers.base import (
    ImportReport,
    Provider,
    Record,
    RowError,
    RowRejected,
    SourceUnreadable,
    progress,
)
from importers.upsert import upsert
from loketwijzer.actions.editing import ImportGuard
from loketwijzer.db import Database
from loketwijzer.models import ImportRun
from loketwijzer.models.base import utc_now

log = logging.getLogger(__name__)


def run_import(
    provider: Provider, db: Database, *, show_progress: bool | None = None
) -> ImportReport:
    """Import one file. A rejected row, or any failure, leaves the database as it was."""
    started = time.perf_counter()
    started_at = utc_now()
    report = ImportReport(provider=provider.name, source=provider.source)
    if show_progress is None:
        show_progress = sys.stderr.isatty()
    logged = run_row_added = False
    try:
        path = provider.locate()
        report.path = str(path)
        with db.session() as session:
            ctx = provider.prepare(session)
            ctx["warnings"] = report.warnings
            report.source = provider.source  # a provider may derive it from the file
            records: list[Record] = []
            rows_with_errors: set[int | None] = set()
            rows = provider.read(path)
            for rownum, row in progress(
                rows, total=provider.estimate_rows(path), desc=provider.name, enabled=show_progress
            ):
                if "__error__" in row:  # the reader could not decode this row
                    report.errors.append(row["__error__"])
                    rows_with_errors.add(rownum)
                    continue
                try:
                    for record in provider.validate(rownum, row, ctx):
                        record.row = record.row or rownum
                        records.append(record)
                except RowRejected as exc:
                    report.errors.extend(exc.errors)
                    rows_with_errors.add(rownum)
            staged = provider.stage(records, ctx)
            report.errors.extend(staged)
            rows_with_errors.update(e.row for e in staged)
            if report.errors:
                report.status = "rejected"
                report.rejected_rows = len(rows_with_errors)
                session.rollback()
            else:
                snapshot = {provider.source} if provider.snapshot else None
                guard = ImportGuard(session)
                guard.prepare(records)
                counts = upsert(session, records, snapshot_sources=snapshot)
                report.conflicts = guard.finish()
                report.inserted = counts.inserted
                report.updated = counts.updated
                report.unchanged = counts.unchanged
                report.deactivated = counts.deactivated
                provider.after_upsert(session, ctx)
                # The log row commits with the data: both or neither.
                report.seconds = time.perf_counter() - started
                session.add(_run_row(report, started_at))
                run_row_added = True
        logged = run_row_added  # committed together with the data
    except SourceUnreadable as exc:
        report.status = "unreadable"
        report.message = str(exc)
    except Exception as exc:  # the transaction was rolled back by db.session()
        log.debug("import %s failed", provider.name, exc_info=True)
        report.status = "failed"
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0][:300]
        report.message = f"{type(exc).__name__}: {detail}"
    report.seconds = time.perf_counter() - started
    if not logged:
        _log_run(db, report, started_at)
    if report.status != "ok":
        reason = report.message or "; ".join(str(e) for e in report.errors[:3])
        log.warning("import %s %s: %s", provider.name, report.status, reason)
    return report


def _run_row(report: ImportReport, started_at: dt.datetime) -> ImportRun:
    return ImportRun(
        provider=report.provider,
        source=report.source,
        path=report.path,
        started_at=started_at,
        finished_at=utc_now(),
        status=report.status,
        inserted=report.inserted,
        updated=report.updated,
        unchanged=report.unchanged,
        deactivated=report.deactivated,
        rejected=report.rejected_rows,
        message=report.message or "\n".join(str(e) for e in report.errors[:50]) or None,
    )


def _log_run(db: Database, report: ImportReport, started_at: dt.datetime) -> None:
    """Record a refused or failed run (its data transaction was rolled back)."""
    try:
        with db.session() as session:
            session.add(_run_row(report, started_at))
    except Exception:  # the log must never hide the import result itself
        log.warning("could not write the import log", exc_info=True)


__all__ = ["RowError", "run_import"]
