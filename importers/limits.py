"""Limits on import files, in one place, checked before a file is parsed.

A municipality's or partner's file can be broken or hostile: a 1 MB ``.xlsx`` whose
shared strings unpack to 1 GB, a sheet that declares three million rows, a CSV of
gigabytes. Every reader checks these limits first and refuses the file with
:class:`SourceUnreadable` (exit code 2, a sentence for the person importing, no
traceback) within seconds and without loading it into memory.

The largest real source (the PC4 GeoJSON) is 8 MB and 4,067 rows; a big municipality's
sociale kaart has a few thousand rows. The limits leave ample room above that.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from importers.base import SourceUnreadable

MB = 1024 * 1024

#: Largest file (CSV, XLSX, JSON, GeoJSON) an import reads.
MAX_FILE_BYTES = 50 * MB
#: Most data rows in one table (CSV file, sheet, HSDS table or JSON list).
MAX_ROWS = 100_000
#: Most columns in one row (a sheet with 16,384 columns is not a sociale kaart).
MAX_COLUMNS = 500
#: XLSX: total size of all parts once unpacked.
MAX_XLSX_UNCOMPRESSED_BYTES = 200 * MB
#: XLSX: size of the shared-strings part once unpacked (openpyxl loads it whole).
MAX_XLSX_SHARED_STRINGS_BYTES = 30 * MB
#: XLSX: unpacked / packed size of one part. Spreadsheet XML packs about 5-30 times;
#: zip bombs pack hundreds or thousands of times.
MAX_XLSX_COMPRESSION_RATIO = 100
#: Parts smaller than this unpacked are not ratio-checked (tiny parts pack oddly).
RATIO_CHECK_FROM_BYTES = 1 * MB
#: XLSX: most parts in the package (a workbook has a few dozen).
MAX_XLSX_MEMBERS = 1_000

#: How much of a sheet's XML is read to find its declared ``<dimension>``.
DIMENSION_PEEK_BYTES = 64 * 1024

_ROW_START = re.compile(rb"<(?:\w{1,20}:)?row[\s/>]")
ROW_TAG_OVERLAP = 32  # bytes kept between chunks so a tag cut in two is counted once

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')


def _mb(size: int) -> str:
    return f"{size / MB:.0f} MB" if size >= MB else f"{size / 1024:.0f} KB"


def check_file_size(path: Path, limit: int = MAX_FILE_BYTES) -> int:
    """The file's size; SourceUnreadable when it is missing or larger than ``limit``."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise SourceUnreadable(f"bestand bestaat niet: {path}") from exc
    except OSError as exc:
        raise SourceUnreadable(f"bestand niet te openen: {exc}") from exc
    if size > limit:
        raise SourceUnreadable(
            f"{path.name} is te groot ({_mb(size)}; hoogstens {_mb(limit)}). Splits het "
            "bestand of neem contact op met de beheerder"
        )
    return size


def too_many_rows(name: str, limit: int = MAX_ROWS) -> SourceUnreadable:
    return SourceUnreadable(
        f"{name} heeft meer dan {limit:,} rijen; dat is meer dan een import aankan. "
        "Splits het bestand".replace(",", ".")
    )


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def check_xlsx_package(path: Path) -> None:
    """Inspect the zip container of an .xlsx before openpyxl parses anything.

    Refuses: too many parts, a total or shared-strings size over the limits, a part that
    unpacks far more than spreadsheet XML does, and sheets that declare more rows or
    columns than :data:`MAX_ROWS` / :data:`MAX_COLUMNS`.
    """
    check_file_size(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceUnreadable(
            f"{path.name} is geen Excel-werkmap (.xlsx); sla het bestand opnieuw op als .xlsx"
        ) from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_XLSX_MEMBERS:
            raise SourceUnreadable(f"{path.name}: te veel onderdelen ({len(members)}) "
                                   "voor een Excel-werkmap")
        total = sum(m.file_size for m in members)
        if total > MAX_XLSX_UNCOMPRESSED_BYTES:
            raise SourceUnreadable(
                f"{path.name} pakt uit tot {_mb(total)} (hoogstens "
                f"{_mb(MAX_XLSX_UNCOMPRESSED_BYTES)}); dit is geen gewone werkmap. "
                "Sla alleen het tabblad met de sociale kaart op, zonder lege rijen"
            )
        for member in members:
            name = member.filename.lower()
            if name.endswith("sharedstrings.xml") and member.file_size > \
                    MAX_XLSX_SHARED_STRINGS_BYTES:
                raise SourceUnreadable(
                    f"{path.name} bevat {_mb(member.file_size)} aan tekst (hoogstens "
                    f"{_mb(MAX_XLSX_SHARED_STRINGS_BYTES)}); dit is geen gewone werkmap"
                )
            if member.file_size >= RATIO_CHECK_FROM_BYTES:
                ratio = member.file_size / max(member.compress_size, 1)
                if ratio > MAX_XLSX_COMPRESSION_RATIO:
                    raise SourceUnreadable(
                        f"{path.name}: onderdeel {member.filename} pakt {ratio:.0f} keer zo "
                        "groot uit; dat doet een gewone werkmap niet (mogelijk een zip-bom)"
                    )
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                _check_dimension(path, archive, member)


def _check_dimension(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    with archive.open(member) as fh:
        head = fh.read(DIMENSION_PEEK_BYTES)
    match = _DIMENSION.search(head)
    if not match:
        _count_rows(path, archive, member)
        return
    _c1, r1, c2, r2 = match.groups()
    last_row = int(r2 or r1 or 0)
    last_col = _column_number(c2.decode("ascii")) if c2 else 0
    if last_row > MAX_ROWS + 1:  # +1: the header row
        raise too_many_rows(f"{path.name} (tabblad {Path(member.filename).stem})")
    if last_col > MAX_COLUMNS:
        raise SourceUnreadable(f"{path.name}: tabblad {Path(member.filename).stem} heeft "
                               f"{last_col} kolommen (hoogstens {MAX_COLUMNS})")


def _count_rows(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """A sheet without ``<dimension>``: count its rows in a stream, stopping past the limit.

    openpyxl would otherwise parse the whole sheet just to learn its size.
    """
    rows = 0
    tail = b""
    with archive.open(member) as fh:
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            cut = max(len(data) - ROW_TAG_OVERLAP, 0)  # tags starting later: next round
            rows += sum(1 for m in _ROW_START.finditer(data) if m.start() < cut)
            tail = data[cut:]
            if rows > MAX_ROWS + 1:
                raise too_many_rows(f"{path.name} (tabblad {Path(member.filename).stem})")
    rows += len(_ROW_START.findall(tail))
    if rows > MAX_ROWS + 1:
        raise too_many_rows(f"{path.name} (tabblad {Path(member.filename).stem})")
