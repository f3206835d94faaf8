"""Hostile and oversized import files are refused before they are parsed (importers/limits.py).

The readers are called directly (no database) except for the formula and CLI checks.
"""

from __future__ import annotations

import json
import time

import openpyxl
import pytest

from importers import limits
from importers.base import EXIT_REJECTED, EXIT_UNREADABLE, SourceUnreadable
from importers.hsds_read import read_package
from importers.pipeline import run_import
from importers.readers import read_csv, read_geojson
from importers.sociale_kaart import FORMULA_REFUSED, SocialeKaartProvider, read_table
from importers.sociale_kaart_template import SHEET_NAME, write_template
from loketwijzer.config import Settings
from tests import test_cli
from tests.hostile_files import (
    blank_lines_csv,
    many_rows_csv,
    many_rows_xlsx,
    oversized,
    shared_strings_bomb,
)

cli = test_cli.cli  # fixture: a CLI runner on an empty database


def refused(fn, *args) -> str:
    started = time.perf_counter()
    with pytest.raises(SourceUnreadable) as info:
        result = fn(*args)
        if hasattr(result, "__next__"):
            list(result)
    assert time.perf_counter() - started < 30  # seconds, not minutes (no timing target)
    return str(info.value)


def test_limits_are_named_constants():
    assert limits.MAX_FILE_BYTES >= 20 * limits.MB  # the PC4 GeoJSON is 8 MB
    assert limits.MAX_ROWS >= 10_000
    assert limits.MAX_XLSX_SHARED_STRINGS_BYTES < limits.MAX_XLSX_UNCOMPRESSED_BYTES


def test_shared_strings_bomb_is_refused_before_parsing(tmp_path):
    path = shared_strings_bomb(tmp_path / "bom.xlsx", unpacked_mb=40)
    assert path.stat().st_size < 2 * limits.MB
    message = refused(read_table, path)
    assert "zip-bom" in message or "tekst" in message


def test_declared_millions_of_rows_are_refused_from_the_dimension(tmp_path):
    path = many_rows_xlsx(tmp_path / "rijen.xlsx", rows=limits.MAX_ROWS + 5, declare=True)
    # The dimension alone refuses it: the package check never reads the rows.
    with pytest.raises(SourceUnreadable, match="meer dan"):
        limits.check_xlsx_package(path)


def test_undeclared_rows_are_counted_in_a_stream(tmp_path):
    """No <dimension>: the rows are counted in the unpacked stream (exact across chunks)."""
    at_limit = many_rows_xlsx(tmp_path / "genoeg.xlsx", rows=limits.MAX_ROWS, declare=False)
    limits.check_xlsx_package(at_limit)  # header + MAX_ROWS rows is allowed
    over = many_rows_xlsx(tmp_path / "rijen.xlsx", rows=limits.MAX_ROWS + 1, declare=False)
    assert "meer dan" in refused(limits.check_xlsx_package, over)
    assert "meer dan" in refused(read_table, over)


def test_oversized_files_are_refused_by_size(tmp_path):
    big = limits.MAX_FILE_BYTES + 1
    for name, reader in (("a.csv", lambda p: read_csv(p)), ("a.xlsx", read_table),
                         ("a.geojson", read_geojson), ("a.json", read_package)):
        path = oversized(tmp_path / name, big)
        assert "te groot" in refused(reader, path), name


def test_too_many_csv_rows_are_refused(tmp_path):
    path = many_rows_csv(tmp_path / "veel.csv", limits.MAX_ROWS + 1)
    assert "meer dan" in refused(read_csv, path)
    ok = many_rows_csv(tmp_path / "genoeg.csv", 10)
    assert len(list(read_csv(ok))) == 10


def test_millions_of_blank_lines_are_refused(tmp_path):
    path = blank_lines_csv(tmp_path / "leeg.csv", limits.MAX_ROWS + 10)
    assert "meer dan" in refused(read_csv, path)


def test_3m_empty_rows_xlsx_is_refused(tmp_path):
    path = many_rows_xlsx(tmp_path / "leeg.xlsx", rows=3_000_000, declare=False, empty=True)
    assert "meer dan" in refused(read_table, path)


def test_too_many_columns_are_refused(tmp_path):
    path = tmp_path / "breed.csv"
    path.write_text(";".join(f"k{i}" for i in range(limits.MAX_COLUMNS + 1)) + "\n1\n")
    assert "kolommen" in refused(read_csv, path)


def test_csv_is_streamed_line_by_line(tmp_path):
    """Line endings, a BOM, an undecodable row and a quoted newline, as before."""
    path = tmp_path / "mix.csv"
    path.write_bytes(b'\xef\xbb\xbfa;b\r\n1;"x\r\ny"\r\n2;\xff\r3;z\n')
    rows = list(read_csv(path))
    assert rows[0] == (2, {"a": "1", "b": "x\r\ny"})
    assert "__error__" in rows[1][1] and rows[1][0] == 4
    assert rows[2] == (5, {"a": "3", "b": "z"})


def test_hsds_json_with_too_many_items_is_refused(tmp_path):
    path = tmp_path / "hsds.json"
    path.write_text(json.dumps([{"id": str(i), "name": "x"} for i in range(limits.MAX_ROWS + 1)]))
    assert "meer dan" in refused(read_package, path)


def test_formula_cells_are_refused_with_a_clear_message(loaded_db, tmp_path):
    path = write_template(tmp_path / "kaart.xlsx", "xlsx", rows=[
        {"id": "sk-1", "gemeente": "GM9001", "organisatie": "Rechtswinkel Teststad",
         "dienst": "Spreekuur", "soort_aanbieder": "rechtswinkel",
         "bron_url": "https://rechtswinkel.example", "laatst_gecontroleerd": "2025-01-15"}])
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[SHEET_NAME]
    header = [c.value for c in sheet[1]]
    data_row = next(r for r in range(2, sheet.max_row + 1)
                    if sheet.cell(r, header.index("id") + 1).value == "sk-1")
    sheet.cell(data_row, header.index("dienst") + 1).value = '=HYPERLINK("https://evil.example")'
    workbook.save(path)

    report = run_import(SocialeKaartProvider(path, settings=Settings(database_url=loaded_db.url)),
                        loaded_db)
    assert report.exit_code == EXIT_REJECTED
    assert [(e.row, e.field, e.reason) for e in report.errors] == [
        (data_row, "dienst", FORMULA_REFUSED)]


def test_cli_refuses_hostile_xlsx_with_exit_2_and_no_traceback(cli, tmp_path):
    assert cli.invoke(args=["import-all", "--no-progress"]).exit_code == 0
    for path in (shared_strings_bomb(tmp_path / "bom.xlsx", unpacked_mb=40),
                 many_rows_xlsx(tmp_path / "rijen.xlsx", rows=limits.MAX_ROWS + 5)):
        result = cli.invoke(args=["import", "csv", str(path)])
        assert result.exit_code == EXIT_UNREADABLE, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        assert path.name in result.output
