"""``flask --app webapp scan``: the rechtsbescherming-scan on the command line.

    flask --app webapp scan show GM0363            # status per criterion
    flask --app webapp scan show GM0363 --json     # the API's JSON
    flask --app webapp scan answer GM0363 huisbezoek voldoet --door "Team Wmo" \
        --toelichting "Via het wijkteam"

Whoever can run the command line acts as an administrator (as for the other commands).
"""

from __future__ import annotations

import json
import sys

import click
from flask import Flask, current_app

from loketwijzer.actions import scan
from loketwijzer.auth import SYSTEM
from loketwijzer.errors import ActionError
from loketwijzer.scan import STATUSES
from webapp.db import get_db


def register(app: Flask) -> None:
    @app.cli.group("scan")
    def group() -> None:
        """Rechtsbescherming-scan: bekijken en vragen beantwoorden."""

    @group.command("show")
    @click.argument("code")
    @click.option("--json", "as_json", is_flag=True, help="De JSON van de API.")
    def show(code: str, as_json: bool) -> None:
        """Toon de scan van een gemeente."""
        settings = current_app.config["LOKETWIJZER"]
        try:
            with get_db().session() as session:
                result = scan.scan_municipality(session, code,
                                                stale_after_days=settings.stale_after_days)
        except ActionError as exc:
            click.echo(exc.message, err=True)
            sys.exit(1)
        if as_json:
            click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
            return
        click.echo(f"{result.name} ({result.code}), peildatum {result.as_of}")
        for b in result.bouwstenen:
            click.echo(f"\n{b.label}")
            for c in b.criteria:
                detail = c.evidence.summary if c.evidence else (
                    f"beantwoord door {c.answer.answered_by}" if c.answer else "nog niet "
                    "beantwoord")
                click.echo(f"  [{c.status}] {c.label}: {detail}")

    @group.command("answer")
    @click.argument("code")
    @click.argument("criterion")
    @click.argument("status", type=click.Choice(STATUSES))
    @click.option("--door", "by", required=True, help="Wie antwoordt (naam of team).")
    @click.option("--toelichting", "comment", default=None, help="Korte toelichting.")
    def answer(code: str, criterion: str, status: str, by: str, comment: str | None) -> None:
        """Beantwoord een vraag van de scan voor een gemeente."""
        try:
            with get_db().session() as session:
                scan.save_scan_answers(session, SYSTEM, code, [
                    {"criterion": criterion, "status": status, "comment": comment}],
                    answered_by=by)
        except ActionError as exc:
            click.echo(exc.message, err=True)
            sys.exit(1)
        click.echo(f"Opgeslagen: {code.upper()} {criterion} = {status} (door {by}).")
