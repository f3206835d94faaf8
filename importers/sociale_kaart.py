"""A municipality's own sociale kaart, filled in on the template (CSV or XLSX).

One file is the complete local offer of one municipality, so every row must name the
same municipality and the provider's ``source`` is ``sociale-kaart:GMxxxx``. That
makes the import a snapshot per municipality: a service missing from the new version
of a file becomes inactive, and another municipality's services are never touched.

The columns are defined once in ``importers/sociale_kaart_template.py`` and explained
to municipal staff in ``docs/sociale-kaart.md``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.gazetteer import AmbiguousName, Gazetteer, MunicipalityRef
from geo.names import fold, without_suffix
from importers import fields as f
from importers.base import Provider, Record, RowError, RowRejected, SourceUnreadable
from importers.common import (
    approximate_point,
    area_attributes,
    gazetteer_context,
    resolve_municipality,
)
from importers.limits import MAX_COLUMNS, MAX_ROWS, check_xlsx_package, too_many_rows
from importers.readers import read_csv, read_csv_header
from importers.sociale_kaart_template import (
    COLUMNS_BY_NAME,
    EXAMPLE_ID,
    REQUIRED_COLUMNS,
    SHEET_NAME,
    TEMPLATE_COLUMNS,
    write_template,
)
from loketwijzer.models import (
    PRECISION_ADDRESS,
    SCOPE_MUNICIPALITY,
    STATUS_ACTIVE,
    TAXONOMY_PROBLEM_AREAS,
    Accessibility,
    Address,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
    stable_id,
)
from loketwijzer.provider_types import ProviderTypes, load_provider_types

SOURCE_PREFIX = "sociale-kaart"
SUFFIXES = (".csv", ".xlsx")
FORMULA_REFUSED = ("deze cel bevat een Excel-formule; formules worden niet geïmporteerd. "
                   "Zet de waarde zelf in de cel (kopieer de cel en plak als waarde)")
_ID = re.compile(r"^[\w .\-/]{1,100}$")
_LIST_SPLIT = re.compile(r"[;,\n]")
_SEMICOLON_SPLIT = re.compile(r"[;\n]")


def source_for(municipality_code: str) -> str:
    """The provenance ``source`` of one municipality's sociale kaart."""
    return f"{SOURCE_PREFIX}:{municipality_code}"


