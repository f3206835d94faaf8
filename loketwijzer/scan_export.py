"""Rows and columns of the rechtsbescherming-scan and the demand signals for the audit
exports (CSV/XLSX). Uses the audit's table writers (``audit_export.to_csv``/``to_xlsx``),
so number formats and cell escaping are the same everywhere.
"""

from __future__ import annotations

from typing import Any

from loketwijzer.audit_export import Column, to_csv
from loketwijzer.errors import InvalidInput

SCAN_COLUMNS = (
    Column("bouwsteen", "Bouwsteen"), Column("id", "Criterium (code)"),
    Column("label", "Criterium"), Column("source", "Bron (data of vragenlijst)"),
    Column("status", "Status"), Column("evidence", "Bewijs of antwoord"),
    Column("rule", "Regel"), Column("services", "Hulp waar het om gaat"),
    Column("answered_by", "Beantwoord door"), Column("answered_at", "Beantwoord op"),
    Column("todo", "Wat kunt u doen"),
)
SIGNAL_COLUMNS = (
    Column("week", "Week (ISO)"), Column("area", "Onderwerp (code)"),
    Column("label", "Onderwerp"), Column("count", "Zoekvragen", "int"),
)
DEMAND_COLUMNS = (
    Column("area", "Onderwerp (code)"), Column("label", "Onderwerp"),
    Column("searches", "Zoekvragen (laatste 12 weken)", "int"),
    Column("share_10", "Inwoners met onafhankelijke hulp binnen 10 km", "pct"),
    Column("independent", "Onafhankelijke diensten", "int"),
    Column("attention", "Veel gezocht, weinig hulp dichtbij"),
)
PARTS = ("scan", "zoekvragen")


def scan_rows(result: Any) -> list[dict[str, Any]]:
    """One row per criterion of a ``ScanResult``."""
    labels = {b.code: b.label for b in result.bouwstenen}
    rows = []
    for c in result.criteria():
        ev, answer = c.evidence, c.answer
        rows.append({
            "bouwsteen": labels[c.bouwsteen], "id": c.id, "label": c.label,
            "source": c.source, "status": c.status,
            "evidence": ev.summary if ev else (answer.comment if answer else None),
            "rule": ev.rule if ev else c.question,
            "services": "; ".join(s["name"] for s in ev.services) if ev else None,
            "answered_by": answer.answered_by if answer else None,
            "answered_at": answer.answered_at if answer else None,
            "todo": c.todo,
        })
    return rows


def signal_rows(signals: Any) -> list[dict[str, Any]]:
    """The shown cells (never under ``MIN_CELL``) of a ``Signals`` result."""
    from loketwijzer.taxonomy import area_label

    return [{"week": s.week, "area": s.area, "label": area_label(s.area), "count": s.count}
            for s in signals.signals]


def demand_rows(demand: Any) -> list[dict[str, Any]]:
    return [{"area": d.area, "label": d.label, "searches": d.searches, "share_10": d.share_10,
             "independent": d.independent, "attention": d.attention} for d in demand]


def xlsx_sheets(result: Any) -> list[tuple[str, tuple[Column, ...], list[dict[str, Any]]]]:
    """The extra workbook sheets of the audit export: the scan and the demand signals."""
    return [
        ("Rechtsbescherming-scan", SCAN_COLUMNS, scan_rows(result)),
        ("Zoekvragen naast aanbod", DEMAND_COLUMNS, demand_rows(result.demand)),
        ("Zoekvragen per week", SIGNAL_COLUMNS, signal_rows(result.trend)),
    ]


def export_part_csv(result: Any, part: str) -> bytes:
    """``scan`` or ``zoekvragen`` (the shown signals) of a ``ScanResult`` as CSV."""
    if part == "scan":
        return to_csv(SCAN_COLUMNS, scan_rows(result))
    if part == "zoekvragen":
        return to_csv(SIGNAL_COLUMNS, signal_rows(result.trend))
    raise InvalidInput(f"Deel '{part[:20]}' bestaat niet. Kies uit: {', '.join(PARTS)}.",
                       code="invalid_part")


def notes(result: Any) -> list[str]:
    src = result.source
    return [
        f"Rechtsbescherming-scan: bouwstenen uit de handreiking \"{src['title']}\" "
        f"({src['publisher']}, {src['year']}); criteria en woorden van Loketwijzer.",
        "Zoekvragen: aantal zoekvragen per gemeente, onderwerp en week. Geen zoektekst, geen "
        "postcode. Aantallen onder de 10 staan er niet in (zie docs/privacy.md).",
    ]
