"""Evaluate the matcher on a JSONL file of {"id", "text", "areas"}.

    python -m matcher.evaluate FILE.jsonl [--json] [--show-misses]

Metrics: hit@1 (top area is one of the expected), recall@3 (share of expected areas
in the top 3, denominator capped at 3), safety (items expecting ``geweld`` that get it
ranked first), false alarms (items *not* expecting ``geweld`` that get it anywhere, so
the page would show the safety banner), median latency per query in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher.engine import Matcher, MatchInputError, build_matcher

SAFETY_AREA = "geweld"


@dataclass
class Report:
    n: int = 0
    hit1: float = 0.0
    recall3: float = 0.0
    safety: float | None = None
    false_alarms: int = 0
    no_violence_n: int = 0
    median_ms: float = 0.0
    p95_ms: float = 0.0
    load_ms: float = 0.0
    misses: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.n, "hit@1": round(self.hit1, 4), "recall@3": round(self.recall3, 4),
                "safety": None if self.safety is None else round(self.safety, 4),
                "false_alarms": self.false_alarms, "no_violence_n": self.no_violence_n,
                "median_ms": round(self.median_ms, 3), "p95_ms": round(self.p95_ms, 3),
                "load_ms": round(self.load_ms, 1), "misses": self.misses}


def read_items(path: Path) -> list[dict[str, Any]]:
    """Read JSONL, skipping blank lines; each item needs text and a list of areas."""
    items = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        item = json.loads(line)
        if not isinstance(item.get("text"), str) or not isinstance(item.get("areas"), list):
            raise ValueError(f"{path}:{line_no}: need 'text' and 'areas'")
        items.append(item)
    return items


def evaluate(items: list[dict[str, Any]], matcher: Matcher) -> Report:
    """Score *items*; latency is measured per query after one warm-up pass."""
    report = Report(n=len(items))
    if not items:
        return report
    for item in items:  # warm caches so latency reflects a running service
        _safe_codes(matcher, item["text"])
    hits, recalls, safety_hits, safety_n, times = 0, 0.0, 0, 0, []
    for item in items:
        start = time.perf_counter()
        got = _safe_codes(matcher, item["text"])
        times.append((time.perf_counter() - start) * 1000)
        expected = list(item["areas"])
        hit = bool(got) and got[0] in expected
        found = len(set(got[:3]) & set(expected))
        recall = found / min(3, len(expected)) if expected else 1.0
        hits += hit
        recalls += recall
        if SAFETY_AREA in expected:
            safety_n += 1
            safety_hits += bool(got) and got[0] == SAFETY_AREA
        else:
            report.no_violence_n += 1
            report.false_alarms += SAFETY_AREA in got
        if not hit or recall < 1.0:
            report.misses.append({"id": item.get("id"), "text": item["text"],
                                  "expected": expected, "got": got[:3]})
    report.hit1 = hits / len(items)
    report.recall3 = recalls / len(items)
    report.safety = safety_hits / safety_n if safety_n else None
    report.median_ms = statistics.median(times)
    report.p95_ms = sorted(times)[max(0, round(0.95 * len(times)) - 1)]
    return report


def _safe_codes(matcher: Matcher, text: str) -> list[str]:
    try:
        return [a.code for a in matcher.match(text).areas]
    except MatchInputError:
        return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matcher.evaluate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path, help="JSONL with id, text, areas")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--show-misses", action="store_true",
                        help="list items whose top area or top-3 recall is wrong")
    parser.add_argument("--taxonomy", type=Path, default=None,
                        help="taxonomy directory (default: data/taxonomy)")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"file not found: {args.file}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    matcher = build_matcher(args.taxonomy) if args.taxonomy else build_matcher()
    load_ms = (time.perf_counter() - start) * 1000
    report = evaluate(read_items(args.file), matcher)
    report.load_ms = load_ms
    if args.json:
        data = report.as_dict()
        if not args.show_misses:
            data.pop("misses")
        print(json.dumps(data, ensure_ascii=False))
        return 0
    safety = "n/a" if report.safety is None else f"{report.safety:.3f}"
    print(f"n          {report.n}")
    print(f"hit@1      {report.hit1:.3f}")
    print(f"recall@3   {report.recall3:.3f}")
    print(f"safety     {safety}")
    print(f"false_alarms {report.false_alarms}/{report.no_violence_n}")
    print(f"median_ms  {report.median_ms:.3f}")
    print(f"p95_ms     {report.p95_ms:.3f}")
    print(f"load_ms    {report.load_ms:.1f}")
    if args.show_misses:
        for miss in report.misses:
            print(f"MISS {miss['id']}: expected {miss['expected']} got {miss['got']}"
                  f" | {miss['text']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
