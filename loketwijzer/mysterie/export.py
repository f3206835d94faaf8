"""The comparison of one casus across municipalities, as CSV or XLSX.

Names and organisations come from data, so every text cell is written as plain text,
never as a formula (``loketwijzer.spreadsheet_safe``, shared by all exports).
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from loketwijzer.errors import InvalidInput
from loketwijzer.spreadsheet_safe import FORMULA_START, csv_text, xlsx_text, xlsx_value

if TYPE_CHECKING:  # pragma: no cover
    from loketwijzer.actions.mysterie import Comparison

VERDICT_WORDS = {"goed": "goed", "beter": "kan beter", "mis": "gaat mis"}


def comparison_table(comparison: Comparison) -> tuple[list[str], list[list[Any]]]:
    """Header and rows (plain values) of the comparison, in its current order."""
    steps = len(comparison.casus.moments)
    header = ["Gemeentecode", "Gemeente", "Provincie", "Inwoners", "Stedelijkheid",
              "Startpunt (postcode)", "Loketten", "Overdrachten", "Goed", "Kan beter",
              "Gaat mis", *(f"Stap {i}: {comparison.casus.moments[i - 1].title.nl}"
                            for i in range(1, steps + 1)),
              "Organisaties op de route"]
    rows = []
    for row in comparison.rows:
        result = row.result
        counts = result.counts
        rows.append([
            row.code, row.name, row.province or "", row.population, row.urbanisation,
            row.origin.pc4 or "", result.loketten, len(result.hand_offs), counts["goed"],
            counts["beter"], counts["mis"],
            *(VERDICT_WORDS[s.verdict] for s in result.steps),
            "; ".join(result.organisations),
        ])
    return header, rows


def to_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    """CSV for Dutch Excel: UTF-8 with BOM and ``;`` between fields."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_text(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else csv_text(v) if isinstance(v, str) else v
                         for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(header: list[str], rows: list[list[Any]], notes: list[str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "Vergelijking"
    for j, label in enumerate(header, start=1):
        cell = ws.cell(row=1, column=j)
        xlsx_text(cell, label)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="00546B")
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            xlsx_value(ws.cell(row=i, column=j), value)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions
    for j in range(1, len(header) + 1):
        ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = 18
    info = wb.create_sheet("Toelichting")
    for i, line in enumerate(notes, start=1):
        xlsx_text(info.cell(row=i, column=1), line)
    info.column_dimensions["A"].width = 110
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_comparison(comparison: Comparison, fmt: str) -> bytes:
    header, rows = comparison_table(comparison)
    if fmt == "csv":
        return to_csv(header, rows)
    if fmt == "xlsx":
        scope = ("gemeenten die even stedelijk zijn" if comparison.scope == "klasse"
                 else "alle gemeenten")
        notes = [
            f"Loketwijzer Mysterie-check: {comparison.casus.title.nl} ({comparison.casus.id}).",
            f"Vergelijking met {scope}, peildatum {comparison.as_of.isoformat()}.",
            "Elke gemeente is bekeken vanuit het postcodegebied waar de meeste inwoners "
            "wonen. Oordelen en loketten: zie docs/mysterie.md.",
            "Dit is wat bekend is in Loketwijzer; er kan meer hulp zijn.",
        ]
        return to_xlsx(header, rows, notes)
    raise InvalidInput(f"Formaat '{fmt[:10]}' kan niet. Kies csv of xlsx.",
                       code="invalid_format")


__all__ = ["FORMULA_START", "comparison_table", "csv_text", "export_comparison", "to_csv",
           "to_xlsx", "xlsx_text"]
