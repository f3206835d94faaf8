"""``flask --app webapp mysterie``: casussen, the check, and team findings on the command line.

    flask --app webapp mysterie add casus.yaml [--gemeente GM0363]   # own casus
    flask --app webapp mysterie validate casus.yaml                  # check only
    flask --app webapp mysterie list [--gemeente GM0363]
    flask --app webapp mysterie check GM0363 [--casus ID] [--pc4 1012] [--json]
    flask --app webapp mysterie finding GM0363 CASUS --oordeel beter --tekst "..." \\
        --eigenaar "Team Noord" [--datum 2026-12-01] [--actie "..."] [--stap 2]
    flask --app webapp mysterie findings GM0363 [CASUS]

Exit codes as for the importers: 0 done, 1 the input was read but is not right (every
problem is listed with its field and reason), 2 the file cannot be read at all.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app

from importers.base import EXIT_OK, EXIT_REJECTED, EXIT_UNREADABLE
from loketwijzer.actions import mysterie
from loketwijzer.errors import ActionError
from loketwijzer.mysterie.casus import CasusInvalid, CasusUnreadable, parse_casus, read_yaml
from webapp.db import get_db


def _fail_problems(exc: CasusInvalid) -> None:
    click.echo(f"Niet toegevoegd: {len(exc.problems)} "
               f"{'punt' if len(exc.problems) == 1 else 'punten'} om te verbeteren.", err=True)
    for problem in exc.problems:
        click.echo(f"  - {problem}", err=True)
    sys.exit(EXIT_REJECTED)


def register(app: Flask) -> None:
    @app.cli.group("mysterie")
    def group() -> None:
        """Mysterie-check: casussen, de check en bevindingen van teamsessies."""

    @group.command("add")
    @click.argument("path", type=click.Path(path_type=Path))
    @click.option("--gemeente", "municipality", help="Gemeentecode, bijvoorbeeld GM0363 "
                  "(anders: het veld gemeente in het bestand).")
    def add(path: Path, municipality: str | None) -> None:
        """Voeg een eigen casus van een gemeente toe (of werk hem bij)."""
        try:
            data = read_yaml(path)
        except CasusUnreadable as exc:
            click.echo(f"Niet te lezen: {exc.message}", err=True)
            sys.exit(EXIT_UNREADABLE)
        db = get_db()
        db.upgrade()
        try:
            with db.session() as session:
                casus, created = mysterie.add_casus(session, mysterie.CLI_ACTOR, data,
                                                    municipality=municipality)
        except CasusInvalid as exc:
            _fail_problems(exc)
        except ActionError as exc:
            click.echo(exc.message, err=True)
            sys.exit(EXIT_REJECTED)
        mysterie.clear_cache()
        verb = "toegevoegd" if created else "bijgewerkt"
        click.echo(f"Casus '{casus.id}' {verb} voor {casus.municipality}: "
                   f"{len(casus.moments)} stappen, {len(casus.questions)} vragen.")
        sys.exit(EXIT_OK)

    @group.command("validate")
    @click.argument("path", type=click.Path(path_type=Path))
    def validate(path: Path) -> None:
        """Controleer een casusbestand zonder het op te slaan."""
        try:
            data = read_yaml(path)
        except CasusUnreadable as exc:
            click.echo(f"Niet te lezen: {exc.message}", err=True)
            sys.exit(EXIT_UNREADABLE)
        casus, problems = parse_casus(data)
        if casus is None:
            _fail_problems(CasusInvalid(problems))
        click.echo(f"In orde: '{casus.id}', {len(casus.moments)} stappen, "
                   f"{len(casus.questions)} vragen.")

    @group.command("list")
    @click.option("--gemeente", "municipality", help="Ook de eigen casussen van deze gemeente.")
    def list_command(municipality: str | None) -> None:
        """Toon de casussen."""
        with get_db().session() as session:
            code = mysterie.check_origin(session, municipality).municipality_code \
                if municipality else None
            for casus in mysterie.list_casussen(session, code):
                own = f"  (eigen casus {casus.municipality})" if casus.own else ""
                click.echo(f"{casus.id:34} {len(casus.moments)} stappen  "
                           f"{casus.title.nl}{own}")

    @group.command("check")
    @click.argument("municipality")
    @click.option("--casus", "casus_id", help="Alleen deze casus.")
    @click.option("--pc4", help="Vanuit dit postcodegebied (4 cijfers).")
    @click.option("--json", "as_json", is_flag=True, help="Als JSON (zoals de API).")
    def check(municipality: str, casus_id: str | None, pc4: str | None,
              as_json: bool) -> None:
        """Loop de casussen door het aanbod van een gemeente."""
        settings = current_app.config["LOKETWIJZER"]
        try:
            with get_db().session() as session:
                result = mysterie.check_municipality(
                    session, municipality, pc4=pc4, casus_id=casus_id,
                    stale_after_days=settings.stale_after_days)
        except ActionError as exc:
            click.echo(exc.message, err=True)
            sys.exit(EXIT_REJECTED)
        if as_json:
            click.echo(json.dumps(mysterie.check_to_dict(result), ensure_ascii=False,
                                  indent=2))
            return
        click.echo(f"{result.name} ({result.code}), vanuit {result.origin.label}, "
                   f"peildatum {result.as_of.isoformat()}")
        for item in result.results:
            counts = item.counts
            click.echo(f"\n{item.casus.title.nl}  [{item.casus.id}]  loketten: "
                       f"{item.loketten}, overdrachten: {len(item.hand_offs)}, goed "
                       f"{counts['goed']} / beter {counts['beter']} / mis {counts['mis']}")
            for step in item.steps:
                reasons = " ".join(r.render() for r in step.reasons)
                click.echo(f"  {step.moment.number}. {step.moment.title.nl:28} "
                           f"{step.verdict:6} {reasons}")

    @group.command("finding")
    @click.argument("municipality")
    @click.argument("casus_id", metavar="CASUS")
    @click.option("--oordeel", "verdict", required=True,
                  type=click.Choice(["goed", "beter", "mis"]), help="goed, beter of mis.")
    @click.option("--tekst", "text", required=True, help="Wat het team vond.")
    @click.option("--eigenaar", "owner", required=True, help="Wie er iets mee doet.")
    @click.option("--datum", "date", help="Datum van het gesprek, jjjj-mm-dd (standaard: "
                  "vandaag).")
    @click.option("--actie", "action", help="De verbeteractie, als die er is.")
    @click.option("--stap", "step", type=int, help="Het nummer van de stap, als het over "
                  "één stap gaat.")
    def finding(municipality: str, casus_id: str, verdict: str, text: str, owner: str,
                date: str | None, action: str | None, step: int | None) -> None:
        """Leg een bevinding van een teamsessie vast."""
        db = get_db()
        db.upgrade()
        try:
            with db.session() as session:
                found = mysterie.record_finding(
                    session, mysterie.CLI_ACTOR, municipality, casus_id, verdict=verdict,
                    text=text, owner=owner, date=date, action=action, step=step)
        except ActionError as exc:
            click.echo(exc.message, err=True)
            sys.exit(EXIT_REJECTED)
        click.echo(f"Bevinding {found.id} vastgelegd voor {found.municipality_code} / "
                   f"{found.casus_id} ({found.verdict}, {found.date.isoformat()}).")

    @group.command("findings")
    @click.argument("municipality")
    @click.argument("casus_id", metavar="[CASUS]", required=False)
    def findings(municipality: str, casus_id: str | None) -> None:
        """Toon de bevindingen van een gemeente."""
        with get_db().session() as session:
            try:
                code = mysterie.check_origin(session, municipality).municipality_code
            except ActionError as exc:
                click.echo(exc.message, err=True)
                sys.exit(EXIT_REJECTED)
            items = mysterie.list_findings(session, code, casus_id)
        if not items:
            click.echo("Nog geen bevindingen.")
        for item in items:
            step = f" stap {item.step}" if item.step else ""
            click.echo(f"{item.date.isoformat()} {item.casus_id}{step} [{item.verdict}] "
                       f"{item.text}  (eigenaar: {item.owner})")
