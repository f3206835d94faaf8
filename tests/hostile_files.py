# ruff: noqa: E501  (the OOXML boilerplate below is clearer on one line per part)
"""Small files that break the import limits on purpose (tests and bench/bench_hostile.py).

Each writer builds the file in seconds without holding its unpacked size in memory.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Sociale kaart" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
HEADER = ("id", "gemeente", "organisatie", "dienst", "soort_aanbieder", "bron_url",
          "laatst_gecontroleerd")  # the template's required columns


def _skeleton(zf: zipfile.ZipFile) -> None:
    zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
    zf.writestr("_rels/.rels", _ROOT_RELS)
    zf.writestr("xl/workbook.xml", _WORKBOOK)
    zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)


def _inline_row(r: int, values: tuple[str, ...]) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}{r}" t="inlineStr"><is><t>{v}</t></is></c>'
                    for i, v in enumerate(values))
    return f'<row r="{r}">{cells}</row>'


def shared_strings_bomb(path: Path, unpacked_mb: int = 1024) -> Path:
    """An .xlsx of about 1 MB per GB whose shared strings unpack to ``unpacked_mb`` MB."""
    block = ("<si><t>" + "A" * 1000 + "</t></si>") * 1000  # ~1 MB
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        _skeleton(zf)
        zf.writestr("xl/worksheets/sheet1.xml",
                    _SHEET_HEAD + "<sheetData>" + _inline_row(1, HEADER) + "</sheetData></worksheet>")
        with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8"?>'
                     b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            data = block.encode()
            for _ in range(unpacked_mb):
                fh.write(data)
            fh.write(b"</sst>")
    return path


def many_rows_xlsx(path: Path, rows: int = 3_000_000, declare: bool = True,
                   empty: bool = False) -> Path:
    """An .xlsx with ``rows`` data rows (written in a stream), optionally declaring them in
    ``<dimension>`` as Excel does; ``empty`` rows have no cells (about 7 MB for 3M)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        _skeleton(zf)
        zf.writestr("xl/sharedStrings.xml",
                    '<?xml version="1.0" encoding="UTF-8"?><sst xmlns='
                    '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(_SHEET_HEAD.encode())
            if declare:
                fh.write(f'<dimension ref="A1:G{rows + 1}"/>'.encode())
            fh.write(b"<sheetData>" + _inline_row(1, HEADER).encode())
            batch: list[str] = []
            for r in range(2, rows + 2):
                batch.append(f'<row r="{r}"/>' if empty else
                             f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>')
                if len(batch) == 10_000:
                    fh.write("".join(batch).encode())
                    batch.clear()
            fh.write(("".join(batch) + "</sheetData></worksheet>").encode())
    return path


def many_rows_csv(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(";".join(HEADER) + "\n")
        line = "x;GM9001;Org;Dienst;other;https://example.org;2025-01-01\n"
        for _ in range(rows // 10_000):
            fh.write(line * 10_000)
        fh.write(line * (rows % 10_000))
    return path


def blank_lines_csv(path: Path, lines: int) -> Path:
    """A header and then nothing but ``lines`` empty lines (40 MB for 40 million)."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write(";".join(HEADER) + "\n")
        block = "\n" * 1_000_000
        for _ in range(lines // 1_000_000):
            fh.write(block)
        fh.write("\n" * (lines % 1_000_000))
    return path


def oversized(path: Path, size: int) -> Path:
    """A sparse file of ``size`` bytes (costs no disk or time)."""
    with path.open("wb") as fh:
        fh.truncate(size)
    return path
