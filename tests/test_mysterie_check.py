"""The Mysterie-check on the extended fixture mirror (SQLite and PostgreSQL): the verdicts
worked out by hand in ``tests/mysterie_fixture.py``, loketten and hand-offs, origins,
errors, the cache, the comparison and its exports."""

from __future__ import annotations

import csv
import dataclasses
import io

import pytest
from sqlalchemy import select

from loketwijzer.actions import mysterie
from loketwijzer.db import Database
from loketwijzer.errors import InvalidInput, NotFound
from loketwijzer.models import Service
from loketwijzer.mysterie import export
from tests.mysterie_fixture import EXPECTED, TODAY, mysterie_state


@pytest.fixture(scope="module")
def check_db(backend, tmp_path_factory):
    """The Mysterie fixture (built once per session and backend): read it, or restore what
    a test changes."""
    url, _mirror = mysterie_state(backend, tmp_path_factory)
    db = Database(url)
    mysterie.clear_cache()
    yield db
    mysterie.clear_cache()
    db.dispose()


def _check(db, code: str, **kwargs) -> mysterie.MunicipalityCheck:
    with db.session() as s:
        return mysterie.check_municipality(s, code, today=TODAY, **kwargs)


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_verdicts_match_the_hand_computation(check_db, code):
    result = _check(check_db, code, casus_id="proef-route").results[0]
    assert [(s.verdict, s.judgement.rule) for s in result.steps] == EXPECTED[code]
    for step in result.steps:
        assert step.reasons, step.moment.number  # every step says why
        assert len(step.route) <= mysterie.ROUTE_SIZE


def test_loketten_and_hand_offs(check_db):
    teststad = _check(check_db, "GM9001", casus_id="proef-route").results[0]
    assert teststad.organisations == ("Rechtswinkel Teststad", "Gemeente Teststad")
    assert teststad.loketten == 2
    assert [(h.from_step, h.to_step) for h in teststad.hand_offs] == [(1, 2)]
    verweg = _check(check_db, "GM9005", casus_id="proef-route").results[0]
    # Steps 3 and 5: the town hall of step 2 is on the route again, so the resident stays.
    assert verweg.organisations == ("Huurteam Verweg", "Gemeente Verweg")
    assert [s.chosen.label if s.chosen else None for s in verweg.steps] == [
        "Huurteam Verweg", "Gemeente Verweg", "Gemeente Verweg", None, "Gemeente Verweg"]
    assert verweg.counts == {"goed": 1, "beter": 2, "mis": 2} and verweg.worst == "mis"
    assert verweg.counterparties == ("verhuurder", "gemeente", "schuldeiser")


def test_reasons_and_warnings_in_plain_words(check_db):
    steps = _check(check_db, "GM9005", casus_id="proef-route").results[0].steps
    assert [r.render() for r in steps[1].reasons] == [
        "Alleen de gemeente zelf helpt, en die is hier de tegenpartij."]
    assert [r.render() for r in steps[2].reasons] == [
        "Geen onafhankelijke hulp bekend in Loketwijzer; wel Gemeente Verweg."]
    assert [r.render() for r in steps[4].reasons] == [
        "Geen onafhankelijke hulp binnen 10 km.",
        "Onafhankelijke hulp is er alleen op afstand: bellen of online."]
    teststad = _check(check_db, "GM9001", casus_id="proef-route").results[0].steps
    warnings = [w.render() for w in teststad[1].warnings]
    # (Issue 8: unreachable help ranks below reachable help and the national line, so the
    # old Schuldhulp Proefdorp record, without phone or website, fell out of this route.)
    assert "Niet bekend hoe oud de gegevens van Wijkteam Teststad zijn." in warnings
    # Independence is relative to the moment's counterparty.
    town_hall = teststad[1].route[0]
    assert town_hall.label == "Gemeente Teststad" and town_hall.counterparty
    assert not teststad[2].route[0].counterparty  # moment 3 has no counterparty


def test_every_route_service_is_a_real_active_service(check_db):
    check = _check(check_db, "GM9001")
    ids = {s.service_id for _r, step in mysterie.iter_steps(check) for s in step.route}
    with check_db.session() as s:
        found = set(s.scalars(select(Service.id).where(Service.id.in_(ids),
                                                       Service.status == "active")))
    assert ids and found == ids


def test_every_shipped_casus_runs_everywhere(check_db):
    for code in ("GM9001", "GM9002", "GM9003", "GM9004", "GM9005"):
        check = _check(check_db, code)
        assert len(check.results) >= 12
        for result, step in mysterie.iter_steps(check):
            assert step.verdict in ("goed", "beter", "mis") and step.reasons, result.casus.id
        # The municipality's own casus comes after the shipped ones, only for itself.
        ids = [r.casus.id for r in check.results]
        assert ("proef-route" in ids) == (code in EXPECTED)


def test_worst_moments_come_first(check_db):
    pairs = _check(check_db, "GM9005").worst_steps()
    severities = [{"mis": 2, "beter": 1, "goed": 0}[s.verdict] for _r, s in pairs]
    assert severities == sorted(severities, reverse=True)
    assert pairs[0][1].verdict == "mis"


def test_origin_defaults_to_where_most_residents_live(check_db):
    check = _check(check_db, "GM9001")
    assert check.origin.pc4 == "9011" and not check.origin.chosen
    other = _check(check_db, "gm9001", pc4="9013")
    assert other.origin.pc4 == "9013" and other.origin.chosen and other.code == "GM9001"
    assert other.origin.label == "9013 Teststad"


