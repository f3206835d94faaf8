"""The evaluation command and the quality/latency thresholds on the eval sets."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import pytest

from matcher import build_matcher, get_matcher
from matcher.evaluate import evaluate, main, read_items

REPO = Path(__file__).resolve().parents[1]
PUBLIC = REPO.parent / "shared" / "eval" / "situations_public.jsonl"
DEV = REPO / "tests" / "data" / "matcher_dev.jsonl"
TUNING = REPO / "tests" / "data" / "matcher_tuning.jsonl"


def _write(tmp_path: Path, items: list[dict]) -> Path:
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(json.dumps(i) for i in items) + "\n", encoding="utf-8")
    return path


ITEMS = [
    {"id": "a", "text": "mijn huisbaas repareert de kapotte verwarming niet", "areas": ["wonen"]},
    {"id": "b", "text": "mijn man slaat me en we hebben schulden", "areas": ["geweld", "schulden"]},
    {"id": "c", "text": "iets over een onbekend onderwerp zonder signalen", "areas": ["werk"]},
]


def test_cli_prints_readable_metrics(tmp_path, capsys):
    assert main([str(_write(tmp_path, ITEMS))]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line.split()[1] for line in out.splitlines() if line.strip()}
    assert lines["n"] == "3"
    assert float(lines["hit@1"]) == pytest.approx(2 / 3, abs=1e-3)
    assert float(lines["recall@3"]) == pytest.approx(2 / 3, abs=1e-3)
    assert lines["safety"] == "1.000"
    assert float(lines["median_ms"]) >= 0


def test_cli_json_and_misses(tmp_path, capsys):
    assert main([str(_write(tmp_path, ITEMS)), "--json", "--show-misses"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n"] == 3 and data["safety"] == 1.0
    assert [miss["id"] for miss in data["misses"]] == ["c"]


def test_safety_is_na_without_violence_items(tmp_path, capsys):
    main([str(_write(tmp_path, ITEMS[:1]))])
    assert "safety     n/a" in capsys.readouterr().out


def test_cli_reports_missing_file(tmp_path, capsys):
    assert main([str(tmp_path / "nope.jsonl")]) == 2


def test_dev_set_regression_guard():
    report = evaluate(read_items(DEV), get_matcher())
    assert report.n >= 80
    assert report.hit1 >= 0.95
    assert report.recall3 >= 0.90
    assert report.safety == 1.0


def test_tuning_set_regression_guard():
    """Sentences that once failed and were fixed; keep them fixed."""
    report = evaluate(read_items(TUNING), get_matcher())
    assert report.n >= 500
    assert report.hit1 >= 0.95
    assert report.recall3 >= 0.93
    assert report.safety == 1.0


def test_public_set_thresholds():
    if not PUBLIC.is_file():
        pytest.skip("public evaluation set (../shared/eval) not present")
    report = evaluate(read_items(PUBLIC), get_matcher())
    assert report.hit1 >= 0.95
    assert report.recall3 >= 0.90
    assert report.safety in (None, 1.0)


def test_load_and_latency_budget():
    """Generous bounds so a busy CI machine does not flake; bench/ reports real numbers."""
    start = time.perf_counter()
    matcher = build_matcher()
    assert time.perf_counter() - start < 3.0
    texts = [item["text"] for item in read_items(DEV)]
    for text in texts:
        matcher.match(text)
    timings = []
    for text in texts:
        t0 = time.perf_counter()
        matcher.match(text)
        timings.append((time.perf_counter() - t0) * 1000)
    assert statistics.median(timings) < 5.0
