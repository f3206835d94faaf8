"""File readers shared by the providers: CSV (any Dutch-Excel dialect), XLSX, GeoJSON.

Readers yield ``(row_number, row)`` where row numbers are what a person sees in a
spreadsheet (header = row 1). A row that cannot be decoded is yielded as
``{"__error__": RowError}`` so the report can name it; a file that is not a table at
all raises SourceUnreadable.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from importers.base import RowError, SourceUnreadable

NOT_UTF8 = (
    "deze regel bevat tekens die geen UTF-8 zijn; sla het bestand op als 'CSV UTF-8' "
    "en probeer opnieuw"
)


def _open_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise SourceUnreadable(f"bestand bestaat niet: {path}") from exc
    except IsADirectoryError as exc:
        raise SourceUnreadable(f"dit is een map, geen bestand: {path}") from exc
    except OSError as exc:
        raise SourceUnreadable(f"bestand niet te openen: {exc}") from exc
    if b"\x00" in data[:4096]:
        raise SourceUnreadable(f"{path.name} is geen tekstbestand (CSV verwacht)")
    if not data.strip():
        raise SourceUnreadable(f"{path.name} is leeg")
    return data


def _split_lines(data: bytes) -> list[bytes]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.splitlines(keepends=True)


def sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def read_csv(
    path: Path,
    *,
    required: Sequence[str] = (),
    delimiter: str | None = None,
    strip_headers: bool = True,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield rows as dicts keyed by header; undecodable rows come back as errors.

    Decoding is done per physical line, so one bad byte rejects one row and the
    report can say which. Quoted fields spanning lines are re-joined by the csv module.
    """
    raw_lines = _split_lines(_open_bytes(path))
    text_lines: list[str] = []
    bad_lines: dict[int, bytes] = {}
    for i, raw in enumerate(raw_lines, start=1):
        try:
            text_lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            bad_lines[i] = raw
            text_lines.append("\n")  # keep line numbering; the row is reported below
    if 1 in bad_lines:
        raise SourceUnreadable(f"de kopregel van {path.name} is geen UTF-8")
    header_line = text_lines[0]
    delim = delimiter or sniff_delimiter(header_line)
    reader = csv.reader(io.StringIO("".join(text_lines)), delimiter=delim)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise SourceUnreadable(f"{path.name}: geen kopregel gevonden") from exc
    if strip_headers:
        header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        for column in missing:
            yield 1, {"__error__": RowError(1, column, "verplichte kolom ontbreekt in de kopregel")}
        return
    while True:
        line_no = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            error = RowError(line_no, None, f"regel is geen geldige CSV: {exc}")
            yield line_no, {"__error__": error}
            continue
        if line_no in bad_lines:
            yield line_no, {"__error__": RowError(line_no, None, NOT_UTF8)}
            continue
        if not any(v.strip() for v in values):
            continue  # blank line
        if len(values) > len(header) and any(v.strip() for v in values[len(header):]):
            yield line_no, {
                "__error__": RowError(
                    line_no, None, f"{len(values)} velden, de kopregel heeft er {len(header)}"
                )
            }
            continue
        row = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}
        yield line_no, row


def read_csv_header(path: Path) -> list[str]:
    """Only the header row, e.g. to map columns before reading (also for files without rows)."""
    lines = _split_lines(_open_bytes(path))
    try:
        first = lines[0].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceUnreadable(f"de kopregel van {path.name} is geen UTF-8") from exc
    try:
        return next(csv.reader(io.StringIO(first), delimiter=sniff_delimiter(first)))
    except (StopIteration, csv.Error) as exc:
        raise SourceUnreadable(f"{path.name}: geen kopregel gevonden") from exc


def count_lines(path: Path) -> int | None:
    try:
        with path.open("rb") as f:
            return max(sum(1 for _ in f) - 1, 0)
    except OSError:
        return None


def read_geojson(path: Path) -> list[dict[str, Any]]:
    """The features of a GeoJSON FeatureCollection."""
    data = _open_bytes(path)
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceUnreadable(f"{path.name} is geen geldige GeoJSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise SourceUnreadable(f"{path.name}: FeatureCollection verwacht")
    return doc.get("features") or []
