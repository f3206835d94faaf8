"""The orjson provider writes what Flask's own provider writes, only faster."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import json
import uuid

import numpy as np
import pytest
from flask import Flask, jsonify
from flask.json.provider import DefaultJSONProvider

from webapp.json_provider import FastJSONProvider


@dataclasses.dataclass
class Point:
    lat: float
    lon: float


def _app(provider: type) -> Flask:
    app = Flask(__name__)
    app.json = provider(app)
    app.json.sort_keys = False
    return app


VALUE = {
    "naam": "Sociaal raadslieden Súdwest-Fryslân",
    "checked": dt.date(2026, 3, 1),
    "at": dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.UTC),
    "price": decimal.Decimal("1.50"),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "point": Point(52.1, 5.2),
    "z": 1, "a": [1.5, None, True],
}


def test_same_data_as_flask_default_provider_in_insertion_order():
    fast, slow = _app(FastJSONProvider), _app(DefaultJSONProvider)
    with fast.app_context():
        got = jsonify(VALUE)
    with slow.app_context():
        expected = jsonify(VALUE)
    assert got.mimetype == "application/json"
    assert json.loads(got.get_data()) == json.loads(expected.get_data())
    assert list(json.loads(got.get_data())) == list(VALUE)  # not sorted
    assert json.loads(got.get_data())["checked"] == "Sun, 01 Mar 2026 00:00:00 GMT"
    assert "Súdwest-Fryslân" in got.get_data(as_text=True)  # UTF-8, not \\u escapes
    assert got.get_data().endswith(b"\n")


def test_numpy_scalars_and_arrays_become_numbers():
    app = _app(FastJSONProvider)
    with app.app_context():
        body = json.loads(jsonify({"n": np.int64(3), "x": np.float32(0.5),
                                   "v": np.array([1, 2])}).get_data())
    assert body == {"n": 3, "x": 0.5, "v": [1, 2]}


def test_unknown_types_still_fail_loudly():
    app = _app(FastJSONProvider)
    with app.app_context(), pytest.raises(TypeError):
        jsonify({"x": object()})


def test_debug_output_is_indented_as_before():
    app = _app(FastJSONProvider)
    app.debug = True
    with app.app_context():
        text = jsonify({"a": 1}).get_data(as_text=True)
    assert text == '{\n  "a": 1\n}\n'


def test_the_app_uses_it(app):
    assert isinstance(app.json, FastJSONProvider)
