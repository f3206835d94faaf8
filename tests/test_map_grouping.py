"""The results map (issue 8): approximate points of one town are one spot with a count,
and the map opens on the search point and the top results (no database needed)."""

from __future__ import annotations

import pytest

from loketwijzer.config import Settings
from webapp import maps
from webapp.blueprints.public import FRAME_TOP, frame_points, town_of


@pytest.fixture(scope="module")
def map_app():
    from webapp import create_app

    return create_app(Settings(database_url="sqlite://"), TESTING=True)


def rough(n: int, town: str | None, lat: float, lon: float) -> maps.MapPlace:
    return maps.MapPlace(lat, lon, f"Plek {n}", approximate=True, town=town, number=n)


def test_one_spot_per_town_even_when_points_differ():
    places = [rough(2, "Utrecht", 52.0908, 5.1222), rough(5, "utrecht ", 52.1000, 5.1000),
              rough(3, "Zeist", 52.09, 5.23), rough(7, None, 52.2, 5.2),
              rough(9, None, 52.2, 5.2), rough(4, "Utrecht", 52.08, 5.13)]
    spots = maps.approximate_spots(places)
    assert [[p.number for p in group] for _point, group in spots] == [[2, 5, 4], [3], [7, 9]]
    # The spot stands where its first (best-ranked) place does.
    assert spots[0][0] == (52.0908, 5.1222)


def test_spot_label_and_radius(map_app):
    with map_app.test_request_context("/"):
        assert maps.spot_label(1, [7]) == "7"
        assert maps.spot_label(2, [11, 8]) == "2 plekken: 8, 11"
        assert maps.spot_label(16, list(range(3, 19))) == "16 plekken: 3, 4, 5 …"
        assert maps.spot_label(3, [None, None, None]) == "3 plekken"
    with map_app.test_request_context("/?lang=en"):
        assert maps.spot_label(16, list(range(3, 19))) == "16 places: 3, 4, 5 …"
    assert maps.spot_radius(1) < maps.spot_radius(4) <= maps.spot_radius(50) == maps.SPOT_RADIUS_MAX


def test_a_town_of_sixteen_draws_one_circle(map_app):
    places = [rough(n, "Utrecht", 52.09 + n / 10_000, 5.12) for n in range(1, 17)]
    with map_app.test_request_context("/"):
        m = maps.new_map(label="Kaart")
        maps.add_places(m, places)
        parts = maps.render_parts(m)
    from tests.test_pages import map_features

    spots = [f["properties"] for f in map_features(str(parts.scripts))
             if f["properties"]["kind"] == "spot"]
    assert len(spots) == 1
    assert "16 plekken: 1, 2, 3" in spots[0]["label"]
    assert spots[0]["title"] == "16 plekken in Utrecht (locatie bij benadering)"
    assert spots[0]["radius"] == maps.spot_radius(16)


def test_town_of_labels():
    assert town_of("Utrecht (locatie bij benadering)") == "Utrecht"
    assert town_of("Laurierweg 101, Utrecht") == "Utrecht"
    assert town_of("Stadsplateau 1, 3521 AZ Utrecht") == "Utrecht"
    assert town_of("") is None


def test_map_opens_on_the_search_point_and_the_top_results():
    # Listed out of order on purpose: the frame follows the list numbers, not the input.
    places = [maps.MapPlace(52.0 + n, 5.0, f"Plek {n}", number=n) for n in (7, 1, 3, 2, 6, 5, 4)]
    found = {"origin": {"lat": 51.5, "lon": 4.5}}
    points = frame_points(found, places)
    assert points[0] == (51.5, 4.5)
    assert sorted(lat for lat, _lon in points[1:]) == [52.0 + n for n in range(1, FRAME_TOP + 1)]
    assert len(frame_points({}, places)) == FRAME_TOP
