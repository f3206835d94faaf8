"""Formula-safe exports: text from data never becomes a live spreadsheet formula."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import update

from loketwijzer import audit_export
from loketwijzer.config import Settings
from loketwijzer.models import Organization, Service
from loketwijzer.mysterie import export as mysterie_export
from loketwijzer.spreadsheet_safe import FORMULA_START, csv_text, csv_value, xlsx_append

HOSTILE = ['=HYPERLINK("https://evil.example","klik")', "+31 6 1234", "-1+1", "@SUM(A1)",
           "\tx", "\rx", '=cmd|" /C calc"!A0']


def formulas_in(xlsx: bytes) -> list[str]:
    """Every <f> element in any sheet of the workbook."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zf:
        return [name for name in zf.namelist()
                if name.startswith("xl/worksheets/") and b"<f>" in zf.read(name)]


@pytest.mark.parametrize("value", HOSTILE)
def test_csv_text_prefixes_formula_starts(value):
    assert csv_text(value) == "'" + value
    assert csv_value(value) == "'" + value


def test_plain_values_are_unchanged():
    assert csv_text("Juridisch Loket") == "Juridisch Loket"
    assert csv_value(-3) == -3 and csv_value(None) is None
    assert set(FORMULA_START) == {"=", "+", "-", "@", "\t", "\r"}


def test_xlsx_append_keeps_text_as_text():
    wb = Workbook()
    ws = wb.active
    xlsx_append(ws, ["kop", "kop2"])
    xlsx_append(ws, [HOSTILE[0], -2])
    out = io.BytesIO()
    wb.save(out)
    assert formulas_in(out.getvalue()) == []
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet["A2"].value == HOSTILE[0] and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -2


def test_audit_csv_and_xlsx_write_hostile_text_as_text():
    rows = [{"name": v, "organization": v, "provider_type": "other", "source": v,
             "last_checked": "2025-01-01", "issues": v, "source_url": v} for v in HOSTILE]
    text = audit_export.to_csv(audit_export.QUALITY_COLUMNS, rows).decode("utf-8-sig")
    for line in list(csv.reader(io.StringIO(text), delimiter=";"))[1:]:
        for cell in (line[0], line[1], line[3], line[5], line[6]):
            assert cell.startswith("'"), line
    xlsx = audit_export.to_xlsx([("Datakwaliteit", audit_export.QUALITY_COLUMNS, rows)],
                                notes=[HOSTILE[0]])
    assert formulas_in(xlsx) == []
    book = load_workbook(io.BytesIO(xlsx))
    assert book["Datakwaliteit"]["A2"].value == HOSTILE[0]
    assert book["Bronnen"]["A2"].value == HOSTILE[0]


def test_audit_numbers_stay_numbers_in_csv():
    rows = [{"code": "x", "label": "-", "services": -1, "mean_km": -1.5}]
    text = audit_export.to_csv(audit_export.SCORECARD_COLUMNS, rows).decode("utf-8-sig")
    line = list(csv.reader(io.StringIO(text), delimiter=";"))[1]
    assert line[1] == "'-" and line[2] == "-1" and "-1,5" in line


def test_mysterie_export_uses_the_shared_helper():
    assert mysterie_export.csv_text is csv_text
    text = mysterie_export.to_csv(["a"], [[HOSTILE[0]]]).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text), delimiter=";"))[1] == ["'" + HOSTILE[0]]
    xlsx = mysterie_export.to_xlsx(["a"], [[HOSTILE[0]]], [HOSTILE[0]])
    assert formulas_in(xlsx) == []


def test_audit_downloads_after_importing_formula_like_text(loaded_db, fixture_mirror):
    """Formula-like names in the database end up as text in the audit files."""
    with loaded_db.session() as session:
        session.execute(update(Service).values(name=HOSTILE[0]))
        session.execute(update(Organization).values(name=HOSTILE[6]))
    from webapp import create_app

    app = create_app(Settings(database_url=loaded_db.url, sources_dir=fixture_mirror),
                     TESTING=True)
    try:
        client = app.test_client()
        xlsx = client.get("/audit/GM9001.xlsx")
        assert xlsx.status_code == 200
        assert formulas_in(xlsx.data) == []
        book = load_workbook(io.BytesIO(xlsx.data))
        texts = [c.value for ws in book for row in ws.iter_rows() for c in row
                 if isinstance(c.value, str)]
        assert HOSTILE[0] in texts  # the data quality sheet names the services
        body = client.get("/audit/GM9001.csv").get_data(as_text=True)
        assert not any(cell.startswith(FORMULA_START)
                       for line in csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";")
                       for cell in line)
        national = client.get("/audit/export.csv").get_data(as_text=True)
        assert "\n=" not in national and ";=" not in national
    finally:
        app.extensions["loketwijzer_db"].dispose()


def test_template_download_is_built_in_memory(app, monkeypatch):
    import tempfile

    def no_temp(*_args, **_kwargs):
        raise AssertionError("the template download must not create temporary files")

    monkeypatch.setattr(tempfile, "mkdtemp", no_temp)
    monkeypatch.setattr(tempfile, "mkstemp", no_temp)
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", no_temp)
    client = app.test_client()
    for fmt in ("xlsx", "csv"):
        response = client.get(f"/beheer/sociale-kaart-template.{fmt}")
        assert response.status_code == 200
        assert "attachment" in response.headers["Content-Disposition"]
    assert load_workbook(io.BytesIO(client.get("/beheer/sociale-kaart-template.xlsx").data))
