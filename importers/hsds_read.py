"""Read an HSDS 3.0 package into flat tables, whatever shape it came in.

Accepted: a tabular data package (a folder with ``datapackage.json`` and CSV files),
the same tables as one JSON object (``{"services.csv": [...]}``), and the API shapes:
one ``service_full`` or ``organization_full`` object, a list of them, or a paged list
(``{"contents": [...]}``). Nested JSON is flattened into the tables a CSV package
would have, so that one validation works for both. An object that appears several
times in JSON (a location shared by two services, a phone listed under the service
and under its location) is merged by id; if the copies disagree, that is an error.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from importers.base import RowError, SourceUnreadable
from importers.hsds_schema import TABLES, UNMODELLED_TABLES
from importers.limits import MAX_ROWS, check_file_size, too_many_rows
from importers.readers import read_csv

DATAPACKAGE = "datapackage.json"
_FILE_TO_TABLE = {t.file: t.name for t in TABLES.values()}
_FILE_TO_TABLE.update({file: name for name, file in UNMODELLED_TABLES.items()})


@dataclass
class Row:
    """One HSDS record in flat form, with where it was found (for the report)."""

    table: str
    data: dict[str, Any]
    line: int | None
    where: str
    seq: int

    def field(self, column: str) -> str:
        return f"{self.where}.{column}"

    def get(self, column: str) -> Any:
        return self.data.get(column)


@dataclass
class Package:
    name: str
    kind: str  # "tabular" | "json"
    rows: dict[str, list[Row]] = field(default_factory=dict)
    errors: list[tuple[int, RowError]] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    _seq: int = 0

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def add_row(self, table: str, data: dict[str, Any], line: int | None, where: str) -> Row:
        row = Row(table, data, line, where, self.next_seq())
        self.rows.setdefault(table, []).append(row)
        return row

    def error(self, line: int | None, field_name: str | None, reason: str,
              value: Any = None, seq: int | None = None) -> None:
        shown = None if value is None else str(value)
        self.errors.append((seq or self.next_seq(), RowError(line, field_name, reason, shown)))


def canonical_id(value: Any) -> str | None:
    """An id as a lookup key: UUIDs in their canonical lower-case form, others trimmed."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return text


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def package_name(path: Path) -> str:
    """The name a package calls itself (datapackage ``name``), else the file or folder name."""
    if path.is_dir():
        try:
            doc = json.loads((path / DATAPACKAGE).read_text(encoding="utf-8"))
            if isinstance(doc, dict) and isinstance(doc.get("name"), str) and doc["name"]:
                return doc["name"]
        except (OSError, ValueError):
            pass
        return path.name
    return path.stem


def read_package(path: Path) -> Package:
    """Read a folder (tabular package) or a JSON file; raise SourceUnreadable if impossible."""
    if path.is_dir():
        return _read_tabular(path)
    if not path.exists():
        raise SourceUnreadable(f"bestand bestaat niet: {path}")
    return _read_json(path)


