"""A municipality's own casussen and team findings: the ``mysterie`` commands (exit codes
as for the importers), the migration, and the authorisation seam for web editors."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
import yaml

from loketwijzer.actions import mysterie
from loketwijzer.auth import Actor
from loketwijzer.config import Settings
from loketwijzer.errors import Forbidden, InvalidInput, NotFound
from loketwijzer.models import Municipality, Pc4Area
from loketwijzer.mysterie.casus import CasusInvalid
from tests.mysterie_fixture import CASUS
from webapp import create_app


@pytest.fixture
def migrated(db):
    """An empty database brought up by the migrations (so they are exercised too), with
    two municipalities and no offer at all."""
    db.drop_all()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    db.upgrade()
    with db.session() as s:
        for code, name, lat in (("GM9001", "Teststad", 52.05), ("GM9002", "Proefdorp", 52.15)):
            s.add(Municipality(code=code, name=name, population=1000, urbanisation=3,
                               lat=lat, lon=5.05, source="test", source_id=code))
            s.flush()
            s.add(Pc4Area(code=code[2:], municipality_code=code, population=1000, lat=lat,
                          lon=5.05, source="test", source_id=code))
    mysterie.clear_cache()
    yield db
    mysterie.clear_cache()


@pytest.fixture
def cli(migrated):
    app = create_app(Settings(database_url=migrated.url, sources_dir=None))
    yield app.test_cli_runner()
    app.extensions["loketwijzer_db"].dispose()


def write(tmp_path, data, name="casus.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_add_an_own_casus_then_update_it(cli, migrated, tmp_path):
    path = write(tmp_path, dict(CASUS, gemeente="GM9001"))
    first = cli.invoke(args=["mysterie", "add", str(path)])
    assert first.exit_code == 0, first.output
    assert "toegevoegd voor GM9001: 5 stappen, 3 vragen" in first.output
    changed = copy.deepcopy(CASUS)
    changed["titel"] = "Een nieuwe titel"
    again = cli.invoke(args=["mysterie", "add", str(write(tmp_path, changed, "b.yaml")),
                             "--gemeente", "gm9001"])
    assert again.exit_code == 0 and "bijgewerkt" in again.output
    with migrated.session() as s:
        own = mysterie.own_casussen(s, "GM9001")
        assert [c.title.nl for c in own] == ["Een nieuwe titel"]
        assert mysterie.own_casussen(s, "GM9002") == []
        check = mysterie.check_municipality(s, "GM9001", casus_id="proef-route")
    # No offer in this database at all: every step says so.
    assert [st.judgement.rule for st in check.results[0].steps] == ["R1"] * 5
    listed = cli.invoke(args=["mysterie", "list", "--gemeente", "Teststad"])
    assert "proef-route" in listed.output and "eigen casus GM9001" in listed.output


@pytest.mark.parametrize("data, args, message", [
    (dict(CASUS), [], "zeg bij welke gemeente"),
    (dict(CASUS, gemeente="GM9001"), ["--gemeente", "GM9002"], "hoort bij GM9001"),
    (dict(CASUS, id="zzp-ziek", gemeente="GM9001"), [], "standaardcasus"),
    (dict(CASUS, gemeente="GM9999"), [], "GM9999 bestaat niet"),
    (dict(CASUS, gemeente="GM9001", vragen=["Een?"]), [], "veld 'vragen': 1 vragen"),
])
def test_add_refuses_with_field_and_reason(cli, tmp_path, data, args, message):
    result = cli.invoke(args=["mysterie", "add", str(write(tmp_path, data)), *args])
    assert result.exit_code == 1, result.output
    assert message in result.output


def test_add_and_validate_unreadable_files_exit_2(cli, tmp_path):
    broken = tmp_path / "kapot.yaml"
    broken.write_text("id: [open\n", encoding="utf-8")
    for command in ("add", "validate"):
        for path in (broken, tmp_path / "bestaat-niet.yaml"):
            result = cli.invoke(args=["mysterie", command, str(path)])
            assert result.exit_code == 2 and "Niet te lezen" in result.output


def test_validate_does_not_store(cli, migrated, tmp_path):
    ok = cli.invoke(args=["mysterie", "validate", str(write(tmp_path, CASUS))])
    assert ok.exit_code == 0 and "In orde: 'proef-route', 5 stappen" in ok.output
    bad = cli.invoke(args=["mysterie", "validate",
                           str(write(tmp_path, dict(CASUS, titel=None), "x.yaml"))])
    assert bad.exit_code == 1 and "veld 'titel'" in bad.output
    with migrated.session() as s:
        assert mysterie.own_casussen(s, "GM9001") == []


def test_findings_on_the_command_line(cli):
    result = cli.invoke(args=[
        "mysterie", "finding", "GM9001", "zzp-ziek", "--oordeel", "beter", "--tekst",
        "De Bbz is aan de balie onbekend.", "--eigenaar", "Team Werk", "--datum",
        "2025-11-03", "--stap", "1", "--actie", "Uitleg aan de balie"])
    assert result.exit_code == 0, result.output
    assert "vastgelegd voor GM9001 / zzp-ziek (beter, 2025-11-03)" in result.output
    listed = cli.invoke(args=["mysterie", "findings", "GM9001", "zzp-ziek"])
    assert "2025-11-03 zzp-ziek stap 1 [beter] De Bbz is aan de balie onbekend." in \
        listed.output
    assert "Nog geen bevindingen." in cli.invoke(args=["mysterie", "findings",
                                                      "GM9002"]).output
    for extra, message in ((["--stap", "9"], "stappen 1 tot en met 4"),
                           (["--datum", "2999-01-01"], "toekomst"),
                           (["--datum", "3 november"], "jjjj-mm-dd")):
        bad = cli.invoke(args=["mysterie", "finding", "GM9001", "zzp-ziek", "--oordeel",
                               "mis", "--tekst", "x", "--eigenaar", "y", *extra])
        assert bad.exit_code == 1 and message in bad.output
    unknown = cli.invoke(args=["mysterie", "finding", "GM9001", "bestaat-niet", "--oordeel",
                               "mis", "--tekst", "x", "--eigenaar", "y"])
    assert unknown.exit_code == 1 and "bestaat niet" in unknown.output


def test_check_on_the_command_line(cli):
    result = cli.invoke(args=["mysterie", "check", "GM9001", "--casus", "zzp-ziek"])
    assert result.exit_code == 0, result.output
    assert "Teststad (GM9001)" in result.output and "mis" in result.output
    as_json = cli.invoke(args=["mysterie", "check", "GM9001", "--casus", "zzp-ziek", "--json"])
    assert '"loketten": 0' in as_json.output
    assert cli.invoke(args=["mysterie", "check", "GM9999"]).exit_code == 1


def test_editors_may_only_touch_their_own_municipality(migrated):
    editor = Actor("municipality", user_id=2, email="redacteur@teststad.example",
                   municipality="GM9001")
    with migrated.session() as s:
        found = mysterie.record_finding(s, editor, "GM9001", "zzp-ziek", verdict="goed",
                                        text="Prima.", owner="Team", date=dt.date(2025, 1, 2))
        assert found.verdict == "goed"
        mysterie.add_casus(s, editor, CASUS, municipality="GM9001")
        with pytest.raises(Forbidden) as info:
            mysterie.record_finding(s, editor, "GM9002", "zzp-ziek", verdict="goed",
                                    text="Prima.", owner="Team")
        assert info.value.status == 403
        with pytest.raises(Forbidden):
            mysterie.add_casus(s, editor, CASUS, municipality="GM9002")
        with pytest.raises(Forbidden):
            organisation = Actor("organization", user_id=3, organization_id="org")
            mysterie.record_finding(s, organisation, "GM9001", "zzp-ziek", verdict="goed",
                                    text="x", owner="y")
        admin = Actor("admin", user_id=1, email="admin@x")
        assert mysterie.record_finding(s, admin, "GM9002", "zzp-ziek", verdict="mis",
                                       text="x", owner="y").municipality_code == "GM9002"
        findings = mysterie.list_findings(s, "GM9001")
        # who is named: the team, never the editor's e-mail address
        assert [f.created_by for f in findings] == ["redactie gemeente GM9001"]


@pytest.mark.parametrize("kwargs, error", [
    ({"verdict": "prima"}, InvalidInput),
    ({"text": "  "}, InvalidInput),
    ({"owner": ""}, InvalidInput),
    ({"text": "x" * (mysterie.FINDING_TEXT_MAX + 1)}, InvalidInput),
    ({"casus_id": "onbekend"}, NotFound),
    ({"municipality": "GM9999"}, NotFound),
])
def test_findings_are_validated(migrated, kwargs, error):
    args = {"municipality": "GM9001", "casus_id": "zzp-ziek", "verdict": "beter",
            "text": "x", "owner": "y", **kwargs}
    with migrated.session() as s, pytest.raises(error):
        mysterie.record_finding(s, mysterie.CLI_ACTOR, args.pop("municipality"),
                                args.pop("casus_id"), **args)


def test_add_casus_reports_all_problems_as_casus_invalid(migrated):
    with migrated.session() as s, pytest.raises(CasusInvalid) as info:
        mysterie.add_casus(s, mysterie.CLI_ACTOR, {"id": "x"}, municipality="GM9001")
    assert {p.field for p in info.value.problems} >= {"id", "titel", "momenten", "vragen"}
