"""Tables and file exports of the gap audit: column definitions, flat rows, CSV and XLSX.

Kept apart from the audit service (``loketwijzer.actions.audit``) because it is
presentation for spreadsheets (Dutch CSV conventions, workbook styling); it only turns the
plain dicts the service returns into files, and depends on the service for the metric
labels and the source attribution, never the other way round.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from loketwijzer.actions.audit import ATTRIBUTION, METRICS
from loketwijzer.errors import InvalidInput
from loketwijzer.spreadsheet_safe import csv_text, xlsx_append


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | int | pct | km | num | date


SCORECARD_COLUMNS = (
    Column("code", "Code"), Column("label", "Onderwerp"),
    Column("services", "Hulpdiensten voor inwoners", "int"),
    Column("independent", "Onafhankelijk", "int"),
    Column("free", "Gratis", "int"), Column("walk_in", "Inloop", "int"),
    Column("own", "Voor deze gemeente", "int"), Column("nearby", "In de buurt (< 20 km)", "int"),
    Column("national", "Landelijk", "int"),
    Column("remote_only", "Alleen op afstand/telefonisch", "int"),
    Column("share_5", "Inwoners met onafhankelijke hulp binnen 5 km", "pct"),
    Column("share_10", "Inwoners met onafhankelijke hulp binnen 10 km", "pct"),
    Column("share_20", "Inwoners met onafhankelijke hulp binnen 20 km", "pct"),
    Column("mean_km", "Gemiddelde afstand (km)", "km"),
    Column("max_km", "Grootste afstand (km)", "km"),
    Column("approximate_distances", "Afstanden naar locatie bij benadering", "int"),
    Column("distances", "Postcodegebieden", "int"),
    Column("municipal_only", "Alleen de gemeente zelf"),
    Column("stale", "Gegevens ouder dan een jaar", "int"),
)
NATIONAL_COLUMNS = (
    Column("code", "Code"), Column("name", "Gemeente"), Column("province", "Provincie"),
    Column("population", "Inwoners", "int"), Column("urbanisation", "Stedelijkheid", "int"),
    Column("share_5", METRICS["share_5"].label, "pct"),
    Column("share_10", METRICS["share_10"].label, "pct"),
    Column("share_20", METRICS["share_20"].label, "pct"),
    Column("mean_km", METRICS["mean_km"].label, "km"),
    Column("services", METRICS["services"].label, "int"),
    Column("independent", METRICS["independent"].label, "int"),
    Column("jungle", METRICS["jungle"].label, "num"),
    Column("stale_share", METRICS["stale_share"].label, "pct"),
)
LONG_COLUMNS = (Column("municipality", "Gemeentecode"), Column("name", "Gemeente"),
                *SCORECARD_COLUMNS)
EVENT_COLUMNS = (
    Column("label", "Levensgebeurtenis"), Column("areas", "Onderwerpen"),
    Column("organisations", "Organisaties (gemiddeld)", "num"),
    Column("organisations_max", "Organisaties (hoogst)", "int"),
    Column("municipal_only_areas", "Alleen de gemeente zelf"),
    Column("without_help_areas", "Geen hulp gevonden"),
)
QUALITY_COLUMNS = (
    Column("name", "Dienst"), Column("organization", "Organisatie"),
    Column("provider_type", "Soort"), Column("source", "Bron"),
    Column("last_checked", "Laatst gecontroleerd", "date"), Column("issues", "Wat ontbreekt"),
    Column("source_url", "Bronadres"),
)


def scorecard_rows(audit: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat row per problem area (for tables and exports)."""
    rows = []
    for area in audit["areas"]:
        row = {k: v for k, v in area.items() if not isinstance(v, dict)}
        for km, value in area["share_within_km"].items():
            row[f"share_{km}"] = value
        row["municipal_only"] = "ja" if area["municipal_only"] else "nee"
        rows.append(row)
    return rows


def event_rows(audit: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**e, "areas": ", ".join(e["areas"]),
             "municipal_only_areas": ", ".join(e["municipal_only_areas"]),
             "without_help_areas": ", ".join(e["without_help_areas"])}
            for e in audit["life_events"]]


def quality_rows(audit: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**item, "issues": "; ".join(item["issues"])}
            for item in audit["data_quality"].get("items", [])]


def long_rows(audits: Sequence[dict[str, Any]], area: str | None = None
              ) -> list[dict[str, Any]]:
    """Municipality × area rows of several audits (the national export)."""
    return [{"municipality": a["code"], "name": a["name"], **row}
            for a in audits for row in scorecard_rows(a)
            if area is None or row["code"] == area]


