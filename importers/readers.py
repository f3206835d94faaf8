"""File readers shared by the providers: CSV (any Dutch-Excel dialect), XLSX, GeoJSON.

Readers yield ``(row_number, row)`` where row numbers are what a person sees in a
spreadsheet (header = row 1). A row that cannot be decoded is yielded as
``{"__error__": RowError}`` so the report can name it; a file that is not a table at
all raises SourceUnreadable. CSV files are streamed line by line; every reader checks
the limits of ``importers/limits.py`` first.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from importers.base import RowError, SourceUnreadable
from importers.limits import MAX_COLUMNS, MAX_ROWS, check_file_size, too_many_rows

NOT_UTF8 = (
    "deze regel bevat tekens die geen UTF-8 zijn; sla het bestand op als 'CSV UTF-8' "
    "en probeer opnieuw"
)


def _open_bytes(path: Path) -> bytes:
    """The whole file (for small formats such as GeoJSON), after the size limit."""
    check_file_size(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise SourceUnreadable(f"bestand bestaat niet: {path}") from exc
    except IsADirectoryError as exc:
        raise SourceUnreadable(f"dit is een map, geen bestand: {path}") from exc
    except OSError as exc:
        raise SourceUnreadable(f"bestand niet te openen: {exc}") from exc
    if not data.strip():
        raise SourceUnreadable(f"{path.name} is leeg")
    return data


def _open_text_file(path: Path) -> BinaryIO:
    """Open a CSV for streaming after the size limit and a look at its start."""
    if path.is_dir():
        raise SourceUnreadable(f"dit is een map, geen bestand: {path}")
    check_file_size(path)
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise SourceUnreadable(f"bestand niet te openen: {exc}") from exc
    head = fh.read(4096)
    if b"\x00" in head:
        fh.close()
        raise SourceUnreadable(f"{path.name} is geen tekstbestand (CSV verwacht)")
    blank = not head.strip()
    while blank:
        chunk = fh.read(1 << 16)
        if not chunk:
            fh.close()
            raise SourceUnreadable(f"{path.name} is leeg")
        blank = not chunk.strip()
    fh.seek(0)
    return fh


def _physical_lines(fh: BinaryIO) -> Iterator[bytes]:
    """Lines as ``bytes.splitlines`` would cut them (LF, CRLF or a bare CR), streamed."""
    first = True
    for chunk in fh:
        if first:
            chunk = chunk.removeprefix(b"\xef\xbb\xbf")
            first = False
        yield from chunk.splitlines(keepends=True)


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
    bad_lines: set[int] = set()

    def decoded(fh: BinaryIO) -> Iterator[str]:
        for i, raw in enumerate(_physical_lines(fh), start=1):
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                if i == 1:
                    raise SourceUnreadable(f"de kopregel van {path.name} is geen UTF-8") from None
                bad_lines.add(i)
                yield "\n"  # keep line numbering; the row is reported below

    with _open_text_file(path) as fh:
        lines = decoded(fh)
        first = next(lines, "")
        delim = delimiter or sniff_delimiter(first)
        reader = csv.reader(itertools.chain([first], lines), delimiter=delim)
        try:
            header = next(reader)
        except (StopIteration, csv.Error) as exc:
            raise SourceUnreadable(f"{path.name}: geen kopregel gevonden") from exc
        if len(header) > MAX_COLUMNS:
            raise SourceUnreadable(f"{path.name}: de kopregel heeft {len(header)} kolommen "
                                   f"(hoogstens {MAX_COLUMNS})")
        yield from _csv_rows(path, reader, header, bad_lines, required=required,
                             strip_headers=strip_headers)


def _csv_rows(path: Path, reader: Any, header: list[str], bad_lines: set[int], *,
              required: Sequence[str], strip_headers: bool
              ) -> Iterator[tuple[int, dict[str, Any]]]:
    if strip_headers:
        header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        for column in missing:
            yield 1, {"__error__": RowError(1, column, "verplichte kolom ontbreekt in de kopregel")}
        return
    rows = 0
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
        rows += 1  # blank lines count too: a file of millions of them is no table either
        if rows > MAX_ROWS:
            raise too_many_rows(path.name)
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
    with _open_text_file(path) as fh:
        first = next(_physical_lines(fh), b"")
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceUnreadable(f"de kopregel van {path.name} is geen UTF-8") from exc
    try:
        return next(csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text)))
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
