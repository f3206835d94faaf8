"""The sociale-kaart template: its columns, the empty template file, and the column docs.

``TEMPLATE_COLUMNS`` is the single source of truth: the importer
(``importers/sociale_kaart.py``) checks headers against it, ``write_template`` writes
it as CSV or XLSX, and ``columns_markdown`` renders the table in
``docs/sociale-kaart.md`` (a test keeps that file in sync). This module needs no
database, so the template can be handed out without one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal

from loketwijzer.provider_types import ProviderTypes, load_provider_types
from loketwijzer.spreadsheet_safe import xlsx_text

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

SHEET_NAME = "Sociale kaart"
HELP_SHEET_NAME = "Toelichting"
#: ``id`` of the fictional example row; the importer refuses a row with this id.
EXAMPLE_ID = "VOORBEELD"
#: rows of the XLSX template that get the ja/nee and soort_aanbieder pick lists
VALIDATION_ROWS = 2000

Kind = Literal["text", "yesno", "provider_type"]


@dataclass(frozen=True)
class Column:
    """One template column, described for the municipal staff who fill it in."""

    name: str
    required: bool
    description: str  # betekenis
    example: str  # the value in the template's fictional example row
    rules: str  # what the importer accepts
    kind: Kind = "text"


TEMPLATE_COLUMNS: tuple[Column, ...] = (
    Column("id", True,
           "Uw eigen vaste code voor deze dienst. Gebruik in een nieuwe versie van het bestand "
           "dezelfde code: zo weet Loketwijzer dat het om dezelfde dienst gaat.",
           EXAMPLE_ID,
           "Letters, cijfers, spatie, punt, / - of _, hoogstens 100 tekens, zoals RW-01. "
           "Elke code maar één keer in het bestand. De code VOORBEELD is alleen voor de "
           "voorbeeldrij."),
    Column("gemeente", True,
           "De gemeente van deze sociale kaart.",
           "GM0000",
           "CBS-code (zoals GM0363) of naam van de gemeente. In elke rij dezelfde gemeente. "
           "Werkt de dienst ook voor andere gemeenten? Zet die bij werkgebied."),
    Column("organisatie", True,
           "Naam van de organisatie die de hulp geeft.",
           "Voorbeeld Rechtswinkel",
           "Rijen met dezelfde naam horen bij dezelfde organisatie."),
    Column("dienst", True,
           "Naam van de dienst of het spreekuur, zoals inwoners die kennen.",
           "Gratis juridisch spreekuur (voorbeeld)",
           "Vrije tekst."),
    Column("omschrijving", False,
           "Wat de dienst doet, in een paar zinnen en in eenvoudige taal.",
           "Studenten geven gratis advies over huur, werk en geld. Dit is een voorbeeldrij.",
           "Vrije tekst."),
    Column("soort_aanbieder", True,
           "Wat voor soort aanbieder dit is. Dit bepaalt ook wat Loketwijzer invult als "
           "onderwerpen, onafhankelijk of gratis leeg is.",
           "rechtswinkel",
           "Eén code uit de lijst Soorten aanbieders. Past niets? Gebruik other en vul "
           "onderwerpen in.",
           "provider_type"),
    Column("onderwerpen", False,
           "Bij welke problemen de dienst helpt.",
           "wonen; werk; schulden",
           "Codes uit de lijst Onderwerpen, gescheiden door ; of een komma. Leeg: de "
           "onderwerpen die bij de soort aanbieder horen."),
    Column("onafhankelijk", False,
           "Staat de dienst los van de gemeente en andere overheden? Dat is belangrijk voor "
           "inwoners met een conflict met de gemeente.",
           "ja",
           "ja of nee. Leeg: volgt uit de soort aanbieder (een gemeenteloket is niet "
           "onafhankelijk).",
           "yesno"),
    Column("gratis", False,
           "Is de hulp gratis?",
           "ja",
           "ja of nee. Leeg: volgt uit de soort aanbieder.",
           "yesno"),
    Column("kosten", False,
           "Wat de hulp kost.",
           "Geen kosten",
           "Vrije tekst, zoals: eigen bijdrage 25 euro per gesprek."),
    Column("straat", False,
           "Straat van het adres waar inwoners naartoe kunnen.",
           "Voorbeeldstraat",
           "Zonder huisnummer. Vul dan ook huisnummer en postcode of plaats in. Leeg als er "
           "geen bezoekadres is."),
    Column("huisnummer", False,
           "Huisnummer van het adres.",
           "1",
           "Nummer met eventuele toevoeging, zoals 12 of 12a. Alleen samen met straat."),
    Column("postcode", False,
           "Postcode van het adres.",
           "0000 AA",
           "4 cijfers en 2 letters, zoals 1234 AB."),
    Column("plaats", False,
           "Plaats van het adres.",
           "Voorbeeldstad",
           "Naam van de stad of het dorp. Zonder postcode moet Loketwijzer de plaats kennen."),
    Column("lat", False,
           "Breedtegraad van de ingang (WGS 84).",
           "",
           "Alleen samen met lon, straat en huisnummer. Getal in Nederland, tussen 50.7 en "
           "53.7. Leeg: Loketwijzer zet de dienst bij benadering op de kaart (bij de postcode "
           "of plaats)."),
    Column("lon", False,
           "Lengtegraad van de ingang (WGS 84).",
           "",
           "Alleen samen met lat. Getal in Nederland, tussen 3.2 en 7.3."),
    Column("toegankelijkheid", False,
           "Hoe toegankelijk het adres is.",
           "Rolstoeltoegankelijk (voorbeeld)",
           "Vrije tekst. Alleen bij een adres of plaats."),
    Column("telefoon", False,
           "Telefoonnummer voor inwoners.",
           "0000-000000",
           "Meer nummers scheiden met ;. Geen privénummer van een medewerker."),
    Column("email", False,
           "E-mailadres voor inwoners.",
           "info@voorbeeld.example",
           "Een algemeen adres, geen persoonlijk adres van een medewerker."),
    Column("website", False,
           "Website van de dienst.",
           "https://www.voorbeeld.example",
           "Webadres, zoals https://www.example.nl/spreekuur."),
    Column("afspraak_url", False,
           "Webpagina waar inwoners online een afspraak maken.",
           "https://www.voorbeeld.example/afspraak",
           "Webadres."),
    Column("inloop", False,
           "Kunnen inwoners zonder afspraak binnenlopen?",
           "ja",
           "ja of nee. Leeg: nee.",
           "yesno"),
    Column("op_afspraak", False,
           "Kunnen inwoners een afspraak maken?",
           "ja",
           "ja of nee. Leeg: ja als afspraak_url is ingevuld.",
           "yesno"),
    Column("telefonisch", False,
           "Kunnen inwoners bellen voor hulp?",
           "ja",
           "ja of nee. Leeg: ja als telefoon is ingevuld.",
           "yesno"),
    Column("online", False,
           "Kunnen inwoners online hulp krijgen (e-mail, chat, formulier)?",
           "nee",
           "ja of nee. Leeg: ja als website of email is ingevuld.",
           "yesno"),
    Column("openingstijden", False,
           "Vaste dagen en tijden waarop de dienst open is.",
           "ma 09:00-12:00; wo 13:30-16:00",
           "Dag en tijd, gescheiden door ;. Dagen: ma di wo do vr za zo, ook ma-vr of ma, wo. "
           "Tijd: 09:00-12:00, meer tijden met een komma: di 09:00-12:00, 13:00-16:00."),
    Column("openingstijden_toelichting", False,
           "Uitleg bij de openingstijden.",
           "Niet in de schoolvakanties.",
           "Vrije tekst, zoals: alleen de eerste dinsdag van de maand."),
    Column("doelgroep", False,
           "Is de dienst alleen voor een bepaalde groep? Noem die groep. Inwoners zien dan "
           "'Alleen voor: ...' en de dienst staat onder hulp voor iedereen.",
           "",
           "Vrije tekst, zoals: statushouders, of: jongeren tot 27 jaar. Leeg: voor iedereen."),
    Column("voorwaarden", False,
           "Wat nodig is om hulp te krijgen.",
           "Geen: iedereen is welkom.",
           "Vrije tekst."),
    Column("min_leeftijd", False,
           "Vanaf welke leeftijd inwoners hulp krijgen.",
           "18",
           "Heel getal van 0 tot 120. Leeg: geen grens."),
    Column("max_leeftijd", False,
           "Tot en met welke leeftijd inwoners hulp krijgen.",
           "",
           "Heel getal van 0 tot 120, niet lager dan min_leeftijd. Leeg: geen grens."),
    Column("inkomensgrens", False,
           "Hoogste netto inkomen per maand, in euro, om hulp te krijgen.",
           "",
           "Bedrag, zoals 1500 of 1.500,00. Leeg: geen inkomensgrens."),
    Column("alleen_inwoners", False,
           "Is de dienst alleen voor inwoners van de gemeente en het werkgebied?",
           "nee",
           "ja of nee. Leeg: nee.",
           "yesno"),
    Column("werkgebied", False,
           "Andere gemeenten waar de dienst ook voor werkt.",
           "",
           "CBS-codes of namen, gescheiden door ;. Uw eigen gemeente hoort er altijd bij."),
    Column("meenemen", False,
           "Wat inwoners moeten meenemen.",
           "Identiteitsbewijs; brieven over het probleem",
           "Gescheiden door ;."),
    Column("talen", False,
           "Talen waarin inwoners geholpen kunnen worden.",
           "Nederlands; Engels",
           "Namen (Nederlands, Engels, Arabisch) of taalcodes van 2 of 3 letters (nl, en, ar), "
           "gescheiden door ;."),
    Column("bron_url", True,
           "Webpagina waar deze gegevens staan of zijn nagekeken.",
           "https://www.voorbeeld.example/spreekuur",
           "Webadres. Liefst de pagina van de aanbieder zelf."),
    Column("laatst_gecontroleerd", True,
           "Datum waarop iemand deze gegevens voor het laatst heeft nagekeken.",
           "2025-01-15",
           "JJJJ-MM-DD of DD-MM-JJJJ, niet in de toekomst. Gegevens ouder dan een jaar toont "
           "Loketwijzer als mogelijk verouderd."),
)

COLUMNS_BY_NAME: dict[str, Column] = {c.name: c for c in TEMPLATE_COLUMNS}
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in TEMPLATE_COLUMNS if c.required)


def example_row() -> dict[str, str]:
    """The fictional example row (never real-looking contact details)."""
    return {c.name: c.example for c in TEMPLATE_COLUMNS}


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _check_rows(rows: Iterable[Mapping[str, object]]) -> list[Mapping[str, object]]:
    out = list(rows)
    for row in out:
        unknown = set(row) - set(COLUMNS_BY_NAME)
        if unknown:
            raise ValueError(f"not a template column: {sorted(unknown)}")
    return out


def write_template(
    path: Path | str,
    fmt: Literal["csv", "xlsx"] | None = None,
    *,
    rows: Iterable[Mapping[str, object]] | None = None,
) -> Path:
    """Write the template: header plus the example row (or ``rows``, for tests and exports).

    ``fmt`` defaults to the file's suffix. CSV is written the way Dutch Excel writes
    "CSV UTF-8": a BOM and ``;`` between fields. The XLSX gets a ``Toelichting`` sheet
    describing every column and pick lists for the ja/nee and soort_aanbieder columns.
    """
    path = Path(path)
    fmt = fmt or path.suffix.lower().lstrip(".")  # type: ignore[assignment]
    data = template_bytes(fmt, rows=rows)  # type: ignore[arg-type]
    path.write_bytes(data)
    return path


def template_bytes(fmt: Literal["csv", "xlsx"], *,
                   rows: Iterable[Mapping[str, object]] | None = None) -> bytes:
    """The template as bytes, built in memory (the web download writes no file)."""
    data = _check_rows(rows) if rows is not None else [example_row()]
    if fmt == "csv":
        return _csv_bytes(data)
    if fmt == "xlsx":
        out = io.BytesIO()
        _write_xlsx(out, data, example=rows is None)
        return out.getvalue()
    raise ValueError(f"unknown template format {fmt!r}: use csv or xlsx")


def _csv_bytes(rows: list[Mapping[str, object]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([c.name for c in TEMPLATE_COLUMNS])
    for row in rows:
        writer.writerow([_cell(row.get(c.name)) for c in TEMPLATE_COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _area_choices() -> list[tuple[str, str]]:
    """(code, label) of the problem areas, when the taxonomy is available."""
    try:
        from loketwijzer.taxonomy import problem_areas

        return [(a.code, a.label) for a in problem_areas()]
    except ImportError:  # pragma: no cover - the matcher package is not installed yet
        return []


def _write_xlsx(target: Path | BinaryIO, rows: list[Mapping[str, object]], *,
                example: bool) -> None:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    types = load_provider_types()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    required_fill = PatternFill("solid", fgColor="FFE699")
    optional_fill = PatternFill("solid", fgColor="DDEBF7")
    example_font = Font(italic=True, color="808080")

    yes_no = DataValidation(type="list", formula1='"ja,nee"', allow_blank=True,
                            showErrorMessage=True, errorTitle="Alleen ja of nee",
                            error="Kies ja of nee, of laat de cel leeg.")
    codes = ",".join(types.types)
    provider_type = None
    if len(codes) <= 250:  # Excel's limit for a list written in the rule itself
        provider_type = DataValidation(
            type="list", formula1=f'"{codes}"', allow_blank=False, showErrorMessage=True,
            errorTitle="Onbekende soort aanbieder",
            error="Kies een code uit de lijst (zie het tabblad Toelichting).")
        sheet.add_data_validation(provider_type)
    sheet.add_data_validation(yes_no)

    for i, column in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(i)
        cell = sheet.cell(row=1, column=i, value=column.name)
        cell.font = Font(bold=True)
        cell.fill = required_fill if column.required else optional_fill
        note = f"{'Verplicht. ' if column.required else ''}{column.description}\n{column.rules}"
        cell.comment = Comment(note, "Loketwijzer", width=320, height=160)
        # Text format keeps leading zeros of phone numbers and stops Excel turning dates
        # and "1-2" into something else.
        sheet.column_dimensions[letter].number_format = "@"
        sheet.column_dimensions[letter].width = max(
            len(column.name) + 4, min(len(column.example) + 2, 40)
        )
        cell_range = f"{letter}2:{letter}{VALIDATION_ROWS}"
        if column.kind == "yesno":
            yes_no.add(cell_range)
        elif column.kind == "provider_type" and provider_type is not None:
            provider_type.add(cell_range)
    for r, row in enumerate(rows, start=2):
        for i, column in enumerate(TEMPLATE_COLUMNS, start=1):
            value = row.get(column.name)
            cell = sheet.cell(row=r, column=i, value=value if value != "" else None)
            if isinstance(value, str):
                cell.number_format = "@"
                if value:
                    xlsx_text(cell, value)  # text as typed, never a formula
            if example:
                cell.font = example_font
    sheet.freeze_panes = "B2"

    _write_help_sheet(workbook.create_sheet(HELP_SHEET_NAME), types)
    workbook.save(target)


def _write_help_sheet(sheet: Worksheet, types: ProviderTypes) -> None:
    """The 'Toelichting' sheet: how to fill in, every column, the code lists."""
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def add(values: list[str], *, heading: bool = False) -> None:
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
            if heading:
                cell.font = bold

    add(["Sociale kaart voor Loketwijzer"], heading=True)
    add(["Vul per dienst één rij in op het tabblad 'Sociale kaart'. Verander de kopregel "
         "(rij 1) niet. Oranje kolommen zijn verplicht."])
    add([f"Rij 2 is een voorbeeld (id {EXAMPLE_ID}): vervang of verwijder die rij."])
    add(["Zet geen gegevens van inwoners in dit bestand, en geen privénummers of persoonlijke "
         "e-mailadressen van medewerkers."])
    add([])
    add(["kolom", "verplicht", "betekenis", "voorbeeld", "regels"], heading=True)
    for c in TEMPLATE_COLUMNS:
        add([c.name, "ja" if c.required else "nee", c.description, c.example, c.rules])
    add([])
    add(["Soorten aanbieders (kolom soort_aanbieder)"], heading=True)
    add(["code", "naam", "onafhankelijk", "standaard onderwerpen"], heading=True)
    for t in types.types.values():
        add([t.code, t.nl, "ja" if t.independent else "nee", ", ".join(t.areas)])
    areas = _area_choices()
    if areas:
        add([])
        add(["Onderwerpen (kolom onderwerpen)"], heading=True)
        add(["code", "naam"], heading=True)
        for code, label in areas:
            add([code, label])
    for letter, width in zip("ABCDE", (28, 34, 60, 34, 70), strict=True):
        sheet.column_dimensions[letter].width = width


# -- documentation ---------------------------------------------------------------------------


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def columns_markdown() -> str:
    """The column table of ``docs/sociale-kaart.md``."""
    lines = ["| kolom | verplicht | betekenis | voorbeeld | regels |",
             "|---|---|---|---|---|"]
    for c in TEMPLATE_COLUMNS:
        example = f"`{_md(c.example)}`" if c.example else ""
        lines.append(f"| `{c.name}` | {'ja' if c.required else 'nee'} | {_md(c.description)} "
                     f"| {example} | {_md(c.rules)} |")
    return "\n".join(lines)


def provider_types_markdown() -> str:
    """The table of provider type codes in ``docs/sociale-kaart.md``."""
    lines = ["| code | naam | onafhankelijk | standaard onderwerpen |", "|---|---|---|---|"]
    for t in load_provider_types().types.values():
        lines.append(f"| `{t.code}` | {t.nl} | {'ja' if t.independent else 'nee'} "
                     f"| {', '.join(t.areas) or '(geen: vul onderwerpen in)'} |")
    return "\n".join(lines)