def _csv_cell(value: Any, kind: str) -> str:
    """Dutch spreadsheet conventions: decimal comma, percentages as numbers 0–100."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if kind == "pct":
        return f"{value * 100:.1f}".replace(".", ",")
    if kind in {"km", "num"} or isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return csv_text(str(value))  # names and notes come from data: never a formula


def to_csv(columns: Sequence[Column], rows: Sequence[dict[str, Any]]) -> bytes:
    """CSV for Dutch Excel: UTF-8 with BOM, ``;`` between fields, decimal comma."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_text(c.label + (" (%)" if c.kind == "pct" else "")) for c in columns])
    for row in rows:
        writer.writerow([_csv_cell(row.get(c.key), c.kind) for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


_FORMATS = {"pct": "0.0%", "km": "0.0", "num": "0.0", "int": "#,##0", "date": "yyyy-mm-dd"}


def to_xlsx(sheets: Sequence[tuple[str, Sequence[Column], Sequence[dict[str, Any]]]],
            notes: Sequence[str] = ()) -> bytes:
    """A workbook with one styled table per sheet (bold header, frozen, filterable,
    number formats) and a sheet with sources and notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="00546B")
    for title, columns, rows in sheets:
        ws = wb.create_sheet(title[:31])
        xlsx_append(ws, [c.label for c in columns])
        for cell in ws[1]:
            cell.font = header_font
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in rows:
            values = []
            for c in columns:
                v = row.get(c.key)
                if isinstance(v, bool):
                    v = "ja" if v else "nee"
                if c.kind == "date" and isinstance(v, str):
                    with contextlib.suppress(ValueError):
                        v = dt.date.fromisoformat(v)
                values.append(v)
            xlsx_append(ws, values)
        for j, c in enumerate(columns, start=1):
            letter = get_column_letter(j)
            fmt = _FORMATS.get(c.kind)
            if fmt:
                for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    cell.number_format = fmt
            longest = max([len(c.label) // 2, *(len(str(r.get(c.key) or "")) for r in rows[:500])],
                          default=10)
            ws.column_dimensions[letter].width = min(max(10, longest + 2), 60)
        ws.freeze_panes = "A2"
        if rows:
            ws.auto_filter.ref = ws.dimensions
    info = wb.create_sheet("Bronnen")
    xlsx_append(info, ["Bronnen en toelichting"])
    info["A1"].font = Font(bold=True)
    for line in (*notes, *ATTRIBUTION):
        xlsx_append(info, [line])
    info.column_dimensions["A"].width = 100
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _notes(audit_or_table: dict[str, Any]) -> list[str]:
    return [
        f"Loketwijzer gap-audit, peildatum {audit_or_table.get('as_of')}.",
        "Afstanden in rechte lijn vanaf het midden van elk postcodegebied (PC4), gewogen "
        "naar inwoners. Zie docs/audit.md voor de rekenwijze.",
    ]


def export_scorecard(audit: dict[str, Any], fmt: str, area: str | None = None, *,
                     extra_sheets: Sequence[tuple[str, Sequence[Column], Sequence[dict]]] = (),
                     extra_notes: Sequence[str] = ()) -> bytes:
    """The scorecard of one municipality as CSV (areas) or XLSX (areas, life events, data
    quality, any ``extra_sheets`` such as the scan, sources)."""
    rows = [r for r in scorecard_rows(audit) if area is None or r["code"] == area]
    if fmt == "csv":
        return to_csv(SCORECARD_COLUMNS, rows)
    if fmt == "xlsx":
        return to_xlsx([
            ("Scorekaart", SCORECARD_COLUMNS, rows),
            ("Levensgebeurtenissen", EVENT_COLUMNS, event_rows(audit)),
            ("Datakwaliteit", QUALITY_COLUMNS, quality_rows(audit)),
            *extra_sheets,
        ], notes=[f"Gemeente {audit['name']} ({audit['code']}).", *_notes(audit),
                  *extra_notes])
    raise InvalidInput(f"Formaat '{fmt[:10]}' kan niet. Kies csv of xlsx.",
                       code="invalid_format")


def export_national(table: dict[str, Any], fmt: str) -> bytes:
    """The national table (one row per municipality) as CSV or XLSX."""
    if fmt == "csv":
        return to_csv(NATIONAL_COLUMNS, table["rows"])
    if fmt == "xlsx":
        return to_xlsx([("Gemeenten", NATIONAL_COLUMNS, table["rows"])],
                       notes=[f"Onderwerp: {table['area_label']}.", *_notes(table)])
    raise InvalidInput(f"Formaat '{fmt[:10]}' kan niet. Kies csv of xlsx.",
                       code="invalid_format")


__all__ = [
    "EVENT_COLUMNS", "LONG_COLUMNS", "NATIONAL_COLUMNS", "QUALITY_COLUMNS",
    "SCORECARD_COLUMNS", "Column", "event_rows", "export_national", "export_scorecard",
    "long_rows", "quality_rows", "scorecard_rows", "to_csv", "to_xlsx",
]
