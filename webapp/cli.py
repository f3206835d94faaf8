"""Command-line interface: ``flask --app webapp COMMAND`` (see docs and CONTRACT)."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app

from importers.base import EXIT_OK, ImportReport
from importers.pipeline import run_import
from importers.registry import REFERENCE_PROVIDERS, format_providers
from loketwijzer.config import Settings
from webapp.db import get_db


def _print_report(report: ImportReport, *, verbose_errors: int = 50) -> None:
    click.echo(f"{report.summary()}  ({report.seconds:.1f} s)")
    for error in report.errors[:verbose_errors]:
        click.echo(f"  - {error}", err=True)
    for warning in report.warnings[:verbose_errors]:
        click.echo(f"  ! {warning}", err=True)
    if len(report.errors) > verbose_errors:
        click.echo(f"  ... en nog {len(report.errors) - verbose_errors} fouten", err=True)


#: File types a folder of sociale-kaart files is read for.
SOCIALE_KAART_SUFFIXES = (".csv", ".xlsx")


def _expand(fmt: str, paths: tuple[Path, ...]) -> list[Path]:
    """The files to import: a folder given for ``csv`` means its .csv and .xlsx files (by
    name); anything else as given (an HSDS folder is one data package)."""
    files: list[Path] = []
    for path in paths:
        if fmt == "csv" and path.is_dir():
            found = sorted(p for p in path.iterdir()
                           if p.suffix.lower() in SOCIALE_KAART_SUFFIXES and p.is_file())
            if not found:
                click.echo(f"Geen .csv- of .xlsx-bestanden in {path}.", err=True)
                sys.exit(2)
            files.extend(found)
        else:
            files.append(path)
    return files


def register_commands(app: Flask) -> None:
    from webapp import cli_accounts, cli_audit, cli_hsds, cli_mysterie, cli_scan

    cli_accounts.register(app)
    cli_audit.register(app)
    cli_hsds.register(app)
    cli_mysterie.register(app)
    cli_scan.register(app)

    def _prepare_finder(db, quiet: bool = False) -> None:
        """After an import: the finder index snapshot for the next server start (see
        ``finder_index.prepare_snapshot``), so its first search does not wait for a
        build. A failure here never fails the import: the server then builds."""
        from loketwijzer import finder_index
        from loketwijzer.config import index_snapshot_dir

        folder = index_snapshot_dir()
        if folder is None:
            return
        started = time.perf_counter()
        try:
            with db.session() as session:
                written = finder_index.prepare_snapshot(session, folder)
        except Exception:
            logging.getLogger(__name__).warning("finder index snapshot not written",
                                                exc_info=True)
            return
        if written and not quiet:
            click.echo(f"Zoekindex klaargezet voor de server "
                       f"({time.perf_counter() - started:.1f} s)")

    @app.cli.command("init-db")
    def init_db() -> None:
        """Create or upgrade the database schema (Alembic migrations)."""
        get_db().upgrade()
        click.echo(f"Database bijgewerkt: {get_db().url.split('@')[-1]}")

    @app.cli.command("import-all")
    @click.option("--sources", type=click.Path(file_okay=False, path_type=Path),
                  help="Map met de bronbestanden (standaard LOKETWIJZER_SOURCES).")
    @click.option("--online", is_flag=True, help="Haal bronnen op bij de officiële bron als ze "
                  "niet in de bronmap staan.")
    @click.option("--progress/--no-progress", default=None, help="Voortgangsbalk tonen.")
    def import_all(sources: Path | None, online: bool, progress: bool | None) -> None:
        """Import every reference source: geography, taxonomy, town halls, independent help."""
        settings: Settings = current_app.config["LOKETWIJZER"]
        if sources or online:
            from dataclasses import replace

            settings = replace(settings, sources_dir=sources.resolve() if sources else
                               settings.sources_dir, allow_online=online or settings.allow_online)
        db = get_db()
        db.upgrade()
        started = time.perf_counter()
        worst = EXIT_OK
        for provider_cls in REFERENCE_PROVIDERS:
            report = run_import(provider_cls(settings=settings), db, show_progress=progress)
            _print_report(report)
            worst = max(worst, report.exit_code)
            if report.exit_code and provider_cls.name in {"municipalities", "taxonomy"}:
                click.echo("Gestopt: de volgende bronnen hebben deze gegevens nodig.", err=True)
                break
        _prepare_finder(db)
        click.echo(f"Klaar in {time.perf_counter() - started:.1f} s")
        sys.exit(worst)

    @app.cli.command("import")
    @click.argument("fmt", metavar="FORMAT")
    @click.argument("paths", metavar="PATH...", nargs=-1, required=True,
                    type=click.Path(path_type=Path))
    @click.option("--json", "as_json", is_flag=True, help="Rapport als JSON.")
    @click.option("--progress/--no-progress", default=None)
    def import_file(fmt: str, paths: tuple[Path, ...], as_json: bool,
                    progress: bool | None) -> None:
        """Import files: FORMAT is csv (sociale-kaart template, also .xlsx) or hsds.

        Several files, or a folder of sociale-kaart files, go in one after the other in
        one process (each file on its own: whole or not at all); the exit code is the
        worst of them."""
        providers = format_providers()
        provider_cls = providers.get(fmt.lower())
        if provider_cls is None:
            click.echo(f"Onbekend formaat '{fmt}'. Kies uit: {', '.join(sorted(providers))}.",
                       err=True)
            sys.exit(2)
        files = _expand(fmt.lower(), paths)
        db = get_db()
        db.upgrade()
        settings = current_app.config["LOKETWIJZER"]
        started = time.perf_counter()
        reports = []
        for path in files:
            report = run_import(provider_cls(path, settings=settings), db,
                                show_progress=progress if len(files) == 1 else False)
            reports.append(report)
            if not as_json:
                if len(files) > 1:
                    click.echo(f"{path.name}: ", nl=False)
                _print_report(report, verbose_errors=500 if len(files) == 1 else 20)
        _prepare_finder(db, quiet=as_json)
        if as_json:
            data = [r.to_dict() for r in reports]
            click.echo(json.dumps(data[0] if len(paths) == 1 and len(files) == 1 else data,
                                  ensure_ascii=False, indent=2))
        elif len(files) > 1:
            failed = sum(1 for r in reports if r.exit_code)
            click.echo(f"{len(files)} bestanden in {time.perf_counter() - started:.1f} s; "
                       f"{len(files) - failed} goed, {failed} niet ingelezen.")
        sys.exit(max(r.exit_code for r in reports))

    @app.cli.command("write-template")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def write_template_command(path: Path) -> None:
        """Write an empty sociale-kaart template (.xlsx or .csv, by the file name)."""
        from importers.sociale_kaart_template import write_template

        if path.suffix.lower() not in {".xlsx", ".csv"}:
            click.echo("Kies een bestandsnaam op .xlsx of .csv.", err=True)
            sys.exit(2)
        write_template(path)
        click.echo(f"Sjabloon geschreven: {path}")

    @app.cli.command("match")
    @click.argument("text")
    def match(text: str) -> None:
        """Print the JSON of /api/v1/match for TEXT."""
        from loketwijzer.actions.match import match_situation
        from loketwijzer.errors import ActionError

        try:
            result = match_situation(text)
        except ActionError as exc:
            click.echo(json.dumps(exc.to_dict(), ensure_ascii=False, indent=2))
            sys.exit(1)
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
