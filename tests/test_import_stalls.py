"""Imports without stalls: unchanged runs keep every cache valid, the log row commits with
the data, and a changed index is rebuilt in the background while the old one serves."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select, update

from geo import audit_geo
from importers import pipeline
from importers.independent_help import IndependentHelpProvider
from importers.pipeline import run_import
from importers.roo import RooTownHallProvider
from loketwijzer import finder_index
from loketwijzer.config import Settings
from loketwijzer.models import ImportRun, Service


def versions(db) -> tuple:
    with db.session() as session:
        return finder_index.data_version(session), audit_geo.data_version(session)


def help_provider(db, mirror):
    return IndependentHelpProvider(settings=Settings(database_url=db.url, sources_dir=mirror))


def test_unchanged_and_refused_runs_keep_the_data_version(loaded_db, fixture_mirror, tmp_path):
    before = versions(loaded_db)
    report = run_import(help_provider(loaded_db, fixture_mirror), loaded_db)
    assert report.exit_code == 0 and report.inserted == report.updated == 0
    assert versions(loaded_db) == before  # nothing changed: no worker rebuilds

    broken = RooTownHallProvider(tmp_path / "bestaat-niet.csv",
                                 settings=Settings(database_url=loaded_db.url))
    assert run_import(broken, loaded_db).exit_code == 2
    assert versions(loaded_db) == before
    with loaded_db.session() as session:  # both runs are still in the log
        statuses = session.scalars(select(ImportRun.status).order_by(ImportRun.id.desc())
                                   .limit(2)).all()
    assert statuses == ["unreadable", "ok"]


def test_a_run_that_changes_data_moves_the_version(loaded_db, fixture_mirror, tmp_path):
    import shutil

    mirror = tmp_path / "mirror"
    shutil.copytree(fixture_mirror, mirror)
    csv_path = mirror / "services" / "independent_help_nl.csv"
    lines = csv_path.read_text(encoding="utf-8").splitlines(keepends=True)
    csv_path.write_text("".join(lines[:-1]), encoding="utf-8")  # one row fewer
    before = versions(loaded_db)
    report = run_import(help_provider(loaded_db, mirror), loaded_db)
    assert report.exit_code == 0 and report.deactivated + report.updated >= 1
    after = versions(loaded_db)
    assert after[0] != before[0] and after[1] != before[1]


def test_the_log_row_commits_with_the_data(loaded_db, fixture_mirror, tmp_path, monkeypatch):
    import shutil

    mirror = tmp_path / "mirror"
    shutil.copytree(fixture_mirror, mirror)
    csv_path = mirror / "services" / "independent_help_nl.csv"
    lines = csv_path.read_text(encoding="utf-8").splitlines(keepends=True)
    csv_path.write_text("".join(lines[:-1]), encoding="utf-8")

    def count_active() -> int:
        with loaded_db.session() as session:
            return session.scalar(select(func.count()).select_from(Service)
                                  .where(Service.status == "active"))

    active = count_active()
    real_row = pipeline._run_row
    calls = []

    def failing_row(report, started_at):
        calls.append(report.status)
        if len(calls) == 1:  # the row written with the data: fail it
            raise RuntimeError("log row could not be written")
        return real_row(report, started_at)

    monkeypatch.setattr(pipeline, "_run_row", failing_row)
    report = run_import(help_provider(loaded_db, mirror), loaded_db)
    assert report.status == "failed" and "log row" in report.message
    assert count_active() == active  # the data went back with the log row
    with loaded_db.session() as session:
        last = session.scalars(select(ImportRun).order_by(ImportRun.id.desc())).first()
    assert last.status == "failed"  # the failure itself is logged on its own


def test_changed_index_is_rebuilt_in_the_background(loaded_db, monkeypatch):
    with loaded_db.session() as session:
        old = finder_index.get_index(session)
        session.execute(update(Service).where(Service.id == old.services[0].id)
                        .values(status="inactive"))
        session.commit()
        monkeypatch.setattr(finder_index, "REBUILD_IN_BACKGROUND", True)
        assert finder_index.get_index(session) is old  # served at once, not rebuilt
        deadline = time.monotonic() + 60
        while finder_index.get_index(session) is old:
            if time.monotonic() > deadline:
                pytest.fail("the background rebuild never replaced the index")
            time.sleep(0.05)
        fresh = finder_index.get_index(session)
        assert fresh.version != old.version
        assert len(fresh.services) == len(old.services) - 1


def test_serving_asks_for_the_data_version_once_a_second(loaded_db, monkeypatch):
    """Between two asks a worker answers from the index it has; after the interval it
    sees the change (and, serving, rebuilds in the background)."""
    monkeypatch.setattr(finder_index, "VERSION_CHECK_SECONDS", 3600.0)
    asked = []
    real = finder_index.data_version
    monkeypatch.setattr(finder_index, "data_version", lambda s: asked.append(1) or real(s))
    with loaded_db.session() as session:
        first = finder_index.get_index(session)
        assert finder_index.get_index(session) is first
        assert finder_index.get_index(session) is first
    assert len(asked) == 1
    with loaded_db.session() as session:
        session.execute(update(Service).where(Service.id == first.services[0].id)
                        .values(status="inactive"))
    monkeypatch.setattr(finder_index, "VERSION_CHECK_SECONDS", 0.0)
    with loaded_db.session() as session:
        assert finder_index.get_index(session) is not first
    assert len(asked) == 2