# -- tabular --------------------------------------------------------------------------------
def _read_tabular(folder: Path) -> Package:
    descriptor = folder / DATAPACKAGE
    if not descriptor.is_file():
        raise SourceUnreadable(
            f"geen {DATAPACKAGE} in {folder}: een HSDS-pakket is een map met CSV-bestanden "
            f"en een {DATAPACKAGE} die ze beschrijft"
        )
    check_file_size(descriptor)
    try:
        doc = json.loads(descriptor.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceUnreadable(f"{DATAPACKAGE} is geen geldige JSON: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("resources"), list):
        raise SourceUnreadable(f"{DATAPACKAGE} heeft geen lijst 'resources'")
    package = Package(name=package_name(folder), kind="tabular")

    files: dict[str, Path] = {}
    for resource in doc["resources"]:
        if not isinstance(resource, dict):
            continue
        rel = resource.get("path")
        table = resource.get("name")
        if isinstance(rel, str) and table not in TABLES and table not in UNMODELLED_TABLES:
            table = _FILE_TO_TABLE.get(Path(rel).name)
        if table is None or not isinstance(rel, str):
            continue
        if "://" in rel or Path(rel).is_absolute() or ".." in Path(rel).parts:
            package.warnings.append(RowError(None, f"{DATAPACKAGE}: {table}",
                                             "alleen bestanden in de pakketmap worden gelezen",
                                             rel))
            continue
        files[table] = folder / rel
    for table in TABLES.values():  # a CSV that the descriptor forgot to list
        if table.name not in files and (folder / table.file).is_file():
            files[table.name] = folder / table.file

    found = [t for t in files if t in TABLES and files[t].is_file()]
    if not found:
        raise SourceUnreadable(f"geen HSDS-tabellen (zoals services.csv) gevonden in {folder}")
    for table, csv_path in files.items():
        if not csv_path.is_file():
            package.warnings.append(RowError(None, csv_path.name,
                                             f"staat in {DATAPACKAGE} maar ontbreekt; "
                                             "als lege tabel gelezen"))
            continue
        if table in UNMODELLED_TABLES:
            package.skipped[csv_path.stem] += _count_rows(csv_path)
            continue
        _read_table_csv(package, table, csv_path)
    return package


def _count_rows(path: Path) -> int:
    try:
        return sum(1 for _ in read_csv(path, delimiter=","))
    except SourceUnreadable:
        return 0


def _read_table_csv(package: Package, table: str, path: Path) -> None:
    if path.stat().st_size == 0:
        return
    stem = path.name.removesuffix(".csv")
    for line, raw in read_csv(path, delimiter=","):
        if "__error__" in raw:
            err: RowError = raw["__error__"]
            where = f"{stem}.{err.field}" if err.field else stem
            package.error(err.row, where, err.reason, err.value)
            continue
        data = {k: _clean(v) for k, v in raw.items() if k}
        package.add_row(table, data, line, stem)


# -- JSON -----------------------------------------------------------------------------------
def _read_json(path: Path) -> Package:
    check_file_size(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceUnreadable(f"bestand niet te openen: {exc}") from exc
    if not data.strip():
        raise SourceUnreadable(f"{path.name} is leeg")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceUnreadable(f"{path.name} is geen geldige JSON: {exc}") from exc
    package = Package(name=package_name(path), kind="json")
    if isinstance(doc, dict) and doc and all(str(k).endswith(".csv") for k in doc):
        _read_tabular_json(package, doc)
        return package
    if isinstance(doc, dict) and isinstance(doc.get("contents"), list):
        items = doc["contents"]
    elif isinstance(doc, list):
        items = doc
    elif isinstance(doc, dict):
        items = [doc]
    else:
        raise SourceUnreadable(f"{path.name}: een HSDS-object of een lijst daarvan verwacht")
    if not items:
        raise SourceUnreadable(f"{path.name} bevat geen diensten of organisaties")
    if len(items) > MAX_ROWS:
        raise too_many_rows(path.name)
    flattener = _Flattener(package)
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            package.error(number, None, "geen HSDS-object (dienst of organisatie)")
            continue
        kind = _kind(item)
        getattr(flattener, kind)(item, kind, number, {})
    return package


def _kind(item: dict[str, Any]) -> str:
    if any(k in item for k in ("status", "service_at_locations", "organization",
                               "organization_id")):
        return "service"
    if "location_type" in item:
        return "location"
    return "organization"


def _read_tabular_json(package: Package, doc: dict[str, Any]) -> None:
    for file, rows in doc.items():
        table = _FILE_TO_TABLE.get(file)
        if table is None or not isinstance(rows, list):
            continue
        stem = file.removesuffix(".csv")
        if len(rows) > MAX_ROWS:
            raise too_many_rows(f"{package.name}: {file}")
        if table in UNMODELLED_TABLES:
            package.skipped[stem] += len(rows)
            continue
        for i, raw in enumerate(rows, start=1):
            if not isinstance(raw, dict):
                package.error(i, stem, "geen object")
                continue
            data = {k: _clean(v) for k, v in raw.items() if not isinstance(v, (dict, list))}
            package.add_row(table, data, i, f"{stem}[{i - 1}]")


_SCALAR = (str, int, float, bool, type(None))


class _Flattener:
    """Turns nested API objects into flat rows, merging repeated objects by id."""

    def __init__(self, package: Package) -> None:
        self.package = package
        self.index: dict[tuple[str, str], Row] = {}

    def add(self, table: str, obj: dict[str, Any], where: str, line: int,
            implied: dict[str, Any], *, strict: bool = True) -> str | None:
        data = {k: _clean(v) for k, v in obj.items() if isinstance(v, _SCALAR)}
        for key, value in implied.items():
            if value is None:
                continue
            given = data.get(key)
            if given is None:
                data[key] = value
            elif strict and canonical_id(given) != canonical_id(value):
                self.package.error(line, f"{where}.{key}", "past niet bij het object waar dit "
                                   f"in staat ({value})", given)
        key = canonical_id(data.get("id"))
        if key is None:
            self.package.add_row(table, data, line, where)
            return None
        existing = self.index.get((table, key))
        if existing is None:
            self.index[(table, key)] = self.package.add_row(table, data, line, where)
            return key
        for column, value in data.items():
            old = existing.data.get(column)
            if old is None:
                existing.data[column] = value
            elif value is not None and str(old) != str(value) and strict:
                self.package.error(line, f"{where}.{column}",
                                   f"dit object (id {key}) staat ook in {existing.where} "
                                   f"(object {existing.line}) met een andere waarde "
                                   f"({old!r})", value)
        return key

    def _each(self, obj: dict[str, Any], name: str) -> list[tuple[str, dict[str, Any]]]:
        value = obj.get(name)
        if not isinstance(value, list):
            return []
        return [(f"{name}[{i}]", v) for i, v in enumerate(value) if isinstance(v, dict)]

    def _skip(self, obj: dict[str, Any], *names: str) -> None:
        for name in names:
            value = obj.get(name)
            label = "programs" if name == "program" else name  # as the CSV file is called
            if isinstance(value, list):
                self.package.skipped[label] += len(value)
            elif isinstance(value, dict):
                self.package.skipped[label] += 1

    def _extras(self, obj: dict[str, Any], where: str, line: int, own_id: str | None,
                entity: str) -> None:
        for sub, attr in self._each(obj, "attributes"):
            self.attribute(attr, f"{where}.{sub}", line, own_id, entity)
        for sub, meta in self._each(obj, "metadata"):
            self.add("metadata", meta, f"{where}.{sub}", line,
                     {"resource_id": own_id, "resource_type": entity}, strict=False)

    def service(self, obj: dict[str, Any], where: str, line: int,
                implied: dict[str, Any]) -> str | None:
        implied = dict(implied)
        org = obj.get("organization")
        if isinstance(org, dict):
            implied["organization_id"] = self.organization(org, f"{where}.organization", line,
                                                           {})
        sid = self.add("service", obj, where, line, implied)
        for sub, phone in self._each(obj, "phones"):
            self.phone(phone, f"{where}.{sub}", line, {"service_id": sid})
        for sub, schedule in self._each(obj, "schedules"):
            self.add("schedule", schedule, f"{where}.{sub}", line, {"service_id": sid})
        for sub, area in self._each(obj, "service_areas"):
            self.add("service_area", area, f"{where}.{sub}", line, {"service_id": sid})
            self._extras(area, f"{where}.{sub}", line, canonical_id(area.get("id")),
                         "service_area")
        for sub, sal in self._each(obj, "service_at_locations"):
            self.service_at_location(sal, f"{where}.{sub}", line, {"service_id": sid})
        for sub, language in self._each(obj, "languages"):
            self.add("language", language, f"{where}.{sub}", line, {"service_id": sid})
        for name, table in (("cost_options", "cost_option"),
                            ("required_documents", "required_document")):
            for sub, child in self._each(obj, name):
                self.add(table, child, f"{where}.{sub}", line, {"service_id": sid})
        self._extras(obj, where, line, sid, "service")
        self._skip(obj, "contacts", "funding", "program")
        return sid

    def organization(self, obj: dict[str, Any], where: str, line: int,
                     implied: dict[str, Any]) -> str | None:
        oid = self.add("organization", obj, where, line, implied)
        for sub, phone in self._each(obj, "phones"):
            self.phone(phone, f"{where}.{sub}", line, {"organization_id": oid})
        for sub, location in self._each(obj, "locations"):
            self.location(location, f"{where}.{sub}", line, {"organization_id": oid})
        for sub, service in self._each(obj, "services"):
            self.service(service, f"{where}.{sub}", line, {"organization_id": oid})
        self._extras(obj, where, line, oid, "organization")
        self._skip(obj, "contacts", "funding", "programs", "organization_identifiers")
        return oid

    def location(self, obj: dict[str, Any], where: str, line: int,
                 implied: dict[str, Any]) -> str | None:
        lid = self.add("location", obj, where, line, implied)
        for sub, phone in self._each(obj, "phones"):
            self.phone(phone, f"{where}.{sub}", line, {"location_id": lid})
        for name, table in (("addresses", "address"), ("schedules", "schedule"),
                            ("languages", "language"), ("accessibility", "accessibility")):
            for sub, child in self._each(obj, name):
                self.add(table, child, f"{where}.{sub}", line, {"location_id": lid})
        self._extras(obj, where, line, lid, "location")
        self._skip(obj, "contacts")
        return lid

    def service_at_location(self, obj: dict[str, Any], where: str, line: int,
                            implied: dict[str, Any]) -> str | None:
        implied = dict(implied)
        location = obj.get("location")
        if isinstance(location, dict):
            implied["location_id"] = self.location(location, f"{where}.location", line, {})
        salid = self.add("service_at_location", obj, where, line, implied)
        for sub, phone in self._each(obj, "phones"):
            self.phone(phone, f"{where}.{sub}", line, {"service_at_location_id": salid})
        for sub, schedule in self._each(obj, "schedules"):
            self.add("schedule", schedule, f"{where}.{sub}", line,
                     {"service_at_location_id": salid})
        self._extras(obj, where, line, salid, "service_at_location")
        self._skip(obj, "contacts")
        return salid

    def phone(self, obj: dict[str, Any], where: str, line: int,
              implied: dict[str, Any]) -> str | None:
        pid = self.add("phone", obj, where, line, implied)
        for sub, language in self._each(obj, "languages"):
            self.add("language", language, f"{where}.{sub}", line, {"phone_id": pid})
        self._extras(obj, where, line, pid, "phone")
        return pid

    def attribute(self, obj: dict[str, Any], where: str, line: int, link_id: str | None,
                  entity: str) -> None:
        term = obj.get("taxonomy_term")
        term_id = None
        if isinstance(term, dict):
            term_id = self.taxonomy_term(term, f"{where}.taxonomy_term", line)
        implied = {"link_id": link_id, "taxonomy_term_id": term_id}
        data_entity = _clean(obj.get("link_entity"))
        if data_entity is None:
            implied["link_entity"] = entity
        elif data_entity != entity and data_entity in TABLES:  # unknown names: see the mapper
            self.package.error(line, f"{where}.link_entity",
                               f"het attribuut staat in een {entity}", data_entity)
        self.add("attribute", obj, where, line, implied)

    def taxonomy_term(self, obj: dict[str, Any], where: str, line: int) -> str | None:
        implied: dict[str, Any] = {}
        detail = obj.get("taxonomy_detail")
        if isinstance(detail, dict):
            tax_id = self.add("taxonomy", detail, f"{where}.taxonomy_detail", line, {})
            implied["taxonomy_id"] = tax_id
            for sub, meta in self._each(detail, "metadata"):
                self.add("metadata", meta, f"{where}.taxonomy_detail.{sub}", line,
                         {"resource_id": tax_id, "resource_type": "taxonomy"}, strict=False)
        term_id = self.add("taxonomy_term", obj, where, line, implied)
        for sub, meta in self._each(obj, "metadata"):
            self.add("metadata", meta, f"{where}.{sub}", line,
                     {"resource_id": term_id, "resource_type": "taxonomy_term"}, strict=False)
        return term_id


_GM_URI = re.compile(r"/gemeente/(gm\d{4})\b", re.IGNORECASE)
_GM_CODE = re.compile(r"\b(gm\d{4})\b", re.IGNORECASE)


def municipality_code_in(*texts: str | None) -> str | None:
    """A CBS municipality code named by a TOOi URI (``.../gemeente/gm0363``) or as ``GM0363``."""
    for text in texts:
        if not text:
            continue
        match = _GM_URI.search(text) or _GM_CODE.search(text)
        if match:
            return match.group(1).upper()
    return None
