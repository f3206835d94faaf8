"""``flask --app webapp audit``: write the gap audit to a CSV, XLSX or JSON file.

    flask --app webapp audit --out gaten.xlsx                      # every municipality
    flask --app webapp audit --area schulden --out schulden.csv    # one area, all of them
    flask --app webapp audit --municipality GM0363 --out a.json    # one scorecard

The format follows the file extension. A progress bar goes to stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from tqdm import tqdm

from loketwijzer import audit_export, audit_findings, scan_export
from loketwijzer.actions import audit, scan
from loketwijzer.errors import ActionError
from webapp.db import get_db

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".json": "json"}


def write_audit(session, out: Path, *, municipality: str | None, area: str | None,
                stale_after_days: int, progress: bool = True) -> int:
    """Write the requested audit to ``out``; returns the number of table rows written."""
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise click.UsageError(f"Onbekende extensie '{out.suffix}'. Gebruik .csv, .xlsx of "
                               ".json.")
    area = audit.check_area(area)
    if municipality:
        audited = audit.audit_with_services(session, municipality,
                                            stale_after_days=stale_after_days)
        checked = scan.scan_municipality(session, municipality,
                                         stale_after_days=stale_after_days, audited=audited)
        result = audited[0]
        result["gaps"] = audit_findings.biggest_gaps(result)
        if fmt == "json":
            result["scan"] = checked.to_dict()
            if area:
                result["areas"] = [a for a in result["areas"] if a["code"] == area]
            data = json.dumps(result, ensure_ascii=False, indent=2).encode("utf-8")
            rows = len(result["areas"])
        else:
            extra = {"extra_sheets": scan_export.xlsx_sheets(checked),
                     "extra_notes": scan_export.notes(checked)} if fmt == "xlsx" else {}
            data = audit_export.export_scorecard(result, fmt, area=area, **extra)
            rows = len(result["areas"]) if area is None else 1
    else:
        audits = []
        bar = tqdm(total=session_count(session), desc="gemeenten", unit=" gem",
                   file=sys.stderr, disable=not progress)
        for item in audit.audit_all(session, stale_after_days=stale_after_days):
            audits.append(item)
            bar.update(1)
        bar.close()
        if fmt == "json":
            if area:
                for item in audits:
                    item["areas"] = [a for a in item["areas"] if a["code"] == area]
            data = json.dumps({"municipalities": audits}, ensure_ascii=False,
                              indent=1).encode("utf-8")
            rows = len(audits)
        else:
            long = audit_export.long_rows(audits, area)
            if fmt == "csv":
                data = audit_export.to_csv(audit_export.LONG_COLUMNS, long)
            else:
                data = audit_export.to_xlsx(
                    [("Gemeenten x onderwerpen", audit_export.LONG_COLUMNS, long)],
                    notes=["Loketwijzer gap-audit, alle gemeenten."])
            rows = len(long)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return rows


def session_count(session) -> int:
    from sqlalchemy import func, select

    from loketwijzer.models import Municipality

    return int(session.scalar(select(func.count()).select_from(Municipality)) or 0)


def register(app: Flask) -> None:
    @app.cli.command("audit")
    @click.option("--municipality", "-m", help="Gemeentecode, bijvoorbeeld GM0363.")
    @click.option("--area", "-a", help="Alleen dit onderwerp, bijvoorbeeld schulden.")
    @click.option("--out", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path),
                  help="Uitvoerbestand: .csv, .xlsx of .json.")
    @click.option("--progress/--no-progress", default=True, help="Voortgangsbalk tonen.")
    def audit_command(municipality: str | None, area: str | None, out: Path,
                      progress: bool) -> None:
        """Gap-audit: bereik van onafhankelijke hulp per gemeente en onderwerp."""
        db = get_db()
        settings = current_app.config["LOKETWIJZER"]
        try:
            with db.session() as session:
                rows = write_audit(session, out, municipality=municipality, area=area,
                                   stale_after_days=settings.stale_after_days,
                                   progress=progress)
        except ActionError as exc:
            click.echo(exc.message, err=True)
            sys.exit(2 if exc.status == 400 else 1)
        click.echo(f"{out}: {rows} rijen geschreven.")
