"""The one eligibility rule (issue 8): its table once, and the finder and audit agreeing."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from loketwijzer.actions.finder import find_services
from loketwijzer.eligibility import (
    REACH_KM,
    check_age,
    closed_to_others,
    verdict,
)
from tests.mirror_fixture import CURATOR_MARK

TODAY = dt.date(2025, 6, 1)
HERE, THERE = "GM0001", "GM0002"

# (case, status, national, serves, closed, resident's municipality, km, min, max, age)
# -> (ok, reason)
TABLE = [
    ("national line, anywhere", "active", True, set(), False, HERE, None, None, None, None,
     True, "national"),
    ("own municipality, any distance", "active", False, {HERE}, False, HERE, 80.0, None,
     None, None, True, "listed"),
    ("open help next door, within reach", "active", False, {THERE}, False, HERE, 12.0, None,
     None, None, True, "nearby"),
    ("open help beyond reach", "active", False, {THERE}, False, HERE, REACH_KM + 0.5, None,
     None, None, False, "too_far"),
    ("residents-only help next door", "active", False, {THERE}, True, HERE, 2.0, None, None,
     None, False, "closed"),
    ("residents-only help, own resident", "active", False, {HERE}, True, HERE, 2.0, None,
     None, None, True, "listed"),
    ("uncertain help is still listed", "uncertain", False, {HERE}, False, HERE, 1.0, None,
     None, None, True, "listed"),
    ("ended help never", "defunct", True, set(), False, HERE, None, None, None, None, False,
     "status"),
    ("referral is never ranked", "referral", True, set(), False, HERE, None, None, None,
     None, False, "status"),
    ("youth help, adult", "active", False, {HERE}, False, HERE, 1.0, 0, 27, 35, False, "age"),
    ("youth help, teenager", "active", False, {HERE}, False, HERE, 1.0, 0, 27, 16, True,
     "listed"),
    ("youth help, no age given", "active", False, {HERE}, False, HERE, 1.0, 0, 27, None,
     True, "listed"),
    ("adults only, minor", "active", True, set(), False, HERE, None, 18, None, 17, False,
     "age"),
    ("no place and not national: nobody outside serves", "active", False, {THERE}, False,
     HERE, None, None, None, None, False, "too_far"),
]


@pytest.mark.parametrize(
    ("case", "status", "national", "serves", "closed", "muni", "km", "lo", "hi", "age", "ok",
     "reason"), TABLE, ids=[row[0] for row in TABLE])
def test_rule_table(case, status, national, serves, closed, muni, km, lo, hi, age, ok, reason):
    got = verdict(status=status, national=national, serves=serves, closed=closed,
                  municipality_code=muni, dist_km=km, min_age=lo, max_age=hi, age=age)
    assert (got.ok, got.reason) == (ok, reason), case


@pytest.mark.parametrize(("kwargs", "closed"), [
    ({"residents_only": True, "provider_type": "rechtswinkel", "independent": True,
      "scopes": {"municipality"}, "has_home": True}, True),
    ({"residents_only": False, "provider_type": "gemeente", "independent": False,
      "scopes": {"municipality"}, "has_home": True}, True),  # a town hall
    ({"residents_only": False, "provider_type": "other", "independent": False,
      "scopes": {"municipality"}, "has_home": True}, True),  # a municipal team
    ({"residents_only": False, "provider_type": "other", "independent": False,
      "scopes": {"national"}, "has_home": False}, False),  # a national government body
    ({"residents_only": False, "provider_type": "rechtswinkel", "independent": True,
      "scopes": {"municipality"}, "has_home": True}, False),  # a law shop
    ({"residents_only": False, "provider_type": "anti_discriminatie", "independent": True,
      "scopes": {"region"}, "has_home": False}, True),  # only its named region
])
def test_who_is_closed_to_other_municipalities(kwargs, closed):
    assert closed_to_others(**kwargs) is closed


@pytest.mark.parametrize(("value", "age"), [(None, None), ("", None), (" 35 ", 35), ("0", 0)])
def test_age_input(value, age):
    assert check_age(value) == age


@pytest.mark.parametrize("value", ["-1", "121", "veertig", "3.5"])
def test_bad_age_input(value):
    with pytest.raises(ValueError):
        check_age(value)


# -- the finder and the audit apply the same rule ---------------------------------------------

def _find(db, **kwargs):
    kwargs.setdefault("today", TODAY)
    kwargs.setdefault("limit", 100)
    with db.session() as session:
        return find_services(session, **kwargs)


def test_finder_applies_status_age_and_residents_only(loaded_db):
    teststad = _find(loaded_db, areas="schulden,wonen,werk,consument,familie", postcode="9011")
    names = [r["name"] for r in teststad["results"]]
    assert "Rechtswinkel Oud Teststad" not in names  # beeindigd
    assert "Schuldhulpmaatjes Nederland (landelijk)" not in names  # verwijzing: not ranked
    assert [r["name"] for r in teststad["referrals"]] == [
        "Schuldhulpmaatjes Nederland (landelijk)"]
    assert teststad["referrals"][0]["text"].startswith("Zo vindt u")
    assert "Buurtteam Proefdorp" not in names  # residents-only, other municipality
    proefdorp = _find(loaded_db, areas="schulden", postcode="9021")
    assert "Buurtteam Proefdorp" in [r["name"] for r in proefdorp["results"]]

    uncertain = next(r for r in teststad["results"] if r["name"] == "Schuldhulp Twijfel Teststad")
    assert uncertain["status_label"] == "Mogelijk niet meer actief — bel of kijk eerst"
    assert names.index("Schuldhulp Twijfel Teststad") > max(
        i for i, r in enumerate(teststad["results"]) if r["status"] == "active"
        and r["reachable"] and not r["target_group"])

    adult = _find(loaded_db, areas="werk", postcode="9011", age=35)
    young = _find(loaded_db, areas="werk", postcode="9011", age=16)
    assert "Jongerenrechtswinkel Teststad" not in [r["name"] for r in adult["results"]]
    youth = next(r for r in young["results"] if r["name"] == "Jongerenrechtswinkel Teststad")
    assert youth["target_label"] == "Alleen voor: jongeren tot 27 jaar"


def test_curator_and_channel_notes_never_reach_residents(loaded_db, client):
    resp = client.get("/api/v1/services?postcode=9011&areas=werk,schulden&limit=100")
    assert resp.status_code == 200
    assert CURATOR_MARK not in resp.get_data(as_text=True)
    assert "Gratis inloop op dinsdag." not in resp.get_data(as_text=True)  # channel note
    youth = next(r for r in resp.get_json()["results"]
                 if r["name"] == "Jongerenrechtswinkel Teststad")
    assert youth["public_note"].startswith("Gratis advies")
    page = client.get("/zoek?q=&areas=werk&postcode=9011&age=16")
    assert page.status_code == 200 and CURATOR_MARK not in page.get_data(as_text=True)
    detail = client.get(f"/dienst/{youth['id']}")
    assert detail.status_code == 200 and CURATOR_MARK not in detail.get_data(as_text=True)
    api_detail = client.get(f"/api/v1/services/{youth['id']}")
    assert CURATOR_MARK not in api_detail.get_data(as_text=True)


def test_bad_age_is_a_400(client):
    resp = client.get("/api/v1/services?postcode=9011&areas=werk&age=oud")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "invalid_age"


def test_finder_and_audit_agree(loaded_db):
    """Same services considered, same 'closed to others', same who-may-use per municipality."""
    from geo.audit_geo import compute, frames_for
    from loketwijzer.finder_index import get_index
    from loketwijzer.taxonomy import area_codes

    with loaded_db.session() as session:
        index = get_index(session)
        frames = frames_for(session, area_codes())
    audit_ids = list(frames.services["id"])
    finder_listable = {s.id for s in index.services if index.listable[s.idx]}
    assert set(audit_ids) == finder_listable
    closed_audit = dict(zip(audit_ids, frames.services["closed"], strict=True))
    for svc in index.services:
        if svc.id in closed_audit:
            assert bool(index.closed[svc.idx]) == bool(closed_audit[svc.id]), svc.name

    # Per municipality: what the audit counts as available is what the finder lists from
    # the municipality's nearest point to each service (no age given, all areas).
    arrays = compute(frames, ["GM9001", "GM9002"], as_of=TODAY)
    row = {frames.municipalities["code"].iloc[m]: k for k, m in enumerate(arrays.muni)}
    assert row  # both municipalities audited
    for code, postcode in (("GM9001", "9011"), ("GM9002", "9021")):
        listed = set(np.asarray(audit_ids)[frames.listed[frames.muni_index[code]]])
        found = _find(loaded_db, areas=",".join(index.area_codes[:20]), postcode=postcode)
        ids = {r["id"] for r in found["results"]}
        # Everything the audit lists for these residents (by name) the finder may list too.
        for sid in listed & set(svc.id for svc in index.services if svc.areas):
            svc = index.services[index.by_id[sid]]
            if svc.min_age is None and svc.max_age is None and index.listable[svc.idx]:
                assert sid in ids or len(found["results"]) == 100, svc.name


def test_ended_help_page_says_stopped_and_names_the_successor(loaded_db, client):
    from loketwijzer.models import stable_id

    sid = stable_id("independent-help-nl", "service", "t-008")
    page = client.get(f"/dienst/{sid}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Gestopt: deze hulp bestaat niet meer." in text
    assert "het spreekuur is nu bij Rechtswinkel Teststad" in text


def test_english_results_mark_dutch_data_text(loaded_db, client):
    page = client.get("/zoek?areas=werk&postcode=9011&age=16&lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<span lang="nl">jongeren tot 27 jaar</span>' in html
    assert 'lang="nl">Gratis advies voor jongeren tot 27 jaar.' in html
    assert "Bron van deze gegevens" in html or "Source of this information" in html


def test_results_at_one_address_share_one_card():
    from webapp.blueprints.public import group_by_place

    results = [
        {"id": "a", "address": "Maanplein 14", "postal_code": "2516 CK", "remote": False},
        {"id": "b", "address": None, "city": "Den Haag", "remote": False},
        {"id": "c", "address": "Maanplein  14", "postal_code": "2516CK", "remote": False},
        {"id": "d", "address": None, "city": "Den Haag", "remote": False},
    ]
    groups = group_by_place(results)
    assert [(g["first"]["id"], [o["id"] for o in g["others"]]) for g in groups] == [
        ("a", ["c"]), ("b", []), ("d", [])]


def test_target_group_words():
    from loketwijzer.target_groups import belongs_to, check_group

    assert belongs_to("jongeren tot 27 jaar", "jongere")
    assert belongs_to("kinderen, jongeren en ouders geraakt door de kinderopvangtoeslagaffaire",
                      "gedupeerde")
    assert belongs_to("bewoners van het AZC Drachten", "nieuwkomer")
    assert not belongs_to("vrouwen", "jongere")
    assert not belongs_to(None, "vrouw")
    assert not belongs_to("mindervermogende bewoners", "vrouw")
    assert check_group(" Jongere ") == "jongere" and check_group("") is None
    with pytest.raises(ValueError):
        check_group("iedereen")


def test_picked_target_group_ranks_with_general_help(loaded_db, client):
    """Help "Alleen voor" a group ranks below general help, unless the resident picked it."""
    def position(**kw):
        results = _find(loaded_db, areas="werk", postcode="9011", age=16, **kw)["results"]
        names = [r["name"] for r in results]
        general = [i for i, r in enumerate(results) if r["reachable"]
                   and r["status"] == "active" and not r["target_group"]]
        return names.index("Jongerenrechtswinkel Teststad"), general

    unpicked, general = position()
    assert general and unpicked > max(general)  # below all general help
    picked, _ = position(group="jongere")
    assert picked < unpicked
    assert position(group="vrouw")[0] == unpicked  # another group changes nothing
    bad = client.get("/api/v1/services?postcode=9011&areas=werk&group=iedereen")
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_group"
    ok = client.get("/api/v1/services?postcode=9011&areas=werk&age=16&group=jongere")
    assert ok.get_json()["filters"]["group"] == "jongere"
    page = client.get("/zoek?postcode=9011&q=ontslagen&group=jongere").get_data(as_text=True)
    assert '<option value="jongere" selected>' in page


def test_ended_help_links_its_successor_instead_of_a_row_id(loaded_db, client):
    """The help list names the row that carries on ("(eigen rij nl-help-024)"): residents
    get a link to that service, never the row id."""
    from loketwijzer.models import Service, stable_id

    ended = stable_id("independent-help-nl", "service", "t-008")
    successor = stable_id("independent-help-nl", "service", "t-002")
    with loaded_db.session() as s:
        s.get(Service, ended).status_note = "Gestopt in 2025; nu in Teststad (eigen rij t-002)."
        s.commit()
    detail = client.get(f"/api/v1/services/{ended}").get_json()
    assert detail["status_note"] == "Gestopt in 2025; nu in Teststad."
    assert detail["successor"] == {"id": successor, "name": "Rechtswinkel Teststad"}
    html = client.get(f"/dienst/{ended}").get_data(as_text=True)
    assert "t-002" not in html.replace(successor, "")
    assert f'href="/dienst/{successor}"' in html