@pytest.mark.parametrize("kwargs, error, code", [
    ({"code": "GM9999"}, NotFound, "unknown_municipality"),
    ({"code": "abc"}, NotFound, "unknown_municipality"),
    ({"code": "GM9001", "casus_id": "bestaat-niet"}, NotFound, "unknown_casus"),
    ({"code": "GM9002", "casus_id": "proef-route"}, NotFound, "unknown_casus"),
    ({"code": "GM9001", "pc4": "9021"}, InvalidInput, "pc4_elsewhere"),
    ({"code": "GM9001", "pc4": "90"}, InvalidInput, "invalid_pc4"),
])
def test_clear_errors(check_db, kwargs, error, code):
    kwargs = dict(kwargs)
    with pytest.raises(error) as info:
        _check(check_db, kwargs.pop("code"), **kwargs)
    assert info.value.code == code and info.value.message


def test_results_are_cached_per_data_version(check_db):
    first = _check(check_db, "GM9005", casus_id="proef-route").results[0]
    again = _check(check_db, "GM9005", casus_id="proef-route").results[0]
    assert again is first
    with check_db.session() as s:
        huurteam = s.scalars(select(Service).where(Service.name == "Huurteam Verweg")).one()
        huurteam.status = "inactive"
    try:
        changed = _check(check_db, "GM9005", casus_id="proef-route").results[0]
        assert changed is not first
        assert changed.steps[0].verdict == "beter"  # only the national line is left
    finally:
        with check_db.session() as s:
            s.scalars(select(Service).where(Service.name == "Huurteam Verweg")).one() \
                .status = "active"
    assert _check(check_db, "GM9005", casus_id="proef-route").results[0] \
        .steps[0].verdict == "goed"


def test_compare_same_class_and_all(check_db):
    with check_db.session() as s:
        same = mysterie.compare_casus(s, "GM9002", "toeslagen-terugvordering", today=TODAY)
        everyone = mysterie.compare_casus(s, "GM9005", "proef-route", scope="alle",
                                          sort="mis", order="desc", today=TODAY)
    # Proefdorp and Bergen (NH.) are both urbanisation class 4.
    assert [r.code for r in same.rows] == ["GM9003", "GM9002"]
    assert [r.is_self for r in same.rows] == [False, True]
    assert same.urbanisation == 4 and same.scope == "klasse"
    assert len(everyone.rows) == 5
    mis = [r.result.counts["mis"] for r in everyone.rows]
    assert mis == sorted(mis, reverse=True) and everyone.rows[0].code == "GM9005"
    averages = everyone.averages
    assert averages["mis"] == pytest.approx(sum(mis) / 5, abs=0.01)


def test_compare_sorts_by_step_and_refuses_unknown_keys(check_db):
    with check_db.session() as s:
        by_step = mysterie.compare_casus(s, "GM9005", "proef-route", scope="alle",
                                         sort="stap2", order="asc", today=TODAY)
        worst_step2 = [r.result.steps[1].verdict for r in by_step.rows]
        assert worst_step2[-1] == "mis" and worst_step2[0] != "mis"
        for sort, scope, order in (("kleur", None, None), (None, "provincie", None),
                                   (None, None, "op")):
            with pytest.raises(InvalidInput):
                mysterie.compare_casus(s, "GM9005", "proef-route", scope=scope, sort=sort,
                                       order=order, today=TODAY)


def test_comparison_exports_keep_text_as_text(check_db):
    with check_db.session() as s:
        comparison = mysterie.compare_casus(s, "GM9005", "proef-route", scope="alle",
                                            today=TODAY)
    evil = dataclasses.replace(comparison.rows[0], name="=HYPERLINK(\"http://x\",\"klik\")")
    comparison = dataclasses.replace(comparison, rows=(evil, *comparison.rows[1:]))
    text = export.export_comparison(comparison, "csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Gemeentecode", "Gemeente", "Provincie"]
    assert rows[0][11] == "Stap 1: Huur"
    assert len(rows) == 6 and rows[1][1].startswith("'=HYPERLINK")
    verweg = next(r for r in rows if r[0] == "GM9005")
    assert verweg[6:11] == ["2", "1", "1", "2", "2"]  # loketten, hand-offs, goed/beter/mis
    assert verweg[11:16] == ["goed", "gaat mis", "kan beter", "gaat mis", "kan beter"]

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(export.export_comparison(comparison, "xlsx")))
    sheet = book["Vergelijking"]
    cell = sheet.cell(row=2, column=2)
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"
    assert "Toelichting" in book.sheetnames
    with pytest.raises(InvalidInput):
        export.export_comparison(comparison, "pdf")


@pytest.mark.parametrize("value, safe", [
    ("=1+1", "'=1+1"), ("+31", "'+31"), ("-2", "'-2"), ("@SUM", "'@SUM"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("Gemeente", "Gemeente"), ("", ""),
])
def test_csv_text_cells(value, safe):
    assert export.csv_text(value) == safe


def test_to_dict_has_the_contract_fields(check_db):
    check = _check(check_db, "GM9005", casus_id="proef-route")
    data = mysterie.check_to_dict(check)
    casus = data["casussen"][0]
    assert casus["id"] == "proef-route" and casus["loketten"] == 2
    step = casus["steps"][1]
    assert {"need", "areas", "counterparty", "route", "verdict", "reasons"} <= set(step)
    assert step["areas"] == ["administratie"] and step["counterparty"] == "gemeente"
    assert step["route"][0].keys() >= {"service_id", "name", "independent", "distance_km"}
    assert step["route"][0]["independent"] is False and step["verdict"] == "mis"
    assert data["origin"]["pc4"] == "9051" and data["near_km"] == 10.0