class SocialeKaartProvider(Provider):
    """Reads the sociale-kaart template; ``source`` is set from the file's municipality."""

    name = "sociale-kaart"
    title = "Sociale kaart van een gemeente (sjabloon, CSV of XLSX)"
    source = SOURCE_PREFIX  # replaced by sociale-kaart:GMxxxx once the file is read

    def __init__(self, path: Path | str | None = None, settings: Any = None) -> None:
        super().__init__(path, settings)
        self._tables: dict[Path, _Table] = {}

    def locate(self) -> Path:
        if self.path is None:
            raise SourceUnreadable("geef het bestand met de sociale kaart op (.csv of .xlsx)")
        return super().locate()

    # -- reading --------------------------------------------------------------------------
    def _table(self, path: Path) -> _Table:
        """The file as a table, read once (prepare needs it to find the municipality)."""
        if path not in self._tables:
            self._tables[path] = read_table(path)
        return self._tables[path]

    def prepare(self, session: Session) -> dict[str, Any]:
        ctx = gazetteer_context(session)
        gaz: Gazetteer = ctx["gazetteer"]
        if not gaz.municipalities:
            raise RuntimeError("de gemeenten staan nog niet in de database; voer eerst "
                               "'flask --app webapp import-all' uit")
        ctx["area_codes"] = problem_area_codes(session)
        if not ctx["area_codes"]:
            raise RuntimeError("de probleemgebieden staan nog niet in de database; voer eerst "
                               "'flask --app webapp import-all' uit")
        ctx["types"] = load_provider_types()
        table = self._table(self.locate())
        ctx["table"] = table
        municipality = file_municipality(table, gaz)
        ctx["municipality"] = municipality
        if municipality is not None:
            self.source = source_for(municipality.code)
        ctx["ids"] = {}  # casefolded row id -> row number
        ctx["organizations"] = {}  # organisation key -> its Record (one per file)
        return ctx

    def read(self, path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
        table = self._table(path)
        if table.header_errors:  # the rows cannot be read right with a broken header
            for error in table.header_errors:
                yield 1, {"__error__": error}
            return
        yield from table.rows

    def stage(self, records: list[Record], ctx: dict[str, Any]) -> list[RowError]:
        errors = super().stage(records, ctx)
        table: _Table = ctx["table"]
        if not table.rows and not table.header_errors:
            errors.append(RowError(None, None, "het bestand heeft geen rijen met diensten, "
                                   "alleen een kopregel"))
        return errors

    # -- one row --------------------------------------------------------------------------
    def validate(self, rownum: int, row: dict[str, Any], ctx: dict[str, Any]) -> list[Record]:
        check = _Checker(rownum)
        gaz: Gazetteer = ctx["gazetteer"]
        types: ProviderTypes = ctx["types"]
        file_muni: MunicipalityRef | None = ctx["municipality"]

        row_id = check(f.required_text, rownum, "id", row.get("id"))
        if row_id is not None:
            if row_id.casefold() == EXAMPLE_ID.casefold():
                raise f.reject(rownum, "id", "dit is de voorbeeldrij uit het sjabloon; vervang "
                               "of verwijder deze rij", row_id)
            if not _ID.match(row_id):
                check.fail("id", "gebruik hoogstens 100 letters, cijfers, spaties of . / - _",
                           row_id)
            first = ctx["ids"].setdefault(row_id.casefold(), rownum)
            if first != rownum:
                check.fail("id", f"deze id staat ook op rij {first}; elke id mag maar één keer "
                           "in het bestand staan", row_id)

        municipality = check(resolve_municipality, rownum, "gemeente", row.get("gemeente"), gaz)
        if municipality is None and f.text(row.get("gemeente")) is None:
            check.fail("gemeente", "verplicht veld is leeg")
        elif (municipality is not None and file_muni is not None
              and municipality.code != file_muni.code):
            check.fail("gemeente", f"dit bestand is de sociale kaart van {file_muni.name} "
                       f"({file_muni.code}); zet in elke rij die gemeente. Werkt de dienst ook "
                       "voor een andere gemeente? Zet die bij werkgebied", row.get("gemeente"))

        org_name = check(f.required_text, rownum, "organisatie", row.get("organisatie"))
        service_name = check(f.required_text, rownum, "dienst", row.get("dienst"))
        ptype_code = check(f.required_text, rownum, "soort_aanbieder", row.get("soort_aanbieder"))
        ptype = types.get(ptype_code.lower()) if ptype_code else None
        if ptype_code and ptype is None:
            check.fail("soort_aanbieder", "onbekende soort aanbieder; kies uit: "
                       + ", ".join(types.types), ptype_code)
        source_url = check(_required_url, rownum, "bron_url", row.get("bron_url"))
        checked = check(_checked_date, rownum, "laatst_gecontroleerd",
                        row.get("laatst_gecontroleerd"))

        # what and for whom
        areas = check(_areas, rownum, row.get("onderwerpen"), ctx["area_codes"])
        independent = check(f.boolean, rownum, "onafhankelijk", row.get("onafhankelijk"))
        free = check(f.boolean, rownum, "gratis", row.get("gratis"))
        min_age = check(f.integer, rownum, "min_leeftijd", row.get("min_leeftijd"), lo=0, hi=120)
        max_age = check(f.integer, rownum, "max_leeftijd", row.get("max_leeftijd"), lo=0, hi=120)
        if min_age is not None and max_age is not None and min_age > max_age:
            check.fail("max_leeftijd", f"is lager dan min_leeftijd ({min_age})", max_age)
        income = check(_amount, rownum, "inkomensgrens", row.get("inkomensgrens"))
        residents_only = check(f.boolean, rownum, "alleen_inwoners", row.get("alleen_inwoners"),
                               False)
        extra_area = check(_municipalities, rownum, "werkgebied", row.get("werkgebied"), gaz)
        languages = check(_languages, rownum, row.get("talen"))

        # how to reach it
        phones = [check(f.phone, rownum, "telefoon", p) for p in _split(row.get("telefoon"))]
        email = check(f.email, rownum, "email", row.get("email"))
        website = check(f.url, rownum, "website", row.get("website"))
        appointment = check(f.url, rownum, "afspraak_url", row.get("afspraak_url"))
        walk_in = check(f.boolean, rownum, "inloop", row.get("inloop"), False)
        by_appointment = check(f.boolean, rownum, "op_afspraak", row.get("op_afspraak"),
                               bool(f.text(row.get("afspraak_url"))))
        by_phone = check(f.boolean, rownum, "telefonisch", row.get("telefonisch"),
                         bool(f.text(row.get("telefoon"))))
        online = check(f.boolean, rownum, "online", row.get("online"),
                       bool(f.text(row.get("website")) or f.text(row.get("email"))))
        hours = check(parse_opening_hours, rownum, "openingstijden", row.get("openingstijden"))

        # where
        place = check(_place, rownum, row, gaz, municipality or file_muni)

        if ptype is not None and not check.errors:
            kind = types.classify(ptype.code, f"{org_name} {service_name}")
            if not areas:
                areas = list(kind.areas)
                if not areas:
                    check.fail("onderwerpen", f"bij soort aanbieder '{ptype.code}' hoort geen "
                               "vast onderwerp; vul onderwerpen in")
            if independent is None:
                independent = kind.independent
            if free is None:
                free = ptype.free
        if check.errors:
            raise RowRejected(check.errors)
        assert municipality is not None and row_id and org_name and service_name and ptype

        provenance = {
            "source": self.source,
            "source_id": row_id,
            "source_url": source_url,
            "source_date": checked.isoformat(),
            "last_checked": checked,
        }
        records: list[Record] = []
        org_record, org_is_new = self._organization(ctx, org_name, ptype.code == "gemeente",
                                                    municipality, provenance)
        if org_is_new:
            records.append(org_record)
        org_id = org_record.values["id"]
        service_id = stable_id(self.source, "service", row_id)
        children: list[Record] = area_attributes(service_id, areas, self.source)
        children += self._service_areas(service_id, municipality, extra_area or [])
        children += [
            Record(Phone, {
                "id": stable_id(service_id, "phone", i), "organization_id": None,
                "service_id": service_id, "location_id": None, "number": number,
                "extension": None, "type": "voice", "description": _phone_note(number),
                "source": self.source,
            })
            for i, number in enumerate(p for p in phones if p)
        ]
        children += self._schedules(service_id, hours or [],
                                    f.text(row.get("openingstijden_toelichting")))
        children += [
            Record(RequiredDocument, {
                "id": stable_id(service_id, "document", i), "service_id": service_id,
                "document": document, "uri": None, "source": self.source,
            })
            for i, document in enumerate(_split(row.get("meenemen"), _SEMICOLON_SPLIT))
        ]
        children += [
            Record(Language, {
                "id": stable_id(service_id, "language", code or name), "service_id": service_id,
                "location_id": None, "name": name, "code": code, "note": None,
                "source": self.source,
            })
            for code, name in languages or []
        ]
        fees = f.text(row.get("kosten"))
        if fees:
            children.append(Record(CostOption, {
                "id": stable_id(service_id, "cost", 0), "service_id": service_id,
                "valid_from": None, "valid_to": None, "option": fees, "currency": "EUR",
                "amount": None, "amount_description": None, "source": self.source,
            }))

        if place is not None:
            location = self._location(row_id, org_id, org_name, place,
                                      f.text(row.get("toegankelijkheid")), provenance)
            records.append(location)
            children.append(Record(ServiceAtLocation, {
                "id": stable_id(service_id, "at", location.values["id"]),
                "service_id": service_id, "location_id": location.values["id"],
                "description": None, "source": self.source,
            }))

        eligibility = "\n".join(t for t in (f.text(row.get("doelgroep")),
                                            f.text(row.get("voorwaarden"))) if t) or None
        records.append(Record(Service, {
            "id": service_id, "organization_id": org_id, "name": service_name,
            "alternate_name": None, "description": f.text(row.get("omschrijving")),
            "url": website, "email": email, "status": STATUS_ACTIVE,
            "provider_type": ptype.code, "independent": independent, "free": free,
            "fees_description": fees, "application_process": None,
            "appointment_url": appointment, "eligibility_description": eligibility,
            "minimum_age": min_age, "maximum_age": max_age, "income_limit": income,
            "residents_only": residents_only, "walk_in": walk_in,
            "by_appointment": by_appointment, "by_phone": by_phone, "online": online,
            "notes": None, "confidence": "high", **provenance,
            "target_group": f.text(row.get("doelgroep")),
        }, children=children))
        return records

    # -- record builders ------------------------------------------------------------------
    def _organization(self, ctx: dict[str, Any], name: str, is_government: bool,
                      municipality: MunicipalityRef, provenance: dict[str, Any]
                      ) -> tuple[Record, bool]:
        """One organisation per distinct name in the file; later rows refine its provenance.

        The organisation's provenance is that of its most recently checked row, so the
        result does not depend on the order of the rows (except for equal dates).
        """
        key = "-".join(fold(name).split()) or name
        known: Record | None = ctx["organizations"].get(key)
        if known is None:
            record = Record(Organization, {
                "id": stable_id(self.source, "organization", key), "name": name,
                "alternate_name": None, "description": None, "email": None, "website": None,
                "legal_status": None,
                "municipality_code": municipality.code if is_government else None,
                "is_government": is_government, **provenance, "source_id": key,
            })
            ctx["organizations"][key] = record
            return record, True
        values = known.values
        if is_government:
            values["is_government"] = True
            values["municipality_code"] = municipality.code
        if provenance["last_checked"] > values["last_checked"]:
            values.update({k: provenance[k] for k in ("source_url", "source_date",
                                                       "last_checked")})
        return known, False

    def _service_areas(self, service_id: str, own: MunicipalityRef,
                       extra: list[MunicipalityRef]) -> list[Record]:
        """The own municipality always, then the extra ones of ``werkgebied``."""
        areas = {own.code: own}
        for m in extra:
            areas.setdefault(m.code, m)
        return [
            Record(ServiceArea, {
                "id": stable_id(service_id, "area-served", m.code), "service_id": service_id,
                "scope": SCOPE_MUNICIPALITY, "municipality_code": m.code, "name": m.name,
                "description": None, "source": self.source,
            })
            for m in areas.values()
        ]

    def _schedules(self, service_id: str, hours: list[OpeningHours], note: str | None
                   ) -> list[Record]:
        """Weekly opening hours; the free-text explanation becomes a schedule of its own."""
        rows: list[dict[str, Any]] = [
            {"freq": "WEEKLY", "byday": ",".join(h.days), "opens_at": h.opens,
             "closes_at": h.closes, "description": None}
            for h in hours
        ]
        if note:
            rows.append({"freq": None, "byday": None, "opens_at": None, "closes_at": None,
                         "description": note})
        return [
            Record(Schedule, {
                "id": stable_id(service_id, "schedule", i), "service_id": service_id,
                "location_id": None, "valid_from": None, "valid_to": None, "interval": None,
                "attending_type": None, "notes": None, "source": self.source, **values,
            })
            for i, values in enumerate(rows)
        ]

    def _location(self, row_id: str, org_id: str, org_name: str, place: _Place,
                  accessibility: str | None, provenance: dict[str, Any]) -> Record:
        location_id = stable_id(self.source, "location", row_id)
        children: list[Record] = []
        if place.address_line:
            children.append(Record(Address, {
                "id": stable_id(location_id, "address", 0), "location_id": location_id,
                "attention": None, "address_1": place.address_line, "address_2": None,
                "city": place.city, "region": None, "state_province": None,
                "postal_code": place.postal_code, "country": "NL", "address_type": "physical",
                "source": self.source,
            }))
        if accessibility:
            children.append(Record(Accessibility, {
                "id": stable_id(location_id, "accessibility", 0), "location_id": location_id,
                "description": accessibility, "details": None, "url": None,
                "source": self.source,
            }))
        return Record(Location, {
            "id": location_id, "organization_id": org_id, "location_type": "physical",
            "name": org_name, "alternate_name": None, "description": None,
            "transportation": None, "url": None, "latitude": place.lat,
            "longitude": place.lon, "point_precision": place.precision,
            "municipality_code": place.municipality_code, "pc4": place.pc4, **provenance,
        }, children=children)


# -- the file as a table -------------------------------------------------------------------


@dataclass
class _Table:
    """Rows keyed by template column name, plus the header problems found."""

    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    header_errors: list[RowError] = field(default_factory=list)


def read_table(path: Path) -> _Table:
    """Read a .csv or .xlsx file of the template. Raise SourceUnreadable when it is none."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise SourceUnreadable(f"bestand bestaat niet: {path}")
    if suffix == ".csv":
        header = read_csv_header(path)
        mapping, errors = _map_header(header, path.name)
        rows = [] if errors else [(n, _rekey(row, mapping)) for n, row in read_csv(path)]
        return _Table(rows, errors)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    raise SourceUnreadable(
        f"{path.name}: bestandstype '{suffix or '(geen)'}' wordt niet ondersteund. Sla het "
        "bestand op als Excel-werkmap (.xlsx) of als CSV UTF-8 (.csv)"
    )


def _canonical(header: str) -> str:
    """'Soort aanbieder', ' soort-aanbieder *' and 'SOORT_AANBIEDER' all mean one column."""
    return re.sub(r"[\s\-]+", "_", header.strip().strip("*").strip().lower())


def _map_header(header: list[str], filename: str) -> tuple[dict[str, str], list[RowError]]:
    """Map the file's header to template columns; unknown, double or missing ones are errors.

    Unknown columns are refused rather than ignored: a misspelt column would otherwise
    lose its data without anybody noticing.
    """
    mapping: dict[str, str] = {}
    errors: list[RowError] = []
    seen: set[str] = set()
    for raw in header:
        raw = (raw or "").strip()
        if not raw:
            continue
        name = _canonical(raw)
        if name not in COLUMNS_BY_NAME:
            close = difflib.get_close_matches(name, list(COLUMNS_BY_NAME), n=1)
            hint = f"; bedoelt u '{close[0]}'?" if close else ""
            errors.append(RowError(1, raw, "onbekende kolom: gebruik de kolomnamen uit het "
                                   f"sjabloon{hint}"))
            continue
        if name in seen:
            errors.append(RowError(1, raw, "deze kolom staat twee keer in de kopregel"))
            continue
        seen.add(name)
        mapping[raw] = name
    if not seen:
        raise SourceUnreadable(
            f"{filename} is geen sociale kaart: de eerste rij heeft geen enkele kolom uit het "
            "sjabloon (zoals id, gemeente, organisatie, dienst)"
        )
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            errors.append(RowError(1, name, "verplichte kolom ontbreekt in de kopregel"))
    return mapping, errors


def _rekey(row: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    if "__error__" in row:
        return row
    return {mapping[k]: v for k, v in row.items() if k in mapping}


def _read_xlsx(path: Path) -> _Table:
    """The sheet named 'Sociale kaart', or else the first one; other sheets are ignored."""
    from openpyxl import load_workbook

    check_xlsx_package(path)  # sizes, zip ratio and declared rows before anything is parsed
    try:
        # data_only=False: a formula cell keeps its formula, so it can be refused below.
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # zip, XML and format errors all mean: not a workbook
        raise SourceUnreadable(
            f"{path.name} is geen Excel-werkmap (.xlsx); sla het bestand opnieuw op als .xlsx"
        ) from exc
    try:
        names = {name.strip().casefold(): name for name in workbook.sheetnames}
        sheet_name = names.get(SHEET_NAME.casefold()) or workbook.sheetnames[0]
        sheet = workbook[sheet_name]
        if not hasattr(sheet, "iter_rows"):
            raise SourceUnreadable(f"{path.name}: tabblad '{sheet_name}' is geen tabel")
        # Explicit bounds: without them openpyxl reads the whole sheet first to find its
        # size when the file declares none (seconds and hundreds of MB for millions of rows).
        first = next(sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS + 1), None)
        header_cells = [c.value for c in first or ()]
        while header_cells and header_cells[-1] in (None, ""):
            header_cells.pop()
        if not header_cells:
            raise SourceUnreadable(f"{path.name}: tabblad '{sheet_name}' heeft geen kopregel")
        header = [_xlsx_text(v) for v in header_cells]
        if len(header) > MAX_COLUMNS:
            raise SourceUnreadable(f"{path.name}: de kopregel heeft meer dan {MAX_COLUMNS} "
                                   "kolommen")
        mapping, errors = _map_header(header, path.name)
        if errors:
            return _Table([], errors)
        table = _Table()
        cell_rows = sheet.iter_rows(min_row=2, max_row=MAX_ROWS + 2, max_col=len(header))
        for rownum, cells in enumerate(cell_rows, start=2):
            if rownum > MAX_ROWS + 1:  # also empty rows: a sheet can hold millions of them
                raise too_many_rows(path.name)
            values = [c.value for c in cells]
            if not any(_xlsx_text(v) for v in values):
                continue  # empty row
            row: dict[str, Any] = {}
            problem: RowError | None = None
            for raw, cell in zip(header, cells, strict=False):
                name = mapping.get(raw.strip())
                if name is None:
                    continue
                value = cell.value
                if getattr(cell, "data_type", None) == "f":
                    problem = RowError(rownum, name, FORMULA_REFUSED, _xlsx_text(value)[:80])
                    continue
                if (name == "telefoon" and isinstance(value, int | float)
                        and not isinstance(value, bool)):
                    problem = RowError(rownum, name, "Excel heeft het telefoonnummer als getal "
                                       "opgeslagen, zodat de 0 vooraan weg is. Zet de cel op "
                                       "'Tekst' en typ het nummer opnieuw", _xlsx_text(value))
                row[name] = _xlsx_text(value)
            table.rows.append((rownum, {"__error__": problem} if problem else row))
        return table
    finally:
        workbook.close()


def _xlsx_text(value: Any) -> str:
    """A cell as the text a person sees (dates as JJJJ-MM-DD, 12.0 as 12, TRUE as ja)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def file_municipality(table: _Table, gaz: Gazetteer) -> MunicipalityRef | None:
    """The municipality the file belongs to: the one most rows name (first one on a tie).

    Taking the majority means a single row with a wrong municipality is the row that
    gets the error, not the rest of the file.
    """
    votes: Counter[str] = Counter()
    for _rownum, row in table.rows:
        value = f.text(row.get("gemeente"))
        if not value or "__error__" in row or _is_example(row):
            continue
        try:
            found = gaz.municipality(value)
        except AmbiguousName:
            continue
        if found is not None:
            votes[found.code] += 1
    if not votes:
        return None
    return gaz.municipalities[votes.most_common(1)[0][0]]


def _is_example(row: dict[str, Any]) -> bool:
    return (f.text(row.get("id")) or "").casefold() == EXAMPLE_ID.casefold()


def problem_area_codes(session: Session) -> set[str]:
    """Problem-area codes as seeded in the taxonomy (service attributes point at them)."""
    return set(session.scalars(
        select(TaxonomyTerm.code).where(
            TaxonomyTerm.taxonomy_id == stable_id(TAXONOMY_PROBLEM_AREAS)
        )
    ))


# -- field parsers -------------------------------------------------------------------------


class _Checker:
    """Collects every problem of a row, so the report lists them all in one go."""

    def __init__(self, rownum: int) -> None:
        self.rownum = rownum
        self.errors: list[RowError] = []

    def __call__(self, parse: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return parse(*args, **kwargs)
        except RowRejected as exc:
            self.errors.extend(exc.errors)
            return None

    def fail(self, field_name: str, reason: str, value: Any = None) -> None:
        self.errors.append(RowError(self.rownum, field_name, reason,
                                    None if value is None else str(value)))


def _split(value: Any, pattern: re.Pattern[str] = _SEMICOLON_SPLIT) -> list[str]:
    return [part.strip() for part in pattern.split(f.text(value) or "") if part.strip()]


def _required_url(row: int, field_name: str, value: Any) -> str | None:
    return f.url(row, field_name, f.required_text(row, field_name, value))


def _checked_date(row: int, field_name: str, value: Any) -> dt.date:
    """A whole date, not in the future (a year alone says too little about freshness)."""
    cleaned = f.required_text(row, field_name, value)
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            parsed = dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
        if parsed > dt.date.today():
            raise f.reject(row, field_name, "datum ligt in de toekomst", cleaned)
        return parsed
    raise f.reject(row, field_name, "geen datum; schrijf JJJJ-MM-DD of DD-MM-JJJJ, zoals "
                   "2025-03-31", cleaned)


def _amount(row: int, field_name: str, value: Any) -> float | None:
    """Euros as Dutch people write them: 1500, 1.500, 1.500,00, € 1500."""
    cleaned = f.text(value)
    if cleaned is None:
        return None
    text = cleaned.replace("€", "").replace("euro", "").replace(" ", "").rstrip(",-")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    try:
        amount = float(text)
    except ValueError as exc:
        raise f.reject(row, field_name, "geen bedrag; schrijf bijvoorbeeld 1500", cleaned
                       ) from exc
    if amount < 0:
        raise f.reject(row, field_name, "bedrag kan niet negatief zijn", cleaned)
    return amount


def _areas(row: int, value: Any, known: set[str]) -> list[str]:
    codes: list[str] = []
    for part in _split(value, _LIST_SPLIT):
        code = part.lower()
        if code not in known:
            close = difflib.get_close_matches(code, sorted(known), n=1)
            hint = f"; bedoelt u '{close[0]}'?" if close else ""
            raise f.reject(row, "onderwerpen", f"onbekend onderwerp{hint} Kies uit: "
                           + ", ".join(sorted(known)), part)
        if code not in codes:
            codes.append(code)
    return codes


def _municipalities(row: int, field_name: str, value: Any, gaz: Gazetteer
                    ) -> list[MunicipalityRef]:
    found = []
    for part in _split(value):
        ref = resolve_municipality(row, field_name, part, gaz)
        if ref is not None:
            found.append(ref)
    return found


# Dutch (and English) names of the languages most asked for in Dutch social-legal help.
LANGUAGES: dict[str, str] = {
    "nl": "Nederlands", "en": "Engels", "de": "Duits", "fr": "Frans", "es": "Spaans",
    "it": "Italiaans", "pt": "Portugees", "pl": "Pools", "ro": "Roemeens", "bg": "Bulgaars",
    "hu": "Hongaars", "cs": "Tsjechisch", "sk": "Slowaaks", "lt": "Litouws", "lv": "Lets",
    "el": "Grieks", "tr": "Turks", "ar": "Arabisch", "fa": "Perzisch", "prs": "Dari",
    "ps": "Pasjtoe", "ku": "Koerdisch", "so": "Somalisch", "ti": "Tigrinya", "am": "Amhaars",
    "uk": "Oekraïens", "ru": "Russisch", "zh": "Chinees", "ur": "Urdu", "hi": "Hindi",
    "pap": "Papiaments", "srn": "Sranantongo", "fy": "Fries", "ber": "Berbers (Tamazight)",
    "sq": "Albanees", "sr": "Servisch", "hr": "Kroatisch", "bs": "Bosnisch", "vi": "Vietnamees",
    "th": "Thai", "id": "Indonesisch", "dse": "Nederlandse Gebarentaal",
}
_LANGUAGE_ALIASES: dict[str, str] = {
    **{fold(name): code for code, name in LANGUAGES.items()},
    "dutch": "nl", "english": "en", "german": "de", "french": "fr", "spanish": "es",
    "polish": "pl", "turkish": "tr", "arabic": "ar", "farsi": "fa", "persian": "fa",
    "ukrainian": "uk", "russian": "ru", "chinese": "zh", "berbers": "ber", "tamazight": "ber",
    "amazigh": "ber", "tigrinja": "ti", "somali": "so", "frysk": "fy", "gebarentaal": "dse",
    "ngt": "dse", "koerdisch": "ku", "kurdish": "ku", "portuguese": "pt", "romanian": "ro",
    "bulgarian": "bg", "mandarijn": "zh", "kantonees": "zh",
}


def _languages(row: int, value: Any) -> list[tuple[str | None, str | None]]:
    """(code, name) per language; an unknown code of 2-3 letters is kept as given."""
    out: list[tuple[str | None, str | None]] = []
    for part in _split(value, _LIST_SPLIT):
        key = fold(part)
        code = key if key in LANGUAGES else _LANGUAGE_ALIASES.get(key)
        if code is None and re.fullmatch(r"[a-z]{2,3}", key):
            code = key
        if code is None:
            raise f.reject(row, "talen", "onbekende taal; schrijf de Nederlandse naam of een "
                           "taalcode van 2 of 3 letters, zoals en of ar", part)
        entry = (code, LANGUAGES.get(code))
        if entry not in out:
            out.append(entry)
    return out


def _phone_note(number: str) -> str | None:
    digits = number.replace(" ", "").replace("-", "")
    if digits.startswith("0900"):
        return "bellen kost geld (0900-nummer)"
    if digits.startswith("0800"):
        return "gratis nummer"
    return None


# -- opening hours -------------------------------------------------------------------------

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES: dict[str, str] = {
    "ma": "MO", "maandag": "MO", "di": "TU", "dinsdag": "TU", "wo": "WE", "woensdag": "WE",
    "do": "TH", "donderdag": "TH", "vr": "FR", "vrijdag": "FR", "za": "SA", "zaterdag": "SA",
    "zo": "SU", "zondag": "SU",
}
_ENTRY = re.compile(r"^(?P<days>[a-z][a-z.,/\s-]*?)\s*:?\s*(?P<times>\d.*)$")
_RANGE = re.compile(r"^(\d{1,2}[:.]\d{2})\s*(?:-|tot)\s*(\d{1,2}[:.]\d{2})$")
HOURS_FORMAT = "schrijf dag en tijd zoals: ma 09:00-12:00; wo 13:30-16:00"


@dataclass(frozen=True)
class OpeningHours:
    days: tuple[str, ...]  # iCal BYDAY codes, Monday first
    opens: str
    closes: str


def parse_opening_hours(row: int, field_name: str, value: Any) -> list[OpeningHours]:
    """``ma 09:00-12:00; di-do 09:00-12:00, 13:00-16:00`` → weekly opening hours.

    Anything else is refused rather than guessed: opening hours that are wrong send
    people to a closed door. Free text belongs in openingstijden_toelichting.
    """
    text = f.text(value)
    if text is None:
        return []
    out: list[OpeningHours] = []
    for entry in _split(text):
        normal = re.sub(r"[–—‑]", "-", entry.lower())
        normal = re.sub(r"\s+(?:t/m|tm|tot en met)\s+", "-", normal)
        normal = re.sub(r"(?<=\d)\s*(?:uur|u)\b", "", normal).strip()
        match = _ENTRY.match(normal)
        days = _parse_days(match.group("days")) if match else None
        if not match or not days:
            raise f.reject(row, field_name, f"dag of tijd niet herkend in '{entry}'; "
                           f"{HOURS_FORMAT}", text)
        for part in re.split(r",|\sen\s", match.group("times")):
            times = _RANGE.match(part.strip())
            if not times:
                raise f.reject(row, field_name, f"tijd niet herkend in '{entry}'; "
                               f"{HOURS_FORMAT}", text)
            try:
                opens = f.clock(row, field_name, times.group(1))
                closes = f.clock(row, field_name, times.group(2))
            except RowRejected as exc:
                raise f.reject(row, field_name, f"geen geldige tijd in '{entry}'; "
                               f"{HOURS_FORMAT}", text) from exc
            assert opens is not None and closes is not None
            if opens >= closes:
                raise f.reject(row, field_name, f"in '{entry}' ligt de sluitingstijd niet na "
                               "de openingstijd", text)
            out.append(OpeningHours(days, opens, closes))
    return out


def _parse_days(text: str) -> tuple[str, ...] | None:
    """'ma', 'ma-vr', 'ma, wo en vr', 'maandag t/m vrijdag' → BYDAY codes in week order."""
    text = re.sub(r"\s*-\s*", "-", text.strip().rstrip(":"))
    found: set[str] = set()
    for token in re.split(r"[,/\s]+|\ben\b", text):
        token = token.strip(" .")
        if not token or token == "en":
            continue
        if "-" in token:
            first, _, last = token.partition("-")
            start, end = _DAY_NAMES.get(first.strip(".")), _DAY_NAMES.get(last.strip("."))
            if start is None or end is None or DAYS.index(start) > DAYS.index(end):
                return None
            found.update(DAYS[DAYS.index(start): DAYS.index(end) + 1])
        elif token in _DAY_NAMES:
            found.add(_DAY_NAMES[token])
        else:
            return None
    return tuple(d for d in DAYS if d in found) or None


# -- where ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    address_line: str | None
    postal_code: str | None
    city: str | None
    lat: float | None
    lon: float | None
    precision: str | None
    municipality_code: str | None
    pc4: str | None


def _place(row: int, values: dict[str, Any], gaz: Gazetteer,
           municipality: MunicipalityRef | None) -> _Place | None:
    """The visiting address and its point, or None for a service without one.

    Coordinates are only taken with a street and number, and only then is the point
    marked as the building ("address"). Otherwise the point is the postcode area,
    the town or the municipality, and its precision says so.
    """
    check = _Checker(row)
    street = f.text(values.get("straat"))
    number = f.text(values.get("huisnummer"))
    postal = check(f.postcode, row, "postcode", values.get("postcode"))
    city = f.text(values.get("plaats"))
    lat = check(f.coordinate, row, "lat", values.get("lat"), axis="lat")
    lon = check(f.coordinate, row, "lon", values.get("lon"), axis="lon")
    if check.errors:
        raise RowRejected(check.errors)
    if street and not number:
        raise f.reject(row, "huisnummer", "vul ook het huisnummer in (of laat straat leeg)")
    if number and not street:
        raise f.reject(row, "straat", "vul ook de straat in (of laat huisnummer leeg)")
    if street and not (postal or city):
        raise f.reject(row, "postcode", "vul bij een adres ook de postcode of de plaats in")
    if (lat is None) != (lon is None):
        missing = "lon" if lon is None else "lat"
        raise f.reject(row, missing, "vul lat en lon allebei in, of allebei niet")
    if lat is not None and not street:
        raise f.reject(row, "lat", "coördinaten horen bij een adres: vul ook straat en "
                       "huisnummer in")
    if not (street or postal or city):
        if f.text(values.get("toegankelijkheid")):
            raise f.reject(row, "toegankelijkheid", "hoort bij een adres: vul ook straat, "
                           "postcode of plaats in")
        return None

    # The municipality the location lies in: by postcode, else by town, else the file's.
    where = municipality
    pc4_ref = gaz.pc4.get(postal[:4]) if postal else None
    if pc4_ref is not None and pc4_ref.municipality_code in gaz.municipalities:
        where = gaz.municipalities[pc4_ref.municipality_code]
    elif city:
        known = gaz.place(city, municipality.code if municipality else None) or gaz.place(city)
        if known is not None and known.municipality_code in gaz.municipalities:
            where = gaz.municipalities[known.municipality_code]
        elif not postal and not (municipality and fold(city) in {
                fold(municipality.name), fold(without_suffix(municipality.name))}):
            raise f.reject(row, "plaats", "onbekende plaats; vul ook de postcode in", city)

    if lat is not None and lon is not None:
        precision, pc4 = PRECISION_ADDRESS, postal[:4] if postal else None
    else:
        lat, lon, precision, pc4 = approximate_point(
            gaz, postal_code=postal, city=city, municipality=where
        )
    display_city = city or (pc4_ref.place_name if pc4_ref else None)
    return _Place(
        address_line=f"{street} {number}" if street and number else None,
        postal_code=postal,
        city=display_city,
        lat=lat,
        lon=lon,
        precision=precision,
        municipality_code=where.code if where else None,
        pc4=pc4,
    )


__all__ = [
    "TEMPLATE_COLUMNS",
    "SocialeKaartProvider",
    "parse_opening_hours",
    "read_table",
    "source_for",
    "write_template",
]
