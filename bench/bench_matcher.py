"""Benchmark the text matcher: load time and per-query latency.

    python bench/bench_matcher.py [--rounds N]

Uses a varied built-in query set (Dutch, English, typos, shorthand, long texts) plus,
when present, the public evaluation set (../shared/eval), tests/data/matcher_dev.jsonl and
tests/data/matcher_v2_dev.jsonl (multi-problem, figurative and hidden-abuse sentences).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

QUERIES = [
    "ik heb schulden",
    "de deurwaarder legt beslag op mijn loon en ik kan de huur niet meer betalen",
    "terugvordering kinderopvangtoeslag door Dienst Toeslagen, 3 termijnen gemist",
    "werkgever dreigt met ontslag tijdens mijn ziekteverlof",
    "scheiding, wie houdt de koopwoning",
    "I can't pay my rent and my landlord wants to evict me",
    "my husband hits me and controls all our money",
    "clt heeft BW, SHV loopt, HG melding bij VT",
    "schlden bij de dereurwaarder en huur verhoging",
    "kop-staartbotsing met whiplash, wie betaalt mijn schade",
    "machtiging regelen zodat ik met digid de zaken van mijn vader kan doen",
    "mijn verblijfsvergunnig is verlopen en de IND reageert niet",
    "ik word 18, wat moet ik regelen",
    "<p>Hallo</p> ik heb een vraag over mijn <b>uitkering</b>",
    "😀",
    "'; DROP TABLE x; --",
    ("Inwoner (58) is na een beroerte niet meer in staat om zelf de administratie te doen, "
     "heeft betalingsachterstanden bij energie en zorgverzekeraar, de woningcorporatie "
     "dreigt met ontruiming en de dochter vraagt naar beschermingsbewind en Wmo-hulp. ") * 3,
]


def _jsonl(path: Path) -> list[str]:
    if not path.is_file():
        return []
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20, help="passes over the query set")
    args = parser.parse_args()

    t0 = time.perf_counter()
    from matcher import MatchInputError, build_matcher

    matcher = build_matcher()
    load_ms = (time.perf_counter() - t0) * 1000

    queries = list(QUERIES)
    queries += _jsonl(REPO.parent / "shared" / "eval" / "situations_public.jsonl")
    queries += _jsonl(REPO / "tests" / "data" / "matcher_dev.jsonl")
    queries += _jsonl(REPO / "tests" / "data" / "matcher_v2_dev.jsonl")

    first: list[float] = []
    for text in queries:  # cold: first time each token is analysed
        start = time.perf_counter()
        with contextlib.suppress(MatchInputError):
            matcher.match(text)
        first.append((time.perf_counter() - start) * 1000)

    timings: list[float] = []
    for _ in range(args.rounds):
        for text in queries:
            start = time.perf_counter()
            with contextlib.suppress(MatchInputError):
                matcher.match(text)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    print(f"queries         {len(queries)} x {args.rounds} rounds")
    print(f"load_ms         {load_ms:.1f}  (import + taxonomy + index)")
    print(f"cold_median_ms  {statistics.median(first):.3f}")
    print(f"cold_p95_ms     {sorted(first)[max(0, round(0.95 * len(first)) - 1)]:.3f}")
    print(f"median_ms       {statistics.median(timings):.3f}")
    print(f"p95_ms          {p95:.3f}")
    print(f"max_ms          {timings[-1]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
