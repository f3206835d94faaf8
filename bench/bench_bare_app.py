"""The bare Flask endpoint the throughput of bench_scale.py is compared with: a tiny app
returning a small JSON, served by gunicorn with the app's settings
(``bench/bench_bare_gunicorn.py``)."""

from __future__ import annotations

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/ping")
def ping():
    return jsonify({"status": "ok", "services": []})
