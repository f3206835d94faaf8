"""What the finder keeps between searches: the matcher's answer per text and the origin
of a searched place (pure functions), never an online lookup, and never across a data
change; the answers are the same as without the keeping."""

from __future__ import annotations

from loketwijzer.actions import finder
from loketwijzer.actions.finder import find_services
from matcher import get_matcher


def test_repeated_text_is_matched_once(loaded_db, monkeypatch):
    finder._match.cache_clear()
    calls = []
    matcher = get_matcher()
    real = type(matcher).match

    def counting(self, text):
        calls.append(text)
        return real(self, text)

    monkeypatch.setattr(type(matcher), "match", counting)
    with loaded_db.session() as s:
        first = find_services(s, q="huurachterstand en beslag", postcode="9011")
        again = find_services(s, q="huurachterstand en beslag", postcode="9011")
        other = find_services(s, q="ontslag op staande voet", postcode="9011")
    assert calls == ["huurachterstand en beslag", "ontslag op staande voet"]
    assert first == again and other["areas"] != first["areas"]
    finder._match.cache_clear()


def test_origins_are_kept_per_index_but_not_online(loaded_db, monkeypatch):
    calls = []
    real = finder.geocode

    def counting(gaz, **kwargs):
        calls.append(kwargs.get("allow_online", False))
        return real(gaz, **kwargs)

    monkeypatch.setattr(finder, "geocode", counting)
    with loaded_db.session() as s:
        a = find_services(s, areas="schulden", postcode="9011")
        b = find_services(s, areas="wonen", postcode="9011")
        find_services(s, areas="schulden", postcode="9011", allow_online=True)
        find_services(s, areas="schulden", postcode="9011", allow_online=True)
    assert a["origin"] == b["origin"]
    assert calls == [False, True, True]  # once from the gazetteer; online every time
