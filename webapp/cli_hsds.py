"""``flask --app webapp export-hsds OUT``: the offer as Open Referral HSDS 3.0.

Import goes through the generic ``import hsds PATH`` command (importers/hsds.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask

from importers.hsds_export import FORMATS, export_hsds
from webapp.db import get_db


def register(app: Flask) -> None:
    @app.cli.command("export-hsds")
    @click.argument("out", type=click.Path(path_type=Path))
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default="tabular",
                  show_default=True, help="tabular: map met CSV-bestanden en datapackage.json "
                  "(volledig); json: lijst van service_full-objecten.")
    @click.option("--source", default=None, help="Alleen deze bron, bijvoorbeeld "
                  "hsds:sociale-kaart-teststad (standaard: alles).")
    def export_hsds_command(out: Path, fmt: str, source: str | None) -> None:
        """Schrijf organisaties, diensten en locaties als HSDS 3.0 naar OUT."""
        try:
            with get_db().session() as session:
                summary = export_hsds(session, out, fmt, source=source)
        except OSError as exc:
            click.echo(f"Kan niet schrijven naar {out}: {exc}", err=True)
            sys.exit(2)
        for line in summary.lines():
            click.echo(line)
        if source and not summary.counts.get("services", 0):
            click.echo(f"Let op: geen diensten gevonden voor bron '{source}'.", err=True)
