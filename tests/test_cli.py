"""The command line of the contract: import-all, import FORMAT PATH, match."""

from __future__ import annotations

import json

import pytest

from loketwijzer.config import Settings
from webapp import create_app


@pytest.fixture
def cli(db, fixture_mirror):
    """A CLI runner on an *empty* database: the commands run the migrations themselves."""
    db.drop_all()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    app = create_app(Settings(database_url=db.url, sources_dir=fixture_mirror))
    yield app.test_cli_runner()
    app.extensions["loketwijzer_db"].dispose()


def test_import_all_prints_a_summary_per_source_and_is_idempotent(cli):
    first = cli.invoke(args=["import-all", "--no-progress"])
    assert first.exit_code == 0, first.output
    lines = {line.split(":")[0]: line for line in first.output.splitlines() if ":" in line}
    for source in ("municipalities", "pc4", "places", "town-halls", "independent-help"):
        assert "inserted" in lines[source] and "rejected" in lines[source]
    assert "4 inserted" in lines["municipalities"]

    second = cli.invoke(args=["import-all", "--no-progress"])
    assert second.exit_code == 0
    assert "0 inserted / 0 updated / 4 unchanged" in second.output


def test_import_all_without_sources_explains_what_is_missing(db, tmp_path):
    db.drop_all()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    app = create_app(Settings(database_url=db.url, sources_dir=tmp_path))
    result = app.test_cli_runner().invoke(args=["import-all", "--no-progress"])
    assert result.exit_code == 2
    assert "niet gevonden" in result.output


def test_import_unknown_format_and_unreadable_file(cli, tmp_path):
    bad_format = cli.invoke(args=["import", "pdf", str(tmp_path / "x.pdf")])
    assert bad_format.exit_code == 2 and "Onbekend formaat" in bad_format.output
    missing = cli.invoke(args=["import", "csv", str(tmp_path / "missing.csv")])
    assert missing.exit_code == 2


def test_match_prints_contract_json(cli):
    result = cli.invoke(args=["match", "ik heb een huurachterstand en de deurwaarder komt"])
    assert result.exit_code == 0
    body = json.loads(result.output)
    assert body["query"].startswith("ik heb")
    codes = [a["code"] for a in body["areas"]]
    assert {"schulden", "wonen"} <= set(codes[:3])
    assert all({"code", "label", "score", "matched"} <= set(a) for a in body["areas"])
    empty = cli.invoke(args=["match", "   "])
    assert empty.exit_code == 1 and "error" in json.loads(empty.output)


def test_write_template_then_import_refuses_the_example_row(cli, tmp_path):
    assert cli.invoke(args=["import-all", "--no-progress"]).exit_code == 0
    path = tmp_path / "sociale_kaart.xlsx"
    written = cli.invoke(args=["write-template", str(path)])
    assert written.exit_code == 0 and path.exists()
    imported = cli.invoke(args=["import", "csv", str(path)])
    assert imported.exit_code == 1  # the template's example row must be replaced first
    assert "voorbeeld" in imported.output.lower()
    wrong = cli.invoke(args=["write-template", str(tmp_path / "x.pdf")])
    assert wrong.exit_code == 2


def test_admin_requires_login_and_template_download(loaded_db, fixture_mirror):
    app = create_app(Settings(database_url=loaded_db.url, sources_dir=fixture_mirror))
    client = app.test_client()
    page = client.get("/beheer/")  # behind a login now (tests/test_stewardship.py)
    assert page.status_code == 302 and "/beheer/login" in page.headers["Location"]
    xlsx = client.get("/beheer/sociale-kaart-template.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert client.get("/beheer/sociale-kaart-template.pdf").status_code == 404
    app.extensions["loketwijzer_db"].dispose()


def test_import_a_folder_of_sociale_kaart_files_in_one_run(cli, tmp_path):
    """342 municipalities' files in one process: each file whole or not at all, the exit
    code the worst of them, one summary line."""
    from tests.test_sociale_kaart import rows, write

    assert cli.invoke(args=["import-all", "--no-progress"]).exit_code == 0
    folder = tmp_path / "kaarten"
    folder.mkdir()
    write(folder, rows()[:2], name="a_teststad")
    other = dict(rows()[3], id="sk-9", gemeente="GM9002")
    write(folder, [other], name="b_tweede")
    write(folder, [dict(rows()[3], id="sk-8", telefoon="geen nummer")], name="c_fout")
    (folder / "leesmij.txt").write_text("niet importeren", encoding="utf-8")
    result = cli.invoke(args=["import", "csv", str(folder), "--no-progress"])
    assert result.exit_code == 1, result.output
    lines = {line.split(": ")[0]: line for line in result.output.splitlines()}
    assert set(lines) >= {"a_teststad.csv", "b_tweede.csv", "c_fout.csv"}
    assert "leesmij.txt" not in result.output
    assert " 0 inserted" not in lines["a_teststad.csv"]
    assert " 0 inserted" not in lines["b_tweede.csv"]
    assert "0 inserted" in lines["c_fout.csv"] and "1 rejected" in lines["c_fout.csv"]
    assert "3 bestanden" in result.output and "2 goed, 1 niet ingelezen" in result.output
    as_json = cli.invoke(args=["import", "csv", str(folder / "a_teststad.csv"),
                               str(folder / "b_tweede.csv"), "--json"])
    reports = json.loads(as_json.output)
    assert as_json.exit_code == 0 and len(reports) == 2
    assert all(r["inserted"] == r["updated"] == 0 and r["unchanged"] > 0 for r in reports)
    empty = tmp_path / "leeg"
    empty.mkdir()
    none = cli.invoke(args=["import", "csv", str(empty)])
    assert none.exit_code == 2 and "Geen .csv" in none.output


def test_an_import_leaves_the_finder_index_snapshot_for_the_next_server(cli, db, tmp_path,
                                                                      monkeypatch):
    from sqlalchemy.orm import Session

    from loketwijzer import finder_index, index_snapshot
    from loketwijzer.models.stamp import data_version

    monkeypatch.setenv("LOKETWIJZER_INDEX_SNAPSHOT_DIR", str(tmp_path))
    first = cli.invoke(args=["import-all", "--no-progress"])
    assert first.exit_code == 0, first.output
    assert "Zoekindex klaargezet" in first.output
    files = list(tmp_path.glob("*.finder-index"))
    assert len(files) == 1
    with Session(db.engine) as session:
        version = data_version(session)
        loaded = index_snapshot.load(files[0], version)
        built = finder_index.build_index(session, version)
    assert loaded is not None
    assert [s.id for s in loaded.services] == [s.id for s in built.services]

    again = cli.invoke(args=["import-all", "--no-progress"])  # nothing changed
    assert again.exit_code == 0
    assert "Zoekindex klaargezet" not in again.output

    monkeypatch.setenv("LOKETWIJZER_INDEX_SNAPSHOT_DIR", "off")
    off = cli.invoke(args=["import-all", "--no-progress"])
    assert "Zoekindex" not in off.output
